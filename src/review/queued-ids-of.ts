import type { ReviewJob } from '../ports/job-queue.js';
import { reviewJobId } from '../ports/job-queue.js';

/**
 * The ids a queue may hold the job of a run under: the run's own, and for a command job, which is queued before
 * its head is known, the same id with an empty head.
 */
export function queuedIdsOf(externalId: string, job: ReviewJob): string[] {
  const run = externalId.slice(externalId.lastIndexOf('/') + 1);
  return run.startsWith('comment-') ? [externalId, reviewJobId({ ...job, headSha: '', run })] : [externalId];
}
