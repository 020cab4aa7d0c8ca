import type { PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { renderOutcome } from '../render/render-outcome.js';
import type { ReviewOutcome } from '../review/review-outcome.js';

/**
 * The one place a check run is completed: with what the outcome says (README: every review job ends in a completed
 * check run that tells the truth). The host sends the annotations as GitHub takes them.
 */
export async function completeCheck(host: PullRequestHost, ref: PullRequestRef, checkRunId: number, outcome: ReviewOutcome): Promise<void> {
  await host.completeCheckRun(ref, checkRunId, renderOutcome(outcome));
}
