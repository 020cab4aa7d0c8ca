import type { RateLimitDimension, RateLimitObservation, RateLimitWindow } from '../../ports/rate-limiter.js';
import { retryAfterMs } from '../retry-after.js';

/**
 * The rate-limit headers the Anthropic API sends on every response: for requests, input tokens, output tokens
 * and tokens (the most restrictive limit in effect), `-limit`, `-remaining` and `-reset` (RFC 3339: when that
 * limit is full again); with a 429, `retry-after` (seconds; `retry-after-ms` too, as the SDK reads it).
 * https://platform.claude.com/docs/en/api/rate-limits#response-headers
 */
const PREFIXES: Record<RateLimitDimension, string> = {
  requests: 'anthropic-ratelimit-requests',
  'input-tokens': 'anthropic-ratelimit-input-tokens',
  'output-tokens': 'anthropic-ratelimit-output-tokens',
  tokens: 'anthropic-ratelimit-tokens',
};

/** A reset further away than this is read as this far: a per-minute limit never names one, a broken proxy might. */
const MAX_RESET_MS = 60 * 60 * 1000;

/**
 * What a response says about its model's limits; undefined when it says nothing (a gateway, or a cloud provider,
 * that sends no such header, and no 429). A window needs a readable `remaining` and `reset`; a value that is not a
 * non-negative whole number or a date is ignored, never guessed.
 */
export function readRateLimitHeaders(headers: Headers, status: number, now: number): RateLimitObservation | undefined {
  const windows: RateLimitObservation['windows'] = {};
  for (const [dimension, prefix] of Object.entries(PREFIXES) as [RateLimitDimension, string][]) {
    const window = readWindow(headers, prefix, now);
    if (window) windows[dimension] = window;
  }
  const limited = status === 429 ? { limited: { retryAfterMs: waitAsked(headers, now) } } : {};
  if (Object.keys(windows).length === 0 && status !== 429) return undefined;
  return { windows, ...limited };
}

function readWindow(headers: Headers, prefix: string, now: number): RateLimitWindow | undefined {
  const remaining = count(headers.get(`${prefix}-remaining`));
  const reset = Date.parse(headers.get(`${prefix}-reset`) ?? '');
  if (remaining === undefined || !Number.isFinite(reset)) return undefined;
  const limit = count(headers.get(`${prefix}-limit`));
  return { ...(limit === undefined ? {} : { limit }), remaining, resetAt: Math.min(reset, now + MAX_RESET_MS) };
}

function count(value: string | null): number | undefined {
  if (value === null || !/^\d{1,15}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** `retry-after-ms`, else `retry-after` (seconds or an HTTP date), capped like a reset. */
function waitAsked(headers: Headers, now: number): number | undefined {
  const ms = Number(headers.get('retry-after-ms') ?? Number.NaN);
  const asked = Number.isFinite(ms) && ms >= 0 ? ms : retryAfterMs(headers.get('retry-after'), now);
  return asked === undefined ? undefined : Math.min(asked, MAX_RESET_MS);
}
