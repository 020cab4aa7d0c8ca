import type { PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { ServiceError } from '../ports/service-error.js';
import { batchAnnotations } from '../render/render-check.js';
import { renderOutcome } from '../render/render-outcome.js';
import type { ReviewOutcome } from '../review/review-outcome.js';

/**
 * The one place a check run is completed: with what the outcome says (README: every review job ends in a completed
 * check run that tells the truth). GitHub takes at most 50 annotations per request and further updates append
 * (https://docs.github.com/en/rest/checks/runs#update-a-check-run); a rejected annotation must not leave the check
 * in progress, so on a 422 it is completed without them (the review has them all).
 */
export async function completeCheck(host: PullRequestHost, ref: PullRequestRef, checkRunId: number, outcome: ReviewOutcome): Promise<void> {
  const { conclusion, output, actions } = renderOutcome(outcome);
  const { annotations, ...base } = output;
  const batches = batchAnnotations(annotations ?? []);
  try {
    for (const batch of batches.slice(0, -1)) await host.updateCheckRun(ref, checkRunId, { ...base, annotations: batch });
    await host.completeCheckRun(ref, checkRunId, { conclusion, output: annotations ? { ...base, annotations: batches.at(-1) ?? [] } : base, actions });
  } catch (error) {
    if (!annotations || !(error instanceof ServiceError) || error.status !== 422) throw error;
    await host.completeCheckRun(ref, checkRunId, { conclusion, output: base, actions });
  }
}
