import { describe, expect, it } from 'vitest';
import { renderCommentBody } from '../../src/render/render-comment.js';
import type { AnchoredFinding } from '../../src/review/types.js';

function finding(overrides: Partial<AnchoredFinding>): AnchoredFinding {
  return {
    path: 'src/orders.ts',
    line: 24,
    side: 'RIGHT',
    existing_code: 'const order = await db.query(sql);',
    failure: 'A missing order crashes the handler.',
    confidence: 0.8,
    severity: 'medium',
    category: 'reliability',
    title: 'Missing row',
    body: 'Explain.',
    anchoredCode: ['    const order = await db.query(sql);'],
    suggestion: 'const order = await db.query(sql);\nif (!order) return res.status(404).end();',
    ...overrides,
  };
}

const committable = (body: string) => /```suggestion\n/.test(body);

describe('suggestions that are safe to commit', () => {
  it('offers a suggestion block re-indented to the anchored lines', () => {
    const body = renderCommentBody(finding({}), 'fp');
    expect(body).toContain('```suggestion\n    const order = await db.query(sql);\n    if (!order) return res.status(404).end();\n```');
  });

  it('keeps the relative indentation of the replacement', () => {
    const body = renderCommentBody(finding({ suggestion: 'if (!order) {\n  return res.status(404).end();\n}' }), 'fp');
    expect(body).toContain('```suggestion\n    if (!order) {\n      return res.status(404).end();\n    }\n```');
  });

  it('shows a replacement identical to the current code as a plain block, not committable', () => {
    const body = renderCommentBody(finding({ suggestion: 'const order = await db.query(sql);' }), 'fp');
    expect(committable(body)).toBe(false);
    expect(body).toContain('```\nconst order = await db.query(sql);\n```');
  });

  it('shows a replacement written for other lines than the anchored ones as a plain block', () => {
    const quote = 'const order = await db.query(sql);\nres.json(order);';
    const body = renderCommentBody(finding({ existing_code: quote }), 'fp');
    expect(committable(body)).toBe(false);
    expect(body).toContain('if (!order) return res.status(404).end();');
  });

  it('shows a replacement on lines whose head text is not known (not proven RIGHT lines of one hunk) as a plain block', () => {
    expect(committable(renderCommentBody(finding({ anchoredCode: undefined }), 'fp'))).toBe(false);
    expect(committable(renderCommentBody(finding({ side: 'LEFT', anchoredCode: undefined }), 'fp'))).toBe(false);
  });

  it('offers a range replacement when the quote is every anchored line', () => {
    const body = renderCommentBody(
      finding({ startLine: 23, existing_code: 'const sql = q;\nconst order = await db.query(sql);', anchoredCode: ['  const sql = q;', '  const order = await db.query(sql);'], suggestion: 'const order = await db.query(q);' }),
      'fp',
    );
    expect(body).toContain('```suggestion\n  const order = await db.query(q);\n```');
  });
});
