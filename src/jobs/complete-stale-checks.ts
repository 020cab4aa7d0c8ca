import type { JobControl, ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { ExistingCheckRun, PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { openRunsOfHead } from '../review/open-runs-of-head.js';
import { staleRunsIn } from '../review/stale-runs-in.js';
import { completeCheck } from './complete-check.js';

/**
 * After a restart, no queue holds the jobs a stopped process was running (the in-process queue keeps nothing; a
 * BullMQ job removed or finished without its check), and their check runs would stay "in progress" forever.
 * GitHub cannot list an App's in-progress check runs across repositories, so they are found lazily: when a job
 * starts, the other open Bulwark runs of the same pull request and head (`runs`, as listed when it started; `job`,
 * its head resolved) that no queue holds are completed. Costs nothing when there are none. Never throws.
 */
export async function completeStaleChecks(host: PullRequestHost, ref: PullRequestRef, job: ReviewJob, runs: ExistingCheckRun[], checkName: string, control: Pick<JobControl, 'isLive'>, log: Logger): Promise<void> {
  const open = openRunsOfHead(runs, job);
  if (open.length === 0) return;
  try {
    // A run is held while any queue holds one of the jobs that could be running it.
    const held = await Promise.all(open.map(async ({ queuedIds }) => (await Promise.all(queuedIds.map((id) => control.isLive(id)))).includes(true)));
    const stale = new Set(open.filter((_run, index) => !held[index]).map((run) => run.externalId));
    if (stale.size === 0) return;
    // Listed again: a job that finished between the first listing and `isLive` completed its own check run first.
    const current = await host.listCheckRuns(ref, job.headSha, checkName);
    for (const run of staleRunsIn(current, stale)) {
      await completeCheck(host, ref, run.id, { kind: 'gave-up', reason: { kind: 'lost' } });
      log.warn({ checkRunId: run.id, staleJobId: run.externalId }, 'completed a check run left in progress by a job no queue holds');
    }
  } catch (error) {
    log.warn({ err: error }, 'could not complete stale check runs');
  }
}
