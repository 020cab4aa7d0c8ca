import type { Probot, ProbotOctokit } from 'probot';
import { createProviderModel } from './adapters/anthropic/create-provider-model.js';
import { rateLimitMiddleware } from './adapters/anthropic/rate-limit-middleware.js';
import { withProviderNote } from './adapters/anthropic/with-provider-note.js';
import { createGitHubHost } from './adapters/github/github-host.js';
import { createMemoryBudgetStore } from './adapters/memory/memory-budget-store.js';
import { createMemoryQueue } from './adapters/memory/memory-queue.js';
import { createMemoryRateLimitStore } from './adapters/memory/memory-rate-limit-store.js';
import { instrumentQueue } from './adapters/metrics/instrument-queue.js';
import { createMetrics } from './adapters/metrics/metrics.js';
import type { Metrics } from './adapters/metrics/metrics.js';
import { createBullmqQueue } from './adapters/redis/bullmq-queue.js';
import { createRedisBudgetStore } from './adapters/redis/redis-budget-store.js';
import { createMemoryLearningCache } from './adapters/memory/memory-learning-cache.js';
import { createRedisLearningCache } from './adapters/redis/redis-learning-cache.js';
import { withLearnings } from './learning/with-learnings.js';
import type { LearningDeps } from './learning/load-learning.js';
import type { LearningCache } from './ports/learning-cache.js';
import { createRedisRateLimitStore } from './adapters/redis/redis-rate-limit-store.js';
import { checkRunWaitNotice } from './adapters/rate-limit/check-run-wait-notice.js';
import { createRateLimiter } from './adapters/rate-limit/create-rate-limiter.js';
import { createWaitNotices } from './adapters/rate-limit/create-wait-notices.js';
import type { WaitNotices } from './adapters/rate-limit/create-wait-notices.js';
import { readSettings } from './config/env.js';
import type { Settings } from './config/env.js';
import type { AgentProvider } from './ports/agent-provider.js';
import { createAgentProvider } from './adapters/agents/create-agent-provider.js';
import type { ReviewRunnerDeps } from './jobs/run-review.js';
import type { BudgetStore } from './ports/budget-store.js';
import type { Clock } from './ports/clock.js';
import { systemClock } from './ports/clock.js';
import type { JobQueue } from './ports/job-queue.js';
import type { Logger } from './ports/logger.js';
import type { RateLimiter, RateLimitStore } from './ports/rate-limiter.js';
import type { ReviewModel } from './ports/review-model.js';

/** Everything the App runs on; tests and benchmarks replace any part. */
export interface Runtime {
  settings: Settings;
  queue: JobQueue;
  model: ReviewModel;
  agents: AgentProvider;
  clock: Clock;
  budget: BudgetStore;
  metrics: Metrics;
  /** What repositories' teams taught Bulwark, kept for a short time: Redis with REDIS_URL (every replica), else this process. */
  learningCache: LearningCache;
  /** The model provider's rate-limit state: Redis with REDIS_URL (shared by every replica), else this process. */
  rateLimits: RateLimitStore;
  /** Tells each review's check run when its model calls wait for the rate limit. */
  waitNotices: WaitNotices;
}

export type RuntimeOverrides = Partial<Runtime>;

/** The one place that knows every concrete adapter and wires it to a port. */
export function composeRuntime(app: Probot, overrides: RuntimeOverrides = {}): Runtime {
  const settings = overrides.settings ?? readSettings(process.env);
  const log = app.log.child({ name: 'bulwark' }) as Logger;
  const metrics = overrides.metrics ?? createMetrics();
  const clock = overrides.clock ?? systemClock;
  const learningCache =
    overrides.learningCache ??
    (settings.redisUrl ? createRedisLearningCache({ redisUrl: settings.redisUrl, keyPrefix: `${settings.redis.prefix}:learning`, log }) : createMemoryLearningCache(clock));
  const rateLimits =
    overrides.rateLimits ??
    (settings.redisUrl ? createRedisRateLimitStore({ redisUrl: settings.redisUrl, keyPrefix: `${settings.redis.prefix}:ratelimit`, log }) : createMemoryRateLimitStore());
  const waitNotices = overrides.waitNotices ?? createWaitNotices();
  return {
    rateLimits,
    waitNotices,
    settings,
    metrics,
    clock,
    queue: closingAlso(instrumentQueue(overrides.queue ?? createQueue(settings, log), metrics), overrides.rateLimits ? undefined : rateLimits),
    budget:
      overrides.budget ??
      (settings.redisUrl ? createRedisBudgetStore({ redisUrl: settings.redisUrl, keyPrefix: `${settings.redis.prefix}:budget`, log }) : createMemoryBudgetStore()),
    model: overrides.model ?? createModel(settings, createLimiter(settings, rateLimits, metrics, log), waitNotices),
    learningCache,
    // What the repository's team taught Bulwark rides with its agent: the learnings in the prompt, the rejections after verification.
    agents: withLearnings(
      withProviderNote(
        overrides.agents ?? createAgentProvider({ defaultModel: settings.model.default, allowedModels: settings.model.allowed }),
        settings.provider,
        { inferenceProfile: settings.providers.bedrock.inferenceProfile, modelMap: settings.providers.modelMap },
      ),
      learningDeps(settings, learningCache, log),
    ),
  };
}

