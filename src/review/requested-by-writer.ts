import type { ReviewJob } from '../ports/job-queue.js';

/** Asked for by hand (a `/review` command or Re-run, write permission checked): the draft, bot and author rules do not hold. */
export function isRequestedByWriter(job: Pick<ReviewJob, 'trigger'>): boolean {
  return job.trigger === 'command' || job.trigger === 'rerequested';
}
