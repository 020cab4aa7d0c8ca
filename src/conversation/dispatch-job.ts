import type { CommandKind, GiveUpHandler, JobHandler, ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';

/** Commands that talk, pause or teach rather than review: the conversation runner's (createConversationRunner). */
const CONVERSATION_COMMANDS: ReadonlySet<CommandKind> = new Set(['ask', 'pause', 'resume', 'learn', 'learnings', 'forget', 'answer']);

/** A job of the conversation runner; every other job (pull request events, Re-run, `/review`, `full`, `describe`, `help`) is a review. */
export function isConversationJob(job: Pick<ReviewJob, 'command'>): boolean {
  return job.command !== undefined && CONVERSATION_COMMANDS.has(job.command.kind);
}

/** The queue's one handler: each job to the runner of its kind. */
export function dispatchJob(runners: { review: JobHandler; conversation: JobHandler }): JobHandler {
  return (job, control) => (isConversationJob(job) ? runners.conversation(job, control) : runners.review(job, control));
}

/**
 * The queue's give-up hook: a review job's check run is completed (jobs/give-up.ts); a conversation job has no
 * check run, so giving up on it is logged, and the person who asked can comment again.
 */
export function dispatchGiveUp(review: GiveUpHandler, log: Logger): GiveUpHandler {
  return async (job, reason) => {
    if (!isConversationJob(job)) return review(job, reason);
    log.warn({ repo: `${job.owner}/${job.repo}`, pr: job.pullNumber, command: job.command?.kind, reason: reason.kind }, 'gave up on a command job');
  };
}