/** Every model call waits for the provider's capacity (README, "Deploying"), measured in /metrics. */
function createLimiter(settings: Settings, store: RateLimitStore, metrics: Metrics, log: Logger): RateLimiter {
  return createRateLimiter({
    store,
    policy: { margin: settings.rateLimit.margin },
    maxWaitMs: settings.rateLimit.maxWaitMs,
    log,
    onWaited: (model, ms) => metrics.rateLimitWaits.observe({ model }, ms / 1000),
    onObserved: (model, observation) => {
      if (observation.limited) metrics.rateLimited.inc({ model });
      for (const [limit, window] of Object.entries(observation.windows)) metrics.rateLimitRemaining.set({ model, limit: limit.replace('-', '_') }, window.remaining);
    },
  });
}

/** Where and how long what a repository's team taught Bulwark is kept (BULWARK_LEARNING_CACHE_SECONDS). */
function learningDeps(settings: Settings, cache: LearningCache, log: Logger): LearningDeps {
  return { cache, ttlMs: settings.learning.cacheTtlMs, log };
}

/** BULWARK_PROVIDER: Anthropic's API, or Claude on Bedrock or Vertex (their SDK loaded at the first call). */
function createModel(settings: Settings, limiter: RateLimiter, waitNotices: WaitNotices): ReviewModel {
  const { anthropic, providers } = settings;
  return createProviderModel({
    provider: settings.provider,
    apiKey: anthropic.apiKey,
    baseUrl: anthropic.baseUrl,
    timeoutMs: anthropic.timeoutMs,
    maxRetries: anthropic.maxRetries,
    cacheTtl: anthropic.cacheTtl,
    structuredOutputs: providers.structuredOutputs,
    bedrock: providers.bedrock,
    vertex: providers.vertex,
    inferenceProfile: providers.bedrock.inferenceProfile,
    modelMap: providers.modelMap,
    middleware: [rateLimitMiddleware(limiter, waitNotices.current)],
  });
}

/** The queue, whose close (at shutdown, once running reviews are done with the model) also closes `store`'s connection. */
function closingAlso(queue: JobQueue, store: RateLimitStore | undefined): JobQueue {
  if (!store?.close) return queue;
  const close = store.close.bind(store);
  return {
    ...queue,
    async close(timeoutMs) {
      try {
        await queue.close(timeoutMs);
      } finally {
        await close();
      }
    },
  };
}

/** REDIS_URL set: BullMQ, shared by every replica; unset: the in-process queue. */
function createQueue(settings: Settings, log: Logger): JobQueue {
  const retry = { maxAttempts: settings.jobs.attempts, backoffMs: settings.jobs.backoffMs };
  return settings.redisUrl
    ? createBullmqQueue({
        redisUrl: settings.redisUrl,
        prefix: settings.redis.prefix,
        concurrency: settings.concurrency,
        caps: settings.caps,
        lockDurationMs: settings.redis.lockDurationMs,
        stalledIntervalMs: settings.redis.stalledIntervalMs,
        ...retry,
        log,
      })
    : createMemoryQueue({ concurrency: settings.concurrency, caps: settings.caps, ...retry, log });
}

export function runnerDeps(app: Probot, runtime: Runtime): ReviewRunnerDeps {
  const { settings } = runtime;
  const log = app.log.child({ name: 'bulwark' }) as Logger;
  return {
    hostFor: async (installationId) => createGitHubHost(countRequests(await app.auth(installationId), runtime.metrics)),
    model: runtime.model,
    modelForRun: ({ host, ref, checkRunId, headSha, log }) => runtime.waitNotices.around(runtime.model, checkRunWaitNotice({ host, ref, checkRunId, headSha, log })),
    agents: runtime.agents,
    budget: runtime.budget,
    learning: learningDeps(settings, runtime.learningCache, log),
    settings: {
      checkName: settings.checkName,
      maxFiles: settings.maxFiles,
      maxOutputTokens: settings.model.maxOutputTokens,
      chunkTokens: settings.chunkTokens,
      modelConcurrency: settings.modelConcurrency,
      maxInputTokens: settings.maxInputTokens,
      prices: settings.prices,
      dailyBudget: settings.dailyBudget,
      tools: settings.tools,
      retryBackoffMs: settings.jobs.backoffMs,
    },
    clock: runtime.clock,
    log,
    onUsage: ({ model, usd, ...usage }) => {
      runtime.metrics.modelTokens.inc({ model, kind: 'input' }, usage.inputTokens);
      runtime.metrics.modelTokens.inc({ model, kind: 'output' }, usage.outputTokens);
      runtime.metrics.modelTokens.inc({ model, kind: 'cache_write' }, usage.cacheCreationInputTokens);
      runtime.metrics.modelTokens.inc({ model, kind: 'cache_read' }, usage.cacheReadInputTokens);
      if (usd !== undefined) runtime.metrics.modelCostUsd.inc({ model }, usd);
    },
  };
}

type Octokit = InstanceType<typeof ProbotOctokit>;

function countRequests(octokit: Octokit, metrics: Metrics): Octokit {
  octokit.hook.after('request', (response, options) => {
    metrics.githubRequests.inc({ method: options.method, status: String(response.status) });
  });
  octokit.hook.error('request', (error, options) => {
    const status = typeof error === 'object' && error !== null && 'status' in error ? String(error.status) : 'network';
    metrics.githubRequests.inc({ method: options.method, status });
    throw error;
  });
  return octokit;
}
