import type { ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { parseMarkers } from '../render/markers.js';
import { renderDeniedReply, renderHelpReply } from '../render/render-command-reply.js';
import { mayRequestReview } from './may-request-review.js';

/**
 * Decides whether a `/review` command runs. Only write, maintain and admin may spend the operator's model budget;
 * anyone else gets at most one short reply per pull request (found again by its hidden marker) and nothing else.
 * Returns true when the review should go ahead.
 */
export async function handleCommand(host: PullRequestHost, ref: PullRequestRef, job: ReviewJob, log: Logger): Promise<boolean> {
  const { command, requestedBy: login } = job;
  if (!command || !login) return false;
  if (!(await mayRequestReview(host, ref, login, log))) {
    const comments = await host.listOwnComments(ref);
    const replied = comments.some((body) => parseMarkers(body).some((marker) => marker.kind === 'denied' && marker.data.user.toLowerCase() === login.toLowerCase()));
    if (!replied) await host.createComment(ref, renderDeniedReply(login));
    return false;
  }
  await host.addReaction(ref, command.commentId, 'eyes');
  if (command.kind === 'help') await host.createComment(ref, renderHelpReply(command.commentId));
  return command.kind !== 'help';
}
