/**
 * Review jobs per minute through BullMQ: N signed `pull_request.opened` webhooks (each a new pull request, so a new
 * job) delivered to one or two App replicas — child processes sharing the local Redis — with BULWARK_CONCURRENCY
 * jobs each; timed from the first delivery to the N-th completed check run on the GitHub stand-in. Each job is a
 * whole review of a one-file pull request: config, check run, pull request, files, reviews, a model call (stand-in
 * latency 200 ms by default), the review and the check run's completion, ~10 GitHub requests.
 *
 * The "ideal" figure is replicas × concurrency jobs at once, each as long as one job alone on an idle replica
 * (measured first): what a perfectly parallel queue would do. The ratio shows what queueing, Redis and the shared
 * event loop cost.
 *
 * The timed runs turn Octokit's throttling off, to measure Bulwark itself. A last, untargeted run turns it on as in
 * production (Probot's run() shares it through Redis): one installation's writes are spaced 1 s apart and its review
 * posts 3 s apart across all replicas, which caps one installation at about 20 reviews a minute.
 *
 * Env knobs: BENCH_JOBS (200), BENCH_JOBS_RUNS (3), BENCH_JOBS_REPLICAS (1,2), BENCH_CONCURRENCY (4),
 * BENCH_MODEL_MS (200), BENCH_GITHUB_MS (10), BENCH_JOBS_THROTTLED (12 jobs in the throttled run; 0 skips it),
 * BENCH_THROTTLE=on (throttling on in the timed runs too), REDIS_URL (default redis://127.0.0.1:6379).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { benchRedisUrl, envNumber, median, spread, startReport } from './benchmark.js';
import type { Benchmark, BenchmarkResult } from './benchmark.js';
import { FIRST_PULL, openedBodies, startReplicaStandIns } from './replica-stand-ins.js';
import type { ReplicaStandIns } from './replica-stand-ins.js';
import { deleteKeys, redisAvailable, uniquePrefix } from '../test/helpers/redis.js';
import { startReplica, webhookHeaders } from '../test/helpers/replicas.js';
import type { Replica } from '../test/helpers/replicas.js';

const SECRET = 'bench-secret';
/** Throughput target: at least this share of the ideal. */
const TARGET_RATIO = 0.7;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const jobsThroughputBenchmark: Benchmark = {
  name: 'jobs-throughput: review jobs per minute through BullMQ, one and two replicas',
  run: runJobsThroughput,
};

