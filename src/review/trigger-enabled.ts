import type { RepoConfig } from '../config/repo-config.js';
import type { ReviewJob } from '../ports/job-queue.js';

/** Whether the repository asked for a review on this trigger at all (no check run otherwise); one asked for by hand always. */
export function triggerEnabled(job: Pick<ReviewJob, 'trigger'>, config: Pick<RepoConfig, 'review'>): boolean {
  if (job.trigger === 'command' || job.trigger === 'rerequested') return true;
  // A retargeted pull request is reviewed again wherever pull requests are reviewed on their own at all.
  if (job.trigger === 'base_changed') return config.review.on.length > 0;
  return config.review.on.includes(job.trigger);
}
