import type { EnqueueResult, JobHandler, JobQueue, ReviewJob } from '../../ports/job-queue.js';
import { pullRequestKey, reviewJobId } from '../../ports/job-queue.js';
import type { Logger } from '../../ports/logger.js';

export interface MemoryQueueOptions {
  concurrency: number;
  log: Logger;
}

/**
 * The default queue: jobs run in this process, at most `concurrency` at a time. Redeliveries of the same head
 * collapse while the first job is waiting or running. Jobs do not survive a restart; use REDIS_URL for that.
 */
export function createMemoryQueue(options: MemoryQueueOptions): JobQueue {
  const waiting: { id: string; job: ReviewJob }[] = [];
  const running = new Set<string>();
  const idleWaiters: (() => void)[] = [];
  const drainWaiters: (() => void)[] = [];
  /** Latest head sha queued per PR: older jobs of that PR are superseded. */
  const latestHead = new Map<string, string>();
  let handler: JobHandler | undefined;
  let closed = false;

  const settleIdle = () => {
    if (running.size === 0) for (const resolve of drainWaiters.splice(0)) resolve();
    if (waiting.length > 0 || running.size > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const pump = () => {
    while (handler && !closed && running.size < options.concurrency && waiting.length > 0) {
      const next = waiting.shift()!;
      running.add(next.id);
      void run(handler, next);
    }
    settleIdle();
  };

  /** Keeps the head map bounded: a PR with nothing waiting or running needs no entry. */
  const forget = (job: ReviewJob) => {
    const key = pullRequestKey(job);
    const busy = waiting.some((entry) => pullRequestKey(entry.job) === key) || [...running].some((id) => id.startsWith(`review/${job.installationId}/${job.owner}/${job.repo}/${job.pullNumber}/`));
    if (!busy) latestHead.delete(key);
  };

  const run = async (jobHandler: JobHandler, { id, job }: { id: string; job: ReviewJob }) => {
    try {
      await jobHandler(job, {
        attempt: 1,
        maxAttempts: 1,
        isSuperseded: async () => latestHead.get(pullRequestKey(job)) !== job.headSha,
      });
    } catch (error) {
      options.log.error({ err: error, jobId: id }, 'review job failed');
    } finally {
      running.delete(id);
      forget(job);
      pump();
    }
  };

  return {
    async enqueue(job: ReviewJob): Promise<EnqueueResult> {
      const jobId = reviewJobId(job);
      if (closed) throw new Error('The queue is closed: the server is shutting down.');
      if (running.has(jobId) || waiting.some((entry) => entry.id === jobId)) return { jobId, queued: false };
      latestHead.set(pullRequestKey(job), job.headSha);
      // A waiting job for an older head of this PR will never be worth running.
      for (let index = waiting.length - 1; index >= 0; index -= 1) {
        const entry = waiting[index]!;
        if (pullRequestKey(entry.job) === pullRequestKey(job) && entry.job.headSha !== job.headSha) waiting.splice(index, 1);
      }
      waiting.push({ id: jobId, job });
      // Start on the next turn so the webhook is acknowledged before any job work begins.
      setImmediate(pump);
      return { jobId, queued: true };
    },
    start(jobHandler: JobHandler) {
      handler = jobHandler;
      setImmediate(pump);
    },
    async close(timeoutMs: number) {
      closed = true;
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
