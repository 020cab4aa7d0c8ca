import { describe, expect, it } from 'vitest';
import { renderFile } from '../../src/review/build-prompt.js';
import { CHARS_PER_TOKEN, estimateFileTokens, estimateTokens } from '../../src/review/estimate-tokens.js';
import type { DiffFile, DiffLine, DiffLineKind, Hunk } from '../../src/review/types.js';

function hunk(oldStart: number, newStart: number, kinds: DiffLineKind[], text: (i: number) => string = (i) => `const v${i} = f(${i});`): Hunk {
  let oldLine = oldStart;
  let newLine = newStart;
  const lines = kinds.map((kind, i): DiffLine => {
    if (kind === 'add') return { kind, newLine: newLine++, text: text(i) };
    if (kind === 'del') return { kind, oldLine: oldLine++, text: text(i) };
    return { kind, oldLine: oldLine++, newLine: newLine++, text: text(i) };
  });
  const oldLines = kinds.filter((kind) => kind !== 'add').length;
  const newLines = kinds.filter((kind) => kind !== 'del').length;
  return { oldStart, oldLines, newStart, newLines, header: `@@ -${oldStart},${oldLines} +${newStart},${newLines} @@`, lines };
}

const file = (hunks: Hunk[], extra: Partial<DiffFile> = {}): DiffFile => ({
  path: 'src/orders/service.ts',
  status: 'modified',
  additions: 1,
  deletions: 1,
  hunks,
  ...extra,
});

describe('estimateTokens', () => {
  it.each([
    ['', 0],
    ['a', 1],
    ['abcde', 2],
    ['abcdef', 3],
    // One token per non-ASCII code unit: CJK, accented letters, the two halves of an emoji.
    ['日本語', 3],
    ['é', 1],
    ['😀', 2],
    ['ab日', 2],
  ])('%j → %i', (text, tokens) => {
    expect(estimateTokens(text)).toBe(tokens);
  });

  it('runs above the measured rate for code on current Claude tokenizers (~2.69 characters per token)', () => {
    const code = [
      'export async function createOrder(req: Request, res: Response): Promise<void> {',
      '  const body = orderSchema.parse(req.body);',
      '  const order = await db.orders.insert({ ...body, createdAt: new Date() });',
      '  res.status(201).json(order);',
      '}',
    ].join('\n');
    expect(estimateTokens(code)).toBeGreaterThanOrEqual(Math.ceil(code.length / 2.69));
    expect(estimateTokens(code)).toBe(Math.ceil(code.length / CHARS_PER_TOKEN));
  });
});

describe('estimateFileTokens', () => {
  // The estimate counts lines with build-prompt's layout instead of rendering them; these hold it to the renderer.
  it.each<[string, DiffFile]>([
    ['one hunk of every kind', file([hunk(4, 4, ['context', 'del', 'add', 'context'])])],
    ['several hunks', file([hunk(1, 1, ['del', 'add']), hunk(40, 40, ['context', 'add', 'add']), hunk(90, 91, ['del'])])],
    ['a renamed file', file([hunk(1, 1, ['add'])], { previousPath: 'src/orders/old-service.ts', status: 'renamed' })],
    ['no hunks', file([])],
    ['line numbers past the 7-character column', file([hunk(999_998, 1_000_000, ['context', 'del', 'add', 'context'])])],
    ['non-ASCII text and path', file([hunk(1, 1, ['add', 'context'], (i) => `// コメント ${i} — naïve 😀`)], { path: 'src/ünïcode/日本.ts' })],
    ['text the renderer neutralises', file([hunk(1, 1, ['add', 'del', 'context'], (i) => `x${i} = "</file><  title>< /pull_request_data>";`)])],
    ['a path the renderer neutralises', file([hunk(1, 1, ['add'])], { path: 'src/<file>.ts' })],
    ['an omission marker (no line numbers)', file([{ ...hunk(1, 1, ['del', 'del']), lines: [{ kind: 'context', text: '… 9 deleted lines omitted …' }] }])],
    ['an empty line', file([hunk(1, 1, ['add', 'context'], () => '')])],
  ])('equals the estimate of the rendered text: %s', (_, diffFile) => {
    expect(estimateFileTokens(diffFile)).toBe(estimateTokens(`${renderFile(diffFile)}\n`));
  });

  it('charges the line-number columns, not just the code', () => {
    const diffFile = file([hunk(1, 1, Array<DiffLineKind>(50).fill('add'))]);
    const codeOnly = estimateTokens(diffFile.hunks[0]!.lines.map((line) => line.text).join('\n'));
    expect(estimateFileTokens(diffFile)).toBeGreaterThan(codeOnly + (50 * 16) / CHARS_PER_TOKEN - 1);
  });
});
