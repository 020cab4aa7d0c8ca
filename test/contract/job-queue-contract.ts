import { describe, expect, it } from 'vitest';
import type { GiveUpReason, JobQueue, ReviewJob } from '../../src/ports/job-queue.js';
import { RetryLaterError, reviewJobId } from '../../src/ports/job-queue.js';

/** The options every queue adapter takes; each test file maps them onto its adapter (and cleans up after). */
export interface ContractQueueOptions {
  concurrency?: number;
  backoffMs?: number;
  maxAttempts?: number;
}

export const queueJob = (headSha: string, pullNumber = 1): ReviewJob => ({
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

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise with its resolver, for handlers the test releases by hand. */
export const gate = <T = void>() => {
  let open: (value: T) => void = () => undefined;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
};

/**
 * One JobQueue contract (STYLE: adapters that implement one port share one contract suite): the in-process queue
 * and the BullMQ queue run the same block. What only one of them can show (Redis job states, log lines) stays in
 * its own test file.
 */
export function jobQueueContract(name: string, make: (options: ContractQueueOptions) => JobQueue): void {
  describe(`JobQueue contract: ${name}`, () => {
    it('collapses a redelivery of the same head while the first job is pending: one job id, one run', async () => {
      const queue = make({ concurrency: 2 });
      const seen: string[] = [];
      queue.start(async (received) => {
        seen.push(received.headSha);
      });

      const first = await queue.enqueue(queueJob('a'));
      const again = await queue.enqueue(queueJob('a'));
      await queue.onIdle();

      expect(first).toEqual({ jobId: reviewJobId(queueJob('a')), queued: true });
      expect(again).toEqual({ jobId: first.jobId, queued: false });
      expect(seen).toEqual(['a']);
    });

    it('returns from enqueue before the job starts', async () => {
      const queue = make({ concurrency: 1 });
      let started = false;
      queue.start(async () => {
        started = true;
      });

      await queue.enqueue(queueJob('a'));
      const startedAtEnqueue = started;
      await queue.onIdle();

      expect(startedAtEnqueue).toBe(false);
      expect(started).toBe(true);
    });

    it('drops a waiting job of an older head when a newer head of the same PR arrives; other PRs keep theirs', async () => {
      const queue = make({ concurrency: 1 });
      const seen: string[] = [];

      await queue.enqueue(queueJob('old'));
      await queue.enqueue(queueJob('other-pr', 2));
      await queue.enqueue(queueJob('new'));
      queue.start(async (received, control) => {
        seen.push(`${received.headSha}:${String(await control.isSuperseded())}`);
      });
      await queue.onIdle();

      expect(seen.sort()).toEqual(['new:false', 'other-pr:false']);
    });

    it('tells a running job it was superseded by a newer head', async () => {
      const queue = make({ concurrency: 1 });
      const started = gate();
      const release = gate();
      const superseded: string[] = [];
      queue.start(async (received, control) => {
        if (received.headSha === 'old') {
          started.open();
          await release.promise;
        }
        superseded.push(`${received.headSha}:${String(await control.isSuperseded())}`);
      });

      await queue.enqueue(queueJob('old'));
      await started.promise;
      expect((await queue.enqueue(queueJob('new'))).queued).toBe(true);
      release.open();
      await queue.onIdle();

      expect(superseded).toEqual(['old:true', 'new:false']);
    });

    it("keeps an attempt's checkpoint for the job's next attempt only, as a copy, outside the job's data", async () => {
      const queue = make({ concurrency: 2, backoffMs: 10 });
      const seen: { head: string; attempt: number; checkpoint: unknown; keys: string[] }[] = [];
      queue.start(async (received, control) => {
        seen.push({ head: received.headSha, attempt: control.attempt, checkpoint: await control.loadCheckpoint(), keys: Object.keys(received).sort() });
        if (control.attempt === 1) {
          const saved = { answers: [received.headSha], n: 1 };
          await control.saveCheckpoint(saved);
          saved.answers.push('changed after saving');
          throw new RetryLaterError('GitHub answered 502');
        }
      });

      await queue.enqueue(queueJob('a'));
      await queue.enqueue(queueJob('b', 2));
      await queue.onIdle();

      const of = (head: string) => seen.filter((run) => run.head === head).map(({ attempt, checkpoint }) => ({ attempt, checkpoint }));
      expect(of('a')).toEqual([
        { attempt: 1, checkpoint: undefined },
        { attempt: 2, checkpoint: { answers: ['a'], n: 1 } },
      ]);
      expect(of('b')).toEqual([
        { attempt: 1, checkpoint: undefined },
        { attempt: 2, checkpoint: { answers: ['b'], n: 1 } },
      ]);
      expect(seen.every((run) => !run.keys.includes('checkpoint'))).toBe(true);
    });

    it('runs a job again after a RetryLaterError, after the backoff, telling it its attempt and the limit (3 by default)', async () => {
      const queue = make({ concurrency: 1, backoffMs: 60 });
      const runs: { attempt: number; maxAttempts: number; at: number }[] = [];
      queue.start(async (_received, control) => {
        runs.push({ attempt: control.attempt, maxAttempts: control.maxAttempts, at: Date.now() });
        if (control.attempt === 1) throw new RetryLaterError('model rate limited');
      });

      await queue.enqueue(queueJob('a'));
      await queue.onIdle();

      expect(runs.map(({ attempt, maxAttempts }) => [attempt, maxAttempts])).toEqual([
        [1, 3],
        [2, 3],
      ]);
      expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(50);
    });

    it("waits as long as a RetryLaterError's delay asks (a rate limit's retry-after) when that is longer than the backoff", async () => {
      const queue = make({ concurrency: 1, backoffMs: 10 });
      const runs: number[] = [];
      queue.start(async (_received, control) => {
        runs.push(Date.now());
        if (control.attempt === 1) throw new RetryLaterError('secondary rate limit', { delayMs: 300 });
      });

      await queue.enqueue(queueJob('a'));
      await queue.onIdle();

      expect(runs).toHaveLength(2);
      expect(runs[1]! - runs[0]!).toBeGreaterThanOrEqual(290);
    });

    it('fails a job after maxAttempts runs of RetryLaterError, and the give-up hook hears of it once', async () => {
      const queue = make({ concurrency: 1, backoffMs: 20, maxAttempts: 2 });
      const attempts: number[] = [];
      const gaveUp: { head: string; reason: GiveUpReason }[] = [];
      queue.start(
        async (_received, control) => {
          attempts.push(control.attempt);
          throw new RetryLaterError('still rate limited');
        },
        async (received, reason) => {
          gaveUp.push({ head: received.headSha, reason });
        },
      );

      await queue.enqueue(queueJob('a'));
      await queue.onIdle();
      await sleep(50);

      expect(attempts).toEqual([1, 2]);
      expect(gaveUp).toEqual([{ head: 'a', reason: { kind: 'failed', attempt: 2 } }]);
    });

    it('does not retry a job that threw any other error', async () => {
      const queue = make({ concurrency: 1, backoffMs: 10 });
      let runs = 0;
      queue.start(async () => {
        runs += 1;
        throw new Error('bug in the runner');
      });

      await queue.enqueue(queueJob('a'));
      await queue.onIdle();
      await sleep(50);

      expect(runs).toBe(1);
    });

    it('answers healthy while open, and refuses jobs once closed', async () => {
      const queue = make({ concurrency: 1 });
      queue.start(async () => undefined);

      expect(await queue.healthy()).toBe(true);
      await queue.close(200);
      await expect(queue.enqueue(queueJob('late'))).rejects.toThrow(/closed/);
      expect(await queue.healthy()).toBe(false);
    });
  });
}
