/**
 * The model provider's rate limit, shared by every model call of every replica. The provider says where a model
 * stands on each response (requests and tokens remaining, when each is full again; a 429's retry-after); calls
 * wait while what is left is under a margin, so replicas slow down together before the provider refuses them.
 * https://platform.claude.com/docs/en/api/rate-limits
 */

/** The limits a provider reports: requests, input tokens, output tokens, or tokens of any kind (the most restrictive). */
export type RateLimitDimension = 'requests' | 'input-tokens' | 'output-tokens' | 'tokens';

/** Why a call waits: a limit nearly spent, or a 429 whose retry-after has not passed. */
export type RateLimitReason = RateLimitDimension | 'retry-after';

/** One limit as a response reported it. */
export interface RateLimitWindow {
  /** The limit itself, when the provider said it. */
  limit?: number;
  remaining: number;
  /** When it is full again (ms since epoch). */
  resetAt: number;
}

/** What one response said about the model's limits. */
export interface RateLimitObservation {
  windows: Partial<Record<RateLimitDimension, RateLimitWindow>>;
  /** The provider refused the call (429); `retryAfterMs` is how long it asked to wait, when it said. */
  limited?: { retryAfterMs: number | undefined };
}

/** A window as last reported, and when (ms since epoch): calls sent since then are not counted in it. */
export interface KnownWindow extends RateLimitWindow {
  observedAt: number;
  /** Assumed full again once the reported one reset, for the policy's period: the provider has not spoken of it yet. */
  estimated?: boolean;
}

/** A call let go and not answered yet, and when it was let go. */
export interface InFlightCall {
  id: string;
  at: number;
  need: RateLimitNeed;
}

/**
 * What is known of one model's limits: each window as the provider last reported it, the calls in flight (on any
 * replica), and a 429's wait. What a call may spend is the window less the calls sent after it was reported: the
 * provider counts a call when it arrives, so those sent before the answer that reported the window are in it.
 */
export interface RateLimitState {
  windows: Partial<Record<RateLimitDimension, KnownWindow>>;
  inFlight: InFlightCall[];
  /** No call before this time (ms since epoch): a 429 asked for it. */
  blockedUntil?: number;
}

/** What one call will spend: a request, its estimated input tokens, and its `max_tokens` (what the provider counts first). */
export interface RateLimitNeed {
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** `estimated`: the wait is for a window the provider has not reported yet; its end is a guess, the next answer tells. */
export type RateLimitAdmission = { admitted: true } | { admitted: false; until: number; reason: RateLimitReason; estimated?: boolean };

/** How close to a limit calls may go, and the rules for what the provider did not say. */
export interface RateLimitPolicy {
  /** The share of each limit kept free (0–0.5): a call waits when it would leave less than this. */
  margin: number;
  /** How long a 429 that names no wait blocks the model. */
  limitedWaitMs: number;
  /** The provider's limit period: once a window's reset has passed, its whole limit is available for this long. */
  windowMs: number;
  /** How long a call let go counts as in flight without an answer (a replica that died never says it ended). */
  inFlightMs: number;
  /**
   * How long a call may take to reach the provider: a call let go this close before a reset may arrive after it,
   * so it is counted against the next window too.
   */
  transitMs: number;
}

/** The defaults (README, "Operator settings"): Anthropic's limits are per minute. */
export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = { margin: 0.05, limitedWaitMs: 1_000, windowMs: 60_000, inFlightMs: 15 * 60_000, transitMs: 500 };

/** One state change, computed from the state as it is (undefined: nothing known, or expired). Must be pure. */
export type RateLimitChange<T> = (state: RateLimitState | undefined) => { state: RateLimitState | undefined; expiresAt: number; result: T };

/**
 * Where the state of each model's limits lives: in the process, or in Redis, shared by every replica. `update` is
 * atomic: two replicas never both spend the last of a limit (Redis computes the change again when another replica
 * wrote in between).
 */
export interface RateLimitStore {
  update<T>(key: string, change: RateLimitChange<T>, now: number): Promise<T>;
  close?(): Promise<void>;
}

/** A wait a call is about to make, as the check run of its review tells it. */
export interface RateLimitWait {
  /** The model, as the request named it. */
  model: string;
  reason: RateLimitReason;
  /** When the call goes on (ms since epoch). */
  until: number;
  waitMs: number;
}

/** Told of a call's wait (before it sleeps) and of its end; the limiter awaits both. Must not throw. */
export interface RateLimitWaitListener {
  waiting(wait: RateLimitWait): Promise<void>;
  resumed(wait: RateLimitWait): Promise<void>;
}

/** One model call, as the limiter sees it: the state it counts against (one per model and endpoint) and its need. */
export interface RateLimitedCall {
  key: string;
  model: string;
  need: RateLimitNeed;
}

/** A call the limiter let go, to settle once it is answered (or not). */
export interface RateLimitTicket {
  key: string;
  model: string;
  id: string;
}

export interface RateLimiter {
  /**
   * Resolves when the call may go: at once, or after waiting for the provider's reset (telling `listener`). A wait
   * past the limiter's maximum throws a retryable `ServiceError` carrying the wait, so the job is retried later.
   */
  acquire(call: RateLimitedCall, options?: { listener?: RateLimitWaitListener | undefined; signal?: AbortSignal | undefined }): Promise<RateLimitTicket>;
  /**
   * The call is over: what its answer said about the limits (undefined: nothing, or no answer came). Never throws:
   * a lost observation only makes calls less careful.
   */
  settle(ticket: RateLimitTicket, observation: RateLimitObservation | undefined): Promise<void>;
}
