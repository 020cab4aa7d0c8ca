import { DelayedError, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { EnqueueResult, GiveUpHandler, GiveUpReason, JobControl, JobHandler, JobKind, JobQueue, QueueObserver, ReviewJob } from '../../ports/job-queue.js';
import { coalesceKey, isRetryLater, jobKind, pullRequestKey, RetryLaterError, retryDelayMs, reviewJobId } from '../../ports/job-queue.js';
import type { Logger } from '../../ports/logger.js';
import { NO_CAPS } from '../../review/running-caps.js';
import type { RunningCaps } from '../../review/running-caps.js';
import { runScript, script } from './redis-script.js';
import { createRunningSlots } from './running-slots.js';

export interface BullmqQueueOptions {
  redisUrl: string;
  /** Default `bulwark-reviews`. */
  queueName?: string;
  /** Namespaces every key of the queue: `<prefix>:<queueName>:…`. Default `bulwark`. */
  prefix?: string;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** Runs allowed per job in all, counting the first. Default 3. */
  maxAttempts?: number;
  /** First retry delay; doubles each retry. Default 5000. */
  backoffMs?: number;
  /** How long a worker's lock on a running job lasts without renewal (BullMQ default 30 000). */
  lockDurationMs?: number;
  /** Period of the check that returns jobs of dead workers to the queue (BullMQ default 30 000). */
  stalledIntervalMs?: number;
  /** Times a job may be returned to the queue after its worker died before it fails. Default 1. */
  maxStalledCount?: number;
  /** `enqueue` fails when Redis has not answered within this bound. Default 3000. */
  enqueueTimeoutMs?: number;
  /** How long `close` waits, after its own bound, for give-ups under way to complete check runs. Default 5000. */
  giveUpTimeoutMs?: number;
  /** Reviews running at once per repository and per installation, across every replica; default none. */
  caps?: RunningCaps;
  /** How long a running job's slot lasts without renewal (renewed every third of it): a dead worker's slot is free after it. Default lockDurationMs, else 30 000. */
  slotLeaseMs?: number;
  /** How long a job held back by a cap is put aside at most (a slot freed sooner brings it back at once). Default 10 000. */
  holdMs?: number;
  log: Logger;
}

/**
 * BullMQ priorities (1 is the highest; https://docs.bullmq.io/guide/jobs/prioritized): a person's job is taken
 * before every automatic review waiting, and jobs of one kind in order of arrival. Every job gets one, as a job
 * without any would be taken before all of them.
 */
const PRIORITY: Record<JobKind, number> = { command: 1, automatic: 10 };

/**
 * KEYS: prioritized, delayed, wait. ARGV: BullMQ's job key prefix, the people's priority, the automatic one.
 * Jobs waiting to run, people's then automatic: prioritized by priority, plus those put aside (held back by a cap, or
 * waiting out a retry's backoff) by their job's priority. A job without one (queued before priorities) is automatic.
 */
const WAITING_SCRIPT = script(`
local command = redis.call('ZCOUNT', KEYS[1], ARGV[2] * 0x100000000, (ARGV[2] + 1) * 0x100000000 - 1)
local automatic = redis.call('ZCARD', KEYS[1]) - command + redis.call('LLEN', KEYS[3])
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, 9999)) do
  if redis.call('HGET', ARGV[1] .. id, 'priority') == ARGV[2] then command = command + 1 else automatic = automatic + 1 end
end
return {command, automatic}
`);

/** Latest head and pending jobs per PR live a day after the last enqueue of that PR. */
const PR_STATE_TTL_SECONDS = 24 * 3600;
/** Reserves a job id between the enqueue script and BullMQ's add, so concurrent duplicates report queued: false. */
const CLAIM_TTL_MS = 10_000;
/** Completed and failed jobs are kept this long so a redelivery soon after still collapses into them. */
const KEEP_FINISHED = { age: 3600, count: 1000 };
/** Job states in which the queue still holds a job: it runs, or will. */
const LIVE_STATES = new Set(['active', 'waiting', 'delayed', 'prioritized', 'waiting-children']);
/** BullMQ's failedReason for a job that stalled more than maxStalledCount (commands/moveStalledJobsToWait). */
const STALLED_TOO_OFTEN = /stalled more than allowable limit/;

/**
 * KEYS: job hash (BullMQ's), claim, latest head, pending jobs of the PR (hash jobId → head sha).
 * ARGV: job id, head sha, PR state TTL (s), claim TTL (ms).
 * Returns {0} for a duplicate; otherwise {1, stale job ids…}: jobs of older heads of the PR, to remove.
 */
const ENQUEUE_SCRIPT = script(`
if redis.call('EXISTS', KEYS[1]) == 1 then return {0} end
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[4]) then return {0} end
if ARGV[2] == '' then return {1} end
redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
local result = {1}
local pending = redis.call('HGETALL', KEYS[4])
for i = 1, #pending, 2 do
  if pending[i + 1] ~= ARGV[2] then
    result[#result + 1] = pending[i]
    redis.call('HDEL', KEYS[4], pending[i])
  end
end
redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[4], ARGV[3])
return result
`);

/** A Worker that knows how many jobs it is processing, including BullMQ's own completion bookkeeping. */
class TrackingWorker extends Worker<ReviewJob, void, string> {
  inFlight = 0;

  override async processJob(...args: Parameters<Worker<ReviewJob, void, string>['processJob']>) {
    this.inFlight += 1;
    try {
      return await super.processJob(...args);
    } finally {
      this.inFlight -= 1;
    }
  }
}

/**
 * A JobQueue on Redis with BullMQ, shared by every replica. Delivery is at least once: a job whose worker dies
 * runs again once its lock expires (stalled check). The job id is `reviewJobId(job)`, so redeliveries collapse
 * while the first job exists (waiting, running, or finished within the last hour). Job data is the ReviewJob
 * only, in clear: workers authenticate themselves with the installation id.
 */
export function createBullmqQueue(options: BullmqQueueOptions): JobQueue {
  const queueName = options.queueName ?? 'bulwark-reviews';
  const prefix = options.prefix ?? 'bulwark';
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const backoffMs = Math.max(0, options.backoffMs ?? 5000);
  const enqueueTimeoutMs = options.enqueueTimeoutMs ?? 3000;
  const log = options.log.child({ queue: queueName });

  // Producer side: fail fast when Redis is down, so the webhook answers 5xx and GitHub records the failure.
  const client = new Redis(options.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    connectionName: `${prefix}:${queueName}:producer`,
  });
  let reportedDown = false;
  client.on('error', (error: Error) => {
    if (reportedDown) return;
    reportedDown = true;
    log.warn({ err: error }, 'queue cannot reach Redis');
  });
  client.on('ready', () => {
    reportedDown = false;
  });

  const queue = new Queue<ReviewJob, void, string>(queueName, {
    connection: client,
    prefix,
    defaultJobOptions: {
      attempts: maxAttempts,
      // Exponential, but never shorter than a rate limit's retry-after (the worker's backoffStrategy below).
      backoff: { type: RETRY_BACKOFF, delay: backoffMs },
      removeOnComplete: KEEP_FINISHED,
      removeOnFail: KEEP_FINISHED,
      // Stacks stay in the logs; Redis keeps only the one-line reason.
      stackTraceLimit: 0,
    },
  });
  // While Redis is down every connection reports each reconnect attempt: one line per message and minute is plenty.
  const lastReported = new Map<string, number>();
  const reportError = (message: string) => (error: Error) => {
    const key = `${message}\u0000${error.message}`;
    const now = Date.now();
    if (now - (lastReported.get(key) ?? 0) < 60_000) return;
    if (lastReported.size > 100) lastReported.clear();
    lastReported.set(key, now);
    log.error({ err: error }, message);
  };
  queue.on('error', reportError('queue error'));

  const ownKey = (kind: string, id: string) => `${prefix}:${queueName}:bulwark:${kind}:${id}`;
  const headKey = (job: ReviewJob) => ownKey('head', pullRequestKey(job));
  const pendingKey = (job: ReviewJob) => ownKey('pending', pullRequestKey(job));

  /** The job is done for good: it no longer needs removing when a newer head arrives. */
  const forget = async (job: ReviewJob, jobId: string) => {
    await client.hdel(pendingKey(job), jobId).catch((error: unknown) => log.debug({ err: error, jobId }, 'could not forget a finished job'));
  };

  const isSuperseded = async (job: ReviewJob) => {
    // A command job reviews whatever head the PR has when it runs: nothing supersedes it.
    if (!job.headSha) return false;
    try {
      const latest = await client.get(headKey(job));
      return latest !== null && latest !== job.headSha;
    } catch (error) {
      // Best effort: the runner also checks the PR's head on GitHub before it publishes.
      log.warn({ err: error, jobId: reviewJobId(job) }, 'could not read the latest head; assuming the job is current');
      return false;
    }
  };

  const slotLeaseMs = options.slotLeaseMs ?? options.lockDurationMs ?? 30_000;
  const holdMs = options.holdMs ?? 10_000;
  const slots = createRunningSlots({
    client,
    keyPrefix: `${prefix}:${queueName}:bulwark:`,
    jobKeyPrefix: queue.toKey(''),
    delayedKey: queue.keys.delayed ?? queue.toKey('delayed'),
    caps: options.caps ?? NO_CAPS,
    leaseMs: slotLeaseMs,
  });
  let observer: QueueObserver | undefined;

  /** A job taken off the queue takes its repository's and installation's slot, or is put aside until one frees. */
  const takeSlot = async (job: Job<ReviewJob, void, string>, jobId: string, kind: JobKind, token: string | undefined): Promise<boolean> => {
    const claim = await slots.claim(job.data, jobId, kind).catch((error: unknown) => {
      // Redis answered BullMQ a moment ago; without a slot the job still runs, as it would without caps.
      log.warn({ err: error, jobId }, 'could not take a running slot; the job runs outside the caps');
      return { ok: false as const, cap: undefined };
    });
    if (claim.ok || claim.cap === undefined || !token) return claim.ok;
    if (claim.firstHold) observer?.heldBack(kind, claim.cap);
    // Put aside (not a failed attempt: moveToDelayed keeps attemptsMade), so the jobs behind it are taken meanwhile.
    await job.moveToDelayed(Date.now() + Math.round(holdMs * (0.8 + Math.random() * 0.4)), token);
    log.debug({ jobId, cap: claim.cap }, 'review job held back: its repository or installation runs as many reviews as allowed');
    // Brought back for a slot someone else took: the slot it came for may be free for another held-back job.
    if (claim.broughtBack) await bringBack(jobId, () => slots.passOn(job.data));
    throw new DelayedError();
  };

  /** Promotes the held-back job `find` names, if any (best effort: a hold also runs out by itself). */
  const bringBack = async (jobId: string, find: () => Promise<string | undefined>) => {
    try {
      const next = await find();
      if (next === undefined) return;
      log.debug({ jobId, next }, 'a running slot is free: a held-back job comes back');
      await (await queue.getJob(next))?.promote();
    } catch (error) {
      log.debug({ err: error, jobId }, 'could not bring back a held-back job at once');
    }
  };

  /** Frees the job's slot (its lease also runs out by itself) and brings back the first held-back job that may run now. */
  const freeSlot = (job: ReviewJob, jobId: string) => bringBack(jobId, () => slots.release(job, jobId));

  // Checkpoints (the model's answers) stay in this replica's memory, never in Redis, which holds no code or model
  // output (SECURITY.md): a retry this replica takes reuses them; one another replica takes asks the model again.
  const checkpoints = createCheckpointMemory();

  /** Errors this module already logged; anything else reaching the `failed` event came from BullMQ itself. */
  const reported = new WeakSet<Error>();
  let worker: TrackingWorker | undefined;
  let workerTemplate: Redis | undefined;
  let onGiveUp: GiveUpHandler | undefined;
  /** Give-ups under way: `close` waits for them (bounded) so their check runs are completed before the process exits. */
  const givingUp = new Set<Promise<void>>();
  const giveUp = (job: ReviewJob, jobId: string, reason: GiveUpReason) => {
    if (!onGiveUp) return;
    log.warn({ jobId, reason: reason.kind }, 'giving up on a review job');
    const done = onGiveUp(job, reason).catch((error: unknown) => log.error({ err: error, jobId }, 'give-up hook failed'));
    givingUp.add(done);
    void done.finally(() => givingUp.delete(done));
  };

  const isLive = async (jobId: string) => {
    try {
      return LIVE_STATES.has(await queue.getJobState(jobId));
    } catch (error) {
      // Unknown is treated as live: completing the check run of a job that is still running would be worse.
      log.warn({ err: error, jobId }, 'could not read a job state; assuming it is live');
      return true;
    }
  };
  let closed = false;
  let closing: Promise<void> | undefined;

  const runJob = async (handler: JobHandler, job: Job<ReviewJob, void, string>, token?: string) => {
    const jobId = job.id ?? reviewJobId(job.data);
    if (closed && token) {
      // Taken while this process shuts down: hand it straight back, without spending an attempt.
      await job.moveToDelayed(Date.now(), token);
      log.info({ jobId }, 'handed a job back to the queue: shutting down');
      throw new DelayedError();
    }
    const kind = jobKind(job.data);
    const slotTaken = await takeSlot(job, jobId, kind, token);
    if (job.attemptsMade === 0 && job.stalledCounter === 0) observer?.started(kind, Date.now() - job.timestamp);
    const renewing = slotTaken ? setInterval(() => void slots.renew(job.data, jobId).catch((error: unknown) => log.debug({ err: error, jobId }, 'could not renew a running slot')), Math.max(100, Math.floor(slotLeaseMs / 3))) : undefined;
    renewing?.unref();
    try {
      await runHandler(handler, job, jobId);
    } finally {
      clearInterval(renewing);
      if (slotTaken) await freeSlot(job.data, jobId);
    }
  };

  const runHandler = async (handler: JobHandler, job: Job<ReviewJob, void, string>, jobId: string) => {
    const attempt = job.attemptsMade + 1;
    const jobMaxAttempts = job.opts.attempts ?? 1;
    const control: JobControl = {
      attempt,
      maxAttempts: jobMaxAttempts,
      isSuperseded: () => isSuperseded(job.data),
      loadCheckpoint: async () => checkpoints.get(jobId),
      saveCheckpoint: async (value) => checkpoints.set(jobId, value),
      isLive,
    };
    try {
      await handler(job.data, control);
    } catch (error) {
      const reason = describe(error);
      if (isRetryLater(error) && attempt < jobMaxAttempts) {
        log.warn({ err: error, jobId, attempt, maxAttempts: jobMaxAttempts }, 'review job will be retried');
        const retry = Object.assign(new Error(reason), { delayMs: error instanceof RetryLaterError ? error.delayMs : undefined });
        reported.add(retry);
        throw retry;
      }
      log.error({ err: error, jobId, attempt, maxAttempts: jobMaxAttempts }, 'review job failed');
      checkpoints.delete(jobId);
      await forget(job.data, jobId);
      const failure = new UnrecoverableError(reason);
      reported.add(failure);
      throw failure;
    }
    checkpoints.delete(jobId);
    await forget(job.data, jobId);
  };

  return {
    async enqueue(job: ReviewJob): Promise<EnqueueResult> {
      if (closed) throw new Error('The queue is closed: the server is shutting down.');
      const jobId = reviewJobId(job);
      const claimKey = ownKey('claim', jobId);
      return within(
        (async () => {
          await queue.waitUntilReady();
          const [created, ...stale] = (await runScript(
            client,
            ENQUEUE_SCRIPT,
            [queue.toKey(jobId), claimKey, headKey(job), pendingKey(job)],
            [jobId, job.headSha, PR_STATE_TTL_SECONDS, CLAIM_TTL_MS],
          )) as unknown[];
          if (created !== 1) return { jobId, queued: false };
          const removals = stale.map(async (staleId) => {
            // Read first: a job waiting for its retry (it ran before) has a check run saying "retrying" to complete.
            const staleJob = await queue.getJob(String(staleId)).catch(() => undefined);
            // 0 when the job is running (it will see isSuperseded) or already gone.
            const removed = await queue.remove(String(staleId)).catch((error: unknown) => {
              log.warn({ err: error, jobId: staleId }, 'could not remove a superseded job');
              return 0;
            });
            if (removed !== 1) return;
            log.info({ jobId: staleId, by: jobId }, 'removed a waiting job of an older head');
            if (!staleJob) return;
            observer?.superseded(jobKind(staleJob.data));
            await slots.forget(staleJob.data, String(staleId)).catch(() => undefined);
            // A job that ran (a retry's wait, or a worker that died under it) has a check run to complete; one that
            // never ran has none, and nothing is asked of GitHub for it.
            if (staleJob.attemptsMade > 0 || staleJob.stalledCounter > 0) giveUp(staleJob.data, String(staleId), { kind: 'superseded' });
          });
          const coalesce = coalesceKey(job);
          let added: Job<ReviewJob, void, string>;
          try {
            // BullMQ's deduplication (https://docs.bullmq.io/guide/jobs/deduplication): while a job of the key waits,
            // `add` answers that job; while one runs, `keepLastIfActive` keeps the newest for after it, under its own id.
            const deduplication = coalesce ? { deduplication: { id: coalesce, keepLastIfActive: true } } : {};
            [added] = await Promise.all([queue.add('review', job, { jobId, priority: PRIORITY[jobKind(job)], ...deduplication }), ...removals]);
          } catch (error) {
            await client.del(claimKey).catch(() => undefined);
            throw error;
          }
          if (added.id === undefined || added.id === jobId) return { jobId, queued: true };
          await client.del(claimKey).catch(() => undefined);
          const keptForAfter = (await queue.getJobState(added.id).catch(() => 'unknown')) === 'active';
          return keptForAfter ? { jobId, queued: true } : { jobId: added.id, queued: false };
        })(),
        enqueueTimeoutMs,
        'Redis did not accept the job in time.',
      );
    },

    async waiting() {
      await queue.waitUntilReady();
      const keys = [queue.keys.prioritized ?? queue.toKey('prioritized'), queue.keys.delayed ?? queue.toKey('delayed'), queue.keys.wait ?? queue.toKey('wait')];
      const [command, automatic] = (await runScript(client, WAITING_SCRIPT, keys, [queue.toKey(''), PRIORITY.command, PRIORITY.automatic])) as [number, number];
      return { command, automatic };
    },

    observe(told: QueueObserver) {
      observer = told;
    },

    start(handler: JobHandler, giveUpHandler?: GiveUpHandler) {
      if (worker) throw new Error('The queue is already started.');
      onGiveUp = giveUpHandler;
      if (closed) throw new Error('The queue is closed.');
      // A client instance, not options: BullMQ's ESM build cannot load ioredis itself. It never connects: BullMQ
      // duplicates it into the worker's own connection and its blocking one (maxRetriesPerRequest: null, as
      // BullMQ requires), and closes those with the worker.
      workerTemplate = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null, connectionName: `${prefix}:${queueName}:worker` });
      const started = new TrackingWorker(queueName, (job, token) => runJob(handler, job, token), {
        connection: workerTemplate,
        prefix,
        concurrency: options.concurrency,
        autorun: true,
        maxStalledCount: Math.max(1, options.maxStalledCount ?? 1),
        // Each job carries the backoff it was queued with (a replica may have been started with another).
        settings: { backoffStrategy: (attemptsMade, _type, error, job) => retryDelayMs(backoffOf(job) ?? backoffMs, attemptsMade, error) },
        ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
        ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
      });
      started.on('error', reportError('queue worker error'));
      started.on('stalled', (jobId: string) => log.warn({ jobId }, 'review job stalled: its worker stopped; it runs again'));
      started.on('failed', (job: Job<ReviewJob, void, string> | undefined, error: Error) => {
        if (!reported.has(error)) {
          log.error({ err: error, jobId: job?.id }, 'review job failed');
          if (job?.id) void forget(job.data, job.id);
        }
        // Failed for good (BullMQ sets finishedOn only then), here or, for a job that stalled more than
        // maxStalledCount, on the worker that took it next: nothing runs it again. A first run's own failure is
        // completed on its check run by the runner; an earlier run (a retry, a stalled worker) may have left its
        // check run "in progress" or "retrying".
        if (job?.id === undefined || typeof job.finishedOn !== 'number') return;
        if (STALLED_TOO_OFTEN.test(error.message)) giveUp(job.data, job.id, { kind: 'stalled' });
        else if (job.attemptsMade > 1 || job.stalledCounter > 0) giveUp(job.data, job.id, { kind: 'failed', attempt: job.attemptsMade });
      });
      worker = started;
    },

    close(timeoutMs: number) {
      closing ??= (async () => {
        closed = true;
        if (worker) {
          const stopping = worker;
          // Stop taking jobs; running ones go on.
          await within(stopping.pause(true), 1000, 'pause').catch((error: unknown) => log.warn({ err: error }, 'could not pause the queue worker'));
          const deadline = Date.now() + timeoutMs;
          while (stopping.inFlight > 0 && Date.now() < deadline) await sleep(Math.min(25, Math.max(1, deadline - Date.now())));
          if (stopping.inFlight > 0) {
            log.warn({ running: stopping.inFlight, timeoutMs }, 'queue closed with jobs still running: another replica takes them over once their lock expires');
          }
          // Nothing of ours is running (or the bound is spent): force, so close never waits on a job.
          await within(stopping.close(true), 2000, 'worker close').catch((error: unknown) => log.warn({ err: error }, 'could not close the queue worker'));
          workerTemplate?.disconnect();
        }
        await within(Promise.all([...givingUp]), options.giveUpTimeoutMs ?? 5000, 'give-ups').catch((error: unknown) => log.warn({ err: error }, 'gave up waiting for give-ups'));
        await within(queue.close(), 2000, 'queue close').catch((error: unknown) => log.warn({ err: error }, 'could not close the queue'));
        await within(client.quit(), 1000, 'quit').catch(() => client.disconnect());
      })();
      return closing;
    },

    async onIdle() {
      for (;;) {
        const counts = await queue.getJobCounts('wait', 'prioritized', 'delayed', 'active', 'waiting-children');
        const pending = Object.values(counts).reduce((sum, count) => sum + count, 0);
        if (pending === 0 && (worker?.inFlight ?? 0) === 0) return;
        await sleep(50);
      }
    },

    async healthy() {
      if (closed) return false;
      try {
        return (await within(queue.waitUntilReady().then(() => client.ping()), 1000, 'ping')) === 'PONG';
      } catch {
        return false;
      }
    },
  };
}

