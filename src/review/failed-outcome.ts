import { ServiceError } from '../ports/service-error.js';
import type { ReviewOutcome } from './review-outcome.js';

/** A failure the job gives up on, as an outcome: which service failed and what it said (nothing of an internal error). */
export function failedOutcome(error: unknown): Extract<ReviewOutcome, { kind: 'failed' }> {
  return error instanceof ServiceError ? { kind: 'failed', service: error.service, message: error.message } : { kind: 'failed', service: 'internal', message: undefined };
}
