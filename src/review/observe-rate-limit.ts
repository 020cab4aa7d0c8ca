import type { RateLimitObservation, RateLimitPolicy, RateLimitState } from '../ports/rate-limiter.js';
import { entriesOf } from './admit-model-call.js';

/**
 * The state after a response: each window it reports replaces the one known (the provider's word is the truth),
 * except within the same window (the same reset), where the lower remaining stands: a response the provider
 * answered before another call's reservation cannot give that reservation back. A 429 blocks the model for its
 * retry-after (or the policy's wait when it names none), never shortening a block already known.
 */
export function observeRateLimit(state: RateLimitState | undefined, observation: RateLimitObservation, now: number, policy: RateLimitPolicy): RateLimitState {
  const windows = { ...(state?.windows ?? {}) };
  for (const [dimension, seen] of entriesOf(observation.windows)) {
    const known = windows[dimension];
    const limit = seen.limit ?? known?.limit;
    windows[dimension] =
      known && known.resetAt === seen.resetAt
        ? { ...(limit === undefined ? {} : { limit }), remaining: Math.min(known.remaining, seen.remaining), resetAt: seen.resetAt }
        : seen;
  }
  const asked = observation.limited ? now + (observation.limited.retryAfterMs ?? policy.limitedWaitMs) : 0;
  const blockedUntil = Math.max(state?.blockedUntil ?? 0, asked);
  return { windows, ...(blockedUntil > now ? { blockedUntil } : {}) };
}

/**
 * When a state says nothing any more: its block has passed, and so has every window's reset (a window whose
 * limit is known is kept one more period, so the next call finds the limit full rather than unknown).
 */
export function rateLimitExpiry(state: RateLimitState, policy: RateLimitPolicy): number {
  let expiry = state.blockedUntil ?? 0;
  for (const [, window] of entriesOf(state.windows)) expiry = Math.max(expiry, window.resetAt + (window.limit === undefined ? 0 : policy.windowMs));
  return expiry;
}
