import { retryDelayMs } from '../ports/job-queue.js';
import type { RetryLaterError } from '../ports/job-queue.js';

/** The check run while the queue waits to run a job again after a temporary failure: what happened, when it retries. */
export function renderRetrying(message: string, retry: RetryLaterError, attempt: number, backoffMs: number | undefined): { title: string; summary: string } {
  return { title: 'Review in progress', summary: `A temporary failure interrupted the review (${message}); retrying${whenRetrying(retry, attempt, backoffMs)}.` };
}

/** When the queue will run the job again (the same rule the queues apply), as the check run says it. */
export function whenRetrying(retry: RetryLaterError, attempt: number, backoffMs: number | undefined): string {
  if (backoffMs === undefined) return retry.delayMs === undefined ? '' : ` in about ${describeWait(retry.delayMs)}, as the service asked`;
  const waitMs = retryDelayMs(backoffMs, attempt, retry);
  const asked = retry.delayMs !== undefined && retry.delayMs >= waitMs;
  return ` in about ${describeWait(waitMs)}${asked ? ', as the service asked' : ''}`;
}

function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}
