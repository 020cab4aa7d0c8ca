import type { Context } from 'probot';
import type { JobQueue } from '../ports/job-queue.js';
import { questionInReply } from '../review/question-in-reply.js';
import { MAY_HAVE_WRITE } from './on-issue-comment.js';
import type { CommentJob } from './on-issue-comment.js';

/** The parts of GitHub's `pull_request_review_comment` payload a reply's job is made of (the App's webhook and the Action's event file). */
export interface ReviewCommentEvent {
  repository: { name: string; owner: { login: string } };
  pull_request: { number: number };
  comment: { id: number; body: string; in_reply_to_id?: number | undefined; author_association: string; user: { login: string; type?: string | undefined } | null };
  sender: { login: string; type?: string | undefined };
}

/**
 * The job a reply in a review thread (`in_reply_to_id`) starts when it asks Bulwark something: it starts with
 * `/ask` or mentions the App. From the payload alone (no GitHub call), for the App's handler and the Action alike:
 * the job reads the thread, answers only in Bulwark's own threads, and checks the replier's permission before any
 * model call. Bots (Bulwark's own answers included) never start one; a replier whose `author_association` cannot
 * carry write permission is dropped here. The run comes from the reply's id, so a redelivery is the same job.
 * `appSlug`: the App's slug once known, else any mention passes to the job.
 */
export function reviewReplyJob(event: ReviewCommentEvent, installationId: number, deliveryId: string, appSlug: string | undefined): CommentJob {
  const { comment } = event;
  if (comment.in_reply_to_id === undefined || comment.in_reply_to_id === null) return { kind: 'ignored', reason: 'a review comment that starts a thread, not a reply' };
  if (comment.user?.type === 'Bot' || event.sender.type === 'Bot') return { kind: 'ignored', reason: 'reply by a bot' };
  if (questionInReply(comment.body, appSlug) === undefined) return { kind: 'ignored', reason: `the reply neither starts with /ask nor mentions ${appSlug ? `@${appSlug}` : 'the App'}` };
  if (!MAY_HAVE_WRITE.has(comment.author_association)) {
    return { kind: 'ignored', reason: `a reply from a commenter whose association (${comment.author_association}) cannot carry write permission` };
  }
  return {
    kind: 'job',
    job: {
      installationId,
      owner: event.repository.owner.login,
      repo: event.repository.name,
      pullNumber: event.pull_request.number,
      headSha: '',
      trigger: 'command',
      full: false,
      deliveryId,
      run: `reply-${comment.id}`,
      requestedBy: comment.user?.login ?? event.sender.login,
      command: { kind: 'answer', commentId: comment.id, inReplyTo: comment.in_reply_to_id },
    },
  };
}

/** A reply in a review thread that asks Bulwark something: like every handler it only queues (reviewReplyJob decides). */
export function onReviewComment(queue: JobQueue, appSlug: () => string | undefined) {
  return async (context: Context<'pull_request_review_comment.created'>): Promise<void> => {
    const installationId = context.payload.installation?.id;
    if (installationId === undefined) return;
    const mapped = reviewReplyJob(context.payload, installationId, context.id, appSlug());
    if (mapped.kind === 'ignored') return context.log.debug({ reason: mapped.reason }, 'review comment ignored');
    const result = await queue.enqueue(mapped.job);
    context.log.info({ jobId: result.jobId, queued: result.queued }, 'question in a review thread received');
  };
}
