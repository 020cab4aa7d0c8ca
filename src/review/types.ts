import type { WalkthroughUpdate } from './walkthrough.js';

import type { LearningReport } from '../learning/applied-learning.js';

/**
 * The vocabulary of the review core. Everything here is plain data: no I/O, no SDK or Octokit types.
 */

export type Side = 'RIGHT' | 'LEFT';

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = [
  'reliability',
  'security',
  'performance',
  'data-integrity',
  'api-design',
  'tests',
  'maintainability',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** A file as the pull-request files API describes it, in our words. */
export interface ChangedFile {
  path: string;
  /** Set for renamed and copied files. */
  previousPath?: string;
  status: 'added' | 'removed' | 'modified' | 'renamed' | 'copied' | 'changed' | 'unchanged';
  additions: number;
  deletions: number;
  /** Unified-diff hunks without file headers; absent for binary files and very large diffs. */
  patch?: string;
}

export type DiffLineKind = 'add' | 'del' | 'context';

export interface DiffLine {
  kind: DiffLineKind;
  /** Line number in the base version (del and context lines). */
  oldLine?: number;
  /** Line number in the head version (add and context lines). */
  newLine?: number;
  /** The line's text without the leading '+', '-' or ' ' and without a trailing '\r'. */
  text: string;
  /**
   * An unchanged line of the head file shown around a hunk for context (widen-hunks.ts): in the prompt copy only,
   * never in GitHub's diff, so never an anchor.
   */
  widened?: true;
}

export interface Hunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** The `@@ … @@ section` header line. */
  header: string;
  lines: DiffLine[];
}

/** A reviewable file: its patch parsed into hunks. */
export interface DiffFile {
  path: string;
  previousPath?: string;
  status: ChangedFile['status'];
  additions: number;
  deletions: number;
  hunks: Hunk[];
}

export type SkipReason =
  | 'no-patch'
  | 'removed'
  | 'lockfile'
  | 'generated'
  | 'vendored'
  | 'excluded-by-config'
  | 'unparseable-patch'
  /** Lines changed, but GitHub's files API gives no patch (a diff too large to show): the change was not read. */
  | 'diff-too-large'
  | 'over-file-limit'
  | 'over-budget'
  | 'review-failed';

export interface SkippedFile {
  path: string;
  reason: SkipReason;
}

export interface ChecklistEntry {
  item: string;
  status: 'ok' | 'concern' | 'not-applicable';
  note: string;
}

/** A finding as the model returns it (validated), before anchoring. */
export interface Finding {
  path: string;
  line: number;
  end_line?: number | undefined;
  side?: Side | undefined;
  /**
   * The evidence: the lines the finding is about, verbatim from the diff, and the concrete failure. Required of
   * the model (findings-schema.ts); absent on findings Bulwark makes itself (secrets), which need no second look.
   */
  existing_code?: string | undefined;
  failure?: string | undefined;
  /** The model's confidence, 0–1. */
  confidence?: number | undefined;
  severity: Severity;
  category: Category;
  rule?: string | undefined;
  title: string;
  body: string;
  suggestion?: string | undefined;
  options?: string[] | undefined;
}

/** A finding whose lines are proven to be part of the PR's diff: safe to post inline. */
export interface AnchoredFinding extends Finding {
  side: Side;
  /** First line of a multi-line range (strictly before `line`), same hunk and side. */
  startLine?: number | undefined;
  /** Whether a line of the anchor was added or deleted by the pull request (not only context). */
  changed?: boolean | undefined;
  /** The head's text of the anchored RIGHT lines, for checking a suggestion against them; absent on LEFT. */
  anchoredCode?: string[] | undefined;
  /** `existing_code` was found elsewhere in the file's diff and the finding moved there. */
  reanchored?: boolean | undefined;
  /** Below `review.inline_min_severity`: listed in the review body (collapsed), never inline. */
  belowInline?: boolean | undefined;
}

export type UnanchoredReason =
  | 'unknown-file'
  | 'line-not-in-diff'
  | 'range-crosses-hunks'
  | 'range-reversed'
  /** `existing_code` is nowhere in the file's diff: the finding's premise cannot be shown on a line. */
  | 'quote-not-in-diff';

export interface UnanchoredFinding extends Finding {
  reason: UnanchoredReason;
}

export interface AnchorResult {
  anchored: AnchoredFinding[];
  unanchored: UnanchoredFinding[];
}

/** What the verification pass (verify-findings.ts) did to a review's findings. */
export interface VerificationSummary {
  /** Findings sent to be scored. */
  scored: number;
  /** review.min_score: findings scored below it were not posted. */
  minScore: number;
  /** Scored below minScore: not posted, listed in the check run's details. */
  dropped: { finding: Finding; score: number; reason: string }[];
  /** Why the verification call failed: the findings were posted unverified. */
  failed?: string | undefined;
}

/** Findings the review posts, after anchoring, threshold, ranking and the comment cap. */
export interface ReviewResult {
  /** The head sha that was reviewed; the review's commit_id. */
  headSha: string;
  summary: string;
  checklist: ChecklistEntry[];
  /** Posted as inline comments (already ranked and capped). */
  inline: AnchoredFinding[];
  /** Anchored, but over the comment cap: listed in the review body. */
  overflow: AnchoredFinding[];
  /** Could not be anchored to the diff: listed in the review body under their own heading. */
  unanchored: UnanchoredFinding[];
  /** Findings below the configured min_severity, not posted (counted only). */
  belowThreshold: number;
  /** Model findings that failed schema validation and were dropped (counted only). */
  invalidFindings: number;
  /** The verification pass; absent when it was off (review.verify: false) or there was nothing to verify. */
  verification?: VerificationSummary | undefined;
  /** What the team's learnings did (src/learning): applied to the prompt, findings not posted; absent when nothing. */
  learning?: LearningReport | undefined;
  /** This run's part of the walkthrough; absent when none was asked for (review.walkthrough, `/review describe`). */
  walkthrough?: WalkthroughUpdate | undefined;
  reviewedFiles: string[];
  skipped: SkippedFile[];
  agent: { name: string; source: string };
  model: string;
}

export type Conclusion = 'success' | 'neutral' | 'failure' | 'skipped';
