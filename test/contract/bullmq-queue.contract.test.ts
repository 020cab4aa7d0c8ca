import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach } from 'vitest';
import { createBullmqQueue } from '../../src/adapters/redis/bullmq-queue.js';
import type { JobQueue } from '../../src/ports/job-queue.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';
import { jobQueueContract } from './job-queue-contract.js';

const log = pino({ level: 'silent' });
const prefix = uniquePrefix();

// Skipped with a loud banner when REDIS_URL is unset or Redis does not answer (test/helpers/redis.ts).
await describeRedis('createBullmqQueue', (redisUrl) => {
  const open: JobQueue[] = [];
  const queueNames = new Set<string>();
  let count = 0;

  afterEach(async () => {
    await Promise.all(open.splice(0).map((queue) => queue.close(200)));
  });
  afterAll(async () => {
    const client = new Redis(redisUrl);
    for (const queueName of queueNames) {
      const inspector = new Queue(queueName, { connection: client, prefix });
      await inspector.obliterate({ force: true });
      await inspector.close();
    }
    await client.quit();
    await deleteKeys(redisUrl, `${prefix}:`);
  });

  jobQueueContract('BullMQ queue', (options) => {
    const queueName = `contract${(count += 1)}`;
    queueNames.add(queueName);
    const queue = createBullmqQueue({
      redisUrl,
      prefix,
      queueName,
      concurrency: options.concurrency ?? 2,
      backoffMs: options.backoffMs ?? 50,
      log,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.caps ? { caps: options.caps } : {}),
    });
    open.push(queue);
    return queue;
  });
});
