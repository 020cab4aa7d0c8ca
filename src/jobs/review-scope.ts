import type { ReviewJob } from '../ports/job-queue.js';
import type { PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { lastReviewedHead, scopeSince, scopeWithoutComparing } from '../review/review-scope.js';
import type { ReviewScope } from '../review/review-scope.js';
import type { ChangedFile } from '../review/types.js';

/** What to review (src/review/review-scope.ts decides); GitHub is asked to compare only when that decides it. */
export async function findReviewScope(host: PullRequestHost, ref: PullRequestRef, job: ReviewJob, files: ChangedFile[], earlierReviews: string[]): Promise<ReviewScope> {
  const last = lastReviewedHead(earlierReviews);
  const known = scopeWithoutComparing(job.full, last, job.headSha);
  if (known || last === undefined) return known ?? { mode: 'full', paths: undefined, basis: { kind: 'first' } };
  return scopeSince(last, files.map((file) => file.path), await host.compareCommits(ref, last, job.headSha));
}
