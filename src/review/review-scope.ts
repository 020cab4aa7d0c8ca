import type { Comparison } from '../ports/pull-request-host.js';
import { parseMarkers } from '../render/markers.js';

/** Why a review covers what it covers; src/render/render-notes.ts says it in the check summary. */
export type ScopeBasis =
  | { kind: 'first' }
  | { kind: 'asked-full' }
  | { kind: 'already-reviewed'; last: string }
  | { kind: 'identical'; last: string }
  | { kind: 'rewritten' }
  | { kind: 'too-many-changes' }
  | { kind: 'since'; last: string; changed: number; upstream: number };

export interface ReviewScope {
  mode: 'full' | 'incremental' | 'unchanged';
  /** Paths to review; undefined = every file of the PR. */
  paths: Set<string> | undefined;
  basis: ScopeBasis;
}

/**
 * What to review. A new push (or `/review`) after an earlier review looks only at files changed since the last
 * reviewed sha — but only those that are also part of the PR's own base...head diff, so upstream code merged in
 * from the base branch is never reviewed as the PR's. A force-push (history rewritten), a missing sha, GitHub
 * listing only part of the comparison, or `/review full` fall back to everything. `compare` is asked only when
 * there is an earlier head to compare with.
 */
export function scopeSince(last: string, prPaths: readonly string[], comparison: Comparison): ReviewScope {
  if (comparison.status === 'identical') return { mode: 'unchanged', paths: undefined, basis: { kind: 'identical', last } };
  if (comparison.status !== 'ahead' || comparison.truncated) {
    return { mode: 'full', paths: undefined, basis: { kind: comparison.truncated ? 'too-many-changes' : 'rewritten' } };
  }
  const inPullRequest = new Set(prPaths);
  const changed = comparison.files.filter((path) => inPullRequest.has(path));
  return { mode: 'incremental', paths: new Set(changed), basis: { kind: 'since', last, changed: changed.length, upstream: comparison.files.length - changed.length } };
}

/** The scope decided without a comparison, or undefined when only comparing `last` with the head can tell. */
export function scopeWithoutComparing(full: boolean, last: string | undefined, head: string): ReviewScope | undefined {
  if (full) return { mode: 'full', paths: undefined, basis: { kind: 'asked-full' } };
  if (!last) return { mode: 'full', paths: undefined, basis: { kind: 'first' } };
  if (last === head) return { mode: 'unchanged', paths: undefined, basis: { kind: 'already-reviewed', last } };
  return undefined;
}

/** The head sha in the newest review Bulwark posted on this PR. */
export function lastReviewedHead(reviewBodies: string[]): string | undefined {
  for (const body of [...reviewBodies].reverse()) {
    const marker = parseMarkers(body).find((found) => found.kind === 'review');
    if (marker?.kind === 'review') return marker.data.head;
  }
  return undefined;
}
