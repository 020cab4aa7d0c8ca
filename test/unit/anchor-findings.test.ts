import { describe, expect, it } from 'vitest';
import { anchorFindings } from '../../src/review/anchor-findings.js';
import { parsePatch } from '../../src/review/parse-patch.js';
import type { ChangedFile, DiffFile, Finding } from '../../src/review/types.js';
import { buildFinding } from '../helpers/build-finding.js';

function diffFile(file: ChangedFile): DiffFile {
  const parsed = parsePatch(file);
  if (parsed === undefined) throw new Error(`fixture patch for ${file.path} does not parse`);
  return parsed;
}

/**
 * Two hunks. RIGHT lines: 1-6 (2 added) and 21-27 (23-25 added). LEFT lines: 1-5 and 20-24 (22 deleted).
 * New lines 7-20 are between the hunks.
 */
const ORDERS = diffFile({
  path: 'src/routes/orders.ts',
  status: 'modified',
  additions: 4,
  deletions: 1,
  patch: [
    '@@ -1,5 +1,6 @@',
    " import { Router } from 'express';",
    "+import { z } from 'zod';",
    " import { db } from '../db.js';",
    ' ',
    ' export const router = Router();',
    ' ',
    '@@ -20,5 +21,7 @@ export const router = Router();',
    " router.get('/orders/:id', async (req, res) => {",
    '   const id = req.params.id;',
    '-  const order = await db.query(`SELECT * FROM orders WHERE id = ${id}`);',
    '+  const parsed = z.string().uuid().parse(id);',
    "+  const order = await db.query('SELECT * FROM orders WHERE id = $1', [parsed]);",
    '+  if (!order) return res.status(404).end();',
    '   res.json(order);',
    ' });',
  ].join('\n'),
});

/** Deletion-heavy: old 41-45 deleted; old 44 and 45 have no RIGHT line of the same number in the diff. */
const BILLING = diffFile({
  path: 'src/billing/charge.ts',
  status: 'modified',
  additions: 1,
  deletions: 5,
  patch: [
    '@@ -40,8 +40,4 @@ export async function chargeCustomer(id: string) {',
    '   const customer = await stripe.customers.retrieve(id);',
    '-  try {',
    '-    await charge(customer);',
    '-  } catch (err) {',
    '-    logger.warn(err);',
    '-  }',
    '+  await charge(customer);',
    '   return customer;',
    ' }',
  ].join('\n'),
});

const ADDED = diffFile({
  path: 'src/db/pool.ts',
  status: 'added',
  additions: 3,
  deletions: 0,
  patch: ['@@ -0,0 +1,3 @@', "+import { Pool } from 'pg';", '+', '+export const pool = new Pool({ max: 1000 });'].join('\n'),
});

const RENAMED = diffFile({
  path: 'src/jobs/send-email.ts',
  previousPath: 'src/workers/email.ts',
  status: 'renamed',
  additions: 1,
  deletions: 1,
  patch: ['@@ -3,3 +3,3 @@ import { queue } from "../queue.js";', ' export async function sendEmail(to: string) {', '-  await queue.add(to);', "+  await queue.add('email', { to });", ' }'].join('\n'),
});

/** A pure rename: GitHub sends no patch, so there is no hunk to anchor to. */
const RENAMED_NO_PATCH: DiffFile = {
  path: 'src/jobs/retry.ts',
  previousPath: 'src/workers/retry.ts',
  status: 'renamed',
  additions: 0,
  deletions: 0,
  hunks: [],
};

const NO_NEWLINE = diffFile({
  path: 'src/config.ts',
  status: 'modified',
  additions: 1,
  deletions: 1,
  patch: ['@@ -1,3 +1,3 @@', ' export const config = {', '   port: 3000,', '-}', '\\ No newline at end of file', '+};', '\\ No newline at end of file'].join('\n'),
});

const CRLF = diffFile({
  path: 'src/legacy/report.ts',
  status: 'modified',
  additions: 2,
  deletions: 1,
  patch: ['@@ -1,2 +1,3 @@', ' const rows = load();', '-export default rows', '\\ No newline at end of file', '+export default rows;', '+export const count = rows.length;'].join('\r\n'),
});

