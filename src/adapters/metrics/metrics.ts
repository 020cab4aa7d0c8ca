import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Bulwark's Prometheus metrics, in a registry of their own (one per App instance, never the global default). */
export interface Metrics {
  registry: Registry;
  webhooks: Counter<'event'>;
  jobs: Counter<'outcome'>;
  jobsActive: Gauge;
  reviewDuration: Histogram;
  modelTokens: Counter<'model' | 'kind'>;
  modelCostUsd: Counter<'model'>;
  githubRequests: Counter<'method' | 'status'>;
  /** Review jobs waiting to run, by kind (command, automatic), read from the queue at each scrape (`readQueueDepth`). */
  queueDepth: Gauge<'kind'>;
  /** From queued to the first run's start, by kind: what a person waits before their review begins. */
  queueWait: Histogram<'kind'>;
  /** Waiting jobs dropped because a newer head of their pull request was queued. */
  jobsSuperseded: Counter<'kind'>;
  /** Jobs held back because their repository or installation ran as many reviews as allowed. */
  jobsHeldBack: Counter<'kind' | 'cap'>;
  /** Where `queueDepth` reads its values (the queue in use); until set, it reports nothing. */
  readQueueDepth(source: () => Promise<Record<string, number>>): void;
  /** Model calls that waited for the provider's rate limit: count and seconds, by model. */
  rateLimitWaits: Histogram<'model'>;
  /** 429 answers of the model provider, by model. */
  rateLimited: Counter<'model'>;
  /** What the provider last reported left of each limit, by model and limit (requests, input_tokens, output_tokens, tokens). */
  rateLimitRemaining: Gauge<'model' | 'limit'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  let queueDepthOf: (() => Promise<Record<string, number>>) | undefined;
  // prom-client's default metrics already start with process_ or nodejs_ (process_cpu_user_seconds_total,
  // nodejs_heap_size_used_bytes): the prefix is only ours, or every name would read bulwark_process_process_….
  collectDefaultMetrics({ register: registry, prefix: 'bulwark_' });
  return {
    registry,
    webhooks: new Counter({ name: 'bulwark_webhooks_received_total', help: 'Webhooks received, by event', labelNames: ['event'], registers: [registry] }),
    jobs: new Counter({
      name: 'bulwark_jobs_total',
      help: 'Review jobs by outcome: queued, duplicate, completed, retried, failed',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    jobsActive: new Gauge({ name: 'bulwark_jobs_active', help: 'Review jobs running in this process', registers: [registry] }),
    reviewDuration: new Histogram({
      name: 'bulwark_review_duration_seconds',
      help: 'Duration of a review job, from pick-up to its end',
      buckets: [1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
    modelTokens: new Counter({
      name: 'bulwark_model_tokens_total',
      help: 'Model tokens by kind: input, output, cache_write, cache_read',
      labelNames: ['model', 'kind'],
      registers: [registry],
    }),
    modelCostUsd: new Counter({ name: 'bulwark_model_cost_usd_total', help: 'Estimated model cost in USD', labelNames: ['model'], registers: [registry] }),
    githubRequests: new Counter({
      name: 'bulwark_github_requests_total',
      help: 'Requests to the GitHub API, by method and status',
      labelNames: ['method', 'status'],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: 'bulwark_queue_depth',
      help: 'Review jobs waiting to run, by kind (command: a person asked; automatic: a pull request event); with Redis, the queue every replica shares',
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        // A scrape must not fail because the queue's backend is away: the gauge keeps its last values.
        const depth = await queueDepthOf?.().catch(() => undefined);
        for (const [kind, count] of Object.entries(depth ?? {})) this.set({ kind }, count);
      },
    }),
    queueWait: new Histogram({
      name: 'bulwark_queue_wait_seconds',
      help: "Time from a review job's queueing to its first run's start, by kind",
      labelNames: ['kind'],
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
      registers: [registry],
    }),
    jobsSuperseded: new Counter({
      name: 'bulwark_jobs_superseded_total',
      help: 'Waiting review jobs dropped because a newer head of their pull request was queued, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    jobsHeldBack: new Counter({
      name: 'bulwark_jobs_held_back_total',
      help: 'Review jobs held back because their repository or installation ran as many reviews as allowed, by kind and cap',
      labelNames: ['kind', 'cap'],
      registers: [registry],
    }),
    readQueueDepth(source) {
      queueDepthOf = source;
    },
    rateLimitWaits: new Histogram({
      name: 'bulwark_model_rate_limit_wait_seconds',
      help: "Model calls that waited for the provider's rate limit, and how long, by model",
      labelNames: ['model'],
      buckets: [0.5, 1, 2, 5, 10, 20, 30, 60],
      registers: [registry],
    }),
    rateLimited: new Counter({ name: 'bulwark_model_rate_limited_total', help: 'Model calls the provider answered 429 (rate limited), by model', labelNames: ['model'], registers: [registry] }),
    rateLimitRemaining: new Gauge({
      name: 'bulwark_model_rate_limit_remaining',
      help: 'What the model provider last reported left of each limit, by model and limit',
      labelNames: ['model', 'limit'],
      registers: [registry],
    }),
  };
}
