/**
 * Fairness of the review queue under a backlog: one repository's burst of automatic reviews (a monorepo's batch of
 * pull requests, a mass rebase), a few automatic reviews of other repositories queued just after it, then a person's
 * `/review`. Measured on the in-process queue and on BullMQ (two "replicas": two queue instances in this process
 * sharing the local Redis, the deployment's concurrency split between them), for several cap settings:
 *
 * - the command's wait (queued → started) and its position among the automatic reviews still waiting when it was
 *   queued: how many of them started before it (target: at most 5, as the issue's "before at least 35 of 40");
 * - each repository's share of the first N jobs started (N = 4 × concurrency) and its first start;
 * - the whole backlog's makespan, and, alone, the burst repository's (what a cap costs when nobody else waits:
 *   the slots it leaves idle).
 *
 * A job is a stand-in review that takes BENCH_FAIR_JOB_MS (±20 %). The queue code is the App's: same adapters,
 * same options as composition.ts, with the caps given.
 *
 * Env knobs: BENCH_FAIR_JOB_MS (150), BENCH_FAIR_RUNS (3, medians), BENCH_CONCURRENCY (4), BENCH_FAIR_BURST (40),
 * BENCH_FAIR_QUEUES (memory,bullmq), REDIS_URL (default redis://127.0.0.1:6379).
 */
import { pino } from 'pino';
import { createMemoryQueue } from '../src/adapters/memory/memory-queue.js';
import { createBullmqQueue } from '../src/adapters/redis/bullmq-queue.js';
import type { JobQueue, ReviewJob } from '../src/ports/job-queue.js';
import { NO_CAPS } from '../src/review/running-caps.js';
import type { RunningCaps } from '../src/review/running-caps.js';
import { deleteKeys, redisAvailable, uniquePrefix } from '../test/helpers/redis.js';
import { benchRedisUrl, envNumber, median, startReport } from './benchmark.js';
import type { Benchmark, BenchmarkResult } from './benchmark.js';

const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The other repositories, how many automatic reviews each has waiting behind the burst, and their installation. */
const OTHERS = [
  { repo: 'api', jobs: 3, installationId: 1 },
  { repo: 'billing', jobs: 3, installationId: 1 },
  { repo: 'worker', jobs: 2, installationId: 2 },
] as const;
const BURST_REPO = 'monorepo';
/** The command's position target: at most this many automatic reviews waiting when it was queued start before it. */
const COMMAND_TARGET = 5;

export const fairnessBenchmark: Benchmark = {
  name: 'fairness: a /review and small repositories behind a burst of automatic reviews',
  run: runFairness,
};

interface Start {
  repo: string;
  command: boolean;
  queuedAt: number;
  at: number;
}

interface RunResult {
  commandWaitMs: number;
  /** Automatic reviews still waiting when the command was queued, and how many of them started before it. */
  waitingAtCommand: number;
  startedBeforeCommand: number;
  /** Per repository: share of the first N starts, and ms from the burst's first enqueue to its first start. */
  share: Record<string, number>;
  firstStartMs: Record<string, number>;
  makespanMs: number;
}

type QueueKind = 'memory' | 'bullmq';

async function runFairness(): Promise<BenchmarkResult> {
  const jobMs = envNumber('BENCH_FAIR_JOB_MS', 150);
  const runs = envNumber('BENCH_FAIR_RUNS', 3);
  const concurrency = envNumber('BENCH_CONCURRENCY', 4);
  const burst = envNumber('BENCH_FAIR_BURST', 40);
  const kinds = (process.env.BENCH_FAIR_QUEUES ?? 'memory,bullmq').split(',').filter((kind): kind is QueueKind => kind === 'memory' || kind === 'bullmq');
  const redisUrl = benchRedisUrl();
  const { lines, targets, print } = startReport();
  const settings: { label: string; caps: RunningCaps }[] = [
    { label: 'no caps', caps: NO_CAPS },
    { label: 'repo 3', caps: { perRepository: 3, perInstallation: 0 } },
    { label: 'repo 2', caps: { perRepository: 2, perInstallation: 0 } },
    { label: 'repo 2, installation 3', caps: { perRepository: 2, perInstallation: 3 } },
  ];
  const firstN = 4 * concurrency;
  print(
    `Backlog: ${burst} automatic reviews of ${BURST_REPO}, then ${OTHERS.map(({ repo, jobs, installationId }) => `${jobs} of ${repo}${installationId === 1 ? '' : ` (another installation)`}`).join(', ')}, then a /review on ${BURST_REPO}.`,
  );
  print(`A review takes ${jobMs} ms (±20 %); concurrency ${concurrency}; medians of ${runs} run(s). "first ${firstN}": each repository's share of the first ${firstN} reviews started.`);

  for (const kind of kinds) {
    if (kind === 'bullmq' && !(await redisAvailable(redisUrl))) {
      print(`\n!!! SKIPPED: BullMQ needs Redis and none answered at ${redisUrl}. Nothing was measured for it.`);
      targets.push({ name: 'BullMQ: Redis reachable', met: false });
      continue;
    }
    print(`\n${kind === 'memory' ? 'In-process queue' : `BullMQ, 2 replicas × concurrency ${Math.max(1, Math.floor(concurrency / 2))}`}:`);
    print('| caps | /review waited | waiting reviews started before it | first start api / billing / worker | first ' + `${firstN}: ${BURST_REPO} / others | backlog | ${BURST_REPO} alone |`);
    print('|---|---|---|---|---|---|---|');
    for (const setting of settings) {
      const results: RunResult[] = [];
      const alone: number[] = [];
      for (let run = 0; run < runs; run += 1) {
        results.push(await runOnce(kind, setting.caps, { jobMs, concurrency, burst, redisUrl, others: true }));
        alone.push((await runOnce(kind, setting.caps, { jobMs, concurrency, burst, redisUrl, others: false })).makespanMs);
      }
      const waited = median(results.map((result) => result.commandWaitMs));
      const before = median(results.map((result) => result.startedBeforeCommand));
      const waiting = median(results.map((result) => result.waitingAtCommand));
      const first = OTHERS.map(({ repo }) => `${median(results.map((result) => result.firstStartMs[repo] ?? Number.NaN)).toFixed(0)}`).join(' / ');
      const burstShare = median(results.map((result) => result.share[BURST_REPO] ?? 0));
      print(
        `| ${setting.label} | ${waited.toFixed(0)} ms | ${before} of ${waiting} | ${first} ms | ${(100 * burstShare).toFixed(0)} % / ${(100 * (1 - burstShare)).toFixed(0)} % | ${median(results.map((result) => result.makespanMs)).toFixed(0)} ms | ${median(alone).toFixed(0)} ms |`,
      );
      targets.push({ name: `${kind}, ${setting.label}: at most ${COMMAND_TARGET} of the automatic reviews waiting when the /review was queued start before it`, met: before <= COMMAND_TARGET });
    }
  }
  return { lines, targets };
}

