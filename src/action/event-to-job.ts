import { z } from 'zod';
import { MAY_HAVE_WRITE } from '../handlers/on-issue-comment.js';
import { parseCommand } from '../handlers/parse-command.js';
import type { CommandKind, ReviewJob } from '../ports/job-queue.js';
import { pullRequestRun } from '../ports/pull-request-run.js';

/**
 * A workflow token belongs to no App installation; the job id and the review's marker still carry an installation
 * id, and every run of the Action uses this one, so its runs find each other's check runs and reviews.
 */
export const ACTION_INSTALLATION_ID = 0;

/** Commands the Action runs: the reviews (the conversation's commands need the App's conversation runner). */
const ACTION_COMMANDS: ReadonlySet<CommandKind> = new Set(['review', 'full', 'help', 'describe']);

/** The `pull_request` actions that start a review, as the App's handler takes them (review.on decides in the job). */
const PULL_REQUEST_ACTIONS = ['opened', 'reopened', 'ready_for_review', 'synchronize'] as const;

const repository = z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) });

const pullRequestEvent = z.object({
  action: z.string(),
  repository,
  pull_request: z.object({ number: z.number().int().positive(), state: z.string(), head: z.object({ sha: z.string().min(1) }) }),
});

const issueCommentEvent = z.object({
  action: z.string(),
  repository,
  issue: z.object({ number: z.number().int().positive(), pull_request: z.unknown().optional() }),
  comment: z.object({
    id: z.number().int().positive(),
    body: z.string().nullable(),
    author_association: z.string(),
    user: z.object({ login: z.string(), type: z.string().optional() }).nullable(),
  }),
  sender: z.object({ login: z.string(), type: z.string().optional() }),
});

export interface ActionRun {
  /** GITHUB_EVENT_NAME. */
  eventName: string;
  /** The parsed JSON of GITHUB_EVENT_PATH. */
  payload: unknown;
  /**
   * Stands for the App's delivery id: GITHUB_RUN_ID and GITHUB_RUN_ATTEMPT. Re-running the workflow is a new
   * delivery, as a redelivery is not: a `ready_for_review` run re-run by hand is reviewed again if no run settled it.
   */
  deliveryId: string;
}

export type EventMapping = { kind: 'job'; job: ReviewJob } | { kind: 'ignored'; reason: string };

/**
 * The event a workflow was started by, as the review job the App's handlers would queue for the same webhook
 * (src/handlers/on-pull-request.ts, on-issue-comment.ts): the job itself then reads the config, gates drafts and
 * bots, and checks a commenter's permission, exactly as in the App. `pull_request_target` carries the same payload
 * as `pull_request` (https://docs.github.com/en/actions/reference/events-that-trigger-workflows#pull_request_target).
 */
export function eventToJob(run: ActionRun): EventMapping {
  if (run.eventName === 'pull_request' || run.eventName === 'pull_request_target') return fromPullRequest(run);
  if (run.eventName === 'issue_comment') return fromIssueComment(run);
  return { kind: 'ignored', reason: `event ${run.eventName} does not start a review (pull_request, pull_request_target and issue_comment do)` };
}

function fromPullRequest(run: ActionRun): EventMapping {
  const parsed = pullRequestEvent.safeParse(run.payload);
  if (!parsed.success) return { kind: 'ignored', reason: `the ${run.eventName} payload has no pull request (${firstIssue(parsed.error)})` };
  const { action, repository: repo, pull_request: pr } = parsed.data;
  const known = PULL_REQUEST_ACTIONS.find((candidate) => candidate === action);
  if (!known) return { kind: 'ignored', reason: `pull request action ${action} does not start a review` };
  if (pr.state !== 'open') return { kind: 'ignored', reason: `pull request #${pr.number} is ${pr.state}` };
  return {
    kind: 'job',
    job: {
      installationId: ACTION_INSTALLATION_ID,
      owner: repo.owner.login,
      repo: repo.name,
      pullNumber: pr.number,
      headSha: pr.head.sha,
      trigger: known,
      full: known !== 'synchronize',
      deliveryId: run.deliveryId,
      run: pullRequestRun(known, run.deliveryId),
    },
  };
}

function fromIssueComment(run: ActionRun): EventMapping {
  const parsed = issueCommentEvent.safeParse(run.payload);
  if (!parsed.success) return { kind: 'ignored', reason: `the issue_comment payload is not a comment (${firstIssue(parsed.error)})` };
  const { action, repository: repo, issue, comment, sender } = parsed.data;
  if (action !== 'created') return { kind: 'ignored', reason: `comment action ${action} does not start a review` };
  if (issue.pull_request === undefined || issue.pull_request === null) return { kind: 'ignored', reason: `#${issue.number} is an issue, not a pull request` };
  if (comment.user?.type === 'Bot' || sender.type === 'Bot') return { kind: 'ignored', reason: 'comment by a bot' };
  const kind = parseCommand(comment.body ?? '')?.kind;
  if (!kind) return { kind: 'ignored', reason: 'the comment holds no /review command' };
  if (!ACTION_COMMANDS.has(kind)) return { kind: 'ignored', reason: `the ${kind} command is answered by the App, not the Action` };
  // As the App's handler: a commenter whose association cannot carry write permission is dropped from the payload
  // alone. Everyone else is checked by the job with the collaborator permission API before anything is spent.
  if (!MAY_HAVE_WRITE.has(comment.author_association)) {
    return { kind: 'ignored', reason: `/review from a commenter whose association (${comment.author_association}) cannot carry write permission` };
  }
  return {
    kind: 'job',
    job: {
      installationId: ACTION_INSTALLATION_ID,
      owner: repo.owner.login,
      repo: repo.name,
      pullNumber: issue.number,
      headSha: '',
      trigger: 'command',
      full: kind === 'full',
      deliveryId: run.deliveryId,
      run: `comment-${comment.id}`,
      requestedBy: comment.user?.login ?? sender.login,
      command: { kind, commentId: comment.id },
    },
  };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'payload'}: ${issue.message}` : 'invalid';
}
