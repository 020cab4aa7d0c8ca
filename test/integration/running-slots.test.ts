import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRunningSlots } from '../../src/adapters/redis/running-slots.js';
import type { RunningSlots } from '../../src/adapters/redis/running-slots.js';
import type { ReviewJob } from '../../src/ports/job-queue.js';
import type { RunningCaps } from '../../src/review/running-caps.js';
import { commandJob, repoJob, sleep } from '../contract/job-queue-contract.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';

const prefix = uniquePrefix();

await describeRedis('createRunningSlots', (redisUrl) => {
  let client: Redis;
  let count = 0;
  beforeAll(() => {
    client = new Redis(redisUrl);
  });
  afterAll(async () => {
    await client.quit();
    await deleteKeys(redisUrl, `${prefix}:`);
  });

  /** Slots on keys of their own, and a stand-in for BullMQ's job hashes and delayed set (where held-back jobs wait). */
  const make = (caps: RunningCaps, leaseMs = 30_000) => {
    const base = `${prefix}:q${(count += 1)}:`;
    const slots = createRunningSlots({ client, keyPrefix: `${base}bulwark:`, jobKeyPrefix: base, delayedKey: `${base}delayed`, caps, leaseMs });
    const idOf = (job: ReviewJob) => `${job.repo}-${job.pullNumber}${job.command ? '-command' : ''}`;
    /** What the queue does with a held-back job: it waits in the delayed set. */
    const putAside = async (job: ReviewJob) => {
      await client.hset(`${base}${idOf(job)}`, 'data', '{}');
      await client.zadd(`${base}delayed`, Date.now(), idOf(job));
    };
    /** What promoting does: the job leaves the delayed set. */
    const bringBack = (id: string) => client.zrem(`${base}delayed`, id);
    const claim = async (job: ReviewJob) => {
      const claimed = await slots.claim(job, idOf(job), job.command ? 'command' : 'automatic');
      if (!claimed.ok) await putAside(job);
      return claimed;
    };
    return { slots: slots satisfies RunningSlots, idOf, claim, bringBack };
  };

  it('takes slots up to the repository cap; the next job is held back, and told so only the first time', async () => {
    const { claim } = make({ perRepository: 2, perInstallation: 0 });

    const results = [await claim(repoJob('big', 1)), await claim(repoJob('big', 2)), await claim(repoJob('big', 3)), await claim(repoJob('big', 3)), await claim(repoJob('small', 1))];

    expect(results).toEqual([{ ok: true }, { ok: true }, { ok: false, cap: 'repository', firstHold: true, broughtBack: false }, { ok: false, cap: 'repository', firstHold: false, broughtBack: false }, { ok: true }]);
  });

  it('holds an installation to its cap across its repositories; owner and repository names are compared case-insensitively', async () => {
    const { claim } = make({ perRepository: 1, perInstallation: 2 });

    expect(await claim(repoJob('a', 1))).toEqual({ ok: true });
    expect(await claim({ ...repoJob('A', 2), owner: 'O' })).toEqual({ ok: false, cap: 'repository', firstHold: true, broughtBack: false });
    expect(await claim(repoJob('b', 1))).toEqual({ ok: true });
    expect(await claim(repoJob('c', 1))).toEqual({ ok: false, cap: 'installation', firstHold: true, broughtBack: false });
    expect(await claim(repoJob('d', 1, 2))).toEqual({ ok: true });
  });

  it('two slots freed in a row bring back two different held-back jobs, people first, then in order of arrival', async () => {
    const { slots, claim, idOf, bringBack } = make({ perRepository: 2, perInstallation: 0 });
    for (const pull of [1, 2, 3, 4]) {
      await claim(repoJob('r', pull));
      await sleep(2);
    }
    await claim(commandJob(5, 77));

    const first = await slots.release(repoJob('r', 1), idOf(repoJob('r', 1)));
    const second = await slots.release(repoJob('r', 2), idOf(repoJob('r', 2)));
    await bringBack(first!);
    await bringBack(second!);

    expect([first, second]).toEqual(['r-5-command', 'r-3']);
  });

  it('a job brought back that finds the slot taken again keeps its place ahead of jobs held back after it', async () => {
    const { slots, claim, idOf, bringBack } = make({ perRepository: 1, perInstallation: 0 });
    for (const pull of [1, 2, 3]) {
      await claim(repoJob('r', pull));
      await sleep(2);
    }

    const next = await slots.release(repoJob('r', 1), idOf(repoJob('r', 1)));
    await bringBack(next!);
    // Another job took the freed slot first (a worker fetched it before the job brought back).
    expect(await claim(repoJob('r', 9))).toEqual({ ok: true });
    expect(await claim(repoJob('r', 2))).toEqual({ ok: false, cap: 'repository', firstHold: false, broughtBack: true });
    await claim(repoJob('r', 4));
    const after = await slots.release(repoJob('r', 9), idOf(repoJob('r', 9)));

    expect(next).toBe('r-2');
    expect(after).toBe('r-2');
  });

  it('a job brought back for a slot that another took meanwhile passes the slot it came for on to the next job that fits', async () => {
    const { slots, claim, idOf, bringBack } = make({ perRepository: 2, perInstallation: 3 });
    // A millisecond apart: jobs held back in the same millisecond are in no particular order.
    for (const job of [repoJob('mono', 1), repoJob('mono', 2), repoJob('api', 1), repoJob('mono', 3), repoJob('mono', 4), repoJob('api', 2)]) {
      await claim(job);
      await sleep(2);
    }

    // mono#1 ends: mono#3 is brought back. api#1 ends before mono#3 has taken its slot: mono still looks half full.
    const forMono1 = await slots.release(repoJob('mono', 1), idOf(repoJob('mono', 1)));
    const forApi1 = await slots.release(repoJob('api', 1), idOf(repoJob('api', 1)));
    await bringBack(forMono1!);
    await bringBack(forApi1!);
    const third = await claim(repoJob('mono', 3));
    const fourth = await claim(repoJob('mono', 4));
    const passedTo = await slots.passOn(repoJob('mono', 4));

    expect([forMono1, forApi1]).toEqual(['mono-3', 'mono-4']);
    expect(third).toEqual({ ok: true });
    expect(fourth).toEqual({ ok: false, cap: 'repository', firstHold: false, broughtBack: true });
    expect(passedTo).toBe('api-2');
    expect(await claim(repoJob('api', 2))).toEqual({ ok: true });
  });

  it("a slot whose lease is not renewed (its worker died) is free once the lease runs out; a renewed one stays taken", async () => {
    const { slots, claim, idOf } = make({ perRepository: 1, perInstallation: 0 }, 300);
    await claim(repoJob('dead', 1));
    await claim(repoJob('alive', 1));

    for (let tick = 0; tick < 4; tick += 1) {
      await sleep(100);
      await slots.renew(repoJob('alive', 1), idOf(repoJob('alive', 1)));
    }

    expect(await claim(repoJob('dead', 2))).toEqual({ ok: true });
    expect(await claim(repoJob('alive', 2))).toEqual({ ok: false, cap: 'repository', firstHold: true, broughtBack: false });
  });

  it('a job run again on another worker (its first worker died) takes back the slot it still holds', async () => {
    const { claim } = make({ perRepository: 1, perInstallation: 0 });

    expect(await claim(repoJob('r', 1))).toEqual({ ok: true });
    expect(await claim(repoJob('r', 1))).toEqual({ ok: true });
    expect(await claim(repoJob('r', 2))).toEqual({ ok: false, cap: 'repository', firstHold: true, broughtBack: false });
  });

  it('without caps, nothing is asked of Redis', async () => {
    // A client that never connects and queues nothing: any command would fail.
    const offline = new Redis(redisUrl, { lazyConnect: true, enableOfflineQueue: false });
    const slots = createRunningSlots({ client: offline, keyPrefix: `${prefix}:none:`, jobKeyPrefix: `${prefix}:none:`, delayedKey: `${prefix}:none:delayed`, caps: { perRepository: 0, perInstallation: 0 }, leaseMs: 1000 });

    for (let pull = 1; pull <= 5; pull += 1) expect(await slots.claim(repoJob('r', pull), `r-${pull}`, 'automatic')).toEqual({ ok: true });
    await slots.renew(repoJob('r', 1), 'r-1');
    expect(await slots.release(repoJob('r', 1), 'r-1')).toBeUndefined();
    offline.disconnect();

    expect(offline.status).not.toBe('ready');
  });
});
