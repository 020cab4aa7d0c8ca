import { describe, expect, it } from 'vitest';
import { anchorFindings } from '../../src/review/anchor-findings.js';
import type { DiffFile } from '../../src/review/types.js';
import { widenHunks } from '../../src/review/widen-hunks.js';
import { buildFinding } from '../helpers/build-finding.js';
import { diffFileOf, patchAdding } from '../helpers/patch-adding.js';

const HEAD = [
  "router.get('/users/:id', async (req, res) => {",
  '  const id = req.params.id;',
  '  const user = await users.find(id);',
  '  log.info(id);',
  '  audit(user);',
  '  metrics.count();',
  '  log.info(id);',
  '  const rows = await db.query(`SELECT * FROM orders WHERE user = ${id}`);',
  '  log.info(rows);',
  '  res.json({ user, rows });',
  '  metrics.done();',
  '});',
];
// GitHub's hunk: line 8 added, three lines of context each side (5..11).
const ORIGINAL: DiffFile = diffFileOf('src/routes/users.ts', patchAdding(HEAD, [8]));
const SHOWN = widenHunks(ORIGINAL, { shown: HEAD, raw: HEAD });
const on = (line: number, existing_code: string, end_line?: number) => buildFinding({ path: 'src/routes/users.ts', line, end_line, existing_code, failure: 'x' });

describe('anchoring a finding on context widened around a hunk', () => {
  it('the prompt copy shows lines 1–4 above the hunk and line 12 below it', () => {
    expect(SHOWN.hunks[0]!.lines.filter((line) => line.widened).map((line) => line.newLine)).toEqual([1, 2, 3, 4, 12]);
  });

  it('lists a finding on a widened line in the body, its quote found, never inline', () => {
    const { anchored, unanchored } = anchorFindings([on(3, 'const user = await users.find(id);')], [ORIGINAL], [SHOWN]);

    expect(anchored).toEqual([]);
    expect(unanchored).toEqual([expect.objectContaining({ line: 3, reason: 'line-not-in-diff' })]);
  });

  it('without the prompt copies the same finding is unverified: its quote is not in the diff', () => {
    const { unanchored } = anchorFindings([on(3, 'const user = await users.find(id);')], [ORIGINAL]);

    expect(unanchored).toEqual([expect.objectContaining({ reason: 'quote-not-in-diff' })]);
  });

  it('does not move a finding on a widened line to a diff line that reads the same', () => {
    // Line 4 (widened) reads like line 7 (in GitHub's hunk); `});` (line 12, widened) is part of line 10.
    const findings = [on(4, 'log.info(id);'), on(12, '});')];

    const widened = anchorFindings(findings, [ORIGINAL], [SHOWN]);
    const plain = anchorFindings(findings, [ORIGINAL]);

    expect(widened.anchored).toEqual([]);
    expect(widened.unanchored.map((finding) => [finding.line, finding.reason])).toEqual([
      [4, 'line-not-in-diff'],
      [12, 'line-not-in-diff'],
    ]);
    // Without the prompt copies both would move to diff lines that merely contain their quote.
    expect(plain.anchored.map((finding) => [finding.line, finding.reanchored])).toEqual([
      [7, true],
      [10, true],
    ]);
  });

  it('finds a quote of the widened context cited on a wrong line, and still does not post it inline', () => {
    const { anchored, unanchored } = anchorFindings([on(30, 'const user = await users.find(id);')], [ORIGINAL], [SHOWN]);

    expect(anchored).toEqual([]);
    expect(unanchored).toEqual([expect.objectContaining({ reason: 'line-not-in-diff' })]);
  });

  it('anchors a finding on a line of GitHub\'s hunk as before, and moves a miscounted one by its quote', () => {
    const { anchored } = anchorFindings([on(8, 'SELECT * FROM orders WHERE user = ${id}'), on(4, 'res.json({ user, rows });')], [ORIGINAL], [SHOWN]);

    expect(anchored.map((finding) => [finding.line, finding.side, finding.reanchored ?? false])).toEqual([
      [8, 'RIGHT', false],
      [10, 'RIGHT', true],
    ]);
  });
});
