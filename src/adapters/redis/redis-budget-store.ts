import type { BudgetStore, BudgetUsage, ReviewClaim } from '../../ports/budget-store.js';
import { fromMicroUsd, toMicroUsd, utcDay } from '../../ports/budget-store.js';
import type { Logger } from '../../ports/logger.js';
import { ServiceError } from '../../ports/service-error.js';
import { closeStore, connectStore } from './redis-store-connection.js';

/**
 * KEYS[1]: the pull request's set of reviews that day; ARGV: review id, limit, TTL in seconds. One script, so the
 * membership test, the count and the addition are atomic across replicas. Returns {allowed (0|1), count}.
 */
const CLAIM_REVIEW = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {1, redis.call('SCARD', KEYS[1])} end
local count = redis.call('SCARD', KEYS[1])
if count >= tonumber(ARGV[2]) then return {0, count} end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return {1, count + 1}
`;

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
 * Automatic reviews per pull request and day: one set of review ids (`<keyPrefix>:reviews:<installation>:<owner>/<repo>:<number>:<day>`).
 * Every failure is a retryable `ServiceError('redis')`: Redis being away is an outage, not a bug of the review.
 */
export function createRedisBudgetStore(options: RedisBudgetStoreOptions): RedisBudgetStore {
  const keyPrefix = options.keyPrefix ?? 'bulwark:budget';
  const ttlSeconds = options.ttlSeconds ?? 2 * 24 * 3600;
  const redis = connectStore({ redisUrl: options.redisUrl, name: 'bulwark:budget', commandTimeoutMs: options.commandTimeoutMs, what: 'budget store', log: options.log });

  const keyFor = (installationId: number, now: number) => `${keyPrefix}:${installationId}:${utcDay(now)}`;
  const reviewsKeyFor = (pr: { installationId: number; owner: string; repo: string; pullNumber: number }, now: number) =>
    `${keyPrefix}:reviews:${pr.installationId}:${pr.owner.toLowerCase()}/${pr.repo.toLowerCase()}:${pr.pullNumber}:${utcDay(now)}`;
  const failed = (doing: string) => (error: unknown) => {
    throw new ServiceError('redis', `The budget store could not ${doing} (Redis: ${error instanceof Error ? error.message : String(error)}).`, { retryable: true, cause: error });
  };
  const view = (tokens: unknown, microUsd: unknown): BudgetUsage => ({ tokens: Number(tokens ?? 0), usd: fromMicroUsd(Number(microUsd ?? 0)) });

  return {
    async add(installationId, usage, now) {
      const key = keyFor(installationId, now);
      const replies = await redis
        .multi()
        .hincrby(key, 'tokens', Math.round(usage.tokens))
        .hincrby(key, 'microUsd', toMicroUsd(usage.usd))
        .expire(key, ttlSeconds)
        .exec()
        .then((answer) => {
          if (!answer) throw new Error('the transaction was aborted');
          for (const [error] of answer) if (error) throw error;
          return answer;
        })
        .catch(failed('record what a review spent'));
      return view(replies[0]?.[1], replies[1]?.[1]);
    },
    async spent(installationId, now) {
      const [tokens, microUsd] = await redis.hmget(keyFor(installationId, now), 'tokens', 'microUsd').catch(failed('read what was spent today'));
      return view(tokens, microUsd);
    },
    async claimReview(pullRequest, reviewId, limit, now) {
      const answer = (await redis.eval(CLAIM_REVIEW, 1, reviewsKeyFor(pullRequest, now), reviewId, limit, ttlSeconds).catch(failed('count the reviews of the pull request'))) as [number, number];
      return { allowed: answer[0] === 1, count: Number(answer[1]) } satisfies ReviewClaim;
    },
    close: () => closeStore(redis),
  };
}
