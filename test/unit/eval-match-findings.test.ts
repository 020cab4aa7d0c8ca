import { describe, expect, it } from 'vitest';
import type { EvalLabel } from '../../src/eval/case-schema.js';
import { LINE_TOLERANCE, matchCase, matchesLabel, onLabelLines } from '../../src/eval/match-findings.js';
import { scoreRuns } from '../../src/eval/score-runs.js';
import type { CaseRun } from '../../src/eval/score-runs.js';

const label: EvalLabel = { path: 'src/db.ts', lines: [20, 22], category: 'security', severity: 'critical', description: 'SQL injection', source: 'planted' };
const txLabel: EvalLabel = { path: 'src/billing.ts', lines: [10, 14], category: 'data-integrity', severity: 'high', description: 'no transaction', source: 'planted' };

describe('the matching rule', () => {
  it('finds a label from a finding on the same file whose lines overlap its range', () => {
    expect(matchesLabel({ path: 'src/db.ts', line: 21, category: 'security' }, label)).toBe(true);
    expect(matchesLabel({ path: 'src/db.ts', line: 15, end_line: 20, category: 'security' }, label)).toBe(true);
  });

  it(`allows ${LINE_TOLERANCE} lines either side, and no more`, () => {
    expect(matchesLabel({ path: 'src/db.ts', line: 20 - LINE_TOLERANCE, category: 'security' }, label)).toBe(true);
    expect(matchesLabel({ path: 'src/db.ts', line: 22 + LINE_TOLERANCE, category: 'security' }, label)).toBe(true);
    expect(matchesLabel({ path: 'src/db.ts', line: 20 - LINE_TOLERANCE - 1, category: 'security' }, label)).toBe(false);
    expect(matchesLabel({ path: 'src/db.ts', line: 23 + LINE_TOLERANCE, category: 'security' }, label)).toBe(false);
  });

  it('misses on another file, even on the same lines', () => {
    expect(matchesLabel({ path: 'src/other.ts', line: 21, category: 'security' }, label)).toBe(false);
  });

  it('needs a compatible category; "on the lines" does not', () => {
    const style = { path: 'src/db.ts', line: 21, category: 'maintainability' as const };
    expect(matchesLabel(style, label)).toBe(false);
    expect(onLabelLines(style, label)).toBe(true);
    expect(matchesLabel({ path: 'src/billing.ts', line: 12, category: 'reliability' }, txLabel)).toBe(true);
    expect(matchesLabel({ path: 'src/billing.ts', line: 12, category: 'security' }, txLabel)).toBe(false);
  });

  it('counts findings that match no label against precision', () => {
    const match = matchCase(
      [
        { path: 'src/db.ts', line: 21, category: 'security' },
        { path: 'src/db.ts', line: 21, category: 'maintainability' },
        { path: 'src/db.ts', line: 90, category: 'security' },
      ],
      [label, txLabel],
    );
    expect(match).toEqual({ found: [true, false], foundOnLines: [true, false], unmatched: 2, findings: 3 });
  });
});

const run = (overrides: Partial<CaseRun>): CaseRun => ({
  caseId: 'c',
  kind: 'planted',
  labels: [label],
  match: { found: [true], foundOnLines: [true], unmatched: 0, findings: 1 },
  tokens: 1000,
  usd: 0.01,
  wallMs: 2000,
  failed: false,
  ...overrides,
});

describe('scores', () => {
  it('a perfect run scores 1.0 recall, precision and F1', () => {
    const score = scoreRuns('m', [run({}), run({ kind: 'clean', labels: [], match: { found: [], foundOnLines: [], unmatched: 0, findings: 0 } })]);
    expect(score).toMatchObject({ recall: 1, precision: 1, f1: 1, falsePositiveRate: 0, recallOnLines: 1, cases: 2, labels: 1, tokensPerCase: 1000, usdPerCase: 0.01 });
    expect(score.perCategoryRecall).toEqual({ security: { found: 1, labels: 1 } });
  });

  it('an empty answer finds nothing', () => {
    const score = scoreRuns('m', [run({ match: { found: [false], foundOnLines: [false], unmatched: 0, findings: 0 } })]);
    expect(score).toMatchObject({ recall: 0, precision: 0, f1: 0 });
  });

  it('a finding on a clean case is a false positive', () => {
    const score = scoreRuns('m', [run({}), run({ kind: 'clean', labels: [], match: { found: [], foundOnLines: [], unmatched: 1, findings: 1 } })]);
    expect(score.falsePositiveRate).toBe(1);
    expect(score.precision).toBe(0.5);
    expect(score.f1).toBeCloseTo(2 / 3);
  });

  it('says the cost is unknown when a run has no price', () => {
    expect(scoreRuns('m', [run({ usd: undefined })]).usdPerCase).toBeUndefined();
  });
});
