import type { EnqueueResult, GiveUpHandler, GiveUpReason, JobHandler, JobKind, JobQueue, QueueObserver, ReviewJob } from '../../ports/job-queue.js';
import { coalesceKey, isRetryLater, jobKind, pullRequestKey, retryDelayMs, reviewJobId } from '../../ports/job-queue.js';
import type { Logger } from '../../ports/logger.js';
import { capReached, installationKey, NO_CAPS, repositoryKey } from '../../review/running-caps.js';
import type { RunningCaps } from '../../review/running-caps.js';

export interface MemoryQueueOptions {
  concurrency: number;
  log: Logger;
  /** Runs allowed per job in all, counting the first; a `RetryLaterError` on the last one fails the job. Default 3. */
  maxAttempts?: number;
  /** Delay before the first retry; each further retry doubles it (`backoffMs · 2^(attempt-1)`). Default 5000. */
  backoffMs?: number;
  /** How long `close` waits, after its own bound, for the give-up hook to complete check runs. Default 5000. */
  giveUpTimeoutMs?: number;
  /** Reviews running at once per repository and per installation; default none. */
  caps?: RunningCaps;
}

/** People first: a lane is looked at only when the one before it has nothing that may run. */
const LANES: readonly JobKind[] = ['command', 'automatic'];

interface Entry {
  id: string;
  job: ReviewJob;
  /** The run this entry will be: 1 for the first. */
  attempt: number;
  /** pullRequestKey(job), jobKind(job), repositoryKey(job) and installationKey(job), computed once. */
  pr: string;
  kind: JobKind;
  repo: string;
  installation: string;
  /** Order of arrival in its lane (a retry arrives again, behind the jobs waiting then). */
  seq: number;
  /** When the job was queued (epoch ms): its wait before its first run is measured from here. */
  queuedAt: number;
  /** Already reported as held back by a cap (once per run). */
  heldBack?: boolean;
  /** Saved by an attempt for the next ones (JSON, copied so no attempt shares objects with another). */
  checkpoint?: string;
}

/**
 * The default queue: jobs run in this process, at most `concurrency` at a time. Redeliveries of the same head
 * collapse while the first job is waiting, running or waiting for a retry. A handler's `RetryLaterError` runs
 * the job again after an exponential backoff, up to `maxAttempts` runs. Jobs do not survive a restart; use
 * REDIS_URL for that.
 *
 * Fair: a person's job (command, Re-run, Re-review) starts before every automatic review waiting; otherwise jobs
 * start in the order they arrived, except that a job whose repository or installation already runs as many
 * reviews as `caps` allow waits, and the jobs behind it start instead.
 */
