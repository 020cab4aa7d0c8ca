import type { RepoConfig } from '../config/repo-config.js';
import type { ReviewThread } from '../ports/pull-request-host.js';
import { decideConclusion } from './decide-conclusion.js';
import { decideFindings } from './decide-findings.js';
import type { DecidedFindings } from './decide-findings.js';
import type { AnchoredFinding, ChecklistEntry, Conclusion, DiffFile, Finding, ReviewResult, SkippedFile } from './types.js';
import { unreviewedFiles } from './unreviewed-files.js';

export interface AssembleInput {
  headSha: string;
  /** The planned chunks, and the indexes of those whose model call failed. */
  chunks: readonly DiffFile[][];
  failed: readonly number[];
  /** The selected files, and what selection and planning left out. */
  files: readonly DiffFile[];
  skipped: readonly SkippedFile[];
  found: Finding[];
  threads: ReviewThread[];
  config: Pick<RepoConfig, 'review' | 'check'>;
  summary: string;
  checklist: ChecklistEntry[];
  invalid: number;
  agent: { name: string; source: string };
  model: string;
  /** Files the pull request changes (GitHub's count) and how many GitHub listed (at most 3,000). */
  changedFiles: number;
  listed: number;
}

export interface AssembledReview {
  result: ReviewResult;
  conclusion: Exclude<Conclusion, 'skipped'>;
  /** Files left out (budget, file limit, failed calls, no usable diff) or never listed: the check must not pass. */
  partial: boolean;
  unlisted: number;
  failedFiles: number;
  fingerprints: Map<AnchoredFinding, string>;
  repeats: DecidedFindings['repeats'];
  stale: ReviewThread[];
}

/** What the review says, from the chunks' answers: what was reviewed, the findings decided, and the conclusion. */
export function assembleReview(input: AssembleInput): AssembledReview {
  const failedFiles: SkippedFile[] = input.failed.flatMap((index) => (input.chunks[index] ?? []).map((file) => ({ path: file.path, reason: 'review-failed' as const })));
  // Sets, not array scans: with 3,000 files the scans were 9 million comparisons.
  const failedPaths = new Set(failedFiles.map((failed) => failed.path));
  const reviewedPaths = input.chunks.flat().map((file) => file.path).filter((path) => !failedPaths.has(path));
  const reviewedSet = new Set(reviewedPaths);
  const reviewedFiles = input.files.filter((file) => reviewedSet.has(file.path));
  const decided = decideFindings(input.found, reviewedFiles, input.config, input.threads);
  const result: ReviewResult = {
    headSha: input.headSha,
    summary: input.summary,
    checklist: input.checklist,
    inline: decided.inline,
    overflow: decided.overflow,
    unanchored: decided.unanchored,
    belowThreshold: decided.below,
    invalidFindings: input.invalid,
    reviewedFiles: reviewedPaths,
    skipped: [...input.skipped, ...failedFiles],
    agent: input.agent,
    model: input.model,
  };
  // GitHub lists at most 3,000 files of a pull request (listFiles stops there): what was never seen.
  const unlisted = Math.max(0, input.changedFiles - input.listed);
  const partial = unreviewedFiles(result.skipped).length > 0 || unlisted > 0;
  const { blocking, fail_on: failOn } = input.config.check;
  const conclusion = decideConclusion([...result.inline, ...result.overflow, ...result.unanchored], { blocking, failOn, partial });
  return { result, conclusion, partial, unlisted, failedFiles: failedFiles.length, fingerprints: decided.fingerprints, repeats: decided.repeats, stale: decided.stale };
}
