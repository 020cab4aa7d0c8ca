import type { RepoConfig } from '../config/repo-config.js';
import type { ReviewJob } from '../ports/job-queue.js';
import type { PullRequestInfo } from '../ports/pull-request-host.js';
import { isRequestedByWriter } from './requested-by-writer.js';
import type { SkipWhy } from './review-outcome.js';

/**
 * Why this pull request is not reviewed now, or undefined when it is. `pausedBy`: who paused its automatic reviews
 * (`/review pause`), when they are paused; a review asked for by hand still runs.
 */
export function gateReview(job: Pick<ReviewJob, 'headSha' | 'trigger'>, pr: PullRequestInfo, config: Pick<RepoConfig, 'review'>, pausedBy?: string): SkipWhy | undefined {
  if (pr.state !== 'open') return { kind: 'closed', number: pr.number, merged: pr.merged };
  if (pr.headSha !== job.headSha) return { kind: 'moved-on', headSha: pr.headSha };
  const explicit = isRequestedByWriter(job);
  if (pr.draft && !config.review.drafts && !explicit) return { kind: 'draft' };
  if (pr.author.isBot && !config.review.bots && !explicit) return { kind: 'bot', login: pr.author.login };
  const { authors } = config.review;
  if (authors !== 'all' && !explicit && !authors.some((association) => association === pr.author.association)) {
    return { kind: 'author', association: pr.author.association, authors };
  }
  if (pausedBy !== undefined && !explicit) return { kind: 'paused', by: pausedBy };
  return undefined;
}
