import type { ReviewOutcome } from './review-outcome.js';

/** The event a review is posted with: REQUEST_CHANGES only when the repo asks for it (check.request_changes) and the check fails; a COMMENT otherwise. */
export function reviewEvent(requestChanges: boolean, conclusion: Extract<ReviewOutcome, { kind: 'reviewed' }>['conclusion']): 'REQUEST_CHANGES' | 'COMMENT' {
  return requestChanges && conclusion === 'failure' ? 'REQUEST_CHANGES' : 'COMMENT';
}
