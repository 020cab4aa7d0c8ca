import { pino } from 'pino';
import { afterEach } from 'vitest';
import { createMemoryQueue } from '../../src/adapters/memory/memory-queue.js';
import type { JobQueue } from '../../src/ports/job-queue.js';
import { jobQueueContract } from './job-queue-contract.js';

const log = pino({ level: 'silent' });
const open: JobQueue[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((queue) => queue.close(200)));
});

jobQueueContract('in-process queue', (options) => {
  const queue = createMemoryQueue({ concurrency: options.concurrency ?? 2, log, ...(options.backoffMs === undefined ? {} : { backoffMs: options.backoffMs }), ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }), ...(options.caps ? { caps: options.caps } : {}) });
  open.push(queue);
  return queue;
});
