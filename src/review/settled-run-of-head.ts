import type { ReviewJob } from '../ports/job-queue.js';
import type { ExistingCheckRun } from '../ports/pull-request-host.js';
import { isFollowUpRun } from '../ports/pull-request-run.js';
import { endedWithoutReview } from '../render/ended-without-review.js';
import { otherRunsOfHead } from './other-runs-of-head.js';

/** Conclusions that do not say anything about the code: the run did not review it. */
const NOT_A_REVIEW = new Set(['skipped', 'cancelled', 'stale']);

/**
 * For a run that came back to a head (ready_for_review, reopened), an earlier Bulwark run of the same pull request
 * and head that already ended with a real conclusion: that head is settled and is not reviewed again (a pull
 * request reviewed, turned into a draft and marked ready gets no second review). A run that ended `skipped` (a
 * draft, a closed pull request), or without reviewing the code for another reason (failed, stopped, an invalid
 * config, a daily limit: a neutral check), settles nothing. Undefined for any other run, or when nothing settled the head.
 */
export function settledRunOfHead(runs: readonly ExistingCheckRun[], job: ReviewJob): ExistingCheckRun | undefined {
  if (!isFollowUpRun(job.run)) return undefined;
  return otherRunsOfHead(runs, job).find((run) => run.status === 'completed' && !NOT_A_REVIEW.has(run.conclusion ?? '') && !endedWithoutReview(run.title));
}
