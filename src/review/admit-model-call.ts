import type { InFlightCall, KnownWindow, RateLimitAdmission, RateLimitDimension, RateLimitNeed, RateLimitPolicy, RateLimitReason, RateLimitState } from '../ports/rate-limiter.js';

type Windows = RateLimitState['windows'];

/**
 * Whether a call may go now, against what is known of its model's limits, and the state after it: an admitted call
 * is in flight, so the next call (on any replica) counts it before the provider has answered.
 *
 * What a call may spend of a limit is what the provider last reported less what the calls let go since then need
 * (the provider counts a call on arrival, so calls sent before that answer are in it already; calls sent after
 * are not). A call waits until the window's reset when it would leave less than the margin of the limit (its need
 * and the margin are capped at the limit: a call larger than the limit goes once the window is full), and until a
 * 429's retry-after has passed. A window whose reset has passed is full again (the provider's reset is when its
 * bucket is full: https://platform.claude.com/docs/en/api/rate-limits); with its limit unknown it says nothing.
 * `tokens` (the most restrictive of the token limits) is used only when the input and output limits are not reported.
 */
export function admitModelCall(
  state: RateLimitState | undefined,
  call: { id: string; need: RateLimitNeed },
  now: number,
  policy: RateLimitPolicy,
): { admission: RateLimitAdmission; state: RateLimitState } {
  const windows = currentWindows(state?.windows ?? {}, now, policy);
  const inFlight = (state?.inFlight ?? []).filter((entry) => entry.at > now - policy.inFlightMs);
  const blockedUntil = state?.blockedUntil !== undefined && state.blockedUntil > now ? state.blockedUntil : undefined;
  let wait: { until: number; reason: RateLimitReason; estimated?: boolean } | undefined = blockedUntil === undefined ? undefined : { until: blockedUntil, reason: 'retry-after' };
  for (const [dimension, window] of entriesOf(windows)) {
    if (dimension === 'tokens' && (windows['input-tokens'] || windows['output-tokens'])) continue;
    const available = window.remaining - sentSince(inFlight, window.observedAt, dimension);
    if (available >= threshold(needOf(call.need, dimension), window, policy.margin)) continue;
    if (!wait || window.resetAt > wait.until) wait = { until: window.resetAt, reason: dimension, ...(window.estimated ? { estimated: true } : {}) };
  }
  const kept = blockedUntil === undefined ? {} : { blockedUntil };
  if (wait) return { admission: { admitted: false, ...wait }, state: { windows, inFlight, ...kept } };
  return { admission: { admitted: true }, state: { windows, inFlight: [...inFlight, { id: call.id, at: now, need: call.need }], ...kept } };
}

/** What must be left for the call to go: its need plus the margin, at most the whole limit. */
function threshold(need: number, window: KnownWindow, margin: number): number {
  if (window.limit === undefined) return need;
  return Math.min(need + margin * window.limit, window.limit);
}

/** What the calls let go at or after `since` need of a limit (a call let go in the same millisecond may not be in it). */
function sentSince(inFlight: InFlightCall[], since: number, dimension: RateLimitDimension): number {
  let total = 0;
  for (const entry of inFlight) if (entry.at >= since) total += needOf(entry.need, dimension);
  return total;
}

function needOf(need: RateLimitNeed, dimension: RateLimitDimension): number {
  switch (dimension) {
    case 'requests':
      return need.requests;
    case 'input-tokens':
      return need.inputTokens;
    case 'output-tokens':
      return need.outputTokens;
    case 'tokens':
      return need.inputTokens + need.outputTokens;
  }
}

/**
 * Windows past their reset: full for another period when the limit is known, an estimate until an answer reports
 * the new one (calls let go before the reset were counted in the window that ended, but those let go just before
 * it may arrive after it: they count against the new one too); otherwise forgotten.
 */
function currentWindows(windows: Windows, now: number, policy: RateLimitPolicy): Windows {
  const current: Windows = {};
  for (const [dimension, window] of entriesOf(windows)) {
    if (window.resetAt > now) current[dimension] = window;
    else if (window.limit !== undefined) {
      current[dimension] = { limit: window.limit, remaining: window.limit, resetAt: now + policy.windowMs, observedAt: window.resetAt - policy.transitMs, estimated: true };
    }
  }
  return current;
}

export function entriesOf<W>(windows: Partial<Record<RateLimitDimension, W>>): [RateLimitDimension, W][] {
  return Object.entries(windows).filter((entry): entry is [RateLimitDimension, W] => entry[1] !== undefined);
}
