import { describe, expect, it } from 'vitest';
import { dropUnknownRules, knownRuleIds } from '../../src/review/known-rule-ids.js';
import { mergeRootCauses } from '../../src/review/merge-root-causes.js';
import type { AnchoredFinding } from '../../src/review/types.js';

const at = (line: number, overrides: Partial<AnchoredFinding> = {}): AnchoredFinding => ({
  path: 'src/a.ts',
  line,
  side: 'RIGHT',
  severity: 'medium',
  category: 'security',
  title: `Finding at ${line}`,
  body: 'Body.',
  ...overrides,
});

describe('one comment per root cause', () => {
  it('merges findings of the same category on overlapping or adjacent lines of one file, whatever their titles', () => {
    const { findings, merged } = mergeRootCauses([at(12, { title: 'SQL injection' }), at(13, { title: 'Unescaped id', severity: 'high' }), at(10, { startLine: 8, title: 'Query built from input' })]);
    expect(merged).toBe(1);
    expect(findings.map((finding) => finding.title)).toEqual(['Unescaped id', 'Query built from input']);
  });

  it('merges findings of the same rule across categories', () => {
    expect(mergeRootCauses([at(5, { rule: 'SEC-INPUT-1' }), at(5, { rule: 'SEC-INPUT-1', category: 'data-integrity' })]).merged).toBe(1);
  });

  it('keeps apart findings on distant lines, other files, other sides and other kinds', () => {
    const { merged } = mergeRootCauses([at(5), at(7), at(5, { path: 'src/b.ts' }), at(5, { side: 'LEFT' }), at(5, { category: 'performance' })]);
    expect(merged).toBe(0);
  });

  it('keeps the more confident of two findings of equal severity', () => {
    const { findings } = mergeRootCauses([at(5, { confidence: 0.4, title: 'Weak' }), at(5, { confidence: 0.9, title: 'Strong' })]);
    expect(findings.map((finding) => finding.title)).toEqual(['Strong']);
  });
});

describe('rule ids', () => {
  const known = knownRuleIds({ instructions: 'Cite ids like BE-RES-2.', skills: [{ name: 'security', body: '- **SEC-INPUT-1** - validate input.\n- **API-7** - version it.' }] });

  it('reads the ids the agent and its skills define', () => {
    expect([...known].sort()).toEqual(['API-7', 'BE-RES-2', 'SEC-INPUT-1']);
  });

  it('drops an unknown id from the finding and keeps the finding', () => {
    const { findings, dropped } = dropUnknownRules([at(1, { rule: 'SEC-INPUT-1' }), at(2, { rule: 'SEC-MADE-UP-9' }), at(3)], known);
    expect(dropped).toBe(1);
    expect(findings.map((finding) => finding.rule)).toEqual(['SEC-INPUT-1', undefined, undefined]);
    expect(findings).toHaveLength(3);
  });
});
