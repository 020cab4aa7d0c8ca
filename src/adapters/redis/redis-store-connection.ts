import { Redis } from 'ioredis';
import type { Logger } from '../../ports/logger.js';

export interface StoreConnectionOptions {
  redisUrl: string;
  /** The connection's name in Redis (`CLIENT LIST`), e.g. `bulwark:budget`. */
  name: string;
  /** A command that gets no answer within this bound fails. Default 2000 ms. */
  commandTimeoutMs?: number | undefined;
  /** Who cannot reach Redis, in the one warning logged until it answers again (e.g. `budget store`). */
  what: string;
  log: Logger;
}

/**
 * A store's own connection to Redis: a command fails after two retries or its timeout, so the store's caller
 * hears of an outage at once; losing Redis is logged once, and again only after it came back.
 */
export function connectStore(options: StoreConnectionOptions): Redis {
  const redis = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 2,
    commandTimeout: options.commandTimeoutMs ?? 2000,
    connectTimeout: 2000,
    connectionName: options.name,
  });
  let reportedDown = false;
  redis.on('error', (error: Error) => {
    if (reportedDown) return;
    reportedDown = true;
    options.log.warn({ err: error }, `${options.what} cannot reach Redis`);
  });
  redis.on('ready', () => {
    reportedDown = false;
  });
  return redis;
}

/** Closes a store's connection: QUIT, or a plain disconnect when Redis does not answer. */
export async function closeStore(redis: Redis): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