export function createMemoryQueue(options: MemoryQueueOptions): JobQueue {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const backoffMs = Math.max(0, options.backoffMs ?? 5000);
  const giveUpTimeoutMs = Math.max(0, options.giveUpTimeoutMs ?? 5000);
  // Every webhook looks up its job id and its PR's waiting jobs: indexed, so a backlog of thousands of waiting jobs
  // costs an enqueue nothing (scanning `waiting` made each ack O(backlog), ~1 ms with 5,000 jobs waiting).
  /** Waiting entries by lane, then repository, each in order of arrival: `pump` looks only at each repository's first. */
  const lanes: Record<JobKind, Map<string, Entry[]>> = { command: new Map(), automatic: new Map() };
  let arrivals = 0;
  const caps = options.caps ?? NO_CAPS;
  /** Reviews running per repository and per installation. */
  const runningIn = { repository: new Map<string, number>(), installation: new Map<string, number>() };
  let observer: QueueObserver | undefined;
  const waitingById = new Map<string, Entry>();
  const waitingByPr = new Map<string, Set<Entry>>();
  /** The waiting entry of each coalesce key (repeated commands join it). */
  const waitingByCoalesceKey = new Map<string, Entry>();
  const running = new Map<string, Entry>();
  /** Jobs waiting out their backoff before the next attempt. */
  const retrying = new Map<string, { entry: Entry; timer: NodeJS.Timeout }>();
  const idleWaiters: (() => void)[] = [];
  const drainWaiters: (() => void)[] = [];
  /** Latest head sha queued per PR: older jobs of that PR are superseded. */
  const latestHead = new Map<string, string>();
  let handler: JobHandler | undefined;
  let onGiveUp: GiveUpHandler | undefined;
  /** Give-ups under way: `close` waits for them (bounded) so their check runs are completed before the process exits. */
  const givingUp = new Set<Promise<void>>();
  let closed = false;

  const addWaiting = (entry: Entry) => {
    entry.seq = arrivals += 1;
    const lane = lanes[entry.kind];
    const sameRepo = lane.get(entry.repo);
    if (sameRepo) sameRepo.push(entry);
    else lane.set(entry.repo, [entry]);
    waitingById.set(entry.id, entry);
    const samePr = waitingByPr.get(entry.pr);
    if (samePr) samePr.add(entry);
    else waitingByPr.set(entry.pr, new Set([entry]));
    const coalesce = coalesceKey(entry.job);
    if (coalesce && !waitingByCoalesceKey.has(coalesce)) waitingByCoalesceKey.set(coalesce, entry);
  };
  const removeWaiting = (entry: Entry) => {
    const lane = lanes[entry.kind];
    const sameRepo = lane.get(entry.repo);
    const at = sameRepo?.indexOf(entry) ?? -1;
    if (sameRepo && at >= 0) sameRepo.splice(at, 1);
    if (sameRepo?.length === 0) lane.delete(entry.repo);
    waitingById.delete(entry.id);
    const samePr = waitingByPr.get(entry.pr);
    samePr?.delete(entry);
    if (samePr?.size === 0) waitingByPr.delete(entry.pr);
    const coalesce = coalesceKey(entry.job);
    if (coalesce && waitingByCoalesceKey.get(coalesce) === entry) waitingByCoalesceKey.delete(coalesce);
  };

  const settleIdle = () => {
    if (running.size === 0) for (const resolve of drainWaiters.splice(0)) resolve();
    if (waitingById.size > 0 || running.size > 0 || retrying.size > 0) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  };

  const countRunning = (entry: Entry, by: 1 | -1) => {
    for (const [map, key] of [[runningIn.repository, entry.repo], [runningIn.installation, entry.installation]] as const) {
      const count = (map.get(key) ?? 0) + by;
      if (count > 0) map.set(key, count);
      else map.delete(key);
    }
  };

  /** The job to start next: the earliest of the first lane that has one its caps let run. */
  const pickNext = (): Entry | undefined => {
    for (const kind of LANES) {
      let best: Entry | undefined;
      for (const sameRepo of lanes[kind].values()) {
        const first = sameRepo[0];
        if (!first) continue;
        const cap = capReached({ repository: runningIn.repository.get(first.repo) ?? 0, installation: runningIn.installation.get(first.installation) ?? 0 }, caps);
        if (cap) {
          if (!first.heldBack) observer?.heldBack(kind, cap);
          first.heldBack = true;
          continue;
        }
        if (!best || first.seq < best.seq) best = first;
      }
      if (best) return best;
    }
    return undefined;
  };

  const pump = () => {
    while (handler && !closed && running.size < options.concurrency) {
      const next = pickNext();
      if (!next) break;
      removeWaiting(next);
      running.set(next.id, next);
      countRunning(next, 1);
      if (next.attempt === 1) observer?.started(next.kind, Date.now() - next.queuedAt);
      void run(handler, next);
    }
    settleIdle();
  };

  /** Keeps the head map bounded: a PR with nothing waiting, running or retrying needs no entry. */
  const forget = (key: string) => {
    const samePr = (entry: Entry) => entry.pr === key;
    const busy = waitingByPr.has(key) || [...running.values()].some(samePr) || [...retrying.values()].some(({ entry }) => samePr(entry));
    if (!busy) latestHead.delete(key);
  };

  /**
   * Only for a job that ran at least once: a job that never ran has no check run to complete. Nothing survives this
   * process (no Redis), so a job given up on here is never run again.
   */
  const giveUp = (entry: Entry, reason: GiveUpReason): Promise<void> => {
    const ran = entry.attempt > 1 || running.has(entry.id);
    if (!onGiveUp || !ran) return Promise.resolve();
    options.log.warn({ jobId: entry.id, reason: reason.kind }, 'giving up on a review job');
    const done = onGiveUp(entry.job, reason).catch((error: unknown) => options.log.error({ err: error, jobId: entry.id }, 'give-up hook failed'));
    givingUp.add(done);
    void done.finally(() => givingUp.delete(done));
    return done;
  };

  const scheduleRetry = (entry: Entry, error: unknown) => {
    const delay = retryDelayMs(backoffMs, entry.attempt, error);
    const next: Entry = { ...entry, attempt: entry.attempt + 1, heldBack: false };
    const timer = setTimeout(() => {
      retrying.delete(entry.id);
      if (closed) return;
      addWaiting(next);
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
        loadCheckpoint: async () => (entry.checkpoint === undefined ? undefined : (JSON.parse(entry.checkpoint) as unknown)),
        saveCheckpoint: async (data) => {
          entry.checkpoint = JSON.stringify(data);
        },
        isLive: async (other) => running.has(other) || retrying.has(other) || waitingById.has(other),
      });
    } catch (error) {
      if (isRetryLater(error) && attempt < maxAttempts && !closed) {
        options.log.warn({ err: error, jobId: id, attempt, maxAttempts }, 'review job will be retried');
        scheduleRetry(entry, error);
      } else {
        options.log.error({ err: error, jobId: id, attempt, maxAttempts }, 'review job failed');
        // Retryable but the queue is closing: the check run says "retrying" and nothing will retry it. A last attempt
        // that failed before reaching its check run leaves the "retrying" of an earlier one (a first attempt's failure
        // is completed on the check run by the runner itself, when there is one).
        if (isRetryLater(error) && attempt < maxAttempts) await giveUp(entry, { kind: 'shutdown' });
        else if (attempt > 1) await giveUp(entry, { kind: 'failed', attempt });
      }
    } finally {
      running.delete(id);
      countRunning(entry, -1);
      forget(entry.pr);
      pump();
    }
  };

  const push = (jobId: string, job: ReviewJob, pr: string): EnqueueResult => {
    addWaiting({ id: jobId, job, attempt: 1, pr, kind: jobKind(job), repo: repositoryKey(job), installation: installationKey(job), seq: 0, queuedAt: Date.now() });
    // Start on the next turn so the webhook is acknowledged before any job work begins.
    setImmediate(pump);
    return { jobId, queued: true };
  };

  return {
    async enqueue(job: ReviewJob): Promise<EnqueueResult> {
      const jobId = reviewJobId(job);
      if (closed) throw new Error('The queue is closed: the server is shutting down.');
      if (running.has(jobId) || retrying.has(jobId) || waitingById.has(jobId)) return { jobId, queued: false };
      const coalesce = coalesceKey(job);
      const joined = coalesce ? (waitingByCoalesceKey.get(coalesce) ?? [...retrying.values()].find(({ entry }) => coalesceKey(entry.job) === coalesce)?.entry) : undefined;
      if (joined) return { jobId: joined.id, queued: false };
      const key = pullRequestKey(job);
      if (!job.headSha) return push(jobId, job, key);
      latestHead.set(key, job.headSha);
      // A command job (no head yet: it reviews whatever the head is when it runs) is never superseded.
      // A waiting job (or one waiting for its retry) for an older head of this PR will never be worth running.
      for (const entry of [...(waitingByPr.get(key) ?? [])]) {
        if (!entry.job.headSha || entry.job.headSha === job.headSha) continue;
        removeWaiting(entry);
        observer?.superseded(entry.kind);
        // A retry whose wait is over has a check run saying "retrying": it will never run now. A job that never ran
        // has no check run, and nothing is asked of GitHub for it.
        void giveUp(entry, { kind: 'superseded' });
      }
      for (const [id, { entry, timer }] of retrying) {
        if (entry.pr !== key || !entry.job.headSha || entry.job.headSha === job.headSha) continue;
        clearTimeout(timer);
        retrying.delete(id);
        observer?.superseded(entry.kind);
        void giveUp(entry, { kind: 'superseded' });
      }
      return push(jobId, job, key);
    },
    async waiting() {
      const counts: Record<JobKind, number> = { command: 0, automatic: 0 };
      for (const entry of waitingById.values()) counts[entry.kind] += 1;
      for (const { entry } of retrying.values()) counts[entry.kind] += 1;
      return counts;
    },
    observe(told: QueueObserver) {
      observer = told;
    },
    start(jobHandler: JobHandler, giveUpHandler?: GiveUpHandler) {
      handler = jobHandler;
      onGiveUp = giveUpHandler;
      setImmediate(pump);
    },
    async close(timeoutMs: number) {
      closed = true;
      if (retrying.size > 0) {
        options.log.warn({ jobIds: [...retrying.keys()] }, 'queue closed with jobs still waiting for a retry');
        for (const { entry, timer } of retrying.values()) {
          clearTimeout(timer);
          void giveUp(entry, { kind: 'shutdown' });
        }
        retrying.clear();
      }
      // Waiting jobs never run now; those that ran before (a retry whose wait is over) have a check run to complete.
      for (const entry of waitingById.values()) void giveUp(entry, { kind: 'shutdown' });
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
      if (waitingById.size > 0) options.log.warn({ dropped: waitingById.size }, 'queue closed with jobs still waiting');
      // Still running at the bound: the process exits under them.
      for (const entry of running.values()) void giveUp(entry, { kind: 'shutdown' });
      await settleWithin([...givingUp], giveUpTimeoutMs);
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

/** Waits for every promise (they never reject) at most `ms`; the timer never keeps the process alive. */
async function settleWithin(promises: Promise<void>[], ms: number): Promise<void> {
  if (promises.length === 0) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  await Promise.race([Promise.all(promises), timeout]);
  clearTimeout(timer);
}
