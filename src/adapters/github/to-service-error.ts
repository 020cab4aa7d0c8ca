import { ServiceError } from '../../ports/service-error.js';
import { retryAfterMs } from '../retry-after.js';

interface OctokitLikeError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

/** GitHub's advice when a secondary rate limit names no time: wait at least a minute. */
const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

/**
 * Maps an Octokit RequestError to our one typed failure. Retryable: 5xx, 429 and 403 rate limits; 401 (App
 * uninstalled or key revoked), 404 (PR or repo gone) and 422 (invalid request) are not. A rate limit carries how
 * long to wait, as GitHub asks (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit):
 * `retry-after` seconds; else, with `x-ratelimit-remaining: 0`, until `x-ratelimit-reset`; else at least a minute.
 */
export function toServiceError(error: unknown, action: string, now: number = Date.now()): ServiceError {
  if (error instanceof ServiceError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as OctokitLikeError;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const headers = e.response?.headers ?? {};
  const exhausted = String(headers['x-ratelimit-remaining']) === '0';
  const rateLimited =
    status === 429 || (status === 403 && (headers['retry-after'] !== undefined || exhausted || SECONDARY_LIMIT.test(messageOf(e))));
  const retryable = status === undefined || status >= 500 || rateLimited;
  const reason = describeStatus(status, rateLimited);
  const retryAfterMs = rateLimited ? waitMs(headers, exhausted, now) : undefined;
  return new ServiceError('github', `GitHub ${action} failed: ${reason}`, { retryable, status, retryAfterMs, cause: error });
}

/** GitHub's 403 for a secondary rate limit says so in its message, also when it sends no retry-after. */
const SECONDARY_LIMIT = /secondary rate limit/i;

function messageOf(e: OctokitLikeError): string {
  const data = e.response?.data;
  const bodyMessage = typeof data === 'object' && data !== null && 'message' in data && typeof data.message === 'string' ? data.message : '';
  return `${e.message ?? ''} ${bodyMessage}`;
}

function waitMs(headers: Record<string, string | number | undefined>, exhausted: boolean, now: number): number {
  const retryAfter = retryAfterMs(headers['retry-after'], now);
  if (retryAfter !== undefined) return retryAfter;
  const reset = Number(headers['x-ratelimit-reset']);
  if (exhausted && Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now);
  return DEFAULT_RATE_LIMIT_WAIT_MS;
}

function describeStatus(status: number | undefined, rateLimited: boolean): string {
  if (rateLimited) return 'rate limited by GitHub';
  switch (status) {
    case undefined:
      return 'no response (network error)';
    case 401:
      return 'not authorised (401): the App may have been uninstalled or its key revoked';
    case 403:
      return 'forbidden (403): the App lacks a permission it needs';
    case 404:
      return 'not found (404): the pull request or repository is gone, or the App cannot see it';
    case 422:
      return 'rejected as invalid (422)';
    default:
      return status >= 500 ? `GitHub answered ${status}` : `unexpected status ${status}`;
  }
}
