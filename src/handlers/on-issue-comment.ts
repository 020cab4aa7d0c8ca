import type { Context } from 'probot';
import type { JobQueue, ReviewJob } from '../ports/job-queue.js';
import { parseCommand } from './parse-command.js';

/**
 * Commenters who can have write permission, by the comment's `author_association`
 * (https://docs.github.com/en/graphql/reference/enums#commentauthorassociation): the owner, members of the owning
 * organisation, and collaborators. Contributors, first-timers and anyone else cannot.
 */
export const MAY_HAVE_WRITE: ReadonlySet<string> = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/** The parts of GitHub's `issue_comment` payload a command job is made of (the App's webhook and the Action's event file). */
export interface IssueCommentEvent {
  repository: { name: string; owner: { login: string } };
  issue: { number: number; pull_request?: unknown };
  comment: { id: number; body: string | null; author_association: string; user: { login: string; type?: string | undefined } | null };
  sender: { login: string; type?: string | undefined };
}

/** A webhook's job, or why it starts none. */
export type CommentJob = { kind: 'job'; job: ReviewJob } | { kind: 'ignored'; reason: string };

/**
 * The job a `/review` command on a PR conversation starts (parse-command.ts lists them), from the payload alone:
 * the App's handler and the Action decide it here alike. No text of the comment goes into the job. The job checks
 * the commenter's permission (write, maintain or admin) before any reaction, reply or model call. A commenter who
 * cannot have write permission is dropped here: each of their commands would otherwise cost a job, a permission
 * lookup and a listing of the pull request's comments (the issue's item 7).
 */
export function issueCommentJob(event: IssueCommentEvent, installationId: number, deliveryId: string): CommentJob {
  const { repository, issue, comment, sender } = event;
  if (issue.pull_request === undefined || issue.pull_request === null) return { kind: 'ignored', reason: `#${issue.number} is an issue, not a pull request` };
  if (comment.user?.type === 'Bot' || sender.type === 'Bot') return { kind: 'ignored', reason: 'comment by a bot' };
  const kind = parseCommand(comment.body ?? '')?.kind;
  if (!kind) return { kind: 'ignored', reason: 'the comment holds no /review command' };
  // `/ask` belongs in a review thread (on-review-comment.ts); on the conversation it is `/review ask`.
  if (kind === 'answer') return { kind: 'ignored', reason: '/ask on the conversation: it is asked in a review thread, or as /review ask' };
  if (!MAY_HAVE_WRITE.has(comment.author_association)) {
    return { kind: 'ignored', reason: `/review from a commenter whose association (${comment.author_association}) cannot carry write permission` };
  }
  return {
    kind: 'job',
    job: {
      installationId,
      owner: repository.owner.login,
      repo: repository.name,
      pullNumber: issue.number,
      headSha: '',
      trigger: 'command',
      full: kind === 'full',
      deliveryId,
      run: `comment-${comment.id}`,
      requestedBy: comment.user?.login ?? sender.login,
      command: { kind, commentId: comment.id },
    },
  };
}

/**
 * `/review` commands on PR conversations. Like PR events, the handler only queues (issueCommentJob decides from the
 * payload). Repeated commands of one person on one pull request while one is queued are one job (coalesceKey).
 */
export function onIssueComment(queue: JobQueue) {
  return async (context: Context<'issue_comment.created'>): Promise<void> => {
    const installationId = context.payload.installation?.id;
    if (installationId === undefined) return;
    const mapped = issueCommentJob(context.payload, installationId, context.id);
    if (mapped.kind === 'ignored') return context.log.debug({ reason: mapped.reason }, 'comment ignored');
    const result = await queue.enqueue(mapped.job);
    context.log.info({ jobId: result.jobId, queued: result.queued, command: mapped.job.command?.kind }, 'command received');
  };
}