async function runJobsThroughput(): Promise<BenchmarkResult> {
  const jobs = envNumber('BENCH_JOBS', 200);
  const runs = envNumber('BENCH_JOBS_RUNS', 3);
  const concurrency = envNumber('BENCH_CONCURRENCY', 4);
  const modelMs = envNumber('BENCH_MODEL_MS', 200);
  const githubMs = envNumber('BENCH_GITHUB_MS', 10);
  const throttle = process.env.BENCH_THROTTLE === 'on';
  const replicaCounts = (process.env.BENCH_JOBS_REPLICAS ?? '1,2').split(',').map(Number).filter((count) => count > 0);
  const redisUrl = benchRedisUrl();
  const { lines, targets, print } = startReport();

  if (!(await redisAvailable(redisUrl))) {
    print(`!!! SKIPPED: jobs-throughput needs Redis and none answered at ${redisUrl}. Nothing was measured.`);
    return { lines, targets: [{ name: 'Redis reachable', met: false }] };
  }

  const standIns = await startReplicaStandIns({ githubLatencyMs: githubMs, modelLatencyMs: modelMs });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const bodyFor = openedBodies();
  let nextPull = FIRST_PULL;

  /** Delivers `count` new pull requests, round-robin over the replicas, 20 requests in flight at most. */
  const deliver = async (replicas: Replica[], count: number) => {
    let sent = 0;
    const sender = async () => {
      while (sent < count) {
        const index = (sent += 1);
        const body = bodyFor((nextPull += 1));
        const response = await fetch(`${replicas[index % replicas.length]!.url}/api/github/webhooks`, {
          method: 'POST',
          headers: webhookHeaders('pull_request', randomUUID(), body, SECRET),
          body,
        });
        if (response.status >= 300) throw new Error(`webhook answered ${response.status}`);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: Math.min(20, count) }, sender));
  };
  const completed = async (standInsNow: ReplicaStandIns, baseline: number, count: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stats = await standInsNow.stats();
      if (stats.checkRunsCompleted - baseline >= count) return stats;
      if (Date.now() > deadline) throw new Error(`only ${stats.checkRunsCompleted - baseline} of ${count} jobs completed within ${timeoutMs} ms`);
      await sleep(25);
    }
  };

  print(
    `${jobs} jobs per run, ${runs} runs · concurrency ${concurrency} per replica · model stand-in ${modelMs} ms, GitHub stand-in ${githubMs} ms per request · ` +
      `Octokit throttling ${throttle ? 'on (production)' : 'off'} · machine: ${cpus().length} CPUs, load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`,
  );

  /** One run: fresh replicas on a fresh key prefix, a warm-up, one job alone, then `count` jobs timed. */
  const measure = async (replicaCount: number, run: number, withThrottle: boolean, count: number) => {
    const prefix = uniquePrefix('bulwark-bench-jobs');
    await standIns.reset();
    const replicas: Replica[] = [];
    try {
      replicas.push(
        ...(await Promise.all(
          Array.from({ length: replicaCount }, (_, index) =>
            startReplica({
              name: `jobs-${replicaCount}-${run}-${index}`,
              githubUrl: standIns.githubUrl,
              privateKey,
              webhookSecret: SECRET,
              throttle: withThrottle,
              keepLogs: false,
              logLevel: 'warn',
              env: {
                REDIS_URL: redisUrl,
                BULWARK_REDIS_PREFIX: prefix,
                BULWARK_CONCURRENCY: String(concurrency),
                ANTHROPIC_API_KEY: 'bench-key',
                ANTHROPIC_BASE_URL: standIns.modelUrl,
                BULWARK_SHUTDOWN_TIMEOUT_MS: '2000',
              },
            }),
          ),
        )),
      );
      // Warm-up: a round on every replica (one job each when throttled: a full round would take minutes); then
      // one job alone on a warm replica, the ideal's unit.
      const warmUp = withThrottle ? 1 : replicaCount * concurrency;
      let baseline = (await standIns.stats()).checkRunsCompleted;
      await deliver(replicas, warmUp);
      await completed(standIns, baseline, warmUp, 60_000);
      baseline += warmUp;
      const alone = performance.now();
      await deliver(replicas.slice(0, 1), 1);
      await completed(standIns, baseline, 1, 30_000);
      const jobMs = performance.now() - alone;
      baseline += 1;

      const before = await standIns.stats();
      const started = performance.now();
      await deliver(replicas, count);
      const enqueuedMs = performance.now() - started;
      const after = await completed(standIns, baseline, count, Math.max(120_000, count * 5000));
      const elapsedMs = performance.now() - started;
      const rate = (count / elapsedMs) * 60_000;
      const ideal = ((replicaCount * concurrency) / jobMs) * 60_000;
      print(
        `  ${replicaCount} replica(s)${withThrottle ? ', throttled' : ''}, run ${run}: ${count} jobs in ${(elapsedMs / 1000).toFixed(1)} s = ${rate.toFixed(0)} jobs/min ` +
          `(webhooks delivered in ${(enqueuedMs / 1000).toFixed(1)} s; one job alone ${jobMs.toFixed(0)} ms, ideal ${ideal.toFixed(0)} jobs/min, ${((100 * rate) / ideal).toFixed(0)}%) · ` +
          `model calls ${after.modelRequests - before.modelRequests}, reviews ${after.reviews - before.reviews}, most model calls at once ${after.modelPeakConcurrency}`,
      );
      return { rate, ratio: rate / ideal };
    } finally {
      await Promise.all(replicas.map((replica) => replica.stop(10_000)));
      await deleteKeys(redisUrl, `${prefix}:`);
    }
  };

  try {
    for (const replicaCount of replicaCounts) {
      const figures: { rate: number; ratio: number }[] = [];
      for (let run = 1; run <= runs; run += 1) figures.push(await measure(replicaCount, run, throttle, jobs));
      const perMinute = figures.map((figure) => figure.rate);
      const ratio = median(figures.map((figure) => figure.ratio));
      print(
        `${replicaCount} replica(s) × concurrency ${concurrency}: median ${median(perMinute).toFixed(0)} jobs/min (runs ${spread(perMinute)}), ` +
          `${(100 * ratio).toFixed(0)}% of ideal · target ≥ ${100 * TARGET_RATIO}% of ideal: ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'}`,
      );
      targets.push({ name: `${replicaCount} replica(s): ≥ ${100 * TARGET_RATIO}% of ideal throughput`, met: ratio >= TARGET_RATIO });
    }
    // What production adds: Probot's Octokit throttling, shared by the replicas through Redis as Probot's run() sets
    // it up, spaces one installation's writes 1 s apart and its review posts 3 s apart. Reported, no target.
    const throttledJobs = Number(process.env.BENCH_JOBS_THROTTLED ?? 12);
    if (!throttle && throttledJobs > 0) {
      const throttledReplicas = Math.max(...replicaCounts);
      const { rate } = await measure(throttledReplicas, 1, true, throttledJobs);
      print(
        `With Octokit's production throttling, ${throttledReplicas} replica(s), one installation: ${rate.toFixed(0)} jobs/min — the ceiling for one installation ` +
          `however many replicas run (its writes are spaced cluster-wide); replicas add throughput across installations.`,
      );
    }
    print(`Noise: the replicas, Redis, the stand-ins and this process share ${cpus().length} CPUs; load average after: ${loadavg().map((load) => load.toFixed(2)).join(' ')}.`);
  } finally {
    await standIns.stop();
  }
  return { lines, targets };
}
