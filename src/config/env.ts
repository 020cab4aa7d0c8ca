import { z } from 'zod';
import { parsePriceOverrides, PriceOverridesError } from '../review/estimate-cost.js';
import type { PriceTable } from '../review/estimate-cost.js';

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Operator settings read once at boot; every problem is listed at once. */
const envSchema = z.object({
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  // The design's values; only 'anthropic' is served. The others are refused, not ignored: reviews would otherwise go
  // to the Anthropic API while the operator meant another cloud.
  BULWARK_PROVIDER: z
    .enum(['anthropic', 'bedrock', 'vertex'])
    .default('anthropic')
    .refine((provider) => provider === 'anthropic', {
      error: (issue) =>
        `'${String(issue.input)}' is not supported by this version of Bulwark; only 'anthropic' is. ` +
        'To reach Claude through another cloud, point ANTHROPIC_BASE_URL at a gateway that speaks the Anthropic Messages API.',
    }),
  BULWARK_MODEL: z.string().min(1).default('claude-sonnet-5-5'),
  BULWARK_ALLOWED_MODELS: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((item) => item.trim()).filter(Boolean) : undefined)),
  BULWARK_MODEL_TIMEOUT_MS: int(180_000),
  BULWARK_MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  BULWARK_CACHE_TTL: z.enum(['5m', '1h']).default('5m'),
  BULWARK_MAX_OUTPUT_TOKENS: int(16_000),
  BULWARK_CHECK_NAME: z.string().min(1).max(100).default('Bulwark'),
  BULWARK_CONCURRENCY: int(4),
  BULWARK_MAX_FILES: z.coerce.number().int().min(1).max(3000).default(3000),
  BULWARK_SHUTDOWN_TIMEOUT_MS: int(25_000),
  BULWARK_CHUNK_TOKENS: int(80_000),
  BULWARK_MODEL_CONCURRENCY: int(4),
  BULWARK_MAX_INPUT_TOKENS: int(400_000),
  BULWARK_PRICES: z.string().optional(),
  // On by default (the trust-boundary issue: an outside contributor must not be able to drive unlimited spend);
  // 0 turns a limit off. Generous: 20 million tokens is about fifty reviews at the 400,000-token ceiling.
  BULWARK_DAILY_TOKEN_BUDGET: z.coerce.number().int().min(0).default(20_000_000),
  BULWARK_DAILY_USD_BUDGET: z.coerce.number().positive().optional(),
  BULWARK_PR_DAILY_AUTO_REVIEWS: z.coerce.number().int().min(0).default(3),
  BULWARK_TOOL_MAX_TURNS: z.coerce.number().int().min(2).max(50).default(8),
  BULWARK_TOOL_MAX_INPUT_TOKENS: int(400_000),
  BULWARK_SNAPSHOT_MAX_BYTES: int(50 * 1024 * 1024),
  BULWARK_SNAPSHOT_MAX_COMPRESSED_BYTES: int(25 * 1024 * 1024),
  BULWARK_TOOL_TIMEOUT_MS: z.coerce.number().int().min(50).default(2_000),
  BULWARK_JOB_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  BULWARK_RETRY_BACKOFF_MS: int(5_000),
  REDIS_URL: z.string().optional(),
  BULWARK_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only')
    .max(64)
    .default('bulwark'),
  BULWARK_LOCK_DURATION_MS: z.coerce.number().int().min(500).default(30_000),
  BULWARK_STALLED_INTERVAL_MS: z.coerce.number().int().min(100).default(30_000),
  // Unset or empty: /metrics is open to anyone who can reach the port. Long enough not to be guessed.
  BULWARK_METRICS_TOKEN: z.union([z.literal(''), z.string().min(16, 'at least 16 characters, so it cannot be guessed')]).optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Settings {
  anthropic: { apiKey: string | undefined; baseUrl: string | undefined; timeoutMs: number; maxRetries: number; cacheTtl: '5m' | '1h' };
  provider: Env['BULWARK_PROVIDER'];
  model: { default: string; allowed: string[] | undefined; maxOutputTokens: number };
  checkName: string;
  concurrency: number;
  maxFiles: number;
  shutdownTimeoutMs: number;
  /** Estimated diff tokens per model call; chunks are packed under it. */
  chunkTokens: number;
  /** Model calls of one review running at once. */
  modelConcurrency: number;
  /** The operator's ceiling on a review's input tokens; a repo's `budget.max_input_tokens` can only lower it. */
  maxInputTokens: number;
  prices: PriceTable;
  /**
   * Per installation and UTC day: tokens (input of every kind plus output) and dollars; per pull request and UTC
   * day: automatic full reviews (commands and Re-run are not counted). Undefined: no limit.
   */
  dailyBudget: { tokens: number | undefined; usd: number | undefined; autoReviewsPerPullRequest: number | undefined };
  /**
   * Repository tools: `snapshotMaxCompressedBytes` caps the archive as downloaded (past it the review goes on
   * without the context), `snapshotMaxBytes` the snapshot as unpacked; `callTimeoutMs` is one call's deadline.
   */
  tools: { maxTurns: number; maxInputTokens: number; snapshotMaxBytes: number; snapshotMaxCompressedBytes: number; callTimeoutMs: number };
  jobs: { attempts: number; backoffMs: number };
  redisUrl: string | undefined;
  /**
   * With Redis: every key of the queue (`<prefix>:bulwark-reviews:…`) and of the budget (`<prefix>:budget:…`) starts
   * with `prefix`, so deployments can share a Redis. `lockDurationMs`: a running job's lock without renewal (a job
   * whose worker died runs again after it); `stalledIntervalMs`: how often workers look for such jobs.
   */
  redis: { prefix: string; lockDurationMs: number; stalledIntervalMs: number };
  /** When set, `GET /metrics` answers only requests carrying `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Bulwark settings:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

function readPrices(json: string | undefined): PriceTable {
  try {
    return parsePriceOverrides(json);
  } catch (error) {
    if (error instanceof PriceOverridesError) throw new SettingsError(error.problems.map((problem) => `BULWARK_PRICES: ${problem}`));
    throw error;
  }
}

export function readSettings(env: Record<string, string | undefined>): Settings {
  const parsed = envSchema.safeParse(env);
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)), ...webhookSecretProblems(env)];
  if (!parsed.success || problems.length > 0) throw new SettingsError(problems);
  const e = parsed.data;
  return {
    anthropic: {
      apiKey: e.ANTHROPIC_API_KEY,
      baseUrl: e.ANTHROPIC_BASE_URL,
      timeoutMs: e.BULWARK_MODEL_TIMEOUT_MS,
      maxRetries: e.BULWARK_MODEL_MAX_RETRIES,
      cacheTtl: e.BULWARK_CACHE_TTL,
    },
    provider: e.BULWARK_PROVIDER,
    model: { default: e.BULWARK_MODEL, allowed: e.BULWARK_ALLOWED_MODELS, maxOutputTokens: e.BULWARK_MAX_OUTPUT_TOKENS },
    checkName: e.BULWARK_CHECK_NAME,
    concurrency: e.BULWARK_CONCURRENCY,
    maxFiles: e.BULWARK_MAX_FILES,
    shutdownTimeoutMs: e.BULWARK_SHUTDOWN_TIMEOUT_MS,
    chunkTokens: e.BULWARK_CHUNK_TOKENS,
    modelConcurrency: e.BULWARK_MODEL_CONCURRENCY,
    maxInputTokens: e.BULWARK_MAX_INPUT_TOKENS,
    prices: readPrices(e.BULWARK_PRICES),
    dailyBudget: {
      tokens: e.BULWARK_DAILY_TOKEN_BUDGET || undefined,
      usd: e.BULWARK_DAILY_USD_BUDGET,
      autoReviewsPerPullRequest: e.BULWARK_PR_DAILY_AUTO_REVIEWS || undefined,
    },
    tools: {
      maxTurns: e.BULWARK_TOOL_MAX_TURNS,
      maxInputTokens: e.BULWARK_TOOL_MAX_INPUT_TOKENS,
      snapshotMaxBytes: e.BULWARK_SNAPSHOT_MAX_BYTES,
      snapshotMaxCompressedBytes: e.BULWARK_SNAPSHOT_MAX_COMPRESSED_BYTES,
      callTimeoutMs: e.BULWARK_TOOL_TIMEOUT_MS,
    },
    jobs: { attempts: e.BULWARK_JOB_ATTEMPTS, backoffMs: e.BULWARK_RETRY_BACKOFF_MS },
    redisUrl: e.REDIS_URL || undefined,
    redis: { prefix: e.BULWARK_REDIS_PREFIX, lockDurationMs: e.BULWARK_LOCK_DURATION_MS, stalledIntervalMs: e.BULWARK_STALLED_INTERVAL_MS },
    metricsToken: e.BULWARK_METRICS_TOKEN || undefined,
  };
}

/**
 * Probot checks webhook signatures with WEBHOOK_SECRET and, when it is unset, with "development"
 * (probot/lib/server/server.js, `defaultWebhookSecret`): anyone could then sign a forged event. Without APP_ID
 * Probot serves its setup flow, which writes a secret to .env, so nothing is asked of it yet.
 */
function webhookSecretProblems(env: Record<string, string | undefined>): string[] {
  if (!env.APP_ID?.trim()) return [];
  const secret = env.WEBHOOK_SECRET?.trim();
  if (secret && secret !== 'development') return [];
  return [
    `WEBHOOK_SECRET: ${secret ? 'is "development", Probot\'s public default' : 'is missing'}; anyone could forge webhooks signed with it. ` +
      'Set it to the webhook secret of the GitHub App (a long random string).',
  ];
}
