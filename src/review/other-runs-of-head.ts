import type { ReviewJob } from '../ports/job-queue.js';
import { reviewJobId } from '../ports/job-queue.js';
import type { ExistingCheckRun } from '../ports/pull-request-host.js';

/**
 * The other Bulwark runs of this job's pull request and head: their external id is the job id of another run,
 * `review/<installation>/<owner>/<repo>/<pr>/<head>/<run>`.
 */
export function otherRunsOfHead(runs: readonly ExistingCheckRun[], job: ReviewJob): ExistingCheckRun[] {
  const own = reviewJobId(job);
  const prefix = reviewJobId({ ...job, run: '' });
  return runs.filter((run) => run.externalId !== null && run.externalId !== own && run.externalId.startsWith(prefix));
}
