import { z } from 'zod';

const int = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Operator settings read once at boot; every problem is listed at once. */
const envSchema = z.object({
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  BULWARK_PROVIDER: z.enum(['anthropic', 'bedrock', 'vertex']).default('anthropic'),
  BULWARK_MODEL: z.string().min(1).default('claude-sonnet-5-5'),
  BULWARK_ALLOWED_MODELS: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((item) => item.trim()).filter(Boolean) : undefined)),
  BULWARK_MODEL_TIMEOUT_MS: int(180_000),
  BULWARK_MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  BULWARK_MAX_OUTPUT_TOKENS: int(16_000),
  BULWARK_CHECK_NAME: z.string().min(1).max(100).default('Bulwark'),
  BULWARK_CONCURRENCY: int(4),
  BULWARK_MAX_FILES: z.coerce.number().int().min(1).max(3000).default(3000),
  BULWARK_SHUTDOWN_TIMEOUT_MS: int(25_000),
  REDIS_URL: z.string().optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Settings {
  anthropic: { apiKey: string | undefined; baseUrl: string | undefined; timeoutMs: number; maxRetries: number };
  provider: Env['BULWARK_PROVIDER'];
  model: { default: string; allowed: string[] | undefined; maxOutputTokens: number };
  checkName: string;
  concurrency: number;
  maxFiles: number;
  shutdownTimeoutMs: number;
  redisUrl: string | undefined;
}

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Bulwark settings:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

export function readSettings(env: Record<string, string | undefined>): Settings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  return {
    anthropic: {
      apiKey: e.ANTHROPIC_API_KEY,
      baseUrl: e.ANTHROPIC_BASE_URL,
      timeoutMs: e.BULWARK_MODEL_TIMEOUT_MS,
      maxRetries: e.BULWARK_MODEL_MAX_RETRIES,
    },
    provider: e.BULWARK_PROVIDER,
    model: { default: e.BULWARK_MODEL, allowed: e.BULWARK_ALLOWED_MODELS, maxOutputTokens: e.BULWARK_MAX_OUTPUT_TOKENS },
    checkName: e.BULWARK_CHECK_NAME,
    concurrency: e.BULWARK_CONCURRENCY,
    maxFiles: e.BULWARK_MAX_FILES,
    shutdownTimeoutMs: e.BULWARK_SHUTDOWN_TIMEOUT_MS,
    redisUrl: e.REDIS_URL || undefined,
  };
}
