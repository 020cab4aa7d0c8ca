import type { JobControl, ReviewJob } from '../ports/job-queue.js';
import type { CommandKind } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { CommentEntry, PullRequestHost, PullRequestRef, ThreadComment } from '../ports/pull-request-host.js';
import { renderNotAvailableReply } from '../render/render-command-reply.js';
import type { ConversationDeps } from './conversation-deps.js';
import { answerInThread } from './answer-in-thread.js';
import { answerQuestion } from './answer-question.js';
import { forgetCommand, learnCommand, learningsCommand } from '../learning/learning-commands.js';
import { pausePullRequest, resumePullRequest } from './pause-commands.js';

/** What a command's handler is given: the comment was read again, its author checked, their permission granted. */
export interface CommandInput {
  host: PullRequestHost;
  ref: PullRequestRef;
  job: ReviewJob;
  deps: ConversationDeps;
  log: Logger;
  control: JobControl;
  /** The comment that asked, as GitHub holds it now (for `answer`, the reply in the review thread). Untrusted text. */
  comment: CommentEntry;
  /** The command's text (parse-command.ts), or for `answer` the question (the reply without the App's mention). */
  argument: string;
  /** For `answer`: the thread, its first comment (Bulwark's finding) first. */
  thread?: ThreadComment[];
}

export type CommandHandler = (input: CommandInput) => Promise<void>;

/**
 * The conversation's commands, by kind. A kind without a handler is answered with a short "not available" reply,
 * so no accepted command goes unanswered.
 */
const COMMAND_HANDLERS: Partial<Record<CommandKind, CommandHandler>> = {
  pause: pausePullRequest,
  resume: resumePullRequest,
  learn: learnCommand,
  learnings: learningsCommand,
  forget: forgetCommand,
  ask: answerQuestion,
  answer: answerInThread,
};

export function handlerFor(kind: CommandKind): CommandHandler {
  return COMMAND_HANDLERS[kind] ?? notAvailable;
}

async function notAvailable({ host, ref, job }: CommandInput): Promise<void> {
  await host.createComment(ref, renderNotAvailableReply(job.command?.kind ?? 'help'));
}