const FILES = [ORDERS, BILLING, ADDED, RENAMED, RENAMED_NO_PATCH, NO_NEWLINE, CRLF];

function finding(overrides: Partial<Finding>): Finding {
  return buildFinding({
    path: ORDERS.path,
    line: 23,
    severity: 'high',
    category: 'security',
    title: 'Validate the id',
    body: 'Body.',
    ...overrides,
  });
}

function anchorOne(overrides: Partial<Finding>) {
  const result = anchorFindings([finding(overrides)], FILES);
  expect(result.anchored.length + result.unanchored.length).toBe(1);
  return { anchored: result.anchored[0], unanchored: result.unanchored[0] };
}

describe('anchorFindings: single lines', () => {
  it.each([
    ['an added line, first hunk', ORDERS.path, 2],
    ['a context line, first hunk', ORDERS.path, 6],
    ['an added line, second hunk', ORDERS.path, 24],
    ['a context line, second hunk', ORDERS.path, 27],
    ['a line of an added file', ADDED.path, 3],
    ['a line of a renamed file, by its new path', RENAMED.path, 4],
    ['the last line of a file without a final newline', NO_NEWLINE.path, 3],
    ['a line after a CRLF "No newline" marker', CRLF.path, 3],
  ])('anchors %s on RIGHT', (_label, path, line) => {
    const { anchored } = anchorOne({ path, line });

    expect(anchored).toMatchObject({ path, line, side: 'RIGHT' });
    expect(anchored?.startLine).toBeUndefined();
  });

  it.each([
    ['a line between two hunks', ORDERS.path, 10],
    ['a line after the last hunk', ORDERS.path, 28],
    ['a line before the first hunk', BILLING.path, 39],
    ['line 0', ORDERS.path, 0],
    ['a negative line', ORDERS.path, -3],
    ['a fractional line', ORDERS.path, 23.5],
    ['NaN', ORDERS.path, Number.NaN],
    ['a line past the end of an added file', ADDED.path, 4],
    ['a line past the "No newline" marker (no phantom line)', NO_NEWLINE.path, 4],
    ['a line past a CRLF file (the marker must not shift lines)', CRLF.path, 4],
    ['any line of a renamed file without a patch', RENAMED_NO_PATCH.path, 1],
  ])('refuses %s as line-not-in-diff', (_label, path, line) => {
    const { unanchored } = anchorOne({ path, line });

    expect(unanchored?.reason).toBe('line-not-in-diff');
  });

  it('keeps the suggestion of a single RIGHT line', () => {
    const { anchored } = anchorOne({ line: 23, suggestion: '  const parsed = OrderId.parse(id);' });

    expect(anchored?.suggestion).toBe('  const parsed = OrderId.parse(id);');
  });

  it('treats end_line equal to line as a single line and keeps the suggestion', () => {
    const { anchored } = anchorOne({ line: 24, end_line: 24, suggestion: 'x' });

    expect(anchored).toMatchObject({ line: 24, side: 'RIGHT', suggestion: 'x' });
    expect(anchored?.startLine).toBeUndefined();
  });
});

describe('anchorFindings: paths', () => {
  it.each([
    ['./src/routes/orders.ts'],
    ['/src/routes/orders.ts'],
  ])('normalises %s to the diff path', (path) => {
    const { anchored } = anchorOne({ path, line: 23 });

    expect(anchored?.path).toBe(ORDERS.path);
  });

  it.each([
    ['a file not in the diff', 'src/routes/users.ts'],
    ['a renamed file by its previous path', 'src/workers/email.ts'],
    ['a path differing only in case', 'src/Routes/orders.ts'],
  ])('refuses %s as unknown-file, keeping the finding', (_label, path) => {
    const { unanchored } = anchorOne({ path, line: 4, body: 'Still here.' });

    expect(unanchored).toMatchObject({ reason: 'unknown-file', path, line: 4, body: 'Still here.' });
  });
});

