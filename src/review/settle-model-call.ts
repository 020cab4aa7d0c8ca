import type { RateLimitObservation, RateLimitPolicy, RateLimitState } from '../ports/rate-limiter.js';
import { entriesOf } from './admit-model-call.js';

/**
 * The state once call `id` is over: it is no longer in flight, and what its answer reported replaces what was known
 * (the provider's word is the truth, as of now), except that a window whose reset has already passed says nothing
 * of the present, and that within the same window (the same reset) an answer that does not report less than known
 * brings no news: answers are processed in no set order, and one written before some call arrived, processed
 * after that call was let go, must neither give capacity back nor count that call as arrived. A 429 blocks the
 * model for its retry-after, or the policy's wait when it names none, never shortening a block already known.
 */
export function settleModelCall(state: RateLimitState | undefined, id: string, observation: RateLimitObservation | undefined, now: number, policy: RateLimitPolicy): RateLimitState {
  const windows = { ...(state?.windows ?? {}) };
  const inFlight = (state?.inFlight ?? []).filter((entry) => entry.id !== id);
  for (const [dimension, seen] of entriesOf(observation?.windows ?? {})) {
    if (seen.resetAt <= now) continue;
    const known = windows[dimension];
    if (known && !known.estimated && known.resetAt === seen.resetAt && seen.remaining >= known.remaining) continue;
    const limit = seen.limit ?? known?.limit;
    windows[dimension] = { ...(limit === undefined ? {} : { limit }), remaining: seen.remaining, resetAt: seen.resetAt, observedAt: now };
  }
  const asked = observation?.limited ? now + (observation.limited.retryAfterMs ?? policy.limitedWaitMs) : 0;
  const blockedUntil = Math.max(state?.blockedUntil ?? 0, asked);
  return { windows, inFlight, ...(blockedUntil > now ? { blockedUntil } : {}) };
}
