import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisBudgetStore } from '../../src/adapters/redis/redis-budget-store.js';
import { isRetryable, ServiceError } from '../../src/ports/service-error.js';
import type { RedisBudgetStore } from '../../src/adapters/redis/redis-budget-store.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';

const log = pino({ level: 'silent' });
const keyPrefix = `${uniquePrefix()}:budget`;
const noon = Date.parse('2025-03-14T12:00:00Z');
const lastMillisecond = Date.parse('2025-03-14T23:59:59.999Z');
const nextDay = Date.parse('2025-03-15T00:00:00Z');

await describeRedis('createRedisBudgetStore', (redisUrl) => {
  const stores: RedisBudgetStore[] = [];
  const make = () => {
    const store = createRedisBudgetStore({ redisUrl, keyPrefix, log });
    stores.push(store);
    return store;
  };

  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await deleteKeys(redisUrl, keyPrefix);
  });

  it('adds up usage from two replicas (two connections) and both read the same total', async () => {
    const first = make();
    const second = make();

    await Promise.all([
      ...Array.from({ length: 10 }, () => first.add(7, { tokens: 1000, usd: 0.003 }, noon)),
      ...Array.from({ length: 10 }, () => second.add(7, { tokens: 500, usd: 0.0015 }, noon)),
    ]);
    const total = await first.add(7, { tokens: 1, usd: 0.000001 }, noon);

    expect(total).toEqual({ tokens: 15_001, usd: 0.045001 });
    expect(await first.spent(7, noon)).toEqual(total);
    expect(await second.spent(7, noon)).toEqual(total);
    expect(await second.spent(8, noon)).toEqual({ tokens: 0, usd: 0 });
  });

  it('starts a new key at the UTC day boundary and expires each day key after two days', async () => {
    const store = make();
    await store.add(9, { tokens: 100, usd: 0.5 }, lastMillisecond);
    await store.add(9, { tokens: 3, usd: 0.25 }, nextDay);

    expect(await store.spent(9, noon)).toEqual({ tokens: 100, usd: 0.5 });
    expect(await store.spent(9, nextDay)).toEqual({ tokens: 3, usd: 0.25 });

    const redis = new Redis(redisUrl);
    try {
      expect(await redis.hgetall(`${keyPrefix}:9:2025-03-14`)).toEqual({ tokens: '100', microUsd: '500000' });
      expect(await redis.hgetall(`${keyPrefix}:9:2025-03-15`)).toEqual({ tokens: '3', microUsd: '250000' });
      const ttl = await redis.ttl(`${keyPrefix}:9:2025-03-15`);
      expect(ttl).toBeGreaterThan(2 * 24 * 3600 - 10);
      expect(ttl).toBeLessThanOrEqual(2 * 24 * 3600);
    } finally {
      await redis.quit();
    }
  });
});

describe('createRedisBudgetStore without Redis', () => {
  it('fails with a retryable Redis service error, so a job is retried rather than reported as an internal error', async () => {
    // Nothing listens on port 1: every command fails after the client's retries.
    const store = createRedisBudgetStore({ redisUrl: 'redis://127.0.0.1:1', keyPrefix: 'unreachable:budget', commandTimeoutMs: 200, log });
    try {
      const failures = await Promise.all([
        store.add(1, { tokens: 1, usd: 0 }, noon).catch((error: unknown) => error),
        store.spent(1, noon).catch((error: unknown) => error),
        store.claimReview({ installationId: 1, owner: 'o', repo: 'r', pullNumber: 1 }, 'review', 3, noon).catch((error: unknown) => error),
      ]);
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(ServiceError);
        expect(failure).toMatchObject({ service: 'redis' });
        expect(isRetryable(failure)).toBe(true);
      }
    } finally {
      await store.close();
    }
  });
});
