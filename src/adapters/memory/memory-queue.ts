import type { EnqueueResult, JobHandler, JobQueue, ReviewJob } from '../../ports/job-queue.js';
import { pullRequestKey, RetryLaterError, reviewJobId } from '../../ports/job-queue.js';
import type { Logger } from '../../ports/logger.js';

export interface MemoryQueueOptions {
  concurrency: number;
  log: Logger;
  /** Runs allowed per job in all, counting the first; a `RetryLaterError` on the last one fails the job. Default 3. */
  maxAttempts?: number;
  /** Delay before the first retry; each further retry doubles it (`backoffMs · 2^(attempt-1)`). Default 5000. */
  backoffMs?: number;
}

interface Entry {
  id: string;
  job: ReviewJob;
  /** The run this entry will be: 1 for the first. */
  attempt: number;
}

/**
 * The default queue: jobs run in this process, at most `concurrency` at a time. Redeliveries of the same head
 * collapse while the first job is waiting, running or waiting for a retry. A handler's `RetryLaterError` runs
 * the job again after an exponential backoff, up to `maxAttempts` runs. Jobs do not survive a restart; use
 * REDIS_URL for that.
 */
export function createMemoryQueue(options: MemoryQueueOptions): JobQueue {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const backoffMs = Math.max(0, options.backoffMs ?? 5000);
  const waiting: Entry[] = [];
  const running = new Map<string, Entry>();
  /** Jobs waiting out their backoff before the next attempt. */
  const retrying = new Map<string, { entry: Entry; timer: NodeJS.Timeout }>();
  const idleWaiters: (() => void)[] = [];
  const drainWaiters: (() => void)[] = [];
  /** Latest head sha queued per PR: older jobs of that PR are superseded. */
  const latestHead = new Map<string, string>();
  let handler: JobHandler | undefined;
  let closed = false;

  const settleIdle = () => {
    if (running.size === 0) for (const resolve of drainWaiters.splice(0)) resolve();
    if (waiting.length > 0 || running.size > 0 || retrying.size > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const pump = () => {
    while (handler && !closed && running.size < options.concurrency && waiting.length > 0) {
      const next = waiting.shift()!;
      running.set(next.id, next);
      void run(handler, next);
    }
    settleIdle();
  };

  /** Keeps the head map bounded: a PR with nothing waiting, running or retrying needs no entry. */
  const forget = (job: ReviewJob) => {
    const key = pullRequestKey(job);
    const samePr = (entry: Entry) => pullRequestKey(entry.job) === key;
    const busy = waiting.some(samePr) || [...running.values()].some(samePr) || [...retrying.values()].some(({ entry }) => samePr(entry));
    if (!busy) latestHead.delete(key);
  };

  const scheduleRetry = (entry: Entry) => {
    const delay = backoffMs * 2 ** (entry.attempt - 1);
    const next: Entry = { ...entry, attempt: entry.attempt + 1 };
    const timer = setTimeout(() => {
      retrying.delete(entry.id);
      if (closed) return;
      waiting.push(next);
      pump();
    }, delay);
    timer.unref();
    retrying.set(entry.id, { entry: next, timer });
  };

  const run = async (jobHandler: JobHandler, entry: Entry) => {
    const { id, job, attempt } = entry;
    try {
      await jobHandler(job, {
        attempt,
        maxAttempts,
        isSuperseded: async () => Boolean(job.headSha) && latestHead.get(pullRequestKey(job)) !== job.headSha,
      });
    } catch (error) {
      if (isRetryLater(error) && attempt < maxAttempts && !closed) {
        options.log.warn({ err: error, jobId: id, attempt, maxAttempts }, 'review job will be retried');
        scheduleRetry(entry);
      } else {
        options.log.error({ err: error, jobId: id, attempt, maxAttempts }, 'review job failed');
      }
    } finally {
      running.delete(id);
      forget(job);
      pump();
    }
  };

  const push = (jobId: string, job: ReviewJob): EnqueueResult => {
    waiting.push({ id: jobId, job, attempt: 1 });
    // Start on the next turn so the webhook is acknowledged before any job work begins.
    setImmediate(pump);
    return { jobId, queued: true };
  };

  return {
    async enqueue(job: ReviewJob): Promise<EnqueueResult> {
      const jobId = reviewJobId(job);
      if (closed) throw new Error('The queue is closed: the server is shutting down.');
      if (running.has(jobId) || retrying.has(jobId) || waiting.some((entry) => entry.id === jobId)) return { jobId, queued: false };
      const key = pullRequestKey(job);
      if (!job.headSha) return push(jobId, job);
      latestHead.set(key, job.headSha);
      // A command job (no head yet: it reviews whatever the head is when it runs) is never superseded.
      // A waiting job (or one waiting for its retry) for an older head of this PR will never be worth running.
      for (let index = waiting.length - 1; index >= 0; index -= 1) {
        const entry = waiting[index]!;
        if (pullRequestKey(entry.job) === key && entry.job.headSha && entry.job.headSha !== job.headSha) waiting.splice(index, 1);
      }
      for (const [id, { entry, timer }] of retrying) {
        if (pullRequestKey(entry.job) !== key || !entry.job.headSha || entry.job.headSha === job.headSha) continue;
        clearTimeout(timer);
        retrying.delete(id);
      }
      return push(jobId, job);
    },
    start(jobHandler: JobHandler) {
      handler = jobHandler;
      setImmediate(pump);
    },
    async close(timeoutMs: number) {
      closed = true;
      if (retrying.size > 0) {
        options.log.warn({ jobIds: [...retrying.keys()] }, 'queue closed with jobs still waiting for a retry');
        for (const { timer } of retrying.values()) clearTimeout(timer);
        retrying.clear();
      }
      const idle = new Promise<void>((resolve) => {
        if (running.size === 0) resolve();
        else drainWaiters.push(resolve);
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([idle, timeout]);
      clearTimeout(timer);
      if (waiting.length > 0) options.log.warn({ dropped: waiting.length }, 'queue closed with jobs still waiting');
      settleIdle();
    },
    onIdle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        setImmediate(settleIdle);
      });
    },
    async healthy() {
      return !closed;
    },
  };
}

/** By name as well as class, so an error rebuilt across a module boundary still counts. */
export function isRetryLater(error: unknown): boolean {
  return error instanceof RetryLaterError || (error instanceof Error && error.name === 'RetryLaterError');
}
