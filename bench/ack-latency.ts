/**
 * Webhook ack latency under load: signed `pull_request.opened` deliveries at a fixed rate (autocannon,
 * `overallRate` 200/s for 30 s by default) to the real App — Probot's HTTP server, signature check, bulwark() —
 * running in a child process, once with the BullMQ queue on the local Redis and once with the in-process queue.
 * Every request is a new job (its own delivery id, pull request and head sha); the App's workers review them
 * meanwhile against GitHub and model stand-ins in a third process, so acks compete with running reviews for the
 * App's event loop, as on a busy replica.
 *
 * Latency is the client's time from writing a request to reading the whole answer, per request (sub-millisecond,
 * from autocannon's `response` event). autocannon's own histogram is printed too: it rounds to whole milliseconds
 * and its coordinated-omission correction assumes 1 ms between requests, which inflates its tail.
 * autocannon's rate limit sends each connection's quota for a second as fast as it can, then waits for the next
 * second: 200/s arrives as bursts `connections` wide, harsher than GitHub's spread-out deliveries.
 *
 * Env knobs: BENCH_ACK_RUNS (3), BENCH_ACK_SECONDS (30), BENCH_ACK_RATE (200), BENCH_ACK_CONNECTIONS (10),
 * BENCH_ACK_BACKENDS (bullmq,memory), BENCH_ACK_WARMUP_SECONDS (5), BENCH_MODEL_MS (200), BENCH_GITHUB_MS (10),
 * BENCH_THROTTLE (off | on: Octokit's throttling as in production, which slows the background reviews down to one
 * GitHub write per second), BENCH_CPU_PROF=<dir> (a V8 CPU profile of the App process), REDIS_URL
 * (default redis://127.0.0.1:6379).
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { benchRedisUrl, envNumber, median, spread, startReport } from './benchmark.js';
import type { Benchmark, BenchmarkResult } from './benchmark.js';
import { FIRST_PULL, openedBodies, startReplicaStandIns } from './replica-stand-ins.js';
import { deleteKeys, redisAvailable, uniquePrefix } from '../test/helpers/redis.js';
import { startReplica, webhookHeaders } from '../test/helpers/replicas.js';

const TARGET_P99_MS = 20;
const SECRET = 'bench-secret';

interface AutocannonHistogram {
  average: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  max: number;
}
interface AutocannonResult {
  latency: AutocannonHistogram;
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
}
type AutocannonInstance = EventEmitter & PromiseLike<AutocannonResult>;
/** autocannon ships no types; this is the part of its API used here (https://github.com/mcollina/autocannon#api). */
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  connections: number;
  overallRate: number;
  duration: number;
  requests: AutocannonRequest[];
  timeout?: number;
}) => AutocannonInstance;

export const ackLatencyBenchmark: Benchmark = {
  name: 'ack-latency: signed pull_request.opened webhooks at a fixed rate, BullMQ and in-process queue',
  run: runAckLatency,
};

interface RunFigures {
  p50: number;
  p99: number;
  p999: number;
  max: number;
  sent: number;
  non2xx: number;
  errors: number;
  autocannonP99: number;
  reviewsDuringRun: number;
}

