import type { Category } from '../review/types.js';
import type { EvalLabel } from './case-schema.js';
import type { CaseMatch } from './match-findings.js';

export interface CaseRun {
  caseId: string;
  kind: 'real' | 'planted' | 'clean';
  labels: EvalLabel[];
  match: CaseMatch;
  tokens: number;
  usd: number | undefined;
  wallMs: number;
  /** The review did not complete (a failure the check reported): counted as finding nothing. */
  failed: boolean;
}

export interface ModelScore {
  model: string;
  cases: number;
  labels: number;
  recall: number;
  /** Recall counting any finding on the label's lines, whatever its category. */
  recallOnLines: number;
  precision: number;
  f1: number;
  /** Clean cases with at least one finding, of all clean cases. */
  falsePositiveRate: number;
  perCategoryRecall: Partial<Record<Category, { found: number; labels: number }>>;
  tokensPerCase: number;
  usdPerCase: number | undefined;
  wallMsPerCase: number;
  failedCases: number;
}

const ratio = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

/**
 * Precision counts every finding of every case: a finding is correct when it matches a label of its case. A run
 * with no findings at all has precision 1 by convention only when there was nothing to find; otherwise 0.
 */
export function scoreRuns(model: string, runs: readonly CaseRun[]): ModelScore {
  let labels = 0;
  let found = 0;
  let onLines = 0;
  let findings = 0;
  let unmatched = 0;
  const perCategoryRecall: ModelScore['perCategoryRecall'] = {};
  for (const run of runs) {
    findings += run.match.findings;
    unmatched += run.match.unmatched;
    run.labels.forEach((label, index) => {
      labels += 1;
      const entry = (perCategoryRecall[label.category] ??= { found: 0, labels: 0 });
      entry.labels += 1;
      if (run.match.found[index]) {
        found += 1;
        entry.found += 1;
      }
      if (run.match.foundOnLines[index]) onLines += 1;
    });
  }
  const recall = ratio(found, labels);
  const precision = findings === 0 ? (labels === 0 ? 1 : 0) : ratio(findings - unmatched, findings);
  const clean = runs.filter((run) => run.kind === 'clean');
  const costs = runs.map((run) => run.usd);
  return {
    model,
    cases: runs.length,
    labels,
    recall,
    recallOnLines: ratio(onLines, labels),
    precision,
    f1: recall + precision === 0 ? 0 : (2 * recall * precision) / (recall + precision),
    falsePositiveRate: ratio(clean.filter((run) => run.match.findings > 0).length, clean.length),
    perCategoryRecall,
    tokensPerCase: ratio(runs.reduce((sum, run) => sum + run.tokens, 0), runs.length),
    usdPerCase: costs.some((usd) => usd === undefined) ? undefined : ratio(costs.reduce<number>((sum, usd) => sum + (usd ?? 0), 0), runs.length),
    wallMsPerCase: ratio(runs.reduce((sum, run) => sum + run.wallMs, 0), runs.length),
    failedCases: runs.filter((run) => run.failed).length,
  };
}
