import type { GiveUpHandler } from '../ports/job-queue.js';
import { reviewJobId } from '../ports/job-queue.js';
import type { PullRequestRef } from '../ports/pull-request-host.js';
import { completeCheck } from './complete-check.js';
import type { ReviewRunnerDeps } from './run-review.js';

export type GiveUpDeps = Pick<ReviewRunnerDeps, 'hostFor' | 'log'> & { checkName: string };

/**
 * What a queue calls for a job it gives up on (shutdown, stalled too often, last attempt failed, superseded while
 * waiting for a retry): the job's check run, if one is still open, is completed with what happened and how to
 * retry (README: every review job ends in a completed check run). The check run is found the way a retried job
 * finds it — head sha, check name and external id (the job id) — so no check run id needs to be kept anywhere.
 * Never throws: the queue is stopping or moving on, and a failure here is only logged.
 */
export function createGiveUp(deps: GiveUpDeps): GiveUpHandler {
  return async (queued, reason) => {
    const ref: PullRequestRef = { installationId: queued.installationId, owner: queued.owner, repo: queued.repo, pullNumber: queued.pullNumber };
    const log = deps.log.child({ jobId: reviewJobId(queued), reason: reason.kind });
    try {
      const host = await deps.hostFor(queued.installationId);
      // A command job learns its head only when it runs, so its check run can only be on the head the PR has now.
      const headSha = queued.headSha || (await host.getPullRequest(ref)).headSha;
      const jobId = reviewJobId({ ...queued, headSha });
      const open = (await host.listCheckRuns(ref, headSha, deps.checkName)).filter((run) => run.externalId === jobId && run.status !== 'completed');
      for (const run of open) await completeCheck(host, ref, run.id, { kind: 'gave-up', reason });
      log.warn({ completed: open.map((run) => run.id) }, 'gave up on a review job');
    } catch (error) {
      log.error({ err: error }, 'could not complete the check run of a review job given up on');
    }
  };
}