/** One backlog through one queue setting; the queues are closed (and BullMQ's keys deleted) before it returns. */
async function runOnce(kind: QueueKind, caps: RunningCaps, options: { jobMs: number; concurrency: number; burst: number; redisUrl: string; others: boolean }): Promise<RunResult> {
  const prefix = uniquePrefix('bulwark-bench-fair');
  const instances: JobQueue[] =
    kind === 'memory'
      ? [createMemoryQueue({ concurrency: options.concurrency, caps, log })]
      : [0, 1].map(() => createBullmqQueue({ redisUrl: options.redisUrl, prefix, queueName: 'fair', concurrency: Math.max(1, Math.floor(options.concurrency / 2)), caps, log }));
  const producer = instances[0]!;
  const starts: Start[] = [];
  const queuedAt = new Map<string, number>();
  const keyOf = (job: ReviewJob) => `${job.repo}/${job.pullNumber}`;
  try {
    for (const instance of instances) {
      instance.start(async (job) => {
        starts.push({ repo: job.repo, command: job.command !== undefined, queuedAt: queuedAt.get(keyOf(job)) ?? 0, at: Date.now() });
        await sleep(options.jobMs * (0.8 + Math.random() * 0.4));
      });
    }
    const began = Date.now();
    const enqueue = async (job: ReviewJob) => {
      queuedAt.set(keyOf(job), Date.now());
      await producer.enqueue(job);
    };
    for (let pull = 1; pull <= options.burst; pull += 1) await enqueue(automatic(BURST_REPO, pull));
    if (options.others) {
      for (const { repo, jobs, installationId } of OTHERS) for (let pull = 1; pull <= jobs; pull += 1) await enqueue({ ...automatic(repo, pull), installationId });
      // The person asks once the backlog is being worked on.
      while (starts.length === 0) await sleep(5);
      await enqueue(command(BURST_REPO, options.burst + 1));
    }
    const total = options.burst + (options.others ? OTHERS.reduce((sum, { jobs }) => sum + jobs, 0) + 1 : 0);
    while (starts.length < total) await sleep(10);
    await Promise.all(instances.map((instance) => instance.onIdle()));
    const makespanMs = Date.now() - began;

    const commandStart = starts.find((start) => start.command);
    // Waiting when the command was queued: queued before it, not started yet.
    const waitingThen = commandStart ? starts.filter((start) => !start.command && start.queuedAt <= commandStart.queuedAt && start.at > commandStart.queuedAt) : [];
    const firstN = starts.slice(0, 4 * options.concurrency);
    const share: Record<string, number> = {};
    for (const start of firstN) share[start.repo] = (share[start.repo] ?? 0) + 1 / firstN.length;
    const firstStartMs: Record<string, number> = {};
    for (const start of starts) firstStartMs[start.repo] ??= start.at - began;
    return {
      commandWaitMs: commandStart ? commandStart.at - commandStart.queuedAt : Number.NaN,
      waitingAtCommand: waitingThen.length,
      startedBeforeCommand: commandStart ? waitingThen.filter((start) => starts.indexOf(start) < starts.indexOf(commandStart)).length : 0,
      share,
      firstStartMs,
      makespanMs,
    };
  } finally {
    await Promise.all(instances.map((instance) => instance.close(1000)));
    if (kind === 'bullmq') await deleteKeys(options.redisUrl, `${prefix}:`);
  }
}

function automatic(repo: string, pullNumber: number): ReviewJob {
  return { installationId: 1, owner: 'acme', repo, pullNumber, headSha: `head-${repo}-${pullNumber}`, trigger: 'opened', full: true, deliveryId: `d-${repo}-${pullNumber}`, run: 'auto' };
}

function command(repo: string, pullNumber: number): ReviewJob {
  return { installationId: 1, owner: 'acme', repo, pullNumber, headSha: '', trigger: 'command', full: false, deliveryId: 'd-command', run: 'comment-1', requestedBy: 'maintainer', command: { kind: 'review', commentId: 1 } };
}
