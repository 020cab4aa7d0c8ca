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
  /** Model calls that waited for the provider's rate limit: count and seconds, by model. */
  rateLimitWaits: Histogram<'model'>;
  /** 429 answers of the model provider, by model. */
  rateLimited: Counter<'model'>;
  /** What the provider last reported left of each limit, by model and limit (requests, input_tokens, output_tokens, tokens). */
  rateLimitRemaining: Gauge<'model' | 'limit'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
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
