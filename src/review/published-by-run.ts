import type { ReviewJob } from '../ports/job-queue.js';
import { parseMarkers } from '../render/markers.js';

/**
 * Whether a review body is the one this very run posted: its hidden marker names the job's head sha and run. Both
 * the scope (a resumed run's own review is no earlier review) and publishing (a run posts once) ask this.
 */
export function publishedByRun(body: string, job: Pick<ReviewJob, 'headSha' | 'run'>): boolean {
  return parseMarkers(body).some((marker) => marker.kind === 'review' && marker.data.head === job.headSha && marker.data.run === job.run);
}

/**
 * Bulwark's earlier reviews of the pull request as this attempt sees them. On a resumed run, a review of this head
 * and run was posted by an earlier attempt of this very run, so it is no earlier review: scoping against it would
 * call the head "unchanged" (a skipped check), and its threads would turn its findings into repeats left out of
 * the conclusion (a green check). Publishing still finds it among all of them and does not post again.
 */
export function priorReviewsOf(earlierReviews: readonly string[], job: Pick<ReviewJob, 'headSha' | 'run'>, resumed: boolean): { postedByThisRun: boolean; priorReviews: string[] } {
  const postedByThisRun = resumed && earlierReviews.some((body) => publishedByRun(body, job));
  return { postedByThisRun, priorReviews: postedByThisRun ? earlierReviews.filter((body) => !publishedByRun(body, job)) : [...earlierReviews] };
}