describe('anchorFindings: LEFT (deleted lines)', () => {
  it.each([
    ['a deleted line', ORDERS.path, 22],
    ['a context line by its old number', ORDERS.path, 21],
    ['a deleted line of the deletion-heavy hunk', BILLING.path, 44],
  ])('anchors %s when side is LEFT', (_label, path, line) => {
    const { anchored } = anchorOne({ path, line, side: 'LEFT' });

    expect(anchored).toMatchObject({ path, line, side: 'LEFT' });
  });

  it('refuses an added line asked for on LEFT (no old line has that number in the diff)', () => {
    // Old 25 is outside the second hunk (old 20-24) even though new 25 is an added line.
    const { unanchored } = anchorOne({ line: 25, side: 'LEFT' });

    expect(unanchored?.reason).toBe('line-not-in-diff');
  });

  it('refuses a deleted line asked for on RIGHT rather than switching sides', () => {
    const { unanchored } = anchorOne({ path: BILLING.path, line: 44, side: 'RIGHT' });

    expect(unanchored?.reason).toBe('line-not-in-diff');
  });

  it('infers LEFT when the side is absent and the line is only a deleted line', () => {
    const { anchored } = anchorOne({ path: BILLING.path, line: 45 });

    expect(anchored).toMatchObject({ line: 45, side: 'LEFT' });
  });

  it.each([
    ['an added line that is also a deleted old number', 41],
    ['a context line that is also a deleted old number', 43],
  ])('prefers RIGHT for %s when the side is absent', (_label, line) => {
    const { anchored } = anchorOne({ path: BILLING.path, line });

    expect(anchored).toMatchObject({ line, side: 'RIGHT' });
  });

  it("does not infer LEFT from a context line's old number (old 20 is context, new 20 is between hunks)", () => {
    const { unanchored } = anchorOne({ line: 20 });

    expect(unanchored?.reason).toBe('line-not-in-diff');
  });

  it('drops the suggestion on LEFT but keeps the finding', () => {
    const { anchored } = anchorOne({ path: BILLING.path, line: 44, suggestion: '    logger.error(err);' });

    expect(anchored).toMatchObject({ side: 'LEFT', line: 44, title: 'Validate the id' });
    expect(anchored?.suggestion).toBeUndefined();
  });
});

