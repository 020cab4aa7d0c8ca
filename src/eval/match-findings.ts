import type { Category } from '../review/types.js';
import type { EvalLabel } from './case-schema.js';

/** Lines a finding may be off by and still be on the label's lines: models often point at the call, not the line before. */
export const LINE_TOLERANCE = 3;

/**
 * Categories that name the same bug from another angle: a transaction missing is data integrity or reliability,
 * an unbounded query performance or reliability, a breaking message format api design or reliability. Security
 * matches only security, so a security label is never "found" by a style remark.
 */
export const COMPATIBLE_CATEGORIES: Record<Category, readonly Category[]> = {
  security: ['security'],
  'data-integrity': ['data-integrity', 'reliability'],
  reliability: ['reliability', 'data-integrity', 'performance'],
  performance: ['performance', 'reliability'],
  'api-design': ['api-design', 'reliability', 'maintainability'],
  tests: ['tests'],
  maintainability: ['maintainability', 'reliability'],
};

export interface ScoredFinding {
  path: string;
  line: number;
  end_line?: number | undefined;
  category: Category;
}

/** Same file, and the finding's lines overlap the label's lines widened by LINE_TOLERANCE on each side. */
export function onLabelLines(finding: ScoredFinding, label: EvalLabel, tolerance = LINE_TOLERANCE): boolean {
  if (finding.path !== label.path) return false;
  const first = Math.min(finding.line, finding.end_line ?? finding.line);
  const last = Math.max(finding.line, finding.end_line ?? finding.line);
  return first <= label.lines[1] + tolerance && last >= label.lines[0] - tolerance;
}

/** The matching rule: on the label's lines and of a compatible category. */
export function matchesLabel(finding: ScoredFinding, label: EvalLabel, tolerance = LINE_TOLERANCE): boolean {
  return onLabelLines(finding, label, tolerance) && COMPATIBLE_CATEGORIES[label.category].includes(finding.category);
}

export interface CaseMatch {
  /** Per label: found by a matching finding. */
  found: boolean[];
  /** Per label: some finding on its lines, whatever the category. */
  foundOnLines: boolean[];
  /** Findings that match no label (they count against precision). */
  unmatched: number;
  findings: number;
}

export function matchCase(findings: readonly ScoredFinding[], labels: readonly EvalLabel[], tolerance = LINE_TOLERANCE): CaseMatch {
  return {
    found: labels.map((label) => findings.some((finding) => matchesLabel(finding, label, tolerance))),
    foundOnLines: labels.map((label) => findings.some((finding) => onLabelLines(finding, label, tolerance))),
    unmatched: findings.filter((finding) => !labels.some((label) => matchesLabel(finding, label, tolerance))).length,
    findings: findings.length,
  };
}
