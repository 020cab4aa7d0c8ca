import type { ReviewTrigger } from './job-queue.js';

type PullRequestAction = Extract<ReviewTrigger, 'opened' | 'reopened' | 'ready_for_review' | 'synchronize' | 'base_changed'>;

const FOLLOW_UP_PREFIX = { ready_for_review: 'ready-', reopened: 'reopened-' } as const;

/**
 * The run (ReviewJob.run, part of the job id and of the review's marker) a pull_request event starts.
 *
 * `opened` and `synchronize` are the first look at a head: one run, `auto`, whatever the delivery, so duplicate
 * events of a head collapse into one job. `ready_for_review` and `reopened` come back to a head an earlier run may
 * have skipped (a draft, a closed pull request): each delivery is its own run, so neither the queue (which keeps a
 * finished job's id for an hour) nor the finished check run of the skipped run can swallow it. A redelivery keeps
 * its delivery id (X-GitHub-Delivery), so it is still the same run and collapses.
 */
export function pullRequestRun(action: PullRequestAction, deliveryId: string): string {
  if (action === 'opened' || action === 'synchronize') return 'auto';
  // A retargeted pull request (`pull_request.edited` with `changes.base`) is reviewed again whatever earlier runs
  // settled: the diff against the new base is another diff. It is a run of its own per delivery, like a follow-up.
  const prefix = action === 'base_changed' ? 'base-' : FOLLOW_UP_PREFIX[action];
  // Job ids are split on '/' (and BullMQ refuses ':'): a delivery id keeps to letters, digits and dashes.
  return `${prefix}${deliveryId.replace(/[^A-Za-z0-9-]/g, '-')}`;
}

/** Whether a run came back to a head (ready_for_review, reopened): it reviews only a head no earlier run settled. */
export function isFollowUpRun(run: string): boolean {
  return Object.values(FOLLOW_UP_PREFIX).some((prefix) => run.startsWith(prefix));
}
