import type { RateLimitPolicy, RateLimitState } from '../ports/rate-limiter.js';
import { entriesOf } from './admit-model-call.js';

/**
 * When a state says nothing any more: its block has passed, every window's reset too (a window whose limit is
 * known is kept one more period, so the next call finds the limit full rather than unknown), and no call counts
 * as in flight.
 */
export function rateLimitExpiry(state: RateLimitState, policy: RateLimitPolicy): number {
  let expiry = state.blockedUntil ?? 0;
  for (const [, window] of entriesOf(state.windows)) expiry = Math.max(expiry, window.resetAt + (window.limit === undefined ? 0 : policy.windowMs));
  for (const entry of state.inFlight) expiry = Math.max(expiry, entry.at + policy.inFlightMs);
  return expiry;
}
