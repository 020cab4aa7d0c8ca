import { z } from 'zod';
import type { Logger } from '../../ports/logger.js';
import type { RateLimitState, RateLimitStore } from '../../ports/rate-limiter.js';
import { ServiceError } from '../../ports/service-error.js';
import { closeStore, connectStore } from './redis-store-connection.js';

/**
 * KEYS[1]: a model's state; ARGV: the value read ('' for none), the new value ('' to delete it), its TTL in ms.
 * Compare-and-set: the write happens only when nobody wrote since the read, else the current value comes back
 * and the change is computed again from it. Returns {1} or {0, current}.
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1]) or ''
if current ~= ARGV[1] then return {0, current} end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return {1}
`;

const windowSchema = z.object({
  limit: z.number().nonnegative().optional(),
  remaining: z.number().nonnegative(),
  resetAt: z.number(),
  observedAt: z.number(),
  estimated: z.boolean().optional(),
});
const needSchema = z.object({ requests: z.number().nonnegative(), inputTokens: z.number().nonnegative(), outputTokens: z.number().nonnegative() });
const stateSchema = z.object({
  windows: z.object({ requests: windowSchema.optional(), 'input-tokens': windowSchema.optional(), 'output-tokens': windowSchema.optional(), tokens: windowSchema.optional() }),
  inFlight: z.array(z.object({ id: z.string(), at: z.number(), need: needSchema })),
  blockedUntil: z.number().optional(),
});

/** Compare-and-set rounds before giving up; each lost round means another replica's change went through. */
const MAX_ROUNDS = 20;

export interface RedisRateLimitStoreOptions {
  redisUrl: string;
  /** Keys are `<keyPrefix>:<model>`. Default `bulwark:ratelimit`. */
  keyPrefix?: string;
  /** A command that gets no answer within this bound fails. Default 2000 ms. */
  commandTimeoutMs?: number;
  log: Logger;
}

/**
 * Each model's rate-limit state in Redis, shared by every replica: one JSON string per model, expiring when it
 * says nothing any more (past its resets and its block). The change itself is the same pure code as in the
 * process (src/review/admit-model-call.ts); Redis only makes it atomic, by compare-and-set.
 * Every failure is a retryable `ServiceError('redis')`.
 */
export function createRedisRateLimitStore(options: RedisRateLimitStoreOptions): RateLimitStore & { close(): Promise<void> } {
  const keyPrefix = options.keyPrefix ?? 'bulwark:ratelimit';
  const redis = connectStore({ redisUrl: options.redisUrl, name: 'bulwark:ratelimit', commandTimeoutMs: options.commandTimeoutMs, what: 'rate-limit store', log: options.log });
  const failed = (error: unknown): never => {
    throw new ServiceError('redis', `The rate-limit store could not be read or written (Redis: ${error instanceof Error ? error.message : String(error)}).`, { retryable: true, cause: error });
  };

  return {
    async update(key, change, now) {
      const redisKey = `${keyPrefix}:${key}`;
      let raw = (await redis.get(redisKey).catch(failed)) ?? '';
      for (let round = 0; round < MAX_ROUNDS; round += 1) {
        const { state, expiresAt, result } = change(parse(raw));
        const ttlMs = Math.ceil(expiresAt - now);
        const next = state && ttlMs > 0 ? JSON.stringify(state) : '';
        const answer = (await redis.eval(COMPARE_AND_SET, 1, redisKey, raw, next, Math.max(1, ttlMs)).catch(failed)) as [number, string?];
        if (answer[0] === 1) return result;
        raw = answer[1] ?? '';
      }
      throw new ServiceError('redis', `The rate-limit state of ${key} kept changing under ${MAX_ROUNDS} attempts to update it.`, { retryable: true });
    },
    close: () => closeStore(redis),
  };
}

/** A state as stored; anything unreadable counts as nothing known (the next response writes it anew). */
function parse(raw: string): RateLimitState | undefined {
  if (raw === '') return undefined;
  try {
    const parsed = stateSchema.safeParse(JSON.parse(raw));
    return parsed.success ? (parsed.data as RateLimitState) : undefined;
  } catch {
    return undefined;
  }
}