/** The custom backoff type of our jobs (BullMQ hands unknown types to the worker's backoffStrategy). */
const RETRY_BACKOFF = 'bulwark-retry';

function backoffOf(job: { opts: { backoff?: number | { delay?: number } } } | undefined): number | undefined {
  const backoff = job?.opts.backoff;
  return typeof backoff === 'object' ? backoff.delay : backoff;
}

/** One line for Redis's failedReason: the full error goes to the log. */
function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects when `promise` has not settled within `ms`; the timer never keeps the process alive. */
function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Checkpoints kept for retries, at most this many jobs' worth and this long: a bound, whatever the backlog. */
const CHECKPOINTS_KEPT = 50;
const CHECKPOINT_TTL_MS = 2 * 60 * 60 * 1000;

/** A small map of job id → checkpoint (as JSON, so no attempt shares objects with another), oldest dropped first. */
export function createCheckpointMemory() {
  const kept = new Map<string, { json: string; at: number }>();
  return {
    get(jobId: string): unknown {
      const entry = kept.get(jobId);
      if (entry === undefined) return undefined;
      if (Date.now() - entry.at > CHECKPOINT_TTL_MS) {
        kept.delete(jobId);
        return undefined;
      }
      return JSON.parse(entry.json) as unknown;
    },
    set(jobId: string, value: unknown): void {
      kept.delete(jobId);
      kept.set(jobId, { json: JSON.stringify(value), at: Date.now() });
      for (const oldest of kept.keys()) {
        if (kept.size <= CHECKPOINTS_KEPT) break;
        kept.delete(oldest);
      }
    },
    delete(jobId: string): void {
      kept.delete(jobId);
    },
  };
}
