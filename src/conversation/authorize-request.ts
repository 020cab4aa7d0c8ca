import type { ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PullRequestHost, PullRequestRef, RepoPermission } from '../ports/pull-request-host.js';
import { parseMarkers } from '../render/markers.js';
import { renderDeniedReply } from '../render/render-command-reply.js';

/**
 * Write access: who may spend the operator's model budget or change what Bulwark does on request (commands, Re-run,
 * Re-review), and whose verdicts on findings count (src/learning).
 */
export const WRITE_PERMISSIONS: readonly RepoPermission[] = ['admin', 'maintain', 'write'];

/**
 * Whether the person who asked (`job.requestedBy`) has write, maintain or admin permission (collaborator
 * permission API), checked before any check run, reply or model call: a Re-run or Re-review request comes from
 * whoever GitHub let press the button, a comment from anyone who can comment. Someone else asking with a command
 * gets at most one short reply per pull request (found again by its hidden marker) and nothing else; an accepted
 * command gets a 👀 reaction on the comment that asked (for a reply in a review thread, on that reply).
 */
export async function authorizeRequest(host: PullRequestHost, ref: PullRequestRef, job: ReviewJob, log: Logger): Promise<boolean> {
  const { command, requestedBy: login } = job;
  const permission = login ? await host.getPermission(ref, login) : 'none';
  if (!login || !WRITE_PERMISSIONS.includes(permission)) {
    log.info({ login, permission, command: command?.kind }, 'request refused: not enough permission');
    if (!command || !login) return false;
    const comments = await host.listOwnComments(ref);
    const replied = comments.some((body) => parseMarkers(body).some((marker) => marker.kind === 'denied' && marker.data.user.toLowerCase() === login.toLowerCase()));
    if (!replied) await host.createComment(ref, renderDeniedReply(login));
    return false;
  }
  if (command) await host.addReaction(ref, command.commentId, 'eyes', command.inReplyTo === undefined ? 'issue-comment' : 'review-comment');
  return true;
}
