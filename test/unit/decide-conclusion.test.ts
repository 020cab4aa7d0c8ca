import { describe, expect, it } from 'vitest';
import { decideConclusion, severityAtLeast } from '../../src/review/decide-conclusion.js';
import type { Finding, Severity } from '../../src/review/types.js';
import { buildFinding } from '../helpers/build-finding.js';

const finding = (severity: Severity): Finding => buildFinding({ severity });

describe('severityAtLeast', () => {
  it.each([
    ['critical', 'high', true],
    ['high', 'high', true],
    ['medium', 'high', false],
    ['low', 'critical', false],
    ['critical', 'low', true],
    ['low', 'low', true],
  ] as const)('%s ≥ %s is %s', (a, b, expected) => {
    expect(severityAtLeast(a, b)).toBe(expected);
  });
});

describe('decideConclusion', () => {
  it.each([
    ['no findings, blocking', [], true, 'high', 'success'],
    ['only findings below failOn, blocking', ['medium', 'low'], true, 'high', 'success'],
    ['a finding at failOn, blocking', ['low', 'high'], true, 'high', 'failure'],
    ['a finding above failOn, blocking', ['critical'], true, 'high', 'failure'],
    ['a finding at failOn, not blocking', ['high'], false, 'high', 'neutral'],
    ['only findings below failOn, not blocking', ['low'], false, 'medium', 'success'],
    ['failOn low catches everything', ['low'], true, 'low', 'failure'],
    ['failOn critical ignores high', ['high', 'high'], true, 'critical', 'success'],
  ] as const)('%s → %s', (_label, severities, blocking, failOn, expected) => {
    expect(decideConclusion(severities.map(finding), { blocking, failOn })).toBe(expected);
  });
});

describe('the conclusion counts only findings on lines the pull request changed', () => {
  const high = { path: 'a.ts', line: 3, side: 'RIGHT' as const, severity: 'high' as const, category: 'security' as const, title: 'T', body: 'B' };
  const policy = { blocking: true, failOn: 'high' as const };

  it('fails for a finding on an added or deleted line', () => {
    expect(decideConclusion([{ ...high, changed: true }], policy)).toBe('failure');
  });

  it('passes when the only high finding is on an unchanged context line', () => {
    expect(decideConclusion([{ ...high, changed: false }], policy)).toBe('success');
  });

  it('passes when the only high finding is not on a line of the diff', () => {
    expect(decideConclusion([{ ...high, reason: 'line-not-in-diff' as const }], policy)).toBe('success');
  });
});
