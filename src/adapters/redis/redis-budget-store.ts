import { Redis } from 'ioredis';
import type { BudgetStore, BudgetUsage } from '../../ports/budget-store.js';
import { fromMicroUsd, toMicroUsd, utcDay } from '../../ports/budget-store.js';
import type { Logger } from '../../ports/logger.js';

export interface RedisBudgetStoreOptions {
  redisUrl: string;
  /** Keys are `<keyPrefix>:<installation>:<yyyy-mm-dd>`. Default `bulwark:budget`. */
  keyPrefix?: string;
  /** A day's key expires this long after its last write. Default two days. */
  ttlSeconds?: number;
  /** A command that gets no answer within this bound fails. Default 2000 ms. */
  commandTimeoutMs?: number;
  log: Logger;
}

export interface RedisBudgetStore extends BudgetStore {
  /** Closes the store's Redis connection. */
  close(): Promise<void>;
}

/**
 * Spend per installation and UTC day in Redis, shared by every replica: one hash per installation and day with
 * the fields `tokens` and `microUsd` (whole micro-dollars), incremented atomically in a MULTI with its EXPIRE.
 */
export function createRedisBudgetStore(options: RedisBudgetStoreOptions): RedisBudgetStore {
  const keyPrefix = options.keyPrefix ?? 'bulwark:budget';
  const ttlSeconds = options.ttlSeconds ?? 2 * 24 * 3600;
  const redis = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 2,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: 2000,
    connectionName: 'bulwark:budget',
  });
  let reportedDown = false;
  redis.on('error', (error: Error) => {
    if (reportedDown) return;
    reportedDown = true;
    options.log.warn({ err: error }, 'budget store cannot reach Redis');
  });
  redis.on('ready', () => {
    reportedDown = false;
  });

  const keyFor = (installationId: number, now: number) => `${keyPrefix}:${installationId}:${utcDay(now)}`;
  const view = (tokens: unknown, microUsd: unknown): BudgetUsage => ({ tokens: Number(tokens ?? 0), usd: fromMicroUsd(Number(microUsd ?? 0)) });

  return {
    async add(installationId, usage, now) {
      const key = keyFor(installationId, now);
      const replies = await redis
        .multi()
        .hincrby(key, 'tokens', Math.round(usage.tokens))
        .hincrby(key, 'microUsd', toMicroUsd(usage.usd))
        .expire(key, ttlSeconds)
        .exec();
      if (!replies) throw new Error('The budget update was aborted.');
      for (const [error] of replies) if (error) throw error;
      return view(replies[0]?.[1], replies[1]?.[1]);
    },
    async spent(installationId, now) {
      const [tokens, microUsd] = await redis.hmget(keyFor(installationId, now), 'tokens', 'microUsd');
      return view(tokens, microUsd);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
