import { describe, expect, it } from 'vitest';
import { defaultRepoConfig } from '../../../src/config/repo-config.js';
import type { FeedbackSignal } from '../../../src/learning/learning-snapshot.js';
import { rejectedFindings } from '../../../src/learning/rejected-findings.js';
import { suppressRejected } from '../../../src/learning/suppress-rejected.js';
import { decideFindings } from '../../../src/review/decide-findings.js';
import { parsePatch } from '../../../src/review/parse-patch.js';
import type { DiffFile, Finding } from '../../../src/review/types.js';
import { usersFile } from '../../helpers/build-runner.js';
import { buildFinding } from '../../helpers/build-finding.js';

const files = [parsePatch(usersFile()) as DiffFile];
const SQL = '    const rows = await db.query(`SELECT * FROM users WHERE id = ${id}`);';
const injection = buildFinding({ path: 'src/server/routes/users.ts', line: 12, severity: 'high', category: 'security', rule: 'SEC-INPUT-1', title: 'User id is interpolated into SQL', existing_code: SQL });
const leak = buildFinding({ path: 'src/server/routes/users.ts', line: 13, severity: 'medium', category: 'reliability', title: 'The whole row is sent back', existing_code: '    res.json(rows[0]);' });

/** The fingerprint the finding's inline comment carries, as the pipeline posts it. */
function postedFingerprint(finding: Finding): string {
  const decided = decideFindings([finding], files, defaultRepoConfig(), []);
  const [fp] = [...decided.fingerprints.values()];
  if (!fp) throw new Error('the finding was not posted inline');
  return fp;
}

function rejected(fp: string, by: string, extra: Partial<FeedbackSignal> = {}): FeedbackSignal {
  return { fp, verdict: 'rejected', kind: 'thumbs-down', by, url: `https://github.com/o/r/pull/1#discussion_r${fp}`, ...extra };
}

describe('rejectedFindings and suppressRejected', () => {
  it('leaves out a finding whose posted fingerprint was rejected reject_after times, and keeps the others in order', () => {
    const fp = postedFingerprint(injection);
    const rejections = rejectedFindings([rejected(fp, 'alice'), rejected(fp, 'bob')], 2);

    const { kept, suppressed } = suppressRejected([leak, injection], files, rejections);

    expect(kept).toEqual([leak]);
    expect(suppressed).toEqual([{ finding: injection, why: { kind: 'fingerprint', rejected: expect.objectContaining({ fp, rejections: 2, approvals: 0 }) } }]);
  });

  it('keeps a finding rejected fewer times than the threshold', () => {
    const fp = postedFingerprint(injection);

    const { kept, suppressed } = suppressRejected([injection], files, rejectedFindings([rejected(fp, 'alice')], 2));

    expect(kept).toEqual([injection]);
    expect(suppressed).toEqual([]);
  });

  it('finds the fingerprint of a finding whose line is off but whose quote is in the diff, as posting would move it', () => {
    const misplaced = { ...injection, line: 14 };
    const fp = postedFingerprint(misplaced);
    expect(fp).toBe(postedFingerprint(injection));

    const { suppressed } = suppressRejected([misplaced], files, rejectedFindings([rejected(fp, 'alice'), rejected(fp, 'bob')], 2));

    expect(suppressed).toHaveLength(1);
  });

  it('counts one person once per comment (a 👎 and resolving its thread), and needs rejections to outnumber 👍', () => {
    const fp = postedFingerprint(injection);
    const sameUrl = 'https://github.com/o/r/pull/1#discussion_r7';
    const twiceByAlice = [rejected(fp, 'alice', { url: sameUrl }), rejected(fp, 'Alice', { url: sameUrl, kind: 'resolved' })];
    const outvoted = [rejected(fp, 'alice'), rejected(fp, 'bob', { url: sameUrl }), { ...rejected(fp, 'carol'), verdict: 'accepted' as const, kind: 'thumbs-up' as const }, { ...rejected(fp, 'dan'), verdict: 'accepted' as const, kind: 'thumbs-up' as const }];

    expect(rejectedFindings(twiceByAlice, 2).fingerprints.size).toBe(0);
    expect(rejectedFindings(outvoted, 2).fingerprints.size).toBe(0);
    expect(rejectedFindings([...outvoted, rejected(fp, 'erin')], 2).fingerprints.get(fp)).toMatchObject({ rejections: 3, approvals: 2 });
  });

  it('counts each concession of Bulwark once, by its answer', () => {
    const fp = postedFingerprint(injection);
    const conceded = (reply: number): FeedbackSignal => ({ fp, verdict: 'rejected', kind: 'conceded', url: `https://github.com/o/r/pull/1#discussion_r${reply}` });

    expect(rejectedFindings([conceded(1), conceded(1)], 2).fingerprints.size).toBe(0);
    expect(rejectedFindings([conceded(1), conceded(2)], 2).fingerprints.get(fp)?.rejections).toBe(2);
  });

  it('leaves out every finding of a rule once reject_after different findings of it were rejected, but never a critical one for its rule alone', () => {
    const signals = [rejected('fp-a', 'alice', { rule: 'SEC-INPUT-1' }), rejected('fp-b', 'bob', { rule: 'SEC-INPUT-1' })];
    const critical = { ...injection, severity: 'critical' as const };

    const rejections = rejectedFindings(signals, 2);
    const { kept, suppressed } = suppressRejected([injection, critical, leak], files, rejections);

    expect(rejections.fingerprints.size).toBe(0);
    expect([...rejections.rules.keys()]).toEqual(['SEC-INPUT-1']);
    expect(suppressed.map(({ finding, why }) => [finding.severity, why.kind])).toEqual([['high', 'rule']]);
    expect(kept).toEqual([critical, leak]);
  });

  it('does not reject a rule for one finding rejected many times', () => {
    const signals = ['alice', 'bob', 'carol'].map((by) => rejected('fp-a', by, { rule: 'SEC-INPUT-1' }));

    const rejections = rejectedFindings(signals, 2);

    expect(rejections.rules.size).toBe(0);
    expect(rejections.fingerprints.has('fp-a')).toBe(true);
  });
});