describe('anchorFindings: ranges', () => {
  it('anchors a range inside one hunk as startLine..line and keeps the suggestion', () => {
    const { anchored } = anchorOne({ line: 23, end_line: 25, suggestion: 'replacement' });

    expect(anchored).toMatchObject({ startLine: 23, line: 25, side: 'RIGHT', suggestion: 'replacement' });
    expect(anchored?.end_line).toBeUndefined();
  });

  it('anchors a range of context and added lines spanning a whole hunk', () => {
    const { anchored } = anchorOne({ line: 21, end_line: 27 });

    expect(anchored).toMatchObject({ startLine: 21, line: 27 });
  });

  it('anchors a LEFT range inside one hunk and drops its suggestion', () => {
    const { anchored } = anchorOne({ path: BILLING.path, line: 41, end_line: 45, side: 'LEFT', suggestion: 'x' });

    expect(anchored).toMatchObject({ startLine: 41, line: 45, side: 'LEFT' });
    expect(anchored?.suggestion).toBeUndefined();
  });

  it('infers LEFT for a side-less range whose end is only a deleted line', () => {
    const { anchored } = anchorOne({ path: BILLING.path, line: 44, end_line: 45 });

    expect(anchored).toMatchObject({ startLine: 44, line: 45, side: 'LEFT' });
  });

  it('falls back to the end line when a range crosses hunks, dropping the suggestion', () => {
    const { anchored } = anchorOne({ line: 2, end_line: 24, suggestion: 'would replace 23 lines' });

    expect(anchored).toMatchObject({ line: 24, side: 'RIGHT' });
    expect(anchored?.startLine).toBeUndefined();
    expect(anchored?.suggestion).toBeUndefined();
  });

  it('falls back to the end line when the start is outside the diff', () => {
    const { anchored } = anchorOne({ line: 15, end_line: 23, suggestion: 'x' });

    expect(anchored).toMatchObject({ line: 23, side: 'RIGHT' });
    expect(anchored?.startLine).toBeUndefined();
    expect(anchored?.suggestion).toBeUndefined();
  });

  it("anchors a side-less range on the end line's side: the start must be a line of that side", () => {
    // End 44 is only a deleted line, so LEFT; start 42 is RIGHT context too, but on LEFT it is the deleted old 42.
    const { anchored } = anchorOne({ path: BILLING.path, line: 42, end_line: 44 });

    expect(anchored).toMatchObject({ startLine: 42, line: 44, side: 'LEFT' });
  });

  it('refuses a range that starts in a hunk and ends outside the diff as range-crosses-hunks', () => {
    const { unanchored } = anchorOne({ line: 25, end_line: 30 });

    expect(unanchored).toMatchObject({ reason: 'range-crosses-hunks', line: 25, end_line: 30 });
  });

  it('refuses a range entirely outside the diff as line-not-in-diff', () => {
    const { unanchored } = anchorOne({ line: 8, end_line: 12 });

    expect(unanchored?.reason).toBe('line-not-in-diff');
  });

  it('anchors a reversed range as its line alone, dropping the suggestion', () => {
    const { anchored } = anchorOne({ line: 24, end_line: 23, suggestion: 'x' });

    expect(anchored).toMatchObject({ line: 24, side: 'RIGHT' });
    expect(anchored?.startLine).toBeUndefined();
    expect(anchored?.suggestion).toBeUndefined();
  });

  it('refuses a reversed range whose line is not in the diff as range-reversed', () => {
    const { unanchored } = anchorOne({ line: 12, end_line: 2 });

    expect(unanchored).toMatchObject({ reason: 'range-reversed', line: 12, end_line: 2 });
  });

  it.each([
    ['0', 0],
    ['fractional', 24.5],
    ['negative', -1],
  ])('ignores a %s end_line and anchors the line alone without its suggestion', (_label, end_line) => {
    const { anchored } = anchorOne({ line: 23, end_line, suggestion: 'x' });

    expect(anchored).toMatchObject({ line: 23, side: 'RIGHT' });
    expect(anchored?.startLine).toBeUndefined();
    expect(anchored?.suggestion).toBeUndefined();
  });

  it('never produces a range GitHub would refuse (start before end, same hunk, same side)', () => {
    const hunkOf = (side: 'LEFT' | 'RIGHT', line: number) =>
      ORDERS.hunks.findIndex((h) => h.lines.some((l) => (side === 'RIGHT' ? l.kind !== 'del' && l.newLine === line : l.kind !== 'add' && l.oldLine === line)));
    const findings = [];
    for (let line = 0; line <= 29; line++) {
      for (let end = 0; end <= 29; end++) {
        for (const side of [undefined, 'RIGHT', 'LEFT'] as const) findings.push(finding({ line, end_line: end, side }));
      }
    }
    const { anchored, unanchored } = anchorFindings(findings, [ORDERS]);

    expect(anchored.length + unanchored.length).toBe(findings.length);
    expect(anchored.length).toBeGreaterThan(0);
    for (const a of anchored) {
      expect(hunkOf(a.side, a.line)).toBeGreaterThanOrEqual(0);
      if (a.startLine === undefined) continue;
      expect(a.startLine).toBeLessThan(a.line);
      expect(hunkOf(a.side, a.startLine)).toBe(hunkOf(a.side, a.line));
    }
  });
});

describe('anchorFindings: the batch', () => {
  it('splits findings between anchored and unanchored, in order, never dropping one', () => {
    const findings = [
      finding({ line: 23, title: 'a' }),
      finding({ line: 10, title: 'b' }),
      finding({ path: 'nope.ts', title: 'c' }),
      finding({ path: BILLING.path, line: 44, title: 'd' }),
    ];
    const { anchored, unanchored } = anchorFindings(findings, FILES);

    expect(anchored.map((f) => f.title)).toEqual(['a', 'd']);
    expect(unanchored.map((f) => [f.title, f.reason])).toEqual([
      ['b', 'line-not-in-diff'],
      ['c', 'unknown-file'],
    ]);
  });

  it('anchors nothing against an empty list of files', () => {
    const { anchored, unanchored } = anchorFindings([finding({})], []);

    expect(anchored).toEqual([]);
    expect(unanchored[0]?.reason).toBe('unknown-file');
  });
});
