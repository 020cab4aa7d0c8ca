import type { Context } from 'probot';
import type { JobQueue } from '../ports/job-queue.js';
import { questionInReply } from '../review/question-in-reply.js';
import { MAY_HAVE_WRITE } from './on-issue-comment.js';

/**
 * A reply in a review thread (`pull_request_review_comment.created` with `in_reply_to_id`) that asks Bulwark
 * something: it starts with `/ask` or mentions the App. Like every handler it only queues, from the payload alone
 * (no GitHub call): the job reads the thread, answers only in Bulwark's own threads, and checks the replier's
 * permission before any model call. Bots (Bulwark's own answers included) never start one; a replier whose
 * `author_association` cannot carry write permission is dropped here. The job id comes from the reply's id, so a
 * redelivery is the same job. `appSlug`: the App's slug once known, else any mention passes to the job.
 */
export function onReviewComment(queue: JobQueue, appSlug: () => string | undefined) {
  return async (context: Context<'pull_request_review_comment.created'>): Promise<void> => {
    const { payload } = context;
    const { comment } = payload;
    const installationId = payload.installation?.id;
    if (comment.in_reply_to_id === undefined || installationId === undefined) return;
    if (comment.user?.type === 'Bot' || payload.sender.type === 'Bot') return;
    if (questionInReply(comment.body, appSlug()) === undefined) return;
    if (!MAY_HAVE_WRITE.has(comment.author_association)) {
      context.log.debug({ association: comment.author_association }, 'reply from a commenter without write access; ignored');
      return;
    }
    const result = await queue.enqueue({
      installationId,
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      pullNumber: payload.pull_request.number,
      headSha: '',
      trigger: 'command',
      full: false,
      deliveryId: context.id,
      run: `reply-${comment.id}`,
      requestedBy: comment.user?.login ?? payload.sender.login,
      command: { kind: 'answer', commentId: comment.id, inReplyTo: comment.in_reply_to_id },
    });
    context.log.info({ jobId: result.jobId, queued: result.queued }, 'question in a review thread received');
  };
}
