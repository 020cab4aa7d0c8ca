import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createMemoryLearningCache } from '../../../src/adapters/memory/memory-learning-cache.js';
import { createMemoryPullRequestHost } from '../../../src/adapters/memory/memory-pull-request-host.js';
import { loadLearning } from '../../../src/learning/load-learning.js';
import type { LearningCache } from '../../../src/ports/learning-cache.js';
import { learningCacheKey } from '../../../src/ports/learning-cache.js';
import { findingMarker } from '../../../src/render/markers.js';
import { OWNER, PR, REPO } from '../../helpers/github-stand-in.js';

const log = pino({ level: 'silent' });
const REF = { installationId: 1, owner: OWNER, repo: REPO, pullNumber: PR };

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function repoHost() {
  const host = createMemoryPullRequestHost({
    feedback: {
      reviewComments: [{ id: 1, pullNumber: 1, body: findingMarker({ fingerprint: 'fp-1' }), author: { login: 'bulwark[bot]', isBot: true }, reactions: [{ login: 'alice', isBot: false, content: '-1' }] }],
      threads: [],
    },
    permissions: { alice: 'write' },
  });
  host.learnOwnIdentity('bulwark');
  return host;
}

describe('createMemoryLearningCache', () => {
  it('keeps a copy of a value for its TTL, then forgets it', async () => {
    const time = clock();
    const cache = createMemoryLearningCache(time);
    const value = { signals: [{ fp: 'a' }] };

    await cache.set('k', value, 1_000);
    value.signals.push({ fp: 'changed after set' });
    const read = (await cache.get('k')) as typeof value;
    read.signals.push({ fp: 'changed after get' });

    expect(await cache.get('k')).toEqual({ signals: [{ fp: 'a' }] });
    time.advance(999);
    expect(await cache.get('k')).toEqual({ signals: [{ fp: 'a' }] });
    time.advance(1);
    expect(await cache.get('k')).toBeUndefined();
  });

  it('forgets a key on delete, and the oldest key past its size bound', async () => {
    const cache = createMemoryLearningCache(clock(), 2);
    await cache.set('a', 1, 60_000);
    await cache.set('b', 2, 60_000);
    await cache.delete('b');
    await cache.set('c', 3, 60_000);
    await cache.set('d', 4, 60_000);

    expect([await cache.get('a'), await cache.get('b'), await cache.get('c'), await cache.get('d')]).toEqual([undefined, undefined, 3, 4]);
  });

  it('keys a repository by installation and name, whatever the case or pull request', () => {
    expect(learningCacheKey({ installationId: 3, owner: 'Acme', repo: 'API' })).toBe(learningCacheKey({ installationId: 3, owner: 'acme', repo: 'api' }));
    expect(learningCacheKey({ installationId: 3, owner: 'acme', repo: 'api' })).not.toBe(learningCacheKey({ installationId: 4, owner: 'acme', repo: 'api' }));
  });
});

describe('loadLearning', () => {
  it('reads GitHub once per TTL, and again once the entry expired', async () => {
    const time = clock();
    const host = repoHost();
    const deps = { cache: createMemoryLearningCache(time), ttlMs: 600_000, log };

    const first = await loadLearning(host, REF, deps);
    await loadLearning(host, { ...REF, pullNumber: 9 }, deps);
    time.advance(600_000);
    await loadLearning(host, REF, deps);

    expect(first.signals.map((signal) => signal.fp)).toEqual(['fp-1']);
    expect(host.calls.filter((call) => call === 'listOwnRepoReviewComments')).toHaveLength(2);
  });

  it('reads GitHub when asked for a fresh read, and when the cache holds something that is not a snapshot', async () => {
    const host = repoHost();
    const cache = createMemoryLearningCache(clock());
    const deps = { cache, ttlMs: 600_000, log };
    await cache.set(learningCacheKey(REF), { signals: 'not a list' }, 600_000);

    const fromBadEntry = await loadLearning(host, REF, deps);
    await loadLearning(host, REF, deps, { fresh: true });

    expect(fromBadEntry.signals).toHaveLength(1);
    expect(host.calls.filter((call) => call === 'listOwnRepoReviewComments')).toHaveLength(2);
  });

  it('reads GitHub when the cache fails, and never lets the cache cost the read', async () => {
    const broken: LearningCache = {
      get: async () => Promise.reject(new Error('Redis is down')),
      set: async () => Promise.reject(new Error('Redis is down')),
      delete: async () => Promise.reject(new Error('Redis is down')),
    };

    const snapshot = await loadLearning(repoHost(), REF, { cache: broken, ttlMs: 600_000, log });

    expect(snapshot.signals).toHaveLength(1);
  });
});
