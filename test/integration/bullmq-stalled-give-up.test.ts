import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { createBullmqQueue } from '../../src/adapters/redis/bullmq-queue.js';
import type { GiveUpReason, JobQueue, ReviewJob } from '../../src/ports/job-queue.js';
import { spawnChildWorker } from '../helpers/child-worker.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';

/**
 * A job whose workers keep dying (a review that crashes its process each time) stalls more often than BullMQ
 * allows (maxStalledCount) and is failed by the stalled check of whichever worker finds it: the queue must hand it
 * to the give-up hook, so its check run is completed instead of staying "in progress".
 */
const log = pino({ level: 'silent' });
const prefix = uniquePrefix();
const queueName = 'stalled-past-max';
const job: ReviewJob = { installationId: 1, owner: 'o', repo: 'r', pullNumber: 1, headSha: 'a'.repeat(40), trigger: 'opened', full: true, deliveryId: 'd', run: 'auto' };
const LOCK_MS = 1000;
const STALLED_INTERVAL_MS = 500;

await describeRedis('BullMQ: a job stalled past maxStalledCount', (redisUrl) => {
  const inspectorClient = new Redis(redisUrl);
  const opened: JobQueue[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((queue) => queue.close(200)));
    const inspector = new Queue(queueName, { connection: inspectorClient, prefix });
    await inspector.obliterate({ force: true });
    await inspector.close();
    await inspectorClient.quit();
    await deleteKeys(redisUrl, `${prefix}:`);
  });

  /** Starts a worker process, waits until it runs the job, and kills it mid-job (SIGKILL: no cleanup at all). */
  async function runAndKill(): Promise<void> {
    const child = spawnChildWorker({ redisUrl, prefix, queueName }, { lockDurationMs: LOCK_MS, stalledIntervalMs: STALLED_INTERVAL_MS, maxStalledCount: 1 });
    await child.taken;
    child.process.kill('SIGKILL');
    await child.exited;
  }

  it('gives the job up as stalled, once, and never runs it again', async () => {
    const producer = createBullmqQueue({ redisUrl, prefix, queueName, concurrency: 1, lockDurationMs: LOCK_MS, stalledIntervalMs: STALLED_INTERVAL_MS, maxStalledCount: 1, log });
    opened.push(producer);
    const { jobId } = await producer.enqueue(job);

    // First death: the stalled check puts the job back (stalledCounter 1, within maxStalledCount 1) and the next
    // worker takes it. Second death: one stall too many.
    await runAndKill();
    await runAndKill();

    const gaveUp: { job: ReviewJob; reason: GiveUpReason }[] = [];
    let ran = 0;
    const reported = new Promise<void>((resolve) => {
      producer.start(
        async () => {
          ran += 1;
        },
        async (given, reason) => {
          gaveUp.push({ job: given, reason });
          resolve();
        },
      );
    });
    await Promise.race([reported, new Promise((_resolve, reject) => setTimeout(() => reject(new Error('no give-up within 10 s')), 10_000))]);
    // Another stalled-check round: a job given up must not be given up (or run) twice.
    await new Promise((resolve) => setTimeout(resolve, 3 * STALLED_INTERVAL_MS));

    expect(gaveUp).toEqual([{ job, reason: { kind: 'stalled' } }]);
    expect(ran).toBe(0);
    const inspector = new Queue(queueName, { connection: inspectorClient, prefix });
    const failed = await inspector.getJob(jobId);
    expect(await failed?.getState()).toBe('failed');
    expect(failed?.failedReason).toMatch(/stalled more than allowable limit/);
    await inspector.close();
  }, 40_000);
});