async function runAckLatency(): Promise<BenchmarkResult> {
  const runs = envNumber('BENCH_ACK_RUNS', 3);
  const seconds = envNumber('BENCH_ACK_SECONDS', 30);
  const rate = envNumber('BENCH_ACK_RATE', 200);
  const connections = envNumber('BENCH_ACK_CONNECTIONS', 10);
  const warmupSeconds = envNumber('BENCH_ACK_WARMUP_SECONDS', 5);
  const throttle = process.env.BENCH_THROTTLE === 'on';
  const redisUrl = benchRedisUrl();
  const { lines, targets, print } = startReport();

  const wanted = (process.env.BENCH_ACK_BACKENDS ?? 'bullmq,memory').split(',').map((name) => name.trim());
  const redisUp = await redisAvailable(redisUrl);
  const backends = wanted.filter((backend) => backend !== 'bullmq' || redisUp);
  if (wanted.includes('bullmq') && !redisUp) {
    print(`!!! SKIPPED the BullMQ backend: no Redis answered at ${redisUrl}. Its figures below are missing, not passing.`);
    targets.push({ name: 'BullMQ backend measured (Redis reachable)', met: false });
  }

  const standIns = await startReplicaStandIns({ githubLatencyMs: envNumber('BENCH_GITHUB_MS', 10), modelLatencyMs: envNumber('BENCH_MODEL_MS', 200) });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const bodyFor = openedBodies();
  let nextPull = FIRST_PULL;

  print(
    `${rate} webhooks/s for ${seconds} s (after ${warmupSeconds} s of warm-up), ${connections} connections, ~28 KB signed pull_request.opened each, every one a new job · ` +
      `model stand-in ${envNumber('BENCH_MODEL_MS', 200)} ms, GitHub stand-in ${envNumber('BENCH_GITHUB_MS', 10)} ms, Octokit throttling ${throttle ? 'on' : 'off'} · ` +
      `machine: ${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), load average ${loadavg().map((load) => load.toFixed(2)).join(' ')}`,
  );

  try {
    for (const backend of backends) {
      const figures: RunFigures[] = [];
      for (let run = 1; run <= runs; run += 1) {
        const prefix = uniquePrefix('bulwark-bench-ack');
        await standIns.reset();
        const replica = await startReplica({
          name: `ack-${backend}-${run}`,
          githubUrl: standIns.githubUrl,
          privateKey,
          webhookSecret: SECRET,
          throttle,
          keepLogs: false,
          nodeArgs: process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=ack-${backend}-${run}.cpuprofile`] : [],
          env: {
            ANTHROPIC_API_KEY: 'bench-key',
            ANTHROPIC_BASE_URL: standIns.modelUrl,
            BULWARK_SHUTDOWN_TIMEOUT_MS: '2000',
            ...(backend === 'bullmq' ? { REDIS_URL: redisUrl, BULWARK_REDIS_PREFIX: prefix } : {}),
          },
        });
        try {
          const fire = (duration: number, onResponse?: (status: number, ms: number) => void) => {
            const instance = autocannon({
              url: `${replica.url}/api/github/webhooks`,
              connections,
              overallRate: rate,
              duration,
              timeout: 10,
              requests: [
                {
                  method: 'POST',
                  path: '/api/github/webhooks',
                  setupRequest: (request) => {
                    const body = bodyFor((nextPull += 1));
                    return { ...request, method: 'POST', path: '/api/github/webhooks', body, headers: webhookHeaders('pull_request', randomUUID(), body, SECRET) };
                  },
                },
              ],
            });
            if (onResponse) instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => onResponse(status, ms));
            return instance;
          };
          await fire(warmupSeconds);
          const before = await standIns.stats();
          const times: number[] = [];
          const result = await fire(seconds, (status, ms) => {
            if (status < 300) times.push(ms);
          });
          const after = await standIns.stats();
          times.sort((a, b) => a - b);
          const at = (quantile: number) => times[Math.min(times.length - 1, Math.floor(quantile * times.length))] ?? Number.NaN;
          const figure: RunFigures = {
            p50: at(0.5),
            p99: at(0.99),
            p999: at(0.999),
            max: times.at(-1) ?? Number.NaN,
            sent: result['2xx'] + result.non2xx,
            non2xx: result.non2xx,
            errors: result.errors + result.timeouts,
            autocannonP99: result.latency.p99,
            reviewsDuringRun: after.checkRunsCompleted - before.checkRunsCompleted,
          };
          figures.push(figure);
          print(
            `  ${backend} run ${run}: p50 ${figure.p50.toFixed(2)} ms, p99 ${figure.p99.toFixed(2)} ms, p99.9 ${figure.p999.toFixed(2)} ms, max ${figure.max.toFixed(1)} ms ` +
              `(autocannon p99 ${figure.autocannonP99} ms) · ${figure.sent} answered, ${figure.non2xx} non-2xx, ${figure.errors} errors · ` +
              `${figure.reviewsDuringRun} reviews completed meanwhile`,
          );
        } finally {
          await replica.stop(10_000);
          if (backend === 'bullmq') await deleteKeys(redisUrl, `${prefix}:`);
        }
      }
      const p99 = median(figures.map((figure) => figure.p99));
      const failures = figures.reduce((sum, figure) => sum + figure.non2xx + figure.errors, 0);
      print(
        `${backend === 'bullmq' ? 'BullMQ (Redis)' : 'in-process queue'}: median of ${figures.length} runs: p50 ${median(figures.map((figure) => figure.p50)).toFixed(2)} ms, ` +
          `p99 ${p99.toFixed(2)} ms (runs ${spread(figures.map((figure) => figure.p99), 2)}), p99.9 ${median(figures.map((figure) => figure.p999)).toFixed(2)} ms, ` +
          `max ${median(figures.map((figure) => figure.max)).toFixed(1)} ms · ${failures} failed requests in all · target p99 < ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'met' : 'MISSED'}`,
      );
      targets.push({ name: `${backend} p99 ack < ${TARGET_P99_MS} ms`, met: p99 < TARGET_P99_MS && failures === 0 });
    }
    print(`Noise: one machine runs the load generator, the App and the stand-ins; load average after: ${loadavg().map((load) => load.toFixed(2)).join(' ')}.`);
  } finally {
    await standIns.stop();
  }
  return { lines, targets };
}
