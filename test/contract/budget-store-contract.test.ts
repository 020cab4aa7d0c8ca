import { pino } from 'pino';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBudgetStore } from '../../src/adapters/memory/memory-budget-store.js';
import { createRedisBudgetStore } from '../../src/adapters/redis/redis-budget-store.js';
import type { BudgetStore, ReviewedPullRequest } from '../../src/ports/budget-store.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';

/**
 * One contract for every BudgetStore: the in-process store and the Redis one must count automatic reviews of a
 * pull request the same way, so a deployment behaves the same with one replica or several.
 */

const noon = Date.parse('2025-03-14T12:00:00Z');
const lastMillisecond = Date.parse('2025-03-14T23:59:59.999Z');
const nextDay = Date.parse('2025-03-15T00:00:00Z');

function contract(make: () => BudgetStore) {
  // A fresh pull request per test: the Redis keys of one run are shared by its tests.
  let pullNumber = 0;
  const pullRequest = (): ReviewedPullRequest => ({ installationId: 5, owner: 'acme', repo: 'api', pullNumber: (pullNumber += 1) });

  it('allows up to the limit of automatic reviews per pull request and UTC day, then refuses', async () => {
    const store = make();
    const pr = pullRequest();

    expect(await store.claimReview(pr, 'head-1', 2, noon)).toEqual({ allowed: true, count: 1 });
    expect(await store.claimReview(pr, 'head-2', 2, noon)).toEqual({ allowed: true, count: 2 });
    expect(await store.claimReview(pr, 'head-3', 2, noon)).toEqual({ allowed: false, count: 2 });
    expect(await store.claimReview(pr, 'head-4', 2, noon)).toEqual({ allowed: false, count: 2 });
  });

  it('allows the same review again (a retry, a redelivery) without counting it twice', async () => {
    const store = make();
    const pr = pullRequest();
    await store.claimReview(pr, 'head-1', 1, noon);

    expect(await store.claimReview(pr, 'head-1', 1, noon)).toEqual({ allowed: true, count: 1 });
    expect(await store.claimReview(pr, 'head-2', 1, noon)).toEqual({ allowed: false, count: 1 });
  });

  it('counts each pull request, repository and installation on its own', async () => {
    const store = make();
    const pr = pullRequest();
    await store.claimReview(pr, 'head-1', 1, noon);

    expect((await store.claimReview({ ...pr, pullNumber: pr.pullNumber + 1000 }, 'head-1', 1, noon)).allowed).toBe(true);
    expect((await store.claimReview({ ...pr, repo: 'web' }, 'head-1', 1, noon)).allowed).toBe(true);
    expect((await store.claimReview({ ...pr, installationId: 6 }, 'head-1', 1, noon)).allowed).toBe(true);
  });

  it('starts again at the next UTC day', async () => {
    const store = make();
    const pr = pullRequest();
    await store.claimReview(pr, 'head-1', 1, lastMillisecond);

    expect(await store.claimReview(pr, 'head-2', 1, lastMillisecond)).toEqual({ allowed: false, count: 1 });
    expect(await store.claimReview(pr, 'head-2', 1, nextDay)).toEqual({ allowed: true, count: 1 });
  });

  it('lets concurrent claims (replicas) through only up to the limit', async () => {
    const first = make();
    const second = make();
    const pr = pullRequest();

    const answers = await Promise.all(Array.from({ length: 10 }, (_, index) => (index % 2 ? first : second).claimReview(pr, `head-${index}`, 3, noon)));

    expect(answers.filter((answer) => answer.allowed)).toHaveLength(3);
  });
}

describe('BudgetStore contract: memory', () => {
  // One process: every "replica" of a test is the same store; each test starts with a fresh one.
  let store = createMemoryBudgetStore();
  beforeEach(() => {
    store = createMemoryBudgetStore();
  });
  contract(() => store);
});

await describeRedis('BudgetStore contract: Redis', (redisUrl) => {
  const keyPrefix = `${uniquePrefix()}:budget`;
  const stores: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await deleteKeys(redisUrl, keyPrefix);
  });
  contract(() => {
    const store = createRedisBudgetStore({ redisUrl, keyPrefix, log: pino({ level: 'silent' }) });
    stores.push(store);
    return store;
  });
});
