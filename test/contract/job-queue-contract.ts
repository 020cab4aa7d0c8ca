import { describe, expect, it } from 'vitest';
import type { GiveUpReason, JobKind, JobQueue, QueueObserver, ReviewJob } from '../../src/ports/job-queue.js';
import { RetryLaterError, reviewJobId } from '../../src/ports/job-queue.js';
import type { RunningCaps } from '../../src/review/running-caps.js';

/** The options every queue adapter takes; each test file maps them onto its adapter (and cleans up after). */
export interface ContractQueueOptions {
  concurrency?: number;
  backoffMs?: number;
  maxAttempts?: number;
  /** Default: no caps. */
  caps?: RunningCaps;
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

/** An automatic review of `repo` (pull request events), in `installationId`. */
export const repoJob = (repo: string, pullNumber: number, installationId = 1): ReviewJob => ({ ...queueJob(`head-${repo}-${pullNumber}`, pullNumber), repo, installationId });

/** A person's `/review` on a pull request: no head yet, as the comment event carries none. */
export const commandJob = (pullNumber: number, commentId: number, repo = 'r'): ReviewJob => ({
  ...queueJob('', pullNumber),
  repo,
  trigger: 'command',
  full: false,
  run: `comment-${commentId}`,
  requestedBy: 'maintainer',
  command: { kind: 'review', commentId },
});

/** What a queue told its observer, in order. */
export const recordObserver = () => {
  const told: { started: { kind: JobKind; waitedMs: number }[]; superseded: JobKind[]; heldBack: string[] } = { started: [], superseded: [], heldBack: [] };
  const observer: QueueObserver = {
    started: (kind, waitedMs) => told.started.push({ kind, waitedMs }),
    superseded: (kind) => told.superseded.push(kind),
    heldBack: (kind, cap) => told.heldBack.push(`${kind}:${cap}`),
  };
  return { told, observer };
};

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every 5 ms until it holds or `ms` (2 s) have passed; the test's assertions say whether it did. */
export const until = async (condition: () => boolean, ms = 2000) => {
  for (const end = Date.now() + ms; !condition() && Date.now() < end; ) await sleep(5);
};

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

    it("people first: a /review queued after 40 automatic reviews of one repository starts before at least 35 of them", async () => {
      const queue = make({ concurrency: 2 });
      const started: string[] = [];
      const asked = gate();
      queue.start(async (received) => {
        started.push(received.command ? 'command' : `auto-${received.pullNumber}`);
        // The first reviews of the backlog are still running when the person asks, however slow the machine.
        await asked.promise;
        await sleep(5);
      });

      for (let pull = 1; pull <= 40; pull += 1) await queue.enqueue(repoJob('monorepo', pull));
      await until(() => started.length >= 2);
      await queue.enqueue(commandJob(41, 9001, 'monorepo'));
      asked.open();
      await queue.onIdle();

      const position = started.indexOf('command');
      console.info(`command started after ${position} of 40 automatic reviews`);
      expect(started).toHaveLength(41);
      expect(started.length - position - 1).toBeGreaterThanOrEqual(35);
    });

    it('a Re-run (rerequested) counts as a person: it starts before automatic reviews already waiting', async () => {
      const queue = make({ concurrency: 1 });
      const started: string[] = [];
      const release = gate();
      queue.start(async (received) => {
        started.push(`${received.trigger}-${received.pullNumber}`);
        if (received.pullNumber === 1) await release.promise;
      });

      await queue.enqueue(repoJob('r', 1));
      await until(() => started.length > 0);
      for (let pull = 2; pull <= 5; pull += 1) await queue.enqueue(repoJob('r', pull));
      await queue.enqueue({ ...repoJob('r', 6), trigger: 'rerequested', run: 'rerun-delivery-6', requestedBy: 'maintainer' });
      release.open();
      await queue.onIdle();

      expect(started.slice(0, 2)).toEqual(['opened-1', 'rerequested-6']);
    });

    it('per-repository cap: at most the cap of one repository runs at once, and the jobs behind its waiting ones start meanwhile', async () => {
      const queue = make({ concurrency: 4, caps: { perRepository: 2, perInstallation: 0 } });
      const { told, observer } = recordObserver();
      queue.observe?.(observer);
      const running = new Map<string, number>();
      const peak = new Map<string, number>();
      const started: string[] = [];
      queue.start(async (received) => {
        started.push(`${received.repo}-${received.pullNumber}`);
        running.set(received.repo, (running.get(received.repo) ?? 0) + 1);
        peak.set(received.repo, Math.max(peak.get(received.repo) ?? 0, running.get(received.repo)!));
        await sleep(60);
        running.set(received.repo, running.get(received.repo)! - 1);
      });

      for (let pull = 1; pull <= 6; pull += 1) await queue.enqueue(repoJob('big', pull));
      for (let pull = 1; pull <= 2; pull += 1) await queue.enqueue(repoJob('small', pull));
      await queue.onIdle();

      expect(started).toHaveLength(8);
      expect(peak.get('big')).toBe(2);
      // Both of the small repository's jobs, queued after all six of the big one's, start before its third.
      const third = started.filter((name) => name.startsWith('big-'))[2]!;
      expect(started.indexOf('small-1')).toBeLessThan(started.indexOf(third));
      expect(started.indexOf('small-2')).toBeLessThan(started.indexOf(third));
      expect(told.heldBack.length).toBeGreaterThanOrEqual(1);
      expect(told.heldBack.every((entry) => entry === 'automatic:repository')).toBe(true);
    });

