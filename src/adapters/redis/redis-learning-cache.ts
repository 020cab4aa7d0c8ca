import type { LearningCache } from '../../ports/learning-cache.js';
import type { Logger } from '../../ports/logger.js';
import { ServiceError } from '../../ports/service-error.js';
import { closeStore, connectStore } from './redis-store-connection.js';

export interface RedisLearningCacheOptions {
  redisUrl: string;
  /** Keys are `<keyPrefix>:<installation>/<owner>/<repo>`. Default `bulwark:learning`. */
  keyPrefix?: string;
  /** A command that gets no answer within this bound fails. Default 2000 ms. */
  commandTimeoutMs?: number;
  log: Logger;
}

export interface RedisLearningCache extends LearningCache {
  /** Closes the cache's Redis connection. */
  close(): Promise<void>;
}

/**
 * The learning cache in Redis, shared by every replica: one string of JSON per repository, written with its
 * expiry (`SET … PX`), so a replica never reads what another let expire. Failures are retryable
 * `ServiceError('redis')`; the caller reads from GitHub instead (a cache never costs a review).
 */
export function createRedisLearningCache(options: RedisLearningCacheOptions): RedisLearningCache {
  const keyPrefix = options.keyPrefix ?? 'bulwark:learning';
  const redis = connectStore({ redisUrl: options.redisUrl, name: 'bulwark:learning', commandTimeoutMs: options.commandTimeoutMs, what: 'learning cache', log: options.log });
  const keyOf = (key: string) => `${keyPrefix}:${key}`;
  const failed = (doing: string) => (error: unknown) => {
    throw new ServiceError('redis', `The learning cache could not ${doing} (Redis: ${error instanceof Error ? error.message : String(error)}).`, { retryable: true, cause: error });
  };

  return {
    async get(key) {
      const text = await redis.get(keyOf(key)).catch(failed('read what was learned'));
      if (text === null) return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    },
    async set(key, value, ttlMs) {
      await redis.set(keyOf(key), JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs))).catch(failed('keep what was learned'));
    },
    async delete(key) {
      await redis.del(keyOf(key)).catch(failed('forget what was learned'));
    },
    close: () => closeStore(redis),
  };
}
