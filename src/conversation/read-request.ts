import { parseCommand } from '../handlers/parse-command.js';
import type { ReviewJob } from '../ports/job-queue.js';
import type { CommentEntry, PullRequestHost, PullRequestRef, ThreadComment } from '../ports/pull-request-host.js';
import { parseMarkers } from '../render/markers.js';
import { questionInReply } from '../review/question-in-reply.js';

export interface Request {
  comment: CommentEntry;
  argument: string;
  thread?: ThreadComment[];
}

/**
 * The request a command job stands for, read again from GitHub by the comment's id (the job carries no text), or
 * undefined when there is none any more: the comment is gone, was written by someone else than the job says, or
 * no longer holds this command. For a reply in a review thread (`inReplyTo`), the thread must be Bulwark's: its
 * first comment written by the App and carrying a finding marker.
 */
export async function readRequest(host: PullRequestHost, ref: PullRequestRef, job: ReviewJob, slug: string): Promise<Request | undefined> {
  const { command, requestedBy } = job;
  if (!command || !requestedBy) return undefined;
  const byAsker = (comment: CommentEntry | undefined) => comment !== undefined && !comment.author.isBot && comment.author.login.toLowerCase() === requestedBy.toLowerCase();
  if (command.inReplyTo === undefined) {
    const comment = await host.getComment(ref, command.commentId);
    const parsed = comment && parseCommand(comment.body);
    if (!byAsker(comment) || parsed?.kind !== command.kind) return undefined;
    return { comment: comment!, argument: parsed.argument };
  }
  const thread = await host.listThreadComments(ref, command.inReplyTo);
  const root = thread.find((comment) => comment.id === command.inReplyTo && comment.inReplyTo === undefined);
  const reply = thread.find((comment) => comment.id === command.commentId && comment.inReplyTo === command.inReplyTo);
  if (!root?.own || !parseMarkers(root.body).some((marker) => marker.kind === 'finding')) return undefined;
  const question = reply && byAsker(reply) ? questionInReply(reply.body, slug) : undefined;
  if (question === undefined) return undefined;
  return { comment: reply!, argument: question, thread: [root, ...thread.filter((comment) => comment !== root)] };
}