    it('per-repository cap: a person waits for a slot of the repository, first in its line', async () => {
      const queue = make({ concurrency: 4, caps: { perRepository: 1, perInstallation: 0 } });
      const started: string[] = [];
      const asked = gate();
      queue.start(async (received) => {
        started.push(received.command ? 'command' : `auto-${received.pullNumber}`);
        await asked.promise;
        await sleep(10);
      });

      for (let pull = 1; pull <= 5; pull += 1) await queue.enqueue(repoJob('r', pull));
      await until(() => started.length > 0);
      await sleep(50);
      await queue.enqueue(commandJob(6, 9002));
      asked.open();
      await queue.onIdle();

      // The repository's one slot is taken when the person asks: theirs is the next job of the repository to run.
      expect(started).toHaveLength(6);
      expect(started.slice(0, 2)).toEqual(['auto-1', 'command']);
    });

    it('per-installation cap: one installation runs at most its cap, across its repositories; another installation is not held behind it', async () => {
      const queue = make({ concurrency: 4, caps: { perRepository: 0, perInstallation: 2 } });
      const { told, observer } = recordObserver();
      queue.observe?.(observer);
      let runningFirst = 0;
      let peakFirst = 0;
      const started: string[] = [];
      queue.start(async (received) => {
        started.push(`${received.installationId}/${received.repo}-${received.pullNumber}`);
        if (received.installationId === 1) peakFirst = Math.max(peakFirst, (runningFirst += 1));
        await sleep(60);
        if (received.installationId === 1) runningFirst -= 1;
      });

      for (const repo of ['a', 'b', 'c']) for (const pull of [1, 2]) await queue.enqueue(repoJob(repo, pull, 1));
      await queue.enqueue(repoJob('other', 1, 2));
      await queue.onIdle();

      expect(started).toHaveLength(7);
      expect(peakFirst).toBe(2);
      const third = started.filter((name) => name.startsWith('1/'))[2]!;
      expect(started.indexOf('2/other-1')).toBeLessThan(started.indexOf(third));
      expect(told.heldBack.length).toBeGreaterThanOrEqual(1);
      expect(told.heldBack.every((entry) => entry === 'automatic:installation')).toBe(true);
    });

    it('drops a superseded waiting job: a job that ran (waiting for its retry) is handed to the give-up hook, one that never ran is not; both are told', async () => {
      const queue = make({ concurrency: 1, backoffMs: 60_000, maxAttempts: 2 });
      const { told, observer } = recordObserver();
      queue.observe?.(observer);
      const runs: string[] = [];
      const gaveUp: { head: string; reason: GiveUpReason }[] = [];
      const release = gate();
      queue.start(
        async (received) => {
          runs.push(received.headSha);
          if (received.headSha === 'retrying') throw new RetryLaterError('GitHub answered 502');
          if (received.headSha === 'blocker') await release.promise;
        },
        async (received, reason) => {
          gaveUp.push({ head: received.headSha, reason });
        },
      );

      await queue.enqueue(queueJob('retrying', 1));
      await until(() => runs.includes('retrying'));
      await sleep(100);
      await queue.enqueue(queueJob('blocker', 3));
      await until(() => runs.includes('blocker'));
      await queue.enqueue(queueJob('never-ran', 2));
      await queue.enqueue(queueJob('newer-1', 1));
      await queue.enqueue(queueJob('newer-2', 2));
      release.open();
      await queue.onIdle();
      await sleep(50);

      expect(runs.sort()).toEqual(['blocker', 'newer-1', 'newer-2', 'retrying']);
      expect(gaveUp).toEqual([{ head: 'retrying', reason: { kind: 'superseded' } }]);
      expect(told.superseded).toEqual(['automatic', 'automatic']);
    });

    it('tells how many jobs wait, by kind, and how long each waited before its first run', async () => {
      const queue = make({ concurrency: 1 });
      const { told, observer } = recordObserver();
      queue.observe?.(observer);
      const release = gate();
      queue.start(async (received) => {
        if (received.pullNumber === 1) await release.promise;
      });

      await queue.enqueue(repoJob('r', 1));
      await until(() => told.started.length > 0);
      for (let pull = 2; pull <= 4; pull += 1) await queue.enqueue(repoJob('r', pull));
      await queue.enqueue(commandJob(5, 9003));
      const waiting = await queue.waiting?.();
      await sleep(100);
      release.open();
      await queue.onIdle();

      expect(waiting).toEqual({ command: 1, automatic: 3 });
      expect(await queue.waiting?.()).toEqual({ command: 0, automatic: 0 });
      expect(told.started.map((entry) => entry.kind)).toEqual(['automatic', 'command', 'automatic', 'automatic', 'automatic']);
      // Every job queued behind the first waited at least the 100 ms it was held.
      expect(told.started.slice(1).every((entry) => entry.waitedMs >= 90)).toBe(true);
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
