import { describe, expect, it } from 'vitest';
import { renderCheckOutput } from '../../src/render/render-check.js';
import { decideConclusion } from '../../src/review/decide-conclusion.js';
import { unreviewedFiles } from '../../src/review/unreviewed-files.js';
import { selectFiles } from '../../src/review/select-files.js';
import type { ChangedFile, ReviewResult, SkippedFile, SkipReason } from '../../src/review/types.js';

const skipped = (reason: SkipReason, count = 1): SkippedFile[] => Array.from({ length: count }, (_, index) => ({ path: `src/${reason}-${index}.ts`, reason }));

function result(overrides: Partial<ReviewResult> = {}): ReviewResult {
  return {
    headSha: 'abc123',
    summary: 'Adds handlers.',
    checklist: [],
    inline: [],
    overflow: [],
    unanchored: [],
    belowThreshold: 0,
    invalidFindings: 0,
    reviewedFiles: Array.from({ length: 66 }, (_, index) => `src/h${index}.ts`),
    skipped: skipped('over-budget', 2934),
    agent: { name: 'backend-specialist', source: 'bundled' },
    model: 'claude-sonnet-test',
    ...overrides,
  };
}

describe('unreviewedFiles', () => {
  it('counts files left out (budget, file limit, failed calls, no usable diff) and not files skipped on purpose', () => {
    const all = [
      ...skipped('over-budget'),
      ...skipped('over-file-limit'),
      ...skipped('review-failed'),
      ...skipped('unparseable-patch'),
      ...skipped('diff-too-large'),
      ...skipped('removed'),
      ...skipped('no-patch'),
      ...skipped('lockfile'),
      ...skipped('generated'),
      ...skipped('vendored'),
      ...skipped('excluded-by-config'),
    ];

    expect(unreviewedFiles(all).map((file) => file.reason)).toEqual(['over-budget', 'over-file-limit', 'review-failed', 'unparseable-patch', 'diff-too-large']);
  });
});

describe('selectFiles: a text file GitHub gives no diff for', () => {
  const noPatch = (path: string, overrides: Partial<ChangedFile> = {}): ChangedFile => ({ path, status: 'modified', additions: 4000, deletions: 12, ...overrides });
  const reason = (changed: ChangedFile, exclude: string[] = []) => selectFiles([changed], { include: ['**'], exclude }).skipped[0]?.reason;

  it('is too large to diff (not reviewed) when lines changed, and stays a deliberate skip when it is binary, a lock file, generated or excluded', () => {
    expect(reason(noPatch('src/server/routes/orders.ts'))).toBe('diff-too-large');
    expect(reason(noPatch('assets/logo.png', { additions: 0, deletions: 0 }))).toBe('no-patch');
    expect(reason(noPatch('package-lock.json'))).toBe('no-patch');
    expect(reason(noPatch('dist/bundle.js'))).toBe('no-patch');
    expect(reason(noPatch('docs/big.md'), ['docs/**'])).toBe('no-patch');
  });
});

describe('decideConclusion of a partial review', () => {
  it('is never success: neutral, or failure when the check is blocking', () => {
    expect(decideConclusion([], { blocking: false, failOn: 'high', partial: true })).toBe('neutral');
    expect(decideConclusion([], { blocking: true, failOn: 'high', partial: true })).toBe('failure');
    expect(decideConclusion([], { blocking: true, failOn: 'high', partial: false })).toBe('success');
  });
});

describe('renderCheckOutput of a partial review', () => {
  it('titles it partial with how much was reviewed, and says how to get the rest reviewed', () => {
    const output = renderCheckOutput(result(), 'neutral');

    expect(output.title).toBe('Partial review: 66 of 3,000 files reviewed · No issues found');
    expect(output.summary).not.toMatch(/^\*\*No issues found/);
    expect(output.summary).toContain('**Partial review: 66 of 3,000 files reviewed; no issues found in them.**');
    expect(output.summary).toMatch(/2,934 file\(s\) did not fit the review size budget.*`budget\.max_input_tokens`/);
  });

  it('counts files GitHub did not list, and says each reason’s remedy', () => {
    const output = renderCheckOutput(
      result({ reviewedFiles: ['a.ts'], skipped: [...skipped('review-failed'), ...skipped('diff-too-large'), ...skipped('lockfile')] }),
      'neutral',
      { unlisted: 50 },
    );

    expect(output.title).toBe('Partial review: 1 of 54 files reviewed · No issues found');
    expect(output.summary).toMatch(/50 file\(s\) beyond the 3,000 GitHub lists.*split/i);
    expect(output.summary).toMatch(/1 file\(s\) whose model call failed.*Re-run/);
    expect(output.summary).toMatch(/1 file\(s\) GitHub shows no diff for/);
  });

  it('keeps the title of a complete review as it was', () => {
    expect(renderCheckOutput(result({ skipped: skipped('lockfile', 3) }), 'success').title).toBe('No issues found');
  });
});
