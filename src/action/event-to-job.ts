import { z } from 'zod';
import { issueCommentJob } from '../handlers/on-issue-comment.js';
import type { CommentJob } from '../handlers/on-issue-comment.js';
import { reviewReplyJob } from '../handlers/on-review-comment.js';
import { pullRequestRun } from '../ports/pull-request-run.js';

/**
 * A workflow token belongs to no App installation; the job id and the review's marker still carry an installation
 * id, and every run of the Action uses this one, so its runs find each other's check runs and reviews.
 */
export const ACTION_INSTALLATION_ID = 0;

/** The `pull_request` actions that start a review, as the App's handler takes them (review.on decides in the job). */
const PULL_REQUEST_ACTIONS = ['opened', 'reopened', 'ready_for_review', 'synchronize'] as const;

const repository = z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) });
const user = z.object({ login: z.string(), type: z.string().optional() });

const pullRequestEvent = z.object({
  action: z.string(),
  repository,
  pull_request: z.object({ number: z.number().int().positive(), state: z.string(), head: z.object({ sha: z.string().min(1) }) }),
});

const issueCommentEvent = z.object({
  action: z.string(),
  repository,
  issue: z.object({ number: z.number().int().positive(), pull_request: z.unknown().optional() }),
  comment: z.object({ id: z.number().int().positive(), body: z.string().nullable(), author_association: z.string(), user: user.nullable() }),
  sender: user,
});

const reviewCommentEvent = z.object({
  action: z.string(),
  repository,
  pull_request: z.object({ number: z.number().int().positive() }),
  comment: z.object({
    id: z.number().int().positive(),
    body: z.string(),
    // Absent (or null) on a comment that starts a thread.
    in_reply_to_id: z
      .number()
      .int()
      .positive()
      .nullish()
      .transform((id) => id ?? undefined),
    author_association: z.string(),
    user: user.nullable(),
  }),
  sender: user,
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
  /**
   * The slug of the App whose token the Action runs with (`app_slug`; `github-actions` for the workflow token): a
   * reply in a review thread that mentions `@<slug>` asks Bulwark something, as one starting with `/ask` does.
   */
  appSlug: string;
}

export type EventMapping = CommentJob;

/**
 * The event a workflow was started by, as the job the App's handlers would queue for the same webhook
 * (src/handlers/on-pull-request.ts; on-issue-comment.ts and on-review-comment.ts decide a comment's job for both):
 * the job itself then reads the config, gates drafts and bots, and checks a commenter's permission, exactly as in
 * the App. `pull_request_target` carries the same payload as `pull_request`
 * (https://docs.github.com/en/actions/reference/events-that-trigger-workflows#pull_request_target); only `created`
 * comments start anything, as the App subscribes to no other.
 */
export function eventToJob(run: ActionRun): EventMapping {
  if (run.eventName === 'pull_request' || run.eventName === 'pull_request_target') return fromPullRequest(run);
  if (run.eventName === 'issue_comment') return fromIssueComment(run);
  if (run.eventName === 'pull_request_review_comment') return fromReviewComment(run);
  return {
    kind: 'ignored',
    reason: `event ${run.eventName} starts nothing (pull_request, pull_request_target, issue_comment and pull_request_review_comment do)`,
  };
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
  if (parsed.data.action !== 'created') return { kind: 'ignored', reason: `comment action ${parsed.data.action} starts nothing` };
  return issueCommentJob(parsed.data, ACTION_INSTALLATION_ID, run.deliveryId);
}

function fromReviewComment(run: ActionRun): EventMapping {
  const parsed = reviewCommentEvent.safeParse(run.payload);
  if (!parsed.success) return { kind: 'ignored', reason: `the pull_request_review_comment payload is not a review comment (${firstIssue(parsed.error)})` };
  if (parsed.data.action !== 'created') return { kind: 'ignored', reason: `review comment action ${parsed.data.action} starts nothing` };
  return reviewReplyJob(parsed.data, ACTION_INSTALLATION_ID, run.deliveryId, run.appSlug);
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'payload'}: ${issue.message}` : 'invalid';
}
