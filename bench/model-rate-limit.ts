/**
 * The model's rate limit shared by replicas: two replicas (each its own limiter and its own Anthropic client, the
 * App's model adapter) send model calls at once to one model stand-in that plays the API's request limit (fixed
 * windows, rate-limit headers on every answer, 429 with retry-after past the limit). Three ways, same load:
 *
 * - no limiter: the SDK alone, as before the limiter: it learns of the limit from 429s and retries (2 retries,
 *   honouring retry-after); a call refused three times fails (in the App, the job is retried later).
 * - per replica: each replica keeps the state in its own memory (one process, or REDIS_URL unset).
 * - shared: both replicas keep it in Redis (REDIS_URL, as in production with several replicas).
 *
 * It prints, per way: HTTP attempts the provider saw, the 429s among them, calls that failed after the SDK's
 * retries, and the wall time until every call was answered or failed; the ideal is the windows the calls need at
 * the limit less the margin. Targets, with the shared state: no call fails, and no 429 but those of the first
 * burst (the calls sent at once before any answer told of the limit: 2 × concurrency − limit, when positive).
 *
 * Env knobs: BENCH_RL_LIMIT (10 requests per window), BENCH_RL_WINDOW_MS (2000), BENCH_RL_CALLS (30 per replica),
 * BENCH_RL_CONCURRENCY (8 calls at once per replica), BENCH_MODEL_MS (100), REDIS_URL (default redis://127.0.0.1:6379).
 */
import { pino } from 'pino';
import pLimit from 'p-limit';
import type { Middleware } from '@anthropic-ai/sdk';
import { benchRedisUrl, envNumber } from './benchmark.js';
import type { Benchmark, BenchmarkResult } from './benchmark.js';
import { createProviderModel } from '../src/adapters/anthropic/create-provider-model.js';
import { rateLimitMiddleware } from '../src/adapters/anthropic/rate-limit-middleware.js';
import { createMemoryRateLimitStore } from '../src/adapters/memory/memory-rate-limit-store.js';
import { createRateLimiter } from '../src/adapters/rate-limit/create-rate-limiter.js';
import { createRedisRateLimitStore } from '../src/adapters/redis/redis-rate-limit-store.js';
import { DEFAULT_RATE_LIMIT_POLICY } from '../src/ports/rate-limiter.js';
import type { RateLimitStore } from '../src/ports/rate-limiter.js';
import { promptOf } from '../test/helpers/model-stand-in.js';
import { rateLimitedResponder } from '../test/helpers/rate-limited-responder.js';
import { deleteKeys, redisAvailable, uniquePrefix } from '../test/helpers/redis.js';
import { startAnthropicStandIn } from '../test/helpers/stand-ins/anthropic-server.js';

export const modelRateLimitBenchmark: Benchmark = {
  name: 'model-rate-limit: two replicas under one model request limit, without and with the shared state',
  run: runModelRateLimit,
};

interface WayFigures {
  way: string;
  attempts: number;
  limited: number;
  failed: number;
  wallMs: number;
}

async function runModelRateLimit(): Promise<BenchmarkResult> {
  const limit = envNumber('BENCH_RL_LIMIT', 10);
  const windowMs = envNumber('BENCH_RL_WINDOW_MS', 2000);
  const calls = envNumber('BENCH_RL_CALLS', 30);
  const concurrency = envNumber('BENCH_RL_CONCURRENCY', 8);
  const latencyMs = envNumber('BENCH_MODEL_MS', 100);
  const redisUrl = benchRedisUrl();
  const withRedis = await redisAvailable(redisUrl);
  const silent = pino({ level: 'silent' });
  let provider = rateLimitedResponder({ limit, windowMs, callerOf: promptOf });
  const standIn = await startAnthropicStandIn({ latencyMs, arrive: (request) => provider.arrive(request), respond: (request) => provider.respond(request) });
  const prefix = uniquePrefix('bulwark-bench-ratelimit');
  const closing: (() => Promise<void>)[] = [];

  const replicaModel = (store: RateLimitStore | undefined) => {
    const middleware: Middleware[] = store ? [rateLimitMiddleware(createRateLimiter({ store, maxWaitMs: 60_000, log: silent }))] : [];
    return createProviderModel({ provider: 'anthropic', apiKey: 'bench-key', baseUrl: standIn.url, timeoutMs: 30_000, maxRetries: 2, middleware });
  };

  async function run(way: string, stores: [RateLimitStore | undefined, RateLimitStore | undefined]): Promise<WayFigures> {
    provider = rateLimitedResponder({ limit, windowMs, callerOf: promptOf });
    const started = performance.now();
    let failed = 0;
    await Promise.all(
      stores.map(async (store, replica) => {
        const model = replicaModel(store);
        const bounded = pLimit(concurrency);
        await Promise.all(
          Array.from({ length: calls }, (_, index) =>
            bounded(() =>
              model.review({ model: 'claude-sonnet-5-5', system: 'You review code.', user: `replica ${replica + 1}, call ${index + 1}`, maxOutputTokens: 1000 }).catch(() => {
                failed += 1;
              }),
            ),
          ),
        );
      }),
    );
    return { way, attempts: provider.answers.length, limited: provider.answers.filter((answer) => answer.status === 429).length, failed, wallMs: performance.now() - started };
  }

  const figures: WayFigures[] = [];
  try {
    figures.push(await run('no limiter (SDK retries only)', [undefined, undefined]));
    figures.push(await run('per replica (memory)', [createMemoryRateLimitStore(), createMemoryRateLimitStore()]));
    if (withRedis) {
      const redisStore = () => {
        const store = createRedisRateLimitStore({ redisUrl, keyPrefix: prefix, log: silent });
        closing.push(() => store.close());
        return store;
      };
      figures.push(await run('shared (Redis)', [redisStore(), redisStore()]));
    }
  } finally {
    await Promise.all(closing.map((close) => close()));
    await standIn.close();
    if (withRedis) await deleteKeys(redisUrl, prefix);
  }

  const usable = Math.max(1, Math.floor(limit - DEFAULT_RATE_LIMIT_POLICY.margin * limit));
  const idealMs = (Math.ceil((2 * calls) / usable) - 1) * windowMs + latencyMs;
  const lines = [
    `${2 * calls} calls (2 replicas × ${calls}, ${concurrency} at once each) against ${limit} requests per ${windowMs} ms; model ${latencyMs} ms; margin ${DEFAULT_RATE_LIMIT_POLICY.margin}`,
    `ideal: ${usable} calls per window → ${(idealMs / 1000).toFixed(1)} s`,
    '',
    '| way | HTTP attempts | 429 answers | calls failed after the SDK retries | wall time |',
    '|---|---|---|---|---|',
    ...figures.map((figure) => `| ${figure.way} | ${figure.attempts} | ${figure.limited} | ${figure.failed} | ${(figure.wallMs / 1000).toFixed(1)} s |`),
    ...(withRedis ? [] : ['', `Redis at ${redisUrl} did not answer: the shared way was not run.`]),
  ];
  for (const line of lines) console.info(line);
  const shared = figures.find((figure) => figure.way.startsWith('shared'));
  const firstBurst = Math.max(0, 2 * concurrency - limit);
  return {
    lines,
    targets: [
      { name: 'shared state: no call fails', met: shared !== undefined && shared.failed === 0 },
      { name: `shared state: no 429 but the first burst's ${firstBurst}`, met: shared !== undefined && shared.limited <= firstBurst },
    ],
  };
}
