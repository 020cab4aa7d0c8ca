import type { JobControl } from '../ports/job-queue.js';
import { RetryLaterError } from '../ports/job-queue.js';
import { isRetryable, ServiceError } from '../ports/service-error.js';

/**
 * The retry a failure earns: one that may pass (rate limit, overload, 5xx, timeout) while attempts remain, no
 * sooner than the service asked (retry-after, a rate limit's reset). Undefined otherwise: the failure is final.
 */
export function retryOf(error: unknown, control: Pick<JobControl, 'attempt' | 'maxAttempts'>, message: string): RetryLaterError | undefined {
  if (!isRetryable(error) || control.attempt >= control.maxAttempts) return undefined;
  return new RetryLaterError(message, { cause: error, delayMs: error instanceof ServiceError ? error.retryAfterMs : undefined });
}
