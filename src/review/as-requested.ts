import type { RepoConfig } from '../config/repo-config.js';
import type { ReviewJob } from '../ports/job-queue.js';

/**
 * What a job asks for beyond the repository's config. `/review describe` is a review of the whole pull request with
 * the walkthrough on, whatever `review.walkthrough` says: the walkthrough describes every file, and a head reviewed
 * before would otherwise be skipped as unchanged.
 */
export function asRequested<T extends { job: ReviewJob; config: RepoConfig }>(input: T): T {
  if (input.job.command?.kind !== 'describe') return input;
  return { ...input, job: { ...input.job, full: true }, config: { ...input.config, review: { ...input.config.review, walkthrough: true } } };
}
