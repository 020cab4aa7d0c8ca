import { spawn } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { createBullmqQueue } from '../../src/adapters/redis/bullmq-queue.js';
import type { GiveUpReason, JobQueue, ReviewJob } from '../../src/ports/job-queue.js';
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

/** A replica in its own process: takes the job, says so on stdout, then hangs until it is killed. */
const CHILD_WORKER = `
const { createBullmqQueue } = await import(process.env.BULWARK_ADAPTER);
const noop = () => {};
const log = { debug: noop, info: noop, warn: noop, error: noop, child: () => log };
const queue = createBullmqQueue({
  redisUrl: process.env.REDIS_URL, queueName: process.env.BULWARK_QUEUE, prefix: process.env.BULWARK_PREFIX,
  concurrency: 1, lockDurationMs: ${LOCK_MS}, stalledIntervalMs: ${STALLED_INTERVAL_MS}, maxStalledCount: 1, log,
});
queue.start(async (job) => {
  console.log(JSON.stringify({ started: job.headSha }));
  await new Promise(() => {});
});
`;

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
    const adapter = pathToFileURL(fileURLToPath(new URL('../../src/adapters/redis/bullmq-queue.ts', import.meta.url))).href;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD_WORKER], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, REDIS_URL: redisUrl, BULWARK_ADAPTER: adapter, BULWARK_QUEUE: queueName, BULWARK_PREFIX: prefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"started"')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`the worker exited (${String(code)}) before taking the job:\n${output}`)));
    });
    child.kill('SIGKILL');
    await exited;
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
