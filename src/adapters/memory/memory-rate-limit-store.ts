import type { RateLimitState, RateLimitStore } from '../../ports/rate-limiter.js';

/** Each model's rate-limit state in this process (one replica, or tests). A change runs synchronously: atomic by itself. */
export function createMemoryRateLimitStore(): RateLimitStore {
  const states = new Map<string, { state: RateLimitState; expiresAt: number }>();
  return {
    async update(key, change, now) {
      const known = states.get(key);
      const { state, expiresAt, result } = change(known && known.expiresAt > now ? known.state : undefined);
      if (state && expiresAt > now) states.set(key, { state, expiresAt });
      else states.delete(key);
      return result;
    },
  };
}
