import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createMemoryQueue } from '../../src/adapters/memory/memory-queue.js';
import type { ReviewJob } from '../../src/ports/job-queue.js';
import { RetryLaterError } from '../../src/ports/job-queue.js';

const log = pino({ level: 'silent' });
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

describe('createMemoryQueue', () => {
  it('never runs more jobs at once than its concurrency', async () => {
    const queue = createMemoryQueue({ concurrency: 2, log });
    let active = 0;
    let peak = 0;
    queue.start(async () => {
      active += 1;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 5));
      active -= 1;
    });

    for (const pr of [1, 2, 3, 4, 5]) await queue.enqueue(job('a', pr));
    await queue.onIdle();

    expect(peak).toBe(2);
  });

  it('close waits for a running job but no longer than its bound', async () => {
    const queue = createMemoryQueue({ concurrency: 1, log });
    queue.start(() => new Promise((resolve) => setTimeout(resolve, 10_000)));
    await queue.enqueue(job('slow'));
    await new Promise((resolve) => setImmediate(resolve));

    const before = Date.now();
    await queue.close(50);

    expect(Date.now() - before).toBeLessThan(5_000);
    await expect(queue.enqueue(job('late'))).rejects.toThrow(/closed/);
  });
});

describe('createMemoryQueue retries', () => {
  const capture = () => {
    const entries: { level: string; meta: object; message: string }[] = [];
    const logger = {
      debug: (meta: object, message: string) => entries.push({ level: 'debug', meta, message }),
      info: (meta: object, message: string) => entries.push({ level: 'info', meta, message }),
      warn: (meta: object, message: string) => entries.push({ level: 'warn', meta, message }),
      error: (meta: object, message: string) => entries.push({ level: 'error', meta, message }),
      child: () => logger,
    };
    return { logger, entries };
  };

  it('doubles the backoff each retry and fails the job after maxAttempts runs', async () => {
    const { logger, entries } = capture();
    const queue = createMemoryQueue({ concurrency: 1, log: logger, backoffMs: 20, maxAttempts: 3 });
    const runs: { attempt: number; at: number }[] = [];
    queue.start(async (_job, control) => {
      runs.push({ attempt: control.attempt, at: Date.now() });
      throw new RetryLaterError('still rate limited');
    });

    await queue.enqueue(job('a'));
    await queue.onIdle();

    expect(runs.map((run) => run.attempt)).toEqual([1, 2, 3]);
    expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(15);
    expect(runs[2]!.at - runs[1]!.at).toBeGreaterThanOrEqual(35);
    expect(entries.filter((entry) => entry.message === 'review job will be retried')).toHaveLength(2);
    expect(entries.filter((entry) => entry.level === 'error')).toEqual([expect.objectContaining({ message: 'review job failed', meta: expect.objectContaining({ attempt: 3, maxAttempts: 3 }) })]);
  });

  it('does not retry a job that threw any other error', async () => {
    const { logger, entries } = capture();
    const queue = createMemoryQueue({ concurrency: 1, log: logger, backoffMs: 1 });
    let runs = 0;
    queue.start(async () => {
      runs += 1;
      throw new Error('bug');
    });

    await queue.enqueue(job('a'));
    await queue.onIdle();
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect(runs).toBe(1);
    expect(entries.map((entry) => entry.message)).toEqual(['review job failed']);
  });

  it('collapses a redelivery while the job waits for its retry', async () => {
    const queue = createMemoryQueue({ concurrency: 1, log, backoffMs: 40 });
    const attempts: number[] = [];
    queue.start(async (_job, control) => {
      attempts.push(control.attempt);
      if (control.attempt === 1) throw new RetryLaterError('later');
    });

    const first = await queue.enqueue(job('a'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const again = await queue.enqueue(job('a'));
    await queue.onIdle();

    expect(again).toEqual({ jobId: first.jobId, queued: false });
    expect(attempts).toEqual([1, 2]);
  });

  it('drops a pending retry of an older head when a newer head arrives', async () => {
    const queue = createMemoryQueue({ concurrency: 1, log, backoffMs: 40 });
    const seen: string[] = [];
    queue.start(async (received, control) => {
      seen.push(`${received.headSha}#${control.attempt}`);
      if (received.headSha === 'old') throw new RetryLaterError('later');
    });

    await queue.enqueue(job('old'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await queue.enqueue(job('new'));
    await queue.onIdle();
    await new Promise((resolve) => setTimeout(resolve, 60));

    expect(seen).toEqual(['old#1', 'new#1']);
  });

  it('close cancels pending retries and logs them', async () => {
    const { logger, entries } = capture();
    const queue = createMemoryQueue({ concurrency: 1, log: logger, backoffMs: 50 });
    let runs = 0;
    queue.start(async () => {
      runs += 1;
      throw new RetryLaterError('later');
    });

    const { jobId } = await queue.enqueue(job('a'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await queue.close(100);
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(runs).toBe(1);
    expect(entries).toContainEqual(expect.objectContaining({ level: 'warn', message: 'queue closed with jobs still waiting for a retry', meta: { jobIds: [jobId] } }));
  });
});
