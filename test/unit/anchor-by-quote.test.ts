import { describe, expect, it } from 'vitest';
import { anchorFindings } from '../../src/review/anchor-findings.js';
import { parsePatch } from '../../src/review/parse-patch.js';
import type { DiffFile, Finding } from '../../src/review/types.js';

/** RIGHT lines 21-27 (23-25 added), LEFT 20-24 (22 deleted). */
const ORDERS = parsePatch({
  path: 'src/routes/orders.ts',
  status: 'modified',
  additions: 3,
  deletions: 1,
  patch: [
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
}) as DiffFile;

function finding(overrides: Partial<Finding>): Finding {
  return {
    path: 'src/routes/orders.ts',
    line: 24,
    side: 'RIGHT',
    existing_code: "  const order = await db.query('SELECT * FROM orders WHERE id = $1', [parsed]);",
    failure: 'An order id that matches no row returns undefined.',
    confidence: 0.8,
    severity: 'medium',
    category: 'reliability',
    title: 'Missing row',
    body: 'Explain.',
    ...overrides,
  };
}

describe('anchoring by the quoted code', () => {
  it('keeps a finding whose quote is at the cited line, and says whether the line was changed', () => {
    const { anchored } = anchorFindings([finding({})], [ORDERS]);
    expect(anchored[0]).toMatchObject({ line: 24, side: 'RIGHT', changed: true });
    expect(anchored[0]?.reanchored).toBeUndefined();
  });

  it('moves a finding whose line is off by a few lines to the quoted line', () => {
    const { anchored, unanchored } = anchorFindings([finding({ line: 27 })], [ORDERS]);
    expect(unanchored).toEqual([]);
    expect(anchored[0]).toMatchObject({ line: 24, side: 'RIGHT', reanchored: true });
  });

  it('moves a multi-line quote to the lines it quotes, as a range', () => {
    const quote = ['const parsed = z.string().uuid().parse(id);', "  const order = await db.query('SELECT * FROM orders WHERE id = $1', [parsed]);"].join('\n');
    const { anchored } = anchorFindings([finding({ line: 21, end_line: 22, existing_code: quote })], [ORDERS]);
    expect(anchored[0]).toMatchObject({ startLine: 23, line: 24, side: 'RIGHT', reanchored: true });
  });

  it('moves a quote of a deleted line to the LEFT side', () => {
    const quote = '  const order = await db.query(`SELECT * FROM orders WHERE id = ${id}`);';
    const { anchored } = anchorFindings([finding({ line: 26, side: undefined, existing_code: quote })], [ORDERS]);
    expect(anchored[0]).toMatchObject({ line: 22, side: 'LEFT', changed: true });
  });

  it('a context line is not a changed line', () => {
    const { anchored } = anchorFindings([finding({ line: 26, existing_code: 'res.json(order);' })], [ORDERS]);
    expect(anchored[0]).toMatchObject({ line: 26, changed: false });
  });

  it('does not post inline a finding whose quote is nowhere in the diff', () => {
    const { anchored, unanchored } = anchorFindings([finding({ existing_code: 'await orders.delete(id);' })], [ORDERS]);
    expect(anchored).toEqual([]);
    expect(unanchored[0]?.reason).toBe('quote-not-in-diff');
  });

  it('carries the anchored RIGHT lines for checking a suggestion', () => {
    const { anchored } = anchorFindings([finding({ line: 23, end_line: 24, existing_code: 'const parsed' })], [ORDERS]);
    expect(anchored[0]?.anchoredCode).toEqual(['  const parsed = z.string().uuid().parse(id);', "  const order = await db.query('SELECT * FROM orders WHERE id = $1', [parsed]);"]);
  });
});
