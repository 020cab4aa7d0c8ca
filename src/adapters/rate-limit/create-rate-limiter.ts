import { randomUUID } from 'node:crypto';
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { RateLimitAdmission, RateLimitedCall, RateLimiter, RateLimitObservation, RateLimitPolicy, RateLimitStore, RateLimitWait } from '../../ports/rate-limiter.js';
import { DEFAULT_RATE_LIMIT_POLICY } from '../../ports/rate-limiter.js';
import { ServiceError } from '../../ports/service-error.js';
import { rateLimitWaitMessage } from '../../render/render-rate-limit-wait.js';
import { admitModelCall } from '../../review/admit-model-call.js';
import { rateLimitExpiry } from '../../review/rate-limit-expiry.js';
import { settleModelCall } from '../../review/settle-model-call.js';

export interface RateLimiterOptions {
  store: RateLimitStore;
  policy?: Partial<RateLimitPolicy>;
  /**
   * The longest a call waits in its review (BULWARK_RATE_LIMIT_MAX_WAIT_MS). Past it the call is not made: it
   * fails as a passing failure carrying the wait, and the job is retried after it (src/review/retry-of.ts).
   */
  maxWaitMs: number;
  /**
   * A waiting call looks again this often (default 1000 ms): another call's answer may have moved the reset it
   * waits for (a limit full again sooner than the period assumed, a token bucket that refilled).
   */
  recheckMs?: number;
  clock?: Clock;
  /** Sleeps `ms`, or rejects when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  log: Logger;
  /** A call waited `ms` in all (metrics). */
  onWaited?: (model: string, ms: number) => void;
  /** A response reported the model's limits (metrics). */
  onObserved?: (model: string, observation: RateLimitObservation) => void;
}

/**
 * Calls wait here for the model provider's capacity, against a state every replica shares when the store is
 * Redis. Waiting in the review, up to a bound, rather than failing at once: the provider's limits are per minute,
 * so the wait is short, and a job retried later would read the pull request and plan its chunks again. Past the
 * bound the job is retried instead of making the call: a call made anyway would be refused (a 429 that spends a
 * request of every replica's limit) and hold a worker that other reviews can use.
 *
 * The store being unreachable never stops a review: the call goes, as it would without a limiter, and the SDK's
 * own retries still honour a 429's retry-after.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const policy: RateLimitPolicy = { ...DEFAULT_RATE_LIMIT_POLICY, ...options.policy };
  const clock = options.clock ?? systemClock;
  const recheckMs = options.recheckMs ?? 1000;
  const sleep = options.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, signal ? { signal } : {}));
  let storeDown = false;
  const storeFailed = (error: unknown, doing: string) => {
    if (storeDown) return;
    storeDown = true;
    options.log.warn({ err: error }, `could not ${doing} the model's shared rate-limit state; calls go on without it`);
  };

  async function admit(call: RateLimitedCall, id: string, now: number): Promise<RateLimitAdmission> {
    try {
      const admission = await options.store.update(
        call.key,
        (state) => {
          const decided = admitModelCall(state, { id, need: call.need }, now, policy);
          return { state: decided.state, expiresAt: rateLimitExpiry(decided.state, policy), result: decided.admission };
        },
        now,
      );
      storeDown = false;
      return admission;
    } catch (error) {
      storeFailed(error, 'read');
      return { admitted: true };
    }
  }

  return {
    async acquire(call, { listener, signal } = {}) {
      const started = clock.now();
      const ticket = { key: call.key, model: call.model, id: randomUUID() };
      let first: RateLimitWait | undefined;
      try {
        for (;;) {
          const now = clock.now();
          const admission = await admit(call, ticket.id, now);
          if (admission.admitted) return ticket;
          const wait: RateLimitWait = { model: call.model, reason: admission.reason, until: admission.until, waitMs: Math.max(1, admission.until - now) };
          // A window not reported yet ends when its next answer says (it is looked at again every recheckMs): only
          // the time already waited counts against the bound.
          if (admission.estimated ? now - started >= options.maxWaitMs : admission.until - started > options.maxWaitMs) {
            options.log.info({ model: call.model, reason: wait.reason, waitMs: wait.waitMs }, 'model call not made: the rate limit holds it longer than a review waits');
            throw new ServiceError('anthropic', rateLimitWaitMessage(wait, options.maxWaitMs), { retryable: true, retryAfterMs: admission.until - now });
          }
          if (!first) options.log.info({ model: call.model, reason: wait.reason, waitMs: wait.waitMs }, 'model call waits for the rate limit');
          // The check run is told while the call sleeps: the wait is not lengthened by GitHub's answer.
          const telling = first ? undefined : listener?.waiting(wait);
          first ??= wait;
          await Promise.all([telling, sleep(Math.min(wait.waitMs, recheckMs), signal)]);
        }
      } finally {
        if (first) {
          options.onWaited?.(call.model, clock.now() - started);
          await listener?.resumed(first);
        }
      }
    },

    async settle(ticket, observation) {
      const now = clock.now();
      try {
        await options.store.update(
          ticket.key,
          (state) => {
            const next = settleModelCall(state, ticket.id, observation, now, policy);
            return { state: next, expiresAt: rateLimitExpiry(next, policy), result: undefined };
          },
          now,
        );
        storeDown = false;
      } catch (error) {
        storeFailed(error, 'write');
      }
      if (!observation) return;
      if (observation.limited) options.log.warn({ model: ticket.model, retryAfterMs: observation.limited.retryAfterMs }, 'the model provider answered 429 (rate limited)');
      options.onObserved?.(ticket.model, observation);
    },
  };
}
