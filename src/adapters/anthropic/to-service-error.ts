import Anthropic from '@anthropic-ai/sdk';
import { ServiceError } from '../../ports/service-error.js';
import { retryAfterMs } from '../retry-after.js';

/** Maps SDK errors (after the SDK's own retries) to our one typed failure. */
export function toServiceError(error: unknown): ServiceError {
  // Already ours: thrown by the client's middleware (a rate-limit wait longer than a review waits).
  if (error instanceof ServiceError) return error;
  if (error instanceof Anthropic.APIConnectionTimeoutError) {
    return new ServiceError('anthropic', 'The model did not answer in time.', { retryable: true, cause: error });
  }
  if (error instanceof Anthropic.APIConnectionError) {
    return new ServiceError('anthropic', 'Could not reach the model provider.', { retryable: true, cause: error });
  }
  // The SDK parses the body with JSON.parse: an answer cut off midway (connection dropped after the headers)
  // surfaces as a SyntaxError. Like a dropped connection, asking again can succeed.
  if (error instanceof SyntaxError) {
    return new ServiceError('anthropic', 'The answer from the model provider could not be read (it was cut off or is not JSON).', { retryable: true, cause: error });
  }
  if (error instanceof Anthropic.APIUserAbortError) {
    return new ServiceError('anthropic', 'The model call was cancelled.', { retryable: false, cause: error });
  }
  if (error instanceof Anthropic.APIError) {
    const status = error.status;
    const retryable = status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
    return new ServiceError('anthropic', `The model provider answered ${status ?? 'with an error'}${describe(status)}.`, {
      retryable,
      status,
      retryAfterMs: retryable ? waitMs(error.headers) : undefined,
      cause: error,
    });
  }
  return new ServiceError('anthropic', 'The model call failed unexpectedly.', { retryable: false, cause: error });
}

function describe(status: number | undefined): string {
  switch (status) {
    case 401:
      return ' (invalid API key)';
    case 429:
      return ' (rate limited)';
    case 529:
      return ' (overloaded)';
    default:
      return '';
  }
}

/**
 * The wait the API asked for, read as the SDK reads it for its own retries: `retry-after-ms`, else `retry-after`
 * (https://docs.anthropic.com/en/api/rate-limits).
 */
function waitMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  return retryAfterMs(headers?.get('retry-after'));
}
