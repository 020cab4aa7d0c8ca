import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryRateLimitStore } from '../../src/adapters/memory/memory-rate-limit-store.js';
import { createRedisRateLimitStore } from '../../src/adapters/redis/redis-rate-limit-store.js';
import { createRateLimiter } from '../../src/adapters/rate-limit/create-rate-limiter.js';
import type { RateLimitedCall, RateLimitState, RateLimitStore } from '../../src/ports/rate-limiter.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';

/**
 * One contract for every RateLimitStore: the in-process store and the Redis one keep each model's rate-limit state
 * the same way, so calls wait the same with one replica or several. `make` gives one "replica": for memory, every
 * replica of a test is the same store (one process); for Redis, each is its own connection.
 */

const state = (remaining: number, resetAt = Date.now() + 60_000): RateLimitState => ({ windows: { requests: { limit: 100, remaining, resetAt, observedAt: Date.now() } }, inFlight: [] });
const silent = pino({ level: 'silent' });

/** A model name no other test of the run uses. */
const freshModel = () => `claude-test-${randomBytes(3).toString('hex')}`;

/** Time shared by the limiters of a test, passing only when one of them sleeps. */
function sharedTime() {
  let now = Date.now();
  const sleeps: number[] = [];
  return { clock: { now: () => now }, sleeps, sleep: async (ms: number) => void (sleeps.push(ms), (now += ms)) };
}

function contract(make: () => RateLimitStore) {
  it('shows a change nothing, or what the last change wrote, and returns its result', async () => {
    const store = make();
    const key = freshModel();
    const seen: (RateLimitState | undefined)[] = [];

    const first = await store.update(key, (known) => (seen.push(known), { state: state(7), expiresAt: Date.now() + 60_000, result: 'written' }), Date.now());
    await store.update(key, (known) => (seen.push(known), { state: known, expiresAt: Date.now() + 60_000, result: undefined }), Date.now());

    expect(first).toBe('written');
    expect(seen[0]).toBeUndefined();
    expect(seen[1]?.windows.requests?.remaining).toBe(7);
  });

  it('forgets a state once it expires, or when a change leaves none', async () => {
    const store = make();
    const expiring = freshModel();
    const dropped = freshModel();
    await store.update(expiring, () => ({ state: state(3), expiresAt: Date.now() + 40, result: undefined }), Date.now());
    await store.update(dropped, () => ({ state: state(3), expiresAt: Date.now() + 60_000, result: undefined }), Date.now());
    await store.update(dropped, () => ({ state: undefined, expiresAt: 0, result: undefined }), Date.now());
    await sleep(80);

    const read = async (key: string) => store.update(key, (known) => ({ state: known, expiresAt: Date.now() + 60_000, result: known }), Date.now());

    expect(await read(expiring)).toBeUndefined();
    expect(await read(dropped)).toBeUndefined();
  });

  it('keeps each key apart', async () => {
    const store = make();
    const [one, two] = [freshModel(), freshModel()];
    await store.update(one, () => ({ state: state(1), expiresAt: Date.now() + 60_000, result: undefined }), Date.now());

    expect(await store.update(two, (known) => ({ state: known, expiresAt: Date.now() + 60_000, result: known }), Date.now())).toBeUndefined();
  });

  it('applies concurrent changes from two replicas one after the other: none is lost', async () => {
    const [first, second] = [make(), make()];
    const key = freshModel();
    const take = (store: RateLimitStore) =>
      store.update(key, (known) => ({ state: state((known?.windows.requests?.remaining ?? 0) + 1), expiresAt: Date.now() + 60_000, result: undefined }), Date.now());

    await Promise.all(Array.from({ length: 20 }, (_, index) => take(index % 2 ? first : second)));

    expect(await first.update(key, (known) => ({ state: known, expiresAt: Date.now() + 60_000, result: known?.windows.requests?.remaining }), Date.now())).toBe(20);
  });

  it('through two limiters (replicas): once one hears that no request is left, the other waits for the reset', async () => {
    const time = sharedTime();
    const limiterOn = (store: RateLimitStore) => createRateLimiter({ store, maxWaitMs: 60_000, recheckMs: 60_000, clock: time.clock, sleep: time.sleep, log: silent });
    const [first, second] = [limiterOn(make()), limiterOn(make())];
    const model = freshModel();
    const call: RateLimitedCall = { key: model, model, need: { requests: 1, inputTokens: 1000, outputTokens: 100 } };

    await first.settle({ ...call, id: 'earlier' }, { windows: { requests: { limit: 50, remaining: 0, resetAt: time.clock.now() + 4000 } } });
    await second.acquire(call);

    expect(time.sleeps).toEqual([4000]);
  });

  it('through two limiters (replicas): once one is answered 429, the other waits for its retry-after', async () => {
    const time = sharedTime();
    const limiterOn = (store: RateLimitStore) => createRateLimiter({ store, maxWaitMs: 60_000, recheckMs: 60_000, clock: time.clock, sleep: time.sleep, log: silent });
    const [first, second] = [limiterOn(make()), limiterOn(make())];
    const model = freshModel();
    const call: RateLimitedCall = { key: model, model, need: { requests: 1, inputTokens: 1000, outputTokens: 100 } };

    await first.settle({ ...call, id: 'earlier' }, { windows: {}, limited: { retryAfterMs: 7000 } });
    await second.acquire(call);

    expect(time.sleeps).toEqual([7000]);
  });

  it('through two limiters (replicas): of ten calls at once with four requests left, four go and six wait', async () => {
    const time = sharedTime();
    // A wait is counted and never ends: what is asserted is who was told to wait.
    const limiterOn = (store: RateLimitStore) =>
      createRateLimiter({ store, policy: { margin: 0 }, maxWaitMs: 60_000, recheckMs: 60_000, clock: time.clock, sleep: (ms) => (time.sleeps.push(ms), new Promise<void>(() => undefined)), log: silent });
    const [first, second] = [limiterOn(make()), limiterOn(make())];
    const model = freshModel();
    const call: RateLimitedCall = { key: model, model, need: { requests: 1, inputTokens: 0, outputTokens: 0 } };
    await first.settle({ ...call, id: 'earlier' }, { windows: { requests: { limit: 50, remaining: 4, resetAt: time.clock.now() + 3000 } } });
    let went = 0;

    for (let index = 0; index < 10; index += 1) void (index % 2 ? first : second).acquire(call).then(() => (went += 1));
    await vi.waitFor(() => expect(went + time.sleeps.length).toBe(10));

    expect(went).toBe(4);
    expect(time.sleeps).toEqual([3000, 3000, 3000, 3000, 3000, 3000]);
  });
}

describe('RateLimitStore contract: memory', () => {
  let store = createMemoryRateLimitStore();
  beforeEach(() => {
    store = createMemoryRateLimitStore();
  });
  contract(() => store);
});

await describeRedis('RateLimitStore contract: Redis', (redisUrl) => {
  const keyPrefix = `${uniquePrefix()}:ratelimit`;
  const stores: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await deleteKeys(redisUrl, keyPrefix);
  });
  contract(() => {
    const store = createRedisRateLimitStore({ redisUrl, keyPrefix, log: silent });
    stores.push(store);
    return store;
  });
});
