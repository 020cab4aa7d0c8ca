import { describe, expect, it } from 'vitest';
import { defaultRepoConfig } from '../../src/config/repo-config.js';
import type { ReviewThread } from '../../src/ports/pull-request-host.js';
import { findingMarker } from '../../src/render/markers.js';
import { decideFindings } from '../../src/review/decide-findings.js';
import { fingerprint } from '../../src/review/fingerprint.js';
import { lineText } from '../../src/review/line-text.js';
import { parsePatch } from '../../src/review/parse-patch.js';
import type { DiffFile } from '../../src/review/types.js';
import { buildFinding } from '../helpers/build-finding.js';

const file = parsePatch({ path: 'src/a.ts', status: 'modified', additions: 3, deletions: 0, patch: '@@ -0,0 +1,3 @@\n+const a = 1;\n+const b = 2;\n+const c = 3;' } as never) as DiffFile;
const files = [file];
const config = defaultRepoConfig();
const thread = (overrides: Partial<ReviewThread>): ReviewThread => ({ id: 't', path: 'src/a.ts', isResolved: false, isOutdated: false, body: '', ...overrides });
const fpOf = (line: number, title: string) => fingerprint({ ...buildFinding({ line, title }), side: 'RIGHT' }, lineText(files, 'src/a.ts', line, 'RIGHT'));

describe('decideFindings', () => {
  it('anchors findings on diff lines and keeps the others out of the inline comments', () => {
    const decided = decideFindings([buildFinding({ line: 2, severity: 'high' }), buildFinding({ line: 40, title: 'Far away' })], files, config, []);

    expect(decided.inline.map((finding) => finding.line)).toEqual([2]);
    expect(decided.unanchored.map((finding) => finding.title)).toEqual(['Far away']);
    expect(decided.fingerprints.get(decided.inline[0]!)).toBe(fpOf(2, 'A title'));
  });

  it('does not repeat what an open thread says, and resolves an outdated thread whose finding is gone', () => {
    const open = thread({ id: 'open', body: findingMarker({ fingerprint: fpOf(1, 'Said before') }) });
    const gone = thread({ id: 'gone', isOutdated: true, body: findingMarker({ fingerprint: 'no-longer-found' }) });
    const elsewhere = thread({ id: 'elsewhere', path: 'src/other.ts', isOutdated: true, body: findingMarker({ fingerprint: 'x' }) });

    const decided = decideFindings([buildFinding({ line: 1, title: 'Said before' }), buildFinding({ line: 3, title: 'New' })], files, config, [open, gone, elsewhere]);

    expect(decided.inline.map((finding) => finding.title)).toEqual(['New']);
    expect(decided.repeats).toBe(1);
    // Not posted again, but kept for the conclusion: the problem is still in the code.
    expect(decided.repeated.map((finding) => finding.title)).toEqual(['Said before']);
    expect(decided.stale.map((stale) => stale.id)).toEqual(['gone']);
  });

  it('counts findings below the configured minimum severity instead of posting them', () => {
    const strict = { ...config, review: { ...config.review, min_severity: 'high' as const } };
    const decided = decideFindings([buildFinding({ line: 1, severity: 'low' }), buildFinding({ line: 2, severity: 'critical' })], files, strict, []);

    expect(decided.below).toBe(1);
    expect(decided.inline.map((finding) => finding.severity)).toEqual(['critical']);
  });
});
