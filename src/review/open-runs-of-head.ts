import type { ReviewJob } from '../ports/job-queue.js';
import type { ExistingCheckRun } from '../ports/pull-request-host.js';
import { otherRunsOfHead } from './other-runs-of-head.js';
import { queuedIdsOf } from './queued-ids-of.js';

/**
 * The other Bulwark runs of this job's pull request and head still open, each with the ids a queue may hold its job
 * under (src/review/queued-ids-of.ts): one no queue holds under any of them is stale.
 */
export function openRunsOfHead(runs: readonly ExistingCheckRun[], job: ReviewJob): { externalId: string; queuedIds: string[] }[] {
  return otherRunsOfHead(runs, job)
    .filter((run) => run.status !== 'completed')
    .map((run) => ({ externalId: run.externalId!, queuedIds: queuedIdsOf(run.externalId!, job) }));
}
