import type { JobHandler } from '../ports/job-queue.js';
import type { PullRequestRef } from '../ports/pull-request-host.js';
import { retryOf } from '../review/retry-of.js';
import { authorizeRequest } from './authorize-request.js';
import { handlerFor } from './command-handlers.js';
import type { ConversationDeps } from './conversation-deps.js';
import { readRequest } from './read-request.js';

/**
 * One conversation command: learn who the App is, read the comment again (the job holds no text), check the
 * asker's permission (one denied reply at most, 👀 when accepted), then the command's handler. No check run: a
 * failure that may pass is retried by the queue, any other is logged.
 */
export function createConversationRunner(deps: ConversationDeps): JobHandler {
  return async (job, control) => {
    const { command } = job;
    if (!command) return;
    const ref: PullRequestRef = { installationId: job.installationId, owner: job.owner, repo: job.repo, pullNumber: job.pullNumber };
    const log = deps.log.child({ delivery: job.deliveryId, repo: `${job.owner}/${job.repo}`, pr: job.pullNumber, command: command.kind, attempt: control.attempt });
    try {
      const host = await deps.hostFor(job.installationId);
      const slug = await deps.appSlug();
      host.learnOwnIdentity(slug);
      const request = await readRequest(host, ref, job, slug);
      if (!request) return log.info({ comment: command.commentId }, 'the comment no longer asks for this; nothing to do');
      if (!(await authorizeRequest(host, ref, job, log))) return;
      await handlerFor(command.kind)({ host, ref, job, deps, log, control, ...request });
      log.info({}, 'command done');
    } catch (error) {
      const retry = retryOf(error, control, 'retryable failure of a command');
      log.warn({ err: error, retry: retry !== undefined }, 'command failed');
      throw retry ?? error;
    }
  };
}
