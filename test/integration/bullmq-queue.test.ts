import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, expect, it } from 'vitest';
import { createBullmqQueue } from '../../src/adapters/redis/bullmq-queue.js';
import type { BullmqQueueOptions } from '../../src/adapters/redis/bullmq-queue.js';
import type { JobQueue, ReviewJob } from '../../src/ports/job-queue.js';
import { RetryLaterError, reviewJobId } from '../../src/ports/job-queue.js';
import { spawnChildWorker } from '../helpers/child-worker.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';

const log = pino({ level: 'silent' });
const prefix = uniquePrefix();
const job = (headSha: string, pullNumber = 1): ReviewJob => ({
  installationId: 1,
  owner: 'o',
  repo: 'r',
  pullNumber,
  headSha,
  trigger: 'opened',
  full: true,
  deliveryId: 'd',
  run: 'auto',
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A promise with its resolver, for handlers the test releases by hand. */
const gate = <T = void>() => {
  let open: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
};

await describeRedis('createBullmqQueue', (redisUrl) => {
  const open: JobQueue[] = [];
  const inspectors: Queue[] = [];
  const queueNames = new Set<string>();
  let count = 0;

  const make = (overrides: Partial<BullmqQueueOptions> = {}) => {
    const queueName = overrides.queueName ?? `q${(count += 1)}`;
    queueNames.add(queueName);
    const queue = createBullmqQueue({ redisUrl, prefix, concurrency: 2, backoffMs: 50, log, ...overrides, queueName });
    open.push(queue);
    return { queue, queueName };
  };
  /** A plain BullMQ Queue on the same keys, to look at job states (on a client instance: BullMQ's ESM build cannot load ioredis itself). */
  const inspectorClient = new Redis(redisUrl);
  const inspect = (queueName: string) => {
    const inspector = new Queue(queueName, { connection: inspectorClient, prefix });
    inspectors.push(inspector);
    return inspector;
  };

  afterEach(async () => {
    await Promise.all(open.splice(0).map((queue) => queue.close(200)));
  });
  afterAll(async () => {
    for (const queueName of queueNames) await inspect(queueName).obliterate({ force: true });
    await Promise.all(inspectors.map((inspector) => inspector.close()));
    await inspectorClient.quit();
    await deleteKeys(redisUrl, `${prefix}:`);
  });

  it('runs a job enqueued 10 times at once, from two replicas, exactly once', async () => {
    const { queue, queueName } = make();
    const { queue: replica } = make({ queueName });
    let runs = 0;
    queue.start(async () => {
      runs += 1;
    });

    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => (index % 2 === 0 ? queue : replica).enqueue(job('a'))));
    await queue.onIdle();

    const jobId = reviewJobId(job('a'));
    expect(results.filter((result) => result.queued)).toHaveLength(1);
    expect(results.every((result) => result.jobId === jobId)).toBe(true);
    expect(runs).toBe(1);
    // A redelivery soon after the job completed still collapses into it.
    expect(await replica.enqueue(job('a'))).toEqual({ jobId, queued: false });
    await sleep(100);
    expect(runs).toBe(1);
  });

  it('keeps enqueue to a few milliseconds', async () => {
    const { queue } = make();
    await queue.enqueue(job('warm-up', 999));
    const times: number[] = [];
    for (let pr = 1; pr <= 50; pr += 1) {
      const started = performance.now();
      await queue.enqueue(job('a', pr));
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((sum, time) => sum + time, 0) / times.length;
    console.info(`enqueue over 50 jobs: mean ${mean.toFixed(2)} ms, p50 ${times[25]!.toFixed(2)} ms, max ${times[49]!.toFixed(2)} ms`);
    expect(mean).toBeLessThan(50);
  });

  it('drops a waiting job of an older head when a newer head of the same PR arrives', async () => {
    const { queue, queueName } = make({ concurrency: 1 });
    const seen: string[] = [];

    const old = await queue.enqueue(job('old'));
    await queue.enqueue(job('other-pr', 2));
    const fresh = await queue.enqueue(job('new'));

    const inspector = inspect(queueName);
    expect(await inspector.getJob(old.jobId)).toBeUndefined();
    // Every job carries a priority (people's before automatic ones), so a waiting job is in BullMQ's prioritized set.
    expect(await inspector.getJobState(fresh.jobId)).toBe('prioritized');
    expect((await inspector.getJob(fresh.jobId))?.priority).toBe(10);

    queue.start(async (received, control) => {
      seen.push(`${received.headSha}:${String(await control.isSuperseded())}`);
    });
    await queue.onIdle();

    expect(seen.sort()).toEqual(['new:false', 'other-pr:false']);
  });

  it('retries a job that threw RetryLaterError, after the backoff, and it succeeds on attempt 2', async () => {
    const { queue, queueName } = make({ backoffMs: 200 });
    const runs: { attempt: number; maxAttempts: number; at: number }[] = [];
    queue.start(async (_received, control) => {
      runs.push({ attempt: control.attempt, maxAttempts: control.maxAttempts, at: Date.now() });
      if (control.attempt === 1) throw new RetryLaterError('model rate limited');
    });

    const { jobId } = await queue.enqueue(job('a'));
    await queue.onIdle();

    expect(runs.map(({ attempt, maxAttempts }) => [attempt, maxAttempts])).toEqual([
      [1, 3],
      [2, 3],
    ]);
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(190);
    expect(await inspect(queueName).getJobState(jobId)).toBe('completed');
  });

  it("keeps an attempt's checkpoint for the job's next attempt (on this replica), never in Redis", async () => {
    const { queue, queueName } = make({ backoffMs: 10 });
    const seen: { head: string; attempt: number; checkpoint: unknown; keys: string[] }[] = [];
    queue.start(async (received, control) => {
      seen.push({ head: received.headSha, attempt: control.attempt, checkpoint: await control.loadCheckpoint(), keys: Object.keys(received).sort() });
      if (control.attempt === 1) {
        await control.saveCheckpoint({ answers: [received.headSha], n: 1 });
        throw new RetryLaterError('GitHub answered 502');
      }
    });

    const { jobId } = await queue.enqueue(job('a'));
    await queue.enqueue(job('b', 2));
    await queue.onIdle();

    const of = (head: string) => seen.filter((run) => run.head === head).map(({ attempt, checkpoint }) => ({ attempt, checkpoint }));
    expect(of('a')).toEqual([
      { attempt: 1, checkpoint: undefined },
      { attempt: 2, checkpoint: { answers: ['a'], n: 1 } },
    ]);
    // Never written to Redis (SECURITY.md: no model output there): the job's data is the job.
    const finished = await inspect(queueName).getJob(jobId);
    expect(finished?.data).toEqual(job('a'));
    expect(of('b')).toEqual([
      { attempt: 1, checkpoint: undefined },
      { attempt: 2, checkpoint: { answers: ['b'], n: 1 } },
    ]);
    expect(seen.every((run) => !run.keys.includes('checkpoint'))).toBe(true);
  });

  it('fails a job after maxAttempts runs of RetryLaterError', async () => {
    const { queue, queueName } = make({ backoffMs: 20, maxAttempts: 2 });
    const attempts: number[] = [];
    queue.start(async (_received, control) => {
      attempts.push(control.attempt);
      throw new RetryLaterError('still rate limited');
    });

    const { jobId } = await queue.enqueue(job('a'));
    await queue.onIdle();

    expect(attempts).toEqual([1, 2]);
    expect(await inspect(queueName).getJobState(jobId)).toBe('failed');
  });

  it('gives up on a job waiting for its retry when a newer head of its PR removes it (superseded)', async () => {
    const { queue, queueName } = make({ backoffMs: 60_000, maxAttempts: 2 });
    const gaveUp: unknown[] = [];
    queue.start(
      async (received) => {
        if (received.headSha === 'old') throw new RetryLaterError('GitHub answered 502');
      },
      async (received, reason) => {
        gaveUp.push({ head: received.headSha, reason });
      },
    );
    const old = await queue.enqueue(job('old'));
    const inspector = inspect(queueName);
    for (let tries = 0; (await inspector.getJobState(old.jobId)) !== 'delayed'; tries += 1) {
      if (tries > 200) throw new Error('the job never waited for its retry');
      await sleep(10);
    }

    await queue.enqueue(job('new'));
    await queue.onIdle();
    await sleep(50);

    expect(await inspector.getJob(old.jobId)).toBeUndefined();
    expect(gaveUp).toEqual([{ head: 'old', reason: { kind: 'superseded' } }]);
  });

  it('does not retry a job that threw any other error, and keeps no stack in Redis', async () => {
    const { queue, queueName } = make({ backoffMs: 10 });
    let runs = 0;
    queue.start(async () => {
      runs += 1;
      throw new Error('bug in the runner');
    });

    const { jobId } = await queue.enqueue(job('a'));
    await queue.onIdle();
    await sleep(100);

    const failed = await inspect(queueName).getJob(jobId);
    expect(runs).toBe(1);
    expect(await failed?.getState()).toBe('failed');
    expect(failed?.failedReason).toBe('Error: bug in the runner');
    expect(failed?.stacktrace).toEqual([]);
  });

  it('close returns within its bound while a handler hangs, leaving the job to the stalled check', async () => {
    const { queue, queueName } = make();
    const started = gate();
    const release = gate();
    queue.start(async () => {
      started.open();
      await release.promise;
    });
    const { jobId } = await queue.enqueue(job('slow'));
    await started.promise;

    const before = Date.now();
    await queue.close(300);
    const elapsed = Date.now() - before;
    console.info(`close(300) with a hung handler took ${elapsed} ms`);

    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1500);
    await expect(queue.enqueue(job('late'))).rejects.toThrow(/closed/);
    expect(await queue.healthy()).toBe(false);
    release.open();
    await sleep(50);
    // The closed worker neither completed nor released it: another replica takes it once the lock expires.
    expect(await inspect(queueName).getJobState(jobId)).toBe('active');
  });

  it('close waits for a running job within its bound and hands back a job taken meanwhile', async () => {
    const { queue, queueName } = make({ concurrency: 2 });
    const { queue: replica } = make({ queueName, concurrency: 1 });
    const ran: string[] = [];
    const started = gate();
    const release = gate();
    queue.start(async (received) => {
      ran.push(`first:${received.headSha}`);
      if (received.headSha === 'slow') {
        started.open();
        await release.promise;
      }
    });
    const slow = await replica.enqueue(job('slow'));
    await started.promise;

    const closing = queue.close(3000);
    await sleep(100);
    // The closing worker's other slot may still be blocked waiting for a job: it must not run this one.
    const second = await replica.enqueue(job('second', 2));
    await sleep(200);
    release.open();
    await closing;

    const inspector = inspect(queueName);
    expect(await inspector.getJobState(slow.jobId)).toBe('completed');
    expect((await inspector.getJob(second.jobId))?.attemptsMade).toBe(0);
    replica.start(async (received) => {
      ran.push(`replica:${received.headSha}`);
    });
    await replica.onIdle();
    expect(ran).toEqual(['first:slow', 'replica:second']);
  });

  it('hands a job whose worker process was killed to another worker (stalled check)', async () => {
    const { queue, queueName } = make({ concurrency: 1, lockDurationMs: 1000, stalledIntervalMs: 500 });
    const { jobId } = await queue.enqueue(job('a'));

    const child = spawnChildWorker({ redisUrl, prefix, queueName });
    const taken = await child.taken;
    expect(taken).toEqual({ started: 'a', attempt: 1 });
    expect(await inspect(queueName).getJobState(jobId)).toBe('active');

    child.process.kill('SIGKILL');
    await child.exited;
    const killedAt = Date.now();

    const rerun = gate<{ attempt: number; at: number }>();
    queue.start(async (_received, control) => rerun.open({ attempt: control.attempt, at: Date.now() }));
    const { attempt, at } = await rerun.promise;
    await queue.onIdle();
    console.info(`stalled job re-run ${at - killedAt} ms after its worker was killed (lock 1000 ms, stalled check 500 ms)`);

    // A stall is not a failed attempt: BullMQ counts it in stalledCounter, not attemptsMade.
    expect(attempt).toBe(1);
    const done = await inspect(queueName).getJob(jobId);
    expect(await done?.getState()).toBe('completed');
    expect(done?.stalledCounter).toBe(1);
  }, 20_000);

  it("caps hold across a killed worker: its job's slot stays taken until the lease runs out, then frees (never leaked)", async () => {
    const caps = { perRepository: 1, perInstallation: 0 };
    const { queue, queueName } = make({ concurrency: 2, caps, slotLeaseMs: 900, holdMs: 150, stalledIntervalMs: 500 });
    await queue.enqueue(job('a', 1));

    // Its job's lock (3 s) outlives its slot's lease (0.9 s): the slot must free before the job itself runs again.
    const child = spawnChildWorker({ redisUrl, prefix, queueName }, { caps, slotLeaseMs: 900, lockDurationMs: 3000 });
    const taken = await child.taken;
    expect(taken).toEqual({ started: 'a', attempt: 1 });
    child.process.kill('SIGKILL');
    await child.exited;
    const killedAt = Date.now();

    const starts: { head: string; at: number }[] = [];
    let running = 0;
    let peak = 0;
    await queue.enqueue(job('b', 2));
    queue.start(async (received) => {
      starts.push({ head: received.headSha, at: Date.now() - killedAt });
      peak = Math.max(peak, (running += 1));
      await sleep(20);
      running -= 1;
    });
    for (let tries = 0; starts.length < 2 && tries < 500; tries += 1) await sleep(20);
    await queue.onIdle();
    console.info(`after the kill: ${starts.map(({ head, at }) => `${head} started at +${at} ms`).join(', ')} (lease 900 ms, renewed every 300 ms)`);

    // The dead worker's lease was renewed at most 300 ms before the kill: the repository stays full for 600 ms at least.
    const b = starts.find(({ head }) => head === 'b');
    expect(b?.at).toBeGreaterThanOrEqual(550);
    expect(b?.at).toBeLessThan(2500);
    expect(starts.map(({ head }) => head)).toEqual(['b', 'a']);
    expect(peak).toBe(1);
    const client = new Redis(redisUrl);
    const left = await client.zcard(`${prefix}:${queueName}:bulwark:running:repo:1/o/r`);
    await client.quit();
    expect(left).toBe(0);
  }, 20_000);
});
