import type { Context } from 'probot';
import type { JobQueue } from '../ports/job-queue.js';
import { parseCommand } from './parse-command.js';

/**
 * `/review` commands on PR conversations. Like PR events, the handler only queues: the job checks the
 * commenter's permission (write, maintain or admin) before any reaction, reply or model call.
 */
export function onIssueComment(queue: JobQueue) {
  return async (context: Context<'issue_comment.created'>): Promise<void> => {
    const { payload } = context;
    if (!payload.issue.pull_request) return;
    if (payload.comment.user?.type === 'Bot' || payload.sender.type === 'Bot') return;
    const kind = parseCommand(payload.comment.body);
    const installationId = payload.installation?.id;
    if (!kind || installationId === undefined) return;
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
