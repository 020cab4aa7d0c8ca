import { describe, expect, it } from 'vitest';
import { anchorFindings } from '../../src/review/anchor-findings.js';
import { validateFindings } from '../../src/review/findings-schema.js';
import { parsePatch } from '../../src/review/parse-patch.js';
import type { DiffFile } from '../../src/review/types.js';

const raw = (overrides: Record<string, unknown>) => ({
  path: 'src/routes/users.ts',
  line: 3,
  existing_code: 'c',
  failure: 'An id from the request reaches the query.',
  confidence: 0.9,
  severity: 'high',
  category: 'security',
  title: 'Unchecked id',
  body: 'The id reaches the query unchecked.',
  ...overrides,
});

const USERS = parsePatch({ path: 'src/routes/users.ts', status: 'modified', additions: 1, deletions: 0, patch: '@@ -1,2 +1,3 @@\n a\n+b\n c' }) as DiffFile;

describe('findings with an impossible line', () => {
  it.each([
    ['line 0', { line: 0 }],
    ['a negative line', { line: -4 }],
    ['a fractional line', { line: 2.5 }],
    ['no line', { line: undefined }],
    ['a line that is not a number', { line: 'top' }],
  ])('keeps a finding with %s, as a file-level finding', (_label, overrides) => {
    const { findings, invalid } = validateFindings([raw(overrides)]);

    expect(invalid).toBe(0);
    expect(findings).toEqual([expect.objectContaining({ path: 'src/routes/users.ts', line: 0, title: 'Unchecked id' })]);
  });

  it('keeps a finding whose line key is absent (as JSON from the model has it)', () => {
    const withoutLine: Record<string, unknown> = raw({});
    delete withoutLine.line;

    expect(validateFindings([JSON.parse(JSON.stringify(withoutLine))])).toEqual({ findings: [expect.objectContaining({ line: 0 })], invalid: 0 });
  });

  it('ignores an impossible end_line instead of dropping the finding', () => {
    const { findings, invalid } = validateFindings([raw({ end_line: 0 })]);

    expect(invalid).toBe(0);
    expect(findings[0]).toMatchObject({ line: 3 });
    expect(findings[0]?.end_line).toBeUndefined();
  });

  it('still drops a finding without a path or with an unknown severity', () => {
    expect(validateFindings([raw({ path: undefined }), raw({ severity: 'approve' })])).toEqual({ findings: [], invalid: 2 });
  });

  it('goes to the review body as a file-level finding, never inline', () => {
    const [finding] = validateFindings([raw({ line: 0 })]).findings;

    const { anchored, unanchored } = anchorFindings([finding!], [USERS]);

    expect(anchored).toEqual([]);
    expect(unanchored).toEqual([expect.objectContaining({ path: 'src/routes/users.ts', line: 0, reason: 'line-not-in-diff' })]);
  });
});
