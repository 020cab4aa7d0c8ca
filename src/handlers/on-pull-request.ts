import type { Context } from 'probot';
import type { JobQueue, ReviewTrigger } from '../ports/job-queue.js';
import { pullRequestRun } from '../ports/pull-request-run.js';

const ACTIONS = ['pull_request.opened', 'pull_request.reopened', 'pull_request.ready_for_review', 'pull_request.synchronize'] as const;

export const PULL_REQUEST_EVENTS = [...ACTIONS];

/**
 * A PR event becomes a review job and nothing more: no GitHub or model call happens here, so the webhook is
 * acknowledged at once (GitHub waits 10 s and never redelivers on its own). Config, drafts and bots are
 * decided by the job, which can read the repo config.
 */
export function onPullRequest(queue: JobQueue) {
  return async (context: Context<(typeof ACTIONS)[number]>): Promise<void> => {
    const { payload } = context;
    if (payload.pull_request.state !== 'open') return;
    const installationId = payload.installation?.id;
    if (installationId === undefined) {
      context.log.warn({ event: context.name }, 'event without installation; ignored');
      return;
    }
    const result = await queue.enqueue({
      installationId,
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      pullNumber: payload.pull_request.number,
      headSha: payload.pull_request.head.sha,
      trigger: payload.action satisfies ReviewTrigger,
      full: payload.action !== 'synchronize',
      deliveryId: context.id,
      run: pullRequestRun(payload.action, context.id),
    });
    context.log.info({ jobId: result.jobId, queued: result.queued, action: payload.action }, 'review requested');
  };
}
