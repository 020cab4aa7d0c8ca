import { describe, expect, it } from 'vitest';
import { applyThreshold, capComments, dedupeFindings, rankFindings } from '../../src/review/rank-findings.js';
import type { Category, Finding, Severity } from '../../src/review/types.js';
import { buildAnchored, buildFinding } from '../helpers/build-finding.js';

const finding = buildFinding;
const anchored = buildAnchored;

const label = (f: Finding) => `${f.category}/${f.severity}/${f.path}:${f.line}`;

describe('rankFindings', () => {
  it('orders by category priority first', () => {
    const categories: Category[] = ['maintainability', 'tests', 'api-design', 'data-integrity', 'performance', 'security', 'reliability'];
    const ranked = rankFindings(categories.map((category) => finding({ category })));

    expect(ranked.map((f) => f.category)).toEqual(['reliability', 'security', 'performance', 'data-integrity', 'api-design', 'tests', 'maintainability']);
  });

  it('orders by severity within a category, critical first', () => {
    const severities: Severity[] = ['low', 'critical', 'medium', 'high'];
    const ranked = rankFindings(severities.map((severity) => finding({ severity })));

    expect(ranked.map((f) => f.severity)).toEqual(['critical', 'high', 'medium', 'low']);
  });

  it('puts category before severity (a low reliability finding outranks a critical maintainability one)', () => {
    const ranked = rankFindings([finding({ category: 'maintainability', severity: 'critical' }), finding({ category: 'reliability', severity: 'low' })]);

    expect(ranked.map(label)).toEqual(['reliability/low/src/a.ts:1', 'maintainability/critical/src/a.ts:1']);
  });

  it('breaks ties by path, then line, whatever the input order', () => {
    const input = [finding({ path: 'src/b.ts', line: 3 }), finding({ path: 'src/a.ts', line: 10 }), finding({ path: 'src/a.ts', line: 2 }), finding({ path: 'src/B.ts', line: 1 })];
    const expected = ['src/B.ts:1', 'src/a.ts:2', 'src/a.ts:10', 'src/b.ts:3'];

    expect(rankFindings(input).map((f) => `${f.path}:${f.line}`)).toEqual(expected);
    expect(rankFindings([...input].reverse()).map((f) => `${f.path}:${f.line}`)).toEqual(expected);
  });

  it('returns a new array and leaves the input alone', () => {
    const input = [finding({ severity: 'low' }), finding({ severity: 'high' })];
    const ranked = rankFindings(input);

    expect(ranked).not.toBe(input);
    expect(input.map((f) => f.severity)).toEqual(['low', 'high']);
  });
});

describe('applyThreshold', () => {
  const all = (['critical', 'high', 'medium', 'low'] as const).map((severity) => finding({ severity }));

  it.each([
    ['low', ['critical', 'high', 'medium', 'low'], 0],
    ['medium', ['critical', 'high', 'medium'], 1],
    ['high', ['critical', 'high'], 2],
    ['critical', ['critical'], 3],
  ] as const)('min %s keeps %j and counts %i below', (min, kept, below) => {
    const result = applyThreshold(all, min);

    expect(result.kept.map((f) => f.severity)).toEqual(kept);
    expect(result.below).toBe(below);
  });
});

describe('capComments', () => {
  const findings = [
    anchored({ category: 'tests', line: 1 }),
    anchored({ category: 'security', severity: 'critical', line: 2 }),
    anchored({ category: 'reliability', line: 3 }),
    anchored({ category: 'performance', line: 4 }),
  ];

  it('posts the most important findings inline and ranks the overflow', () => {
    const { inline, overflow } = capComments(findings, 2);

    expect(inline.map((f) => f.line)).toEqual([3, 2]);
    expect(overflow.map((f) => f.line)).toEqual([4, 1]);
  });

  it('chooses inline findings by severity, so low-severity notes never push a critical one into the body', () => {
    const notes = [1, 2, 3].map((line) => anchored({ category: 'reliability', severity: 'low', line }));
    const critical = anchored({ category: 'maintainability', severity: 'critical', line: 9 });

    const { inline, overflow } = capComments([...notes, critical], 2);

    expect(inline).toContain(critical);
    expect(inline.map((f) => f.line)).toEqual([1, 9]);
    expect(overflow.map((f) => f.line)).toEqual([2, 3]);
  });

  it.each([
    [10, 4, 0],
    [4, 4, 0],
    [0, 0, 4],
    [-1, 0, 4],
    [Number.NaN, 0, 4],
    [2.7, 2, 2],
  ])('with max %d keeps %i inline and %i overflow', (max, inlineCount, overflowCount) => {
    const { inline, overflow } = capComments(findings, max);

    expect([inline.length, overflow.length]).toEqual([inlineCount, overflowCount]);
  });
});

describe('dedupeFindings', () => {
  it('removes a finding reported twice on the same line, keeping the first place', () => {
    const deduped = dedupeFindings([
      finding({ line: 5, title: 'Missing await' }),
      finding({ line: 9, title: 'Other' }),
      finding({ line: 5, title: '  missing   AWAIT ', body: 'Reworded body.' }),
    ]);

    expect(deduped.map((f) => [f.line, f.title])).toEqual([
      [5, 'Missing await'],
      [9, 'Other'],
    ]);
  });

  it('keeps the more severe of two duplicates, at the place of the first', () => {
    const deduped = dedupeFindings([finding({ line: 5, severity: 'low' }), finding({ line: 7, title: 'x' }), finding({ line: 5, severity: 'high' })]);

    expect(deduped.map((f) => [f.line, f.severity])).toEqual([
      [5, 'high'],
      [7, 'medium'],
    ]);
  });

  it.each([
    ['another line', { line: 6 }],
    ['another file', { path: 'src/b.ts' }],
    ['another category', { category: 'security' as const }],
    ['another rule', { rule: 'no-floating-promise' }],
    ['another title', { title: 'Something else' }],
    ['another side', { side: 'LEFT' as const }],
  ])('keeps findings that differ by %s', (_label, overrides) => {
    expect(dedupeFindings([finding({ line: 5 }), finding({ line: 5, ...overrides })])).toHaveLength(2);
  });

  it('uses the line text when given: same line, different code cannot happen, same code on two lines stays two', () => {
    const text = (f: Finding) => (f.line === 5 || f.line === 8 ? 'await db.query(sql);' : undefined);

    expect(dedupeFindings([finding({ line: 5 }), finding({ line: 8 })], text)).toHaveLength(2);
    expect(dedupeFindings([finding({ line: 5 }), finding({ line: 5 })], text)).toHaveLength(1);
  });
});

describe('capComments with an inline minimum severity', () => {
  const at = (line: number, severity: 'high' | 'medium' | 'low') => ({ path: 'a.ts', line, side: 'RIGHT' as const, severity, category: 'reliability' as const, title: `T${line}`, body: 'B' });

  it('keeps findings below it out of the inline comments, marked to be listed in the body', () => {
    const { inline, overflow } = capComments([at(1, 'low'), at(2, 'medium'), at(3, 'high')], 10, 'medium');
    expect(inline.map((finding) => finding.line)).toEqual([3, 2]);
    expect(overflow).toEqual([expect.objectContaining({ line: 1, belowInline: true })]);
  });
});
