import type { Context } from 'probot';
import type { JobQueue } from '../ports/job-queue.js';
import { parseCommand } from './parse-command.js';

/**
 * Commenters who can have write permission, by the comment's `author_association`
 * (https://docs.github.com/en/graphql/reference/enums#commentauthorassociation): the owner, members of the owning
 * organisation, and collaborators. Contributors, first-timers and anyone else cannot.
 */
export const MAY_HAVE_WRITE: ReadonlySet<string> = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/**
 * `/review` commands on PR conversations (parse-command.ts lists them); no text of the comment goes into the job. Like PR events, the handler only queues: the job checks the
 * commenter's permission (write, maintain or admin) before any reaction, reply or model call. A commenter who
 * cannot have write permission is dropped here, from the payload alone: each of their commands would otherwise cost a
 * job, a permission lookup and a listing of the pull request's comments (the issue's item 7). Repeated commands
 * of one person on one pull request while one is queued are one job (coalesceKey).
 */
export function onIssueComment(queue: JobQueue) {
  return async (context: Context<'issue_comment.created'>): Promise<void> => {
    const { payload } = context;
    if (!payload.issue.pull_request) return;
    if (payload.comment.user?.type === 'Bot' || payload.sender.type === 'Bot') return;
    const kind = parseCommand(payload.comment.body)?.kind;
    const installationId = payload.installation?.id;
    // `/ask` belongs in a review thread (on-review-comment.ts); on the conversation it is `/review ask`.
    if (!kind || kind === 'answer' || installationId === undefined) return;
    if (!MAY_HAVE_WRITE.has(payload.comment.author_association)) {
      context.log.debug({ association: payload.comment.author_association }, 'command from a commenter without write access; ignored');
      return;
    }
    const result = await queue.enqueue({
      installationId,
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      pullNumber: payload.issue.number,
      headSha: '',
      trigger: 'command',
      full: kind === 'full',
      deliveryId: context.id,
      run: `comment-${payload.comment.id}`,
      requestedBy: payload.comment.user?.login ?? payload.sender.login,
      command: { kind, commentId: payload.comment.id },
    });
    context.log.info({ jobId: result.jobId, queued: result.queued, command: kind }, 'command received');
  };
}
