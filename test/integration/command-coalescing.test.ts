import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMemoryQueue } from '../../src/adapters/memory/memory-queue.js';
import { createBullmqQueue } from '../../src/adapters/redis/bullmq-queue.js';
import type { CommandKind, JobQueue, ReviewJob } from '../../src/ports/job-queue.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';

const log = pino({ level: 'silent' });

/** A `/review` command job as the comment handler queues it: no head yet, one run per comment. */
const command = (commentId: number, login = 'maintainer', kind: CommandKind = 'review', pullNumber = 1): ReviewJob => ({
  installationId: 1,
  owner: 'o',
  repo: 'r',
  pullNumber,
  headSha: '',
  trigger: 'command',
  full: kind === 'full',
  deliveryId: `d-${commentId}`,
  run: `comment-${commentId}`,
  requestedBy: login,
  command: { kind, commentId },
});

/** A promise with its resolver, for handlers the test releases by hand. */
const gate = () => {
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
};

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

/** The same contract for both queues: repeated commands on one pull request while one is queued are one job. */
function coalescingContract(make: () => JobQueue) {
  it('makes one job of repeated commands by one person on one pull request while the first is queued', async () => {
    const queue = make();
    const first = await queue.enqueue(command(1));
    const repeats = await Promise.all([2, 3, 4, 5].map((id) => queue.enqueue(command(id))));
    const ran: number[] = [];
    queue.start(async (job) => {
      ran.push(job.command!.commentId);
    });
    await until(() => ran.length >= 1);
    await queue.onIdle();

    expect(first.queued).toBe(true);
    expect(repeats).toEqual(repeats.map(() => ({ jobId: first.jobId, queued: false })));
    expect(ran).toEqual([1]);
  });

  it('keeps commands apart when the person, the command or the pull request differs', async () => {
    const queue = make();
    const results = await Promise.all([command(1), command(2, 'someone-else'), command(3, 'maintainer', 'full'), command(4, 'maintainer', 'review', 2)].map((job) => queue.enqueue(job)));
    const ran: number[] = [];
    queue.start(async (job) => {
      ran.push(job.command!.commentId);
    });
    await until(() => ran.length >= 4);

    expect(results.every((result) => result.queued)).toBe(true);
    expect(ran.sort()).toEqual([1, 2, 3, 4]);
  });

  it('runs one more after a running command (it may have read an older head), and coalesces further repeats into it', async () => {
    const queue = make();
    const release = gate();
    const ran: number[] = [];
    queue.start(async (job) => {
      ran.push(job.command!.commentId);
      if (ran.length === 1) await release.promise;
    });
    await queue.enqueue(command(1));
    await until(() => ran.length === 1);

    const during = await Promise.all([2, 3, 4].map((id) => queue.enqueue(command(id))));
    release.open();
    await until(() => ran.length >= 2);
    await queue.onIdle();

    expect(during.some((result) => result.queued)).toBe(true);
    expect(ran).toHaveLength(2);
    expect(ran[0]).toBe(1);
    // Once nothing is queued, the next command is a job again.
    expect((await queue.enqueue(command(9))).queued).toBe(true);
    await until(() => ran.length >= 3);
    expect(ran).toHaveLength(3);
  });
}

describe('command coalescing, in-process queue', () => {
  const open: JobQueue[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((queue) => queue.close(200)));
  });
  coalescingContract(() => {
    const queue = createMemoryQueue({ concurrency: 1, log });
    open.push(queue);
    return queue;
  });
});

await describeRedis('command coalescing, BullMQ', (redisUrl) => {
  const prefix = uniquePrefix();
  const open: JobQueue[] = [];
  const queueNames: string[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((queue) => queue.close(200)));
  });
  afterAll(async () => {
    const client = new Redis(redisUrl);
    for (const queueName of queueNames) await new Queue(queueName, { connection: client, prefix }).obliterate({ force: true });
    await client.quit();
    await deleteKeys(redisUrl, `${prefix}:`);
  });
  coalescingContract(() => {
    const queueName = `coalesce${queueNames.length + 1}`;
    queueNames.push(queueName);
    const queue = createBullmqQueue({ redisUrl, prefix, queueName, concurrency: 1, backoffMs: 50, log });
    open.push(queue);
    return queue;
  });
});
