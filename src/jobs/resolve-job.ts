import type { ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { PullRequestHost, PullRequestRef, RepoPermission } from '../ports/pull-request-host.js';
import { parseMarkers } from '../render/markers.js';
import { renderDeniedReply, renderHelpReply } from '../render/render-command-reply.js';

/** Who may spend the operator's model budget on request: a `/review` command, Re-run, the Re-review button. */
const REVIEW_REQUEST_PERMISSIONS: readonly RepoPermission[] = ['admin', 'maintain', 'write'];

/**
 * The job to run, or undefined when there is none. A review asked for by hand goes on only when the person who
 * asked has write, maintain or admin permission (collaborator permission API), checked before any check run or
 * model call: a Re-run or Re-review request comes from whoever GitHub let press the button. Anyone else asking
 * with `/review` gets at most one short reply per pull request (found again by its hidden marker) and nothing
 * else. A command job learns its head sha only now, after that check.
 */
export async function resolveJob(host: PullRequestHost, ref: PullRequestRef, job: ReviewJob, log: Logger): Promise<ReviewJob | undefined> {
  const { command, requestedBy: login } = job;
  if (job.trigger !== 'rerequested' && !command) return job;
  const permission = login ? await host.getPermission(ref, login) : 'none';
  if (!login || !REVIEW_REQUEST_PERMISSIONS.includes(permission)) {
    log.info({ login, permission }, 'review request refused: not enough permission');
    if (!command || !login) return undefined;
    const comments = await host.listOwnComments(ref);
    const replied = comments.some((body) => parseMarkers(body).some((marker) => marker.kind === 'denied' && marker.data.user.toLowerCase() === login.toLowerCase()));
    if (!replied) await host.createComment(ref, renderDeniedReply(login));
    return undefined;
  }
  if (!command) return job;
  await host.addReaction(ref, command.commentId, 'eyes');
  if (command.kind === 'help') return void (await host.createComment(ref, renderHelpReply(command.commentId)));
  return { ...job, headSha: (await host.getPullRequest(ref)).headSha };
}
