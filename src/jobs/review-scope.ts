import type { ReviewJob } from '../ports/job-queue.js';
import type { PullRequestHost, PullRequestRef } from '../ports/pull-request-host.js';
import { parseMarkers } from '../render/markers.js';
import type { ChangedFile } from '../review/types.js';

export interface ReviewScope {
  mode: 'full' | 'incremental' | 'unchanged';
  /** Paths to review; undefined = every file of the PR. */
  paths: Set<string> | undefined;
  /** What the check summary says about the scope. */
  note: string | undefined;
}

/**
 * What to review. A new push (or `/review`) after an earlier review looks only at files changed since the last
 * reviewed sha — but only those that are also part of the PR's own base...head diff, so upstream code merged in
 * from the base branch is never reviewed as the PR's. A force-push (history rewritten), a missing sha, GitHub
 * listing only part of the comparison, or `/review full` fall back to everything.
 */
export async function findReviewScope(
  host: PullRequestHost,
  ref: PullRequestRef,
  job: ReviewJob,
  files: ChangedFile[],
  earlierReviews: string[],
): Promise<ReviewScope> {
  const full: ReviewScope = { mode: 'full', paths: undefined, note: undefined };
  if (job.full) return full;
  const last = lastReviewedHead(earlierReviews);
  if (!last) return full;
  if (last === job.headSha) {
    return { mode: 'unchanged', paths: undefined, note: `Bulwark already reviewed \`${last.slice(0, 7)}\` and nothing changed since. Comment \`/review full\` to review everything again.` };
  }
  const comparison = await host.compareCommits(ref, last, job.headSha);
  if (comparison.status === 'identical') {
    return { mode: 'unchanged', paths: undefined, note: `Nothing changed since the last review of \`${last.slice(0, 7)}\`.` };
  }
  if (comparison.status !== 'ahead' || comparison.truncated) {
    const why = comparison.truncated ? 'too many files changed since the last review to compare' : 'the history since the last review was rewritten (force-push) or is gone';
    return { ...full, note: `Full review: ${why}.` };
  }
  const inPullRequest = new Set(files.map((file) => file.path));
  const changed = comparison.files.filter((path) => inPullRequest.has(path));
  const upstream = comparison.files.length - changed.length;
  return {
    mode: 'incremental',
    paths: new Set(changed),
    note: `Incremental review: ${changed.length} file(s) of this pull request changed since \`${last.slice(0, 7)}\`${upstream ? `; ${upstream} file(s) changed only by merging the base branch were not reviewed` : ''}. Comment \`/review full\` to review everything.`,
  };
}

/** The head sha in the newest review Bulwark posted on this PR. */
export function lastReviewedHead(reviewBodies: string[]): string | undefined {
  for (const body of [...reviewBodies].reverse()) {
    const marker = parseMarkers(body).find((found) => found.kind === 'review');
    if (marker?.kind === 'review') return marker.data.head;
  }
  return undefined;
}
