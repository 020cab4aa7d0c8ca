import type { DiffFile, Finding, ReviewResult } from '../review/types.js';
import type { Learning } from './learning-snapshot.js';
import type { Rejections } from './rejected-findings.js';
import { suppressRejected } from './suppress-rejected.js';
import type { SuppressedFinding } from './suppress-rejected.js';

/** What one review applies of what the repository's team taught Bulwark (src/learning/with-learnings.ts). */
export interface AppliedLearning {
  /** In the system prompt, newest first. */
  learnings: Learning[];
  rejections: Rejections;
}

/** What the check run says learning did to a review: the learnings in its prompt, and the findings not posted. */
export interface LearningReport {
  applied: Pick<Learning, 'id' | 'text' | 'by' | 'sourceUrl'>[];
  suppressed: SuppressedFinding[];
  rejectAfter: number;
}

/**
 * Right after verification: the findings the team rejected before (or whose rule it rejected) are left out, and
 * what was applied is reported. Without learning (`learning.enabled: false`, or nothing could be read) the
 * findings pass as they are.
 */
export function applyLearning<T extends { findings: Finding[] }>(verified: T, learning: AppliedLearning | undefined, files: readonly DiffFile[]): T & { learning?: LearningReport } {
  if (!learning) return verified;
  const { kept, suppressed } = suppressRejected(verified.findings, files, learning.rejections);
  const applied = learning.learnings.map(({ id, text, by, sourceUrl }) => ({ id, text, by, sourceUrl }));
  return { ...verified, findings: kept, learning: { applied, suppressed, rejectAfter: learning.rejections.rejectAfter } };
}

/** The review's result with what learning did (unchanged when it applied nothing). */
export function withLearning<T extends { result: ReviewResult }>(outcome: T, verified: { learning?: LearningReport }): T {
  const report = verified.learning;
  if (!report || (report.applied.length === 0 && report.suppressed.length === 0)) return outcome;
  return { ...outcome, result: { ...outcome.result, learning: report } };
}
