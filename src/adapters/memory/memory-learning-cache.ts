import type { Clock } from '../../ports/clock.js';
import type { LearningCache } from '../../ports/learning-cache.js';

/** Entries at most: one per repository reviewed within the TTL, so a large installation stays bounded. */
const MAX_ENTRIES = 1_000;

/**
 * The learning cache of one process (the Action, or the App without Redis). Values are copied in and out, so no
 * caller can change what another reads. Expired entries are dropped when met; past MAX_ENTRIES the oldest goes.
 */
export function createMemoryLearningCache(clock: Clock, maxEntries = MAX_ENTRIES): LearningCache {
  const entries = new Map<string, { json: string; expiresAt: number }>();
  return {
    async get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt <= clock.now()) {
        entries.delete(key);
        return undefined;
      }
      return JSON.parse(entry.json) as unknown;
    },
    async set(key, value, ttlMs) {
      entries.delete(key);
      entries.set(key, { json: JSON.stringify(value), expiresAt: clock.now() + ttlMs });
      while (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
    },
    async delete(key) {
      entries.delete(key);
    },
  };
}
