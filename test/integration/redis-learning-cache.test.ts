import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { createRedisLearningCache } from '../../src/adapters/redis/redis-learning-cache.js';
import type { RedisLearningCache } from '../../src/adapters/redis/redis-learning-cache.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';

const log = pino({ level: 'silent' });
const keyPrefix = `${uniquePrefix()}:learning`;

await describeRedis('createRedisLearningCache', (redisUrl) => {
  const caches: RedisLearningCache[] = [];
  const make = () => {
    const cache = createRedisLearningCache({ redisUrl, keyPrefix, log });
    caches.push(cache);
    return cache;
  };

  afterAll(async () => {
    await Promise.all(caches.map((cache) => cache.close()));
    await deleteKeys(redisUrl, keyPrefix);
  });

  it('shares what one replica kept with another, until it expires or is deleted', async () => {
    const first = make();
    const second = make();

    await first.set('1/acme/api', { signals: [{ fp: 'a' }], learnings: [] }, 60_000);
    await first.set('1/acme/short', { signals: [] }, 50);

    expect(await second.get('1/acme/api')).toEqual({ signals: [{ fp: 'a' }], learnings: [] });
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await second.get('1/acme/short')).toBeUndefined();
    await second.delete('1/acme/api');
    expect(await first.get('1/acme/api')).toBeUndefined();
  });

  it('reads nothing from a key holding text that is not JSON, or from no key', async () => {
    const cache = make();
    const raw = new Redis(redisUrl);
    await raw.set(`${keyPrefix}:1/acme/other`, '{"signals": [', 'PX', 60_000);
    await raw.quit();

    expect(await cache.get('1/acme/other')).toBeUndefined();
    expect(await cache.get('1/acme/missing')).toBeUndefined();
  });
});
