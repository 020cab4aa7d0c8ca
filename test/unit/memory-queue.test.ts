import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createMemoryQueue } from '../../src/adapters/memory/memory-queue.js';
import type { ReviewJob } from '../../src/ports/job-queue.js';

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
  it('collapses a redelivery of the same head while the first job is pending', async () => {
    const queue = createMemoryQueue({ concurrency: 2, log });
    const seen: string[] = [];
    queue.start(async (received) => {
      seen.push(received.headSha);
    });

    const first = await queue.enqueue(job('a'));
    const again = await queue.enqueue(job('a'));
    await queue.onIdle();

    expect(first.queued).toBe(true);
    expect(again).toEqual({ jobId: first.jobId, queued: false });
    expect(seen).toEqual(['a']);
  });

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

  it('drops a waiting job of an older head when a newer head of the same PR arrives', async () => {
    const queue = createMemoryQueue({ concurrency: 1, log });
    const seen: string[] = [];

    await queue.enqueue(job('old'));
    await queue.enqueue(job('new'));
    queue.start(async (received) => {
      seen.push(received.headSha);
    });
    await queue.onIdle();

    expect(seen).toEqual(['new']);
  });

  it('tells a running job it was superseded by a newer head', async () => {
    const queue = createMemoryQueue({ concurrency: 1, log });
    let release: () => void = () => undefined;
    const superseded: boolean[] = [];
    queue.start(async (received, control) => {
      if (received.headSha === 'old') await new Promise<void>((resolve) => (release = resolve));
      superseded.push(await control.isSuperseded());
    });

    await queue.enqueue(job('old'));
    await new Promise((resolve) => setImmediate(resolve));
    await queue.enqueue(job('new'));
    release();
    await queue.onIdle();

    expect(superseded).toEqual([true, false]);
  });

  it('returns from enqueue before the job starts', async () => {
    const queue = createMemoryQueue({ concurrency: 1, log });
    let started = false;
    queue.start(async () => {
      started = true;
    });

    await queue.enqueue(job('a'));
    const startedAtEnqueue = started;
    await queue.onIdle();

    expect(startedAtEnqueue).toBe(false);
    expect(started).toBe(true);
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
