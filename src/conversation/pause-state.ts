import type { RepoConfig } from '../config/repo-config.js';
import type { ReviewJob } from '../ports/job-queue.js';
import type { PullRequestHost, PullRequestInfo, PullRequestRef } from '../ports/pull-request-host.js';
import { gateReview } from '../review/gate-review.js';
import { pauseComments } from '../review/pause-state.js';
import { isRequestedByWriter } from '../review/requested-by-writer.js';

/**
 * Who paused the pull request's automatic reviews (`/review pause`), or undefined when they are not paused. Read
 * from Bulwark's own comments on GitHub (the state lives there, for every replica and the Action alike), and only
 * when it can change the gate's answer: for an automatic review the gate would otherwise let through. A review
 * asked for by hand runs whatever the state, without the extra request. Call it once the host knows the App
 * (after the check run is created), so another bot's marker does not count.
 */
export async function pausedBy(host: PullRequestHost, ref: PullRequestRef, job: Pick<ReviewJob, 'trigger' | 'headSha'>, pr: PullRequestInfo, config: Pick<RepoConfig, 'review'>): Promise<string | undefined> {
  if (isRequestedByWriter(job) || gateReview(job, pr, config) !== undefined) return undefined;
  return pauseComments(await host.listOwnCommentEntries(ref)).at(0)?.by;
}
