import type { Context } from 'probot';
import type { JobQueue } from '../ports/job-queue.js';
import { pullRequestRun } from '../ports/pull-request-run.js';

/**
 * A pull request retargeted to another base branch (`pull_request.edited` with `changes.base`) is reviewed again:
 * the author chooses the base, and the check run of the earlier review would otherwise stay on the head commit,
 * green, whatever the diff against the new base holds. Title and description edits are not reviews' business.
 *
 * Each delivery is its own run (`base-<delivery>`), so neither the finished run of the same head nor its check run
 * swallows it; a redelivery keeps its delivery id (X-GitHub-Delivery) and collapses into the same job.
 */
export function onPullRequestEdited(queue: JobQueue) {
  return async (context: Context<'pull_request.edited'>): Promise<void> => {
    const { payload } = context;
    if (!payload.changes.base || payload.pull_request.state !== 'open') return;
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
      trigger: 'base_changed',
      full: true,
      deliveryId: context.id,
      run: pullRequestRun('base_changed', context.id),
    });
    context.log.info({ jobId: result.jobId, queued: result.queued, from: payload.changes.base.ref.from }, 'base branch changed; review requested');
  };
}
