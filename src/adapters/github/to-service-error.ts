import { ServiceError } from '../../ports/service-error.js';

interface OctokitLikeError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined> };
}

/**
 * Maps an Octokit RequestError to our one typed failure. Retryable: 5xx, 429 and 403 secondary rate limits
 * (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit);
 * 401 (App uninstalled or key revoked), 404 (PR or repo gone) and 422 (invalid request) are not.
 */
export function toServiceError(error: unknown, action: string): ServiceError {
  if (error instanceof ServiceError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as OctokitLikeError;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const headers = e.response?.headers ?? {};
  const rateLimited =
    status === 429 ||
    (status === 403 && (headers['retry-after'] !== undefined || String(headers['x-ratelimit-remaining']) === '0'));
  const retryable = status === undefined || status >= 500 || rateLimited;
  const reason = describeStatus(status, rateLimited);
  return new ServiceError('github', `GitHub ${action} failed: ${reason}`, { retryable, status, cause: error });
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
