import { z } from 'zod';
import { parsePriceOverrides, PriceOverridesError } from '../review/estimate-cost.js';
import type { PriceTable } from '../review/estimate-cost.js';

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Operator settings read once at boot; every problem is listed at once. */
const envSchema = z.object({
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  // Anthropic's API, or Claude through Amazon Bedrock or Google Vertex AI (their SDKs are loaded only when chosen:
  // src/adapters/anthropic/create-provider-client.ts).
  BULWARK_PROVIDER: z.enum(['anthropic', 'bedrock', 'vertex']).default('anthropic'),
  AWS_REGION: z.string().min(1).optional(),
  ANTHROPIC_BEDROCK_BASE_URL: z.url().optional(),
  // On-demand calls of current Claude models on Bedrock go through a cross-region inference profile
  // (`global.anthropic.…`, `us.anthropic.…`); `none` sends the bare `anthropic.…` model id.
  BULWARK_BEDROCK_INFERENCE_PROFILE: z.enum(['global', 'us', 'eu', 'apac', 'jp', 'au', 'us-gov', 'none']).default('global'),
  CLOUD_ML_REGION: z.string().min(1).optional(),
  ANTHROPIC_VERTEX_PROJECT_ID: z.string().min(1).optional(),
  ANTHROPIC_VERTEX_BASE_URL: z.url().optional(),
  BULWARK_MODEL_MAP: z.string().optional(),
  BULWARK_STRUCTURED_OUTPUTS: z.enum(['on', 'off']).default('on'),
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
  // Reviews running at once per repository and per installation, across replicas; 0 turns a cap off (README, "Deploying").
  BULWARK_MAX_RUNNING_PER_REPO: z.coerce.number().int().min(0).default(2),
  BULWARK_MAX_RUNNING_PER_INSTALLATION: z.coerce.number().int().min(0).default(0),
  BULWARK_MAX_FILES: z.coerce.number().int().min(1).max(3000).default(3000),
  BULWARK_SHUTDOWN_TIMEOUT_MS: int(25_000),
  BULWARK_CHUNK_TOKENS: int(80_000),
  BULWARK_MODEL_CONCURRENCY: int(4),
  // The model provider's rate limit (src/adapters/rate-limit): the share of each limit kept free, the longest wait.
  BULWARK_RATE_LIMIT_MARGIN: z.coerce.number().min(0).max(0.5).default(0.05),
  BULWARK_RATE_LIMIT_MAX_WAIT_MS: z.coerce.number().int().min(0).default(60_000),
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
  // How long what a repository's team taught Bulwark is reused before GitHub is read again (src/learning); 0: every review reads it.
  BULWARK_LEARNING_CACHE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
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
  /**
   * Bedrock and Vertex: where and how (the SDKs read their credentials from the standard AWS and Google chains).
   * `modelMap`: Bulwark model id → the provider's id, over the built-in mapping. `structuredOutputs`: false when
   * the provider refuses `output_config` (Vertex's organisation policy can): the schema is then put in the prompt.
   */
  providers: {
    bedrock: { region: string | undefined; baseUrl: string | undefined; inferenceProfile: Env['BULWARK_BEDROCK_INFERENCE_PROFILE'] };
    vertex: { region: string | undefined; projectId: string | undefined; baseUrl: string | undefined };
    modelMap: Record<string, string>;
    structuredOutputs: boolean;
  };
  model: { default: string; allowed: string[] | undefined; maxOutputTokens: number };
  checkName: string;
  concurrency: number;
  /** Reviews running at once per repository and per installation (with Redis, across every replica); 0: no cap. */
  caps: { perRepository: number; perInstallation: number };
  maxFiles: number;
  shutdownTimeoutMs: number;
  /** Estimated diff tokens per model call; chunks are packed under it. */
  chunkTokens: number;
  /** Model calls of one review running at once. */
  modelConcurrency: number;
  /**
   * The model provider's rate limit, shared by replicas through Redis: a call waits while it would leave less than
   * `margin` of a limit, at most `maxWaitMs` (past it the job is retried after the wait).
   */
  rateLimit: { margin: number; maxWaitMs: number };
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
  /** How long a repository's learning snapshot is cached (in Redis when there is one, else in memory); 0: not kept. */
  learning: { cacheTtlMs: number };
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

/** Settings whose value must never be echoed in a problem (REDIS_URL shows without its password). */
const SECRET_SETTINGS = new Set(['ANTHROPIC_API_KEY', 'WEBHOOK_SECRET', 'BULWARK_METRICS_TOKEN', 'PRIVATE_KEY', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_BEARER_TOKEN_BEDROCK']);

export function readSettings(env: Record<string, string | undefined>): Settings {
  const parsed = envSchema.safeParse(env);
  const schemaProblems = parsed.success ? [] : parsed.error.issues.map((issue) => withValue(issue.path.join('.'), issue.message, env));
  const prices = readPrices(env.BULWARK_PRICES);
  const modelMap = readModelMap(env.BULWARK_MODEL_MAP);
  const problems = [
    ...schemaProblems,
    ...prices.problems,
    ...modelMap.problems,
    ...redisUrlProblems(env.REDIS_URL),
    ...providerProblems(env),
    ...privateKeyProblems(env.PRIVATE_KEY),
    ...webhookSecretProblems(env),
  ];
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
    providers: {
      bedrock: { region: e.AWS_REGION, baseUrl: e.ANTHROPIC_BEDROCK_BASE_URL, inferenceProfile: e.BULWARK_BEDROCK_INFERENCE_PROFILE },
      vertex: { region: e.CLOUD_ML_REGION, projectId: e.ANTHROPIC_VERTEX_PROJECT_ID, baseUrl: e.ANTHROPIC_VERTEX_BASE_URL },
      modelMap: modelMap.map,
      structuredOutputs: e.BULWARK_STRUCTURED_OUTPUTS === 'on',
    },
    model: { default: e.BULWARK_MODEL, allowed: e.BULWARK_ALLOWED_MODELS, maxOutputTokens: e.BULWARK_MAX_OUTPUT_TOKENS },
    checkName: e.BULWARK_CHECK_NAME,
    concurrency: e.BULWARK_CONCURRENCY,
    caps: { perRepository: e.BULWARK_MAX_RUNNING_PER_REPO, perInstallation: e.BULWARK_MAX_RUNNING_PER_INSTALLATION },
    maxFiles: e.BULWARK_MAX_FILES,
    shutdownTimeoutMs: e.BULWARK_SHUTDOWN_TIMEOUT_MS,
    chunkTokens: e.BULWARK_CHUNK_TOKENS,
    modelConcurrency: e.BULWARK_MODEL_CONCURRENCY,
    rateLimit: { margin: e.BULWARK_RATE_LIMIT_MARGIN, maxWaitMs: e.BULWARK_RATE_LIMIT_MAX_WAIT_MS },
    maxInputTokens: e.BULWARK_MAX_INPUT_TOKENS,
    prices: prices.table,
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
    learning: { cacheTtlMs: e.BULWARK_LEARNING_CACHE_SECONDS * 1000 },
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

/** `NAME: problem (given: "value")`: the value helps find a typo, except for secrets. */
function withValue(name: string, message: string, env: Record<string, string | undefined>): string {
  const value = env[name];
  if (value === undefined || SECRET_SETTINGS.has(name)) return `${name}: ${message}`;
  return `${name}: ${message} (given: ${shown(name === 'REDIS_URL' ? withoutPassword(value) : value)})`;
}

function shown(value: string | undefined): string {
  return JSON.stringify(value !== undefined && value.length > 120 ? `${value.slice(0, 120)}…` : value);
}

function readPrices(json: string | undefined): { table: PriceTable; problems: string[] } {
  try {
    return { table: parsePriceOverrides(json), problems: [] };
  } catch (error) {
    if (!(error instanceof PriceOverridesError)) throw error;
    return { table: {}, problems: error.problems.map((problem) => `BULWARK_PRICES: ${problem} (given: ${shown(json)})`) };
  }
}

const modelMapSchema = z.record(z.string().min(1), z.string().min(1));

function readModelMap(json: string | undefined): { map: Record<string, string>; problems: string[] } {
  if (!json?.trim()) return { map: {}, problems: [] };
  const problem = (what: string) => ({ map: {}, problems: [`BULWARK_MODEL_MAP: ${what} (given: ${shown(json)})`] });
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return problem('is not valid JSON; expected an object such as {"claude-sonnet-5-5":"us.anthropic.claude-sonnet-5-5-v1:0"}');
  }
  const parsed = modelMapSchema.safeParse(value);
  return parsed.success ? { map: parsed.data, problems: [] } : problem('must be an object of Bulwark model id → provider model id, both non-empty strings');
}

/** ioredis takes `redis://` and `rediss://` URLs; anything else fails at the first connection, far from its cause. */
function redisUrlProblems(value: string | undefined): string[] {
  if (!value) return [];
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url && (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname) return [];
  return [`REDIS_URL: must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379 (given: ${shown(withoutPassword(value))})`];
}

/** A URL's password is a secret: shown as ***. A value that is no URL is shown only up to its `@`, if any. */
function withoutPassword(value: string): string {
  try {
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    const at = value.lastIndexOf('@');
    return at === -1 ? value : `***${value.slice(at)}`;
  }
}

/** What the chosen provider cannot run without; the SDK would otherwise fail at the first review. */
function providerProblems(env: Record<string, string | undefined>): string[] {
  if (env.BULWARK_PROVIDER === 'vertex' && !env.CLOUD_ML_REGION?.trim()) {
    return ['CLOUD_ML_REGION: is missing; BULWARK_PROVIDER=vertex needs the Google Cloud region of the model (e.g. us-east5, europe-west1 or global)'];
  }
  return [];
}

/**
 * `docker run --env-file` reads one line per variable and keeps quotes as they are, so the multi-line quoted key
 * Probot's setup flow writes into .env arrives as its first line only (README, "Docker"). Probot would refuse it
 * with a message that does not say why.
 */
function privateKeyProblems(value: string | undefined): string[] {
  if (!value?.includes('-----BEGIN') || value.includes('-----END')) return [];
  return [
    'PRIVATE_KEY: holds only the first line of a private key; an env file read by `docker run --env-file` cannot carry a multi-line value. ' +
      'Mount the key file and set PRIVATE_KEY_PATH to it, or write the key on one line with \\n between its lines (README, "Docker").',
  ];
}
