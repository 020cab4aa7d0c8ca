import { describe, expect, it } from 'vitest';
import { parsePatch, parseWithParseDiff, readHunks, UNUSUAL } from '../../src/review/parse-patch.js';
import type { ChangedFile, DiffLine } from '../../src/review/types.js';

const changed = (patch: string | undefined, extra: Partial<ChangedFile> = {}): ChangedFile => ({
  path: 'src/routes/orders.ts',
  status: 'modified',
  additions: 0,
  deletions: 0,
  ...(patch === undefined ? {} : { patch }),
  ...extra,
});

// Lines are joined explicitly so blank context lines (a single space) survive editors that trim whitespace.
const TWO_HUNKS = [
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
].join('\n');

const numbers = (lines: DiffLine[]) => lines.map((l) => [l.kind, l.oldLine, l.newLine]);

describe('parsePatch', () => {
  it('maps several hunks with old and new line numbers', () => {
    const file = parsePatch(changed(TWO_HUNKS, { additions: 4, deletions: 1 }));

    expect(file?.hunks).toHaveLength(2);
    const [first, second] = file?.hunks ?? [];
    expect(first).toMatchObject({ oldStart: 1, oldLines: 5, newStart: 1, newLines: 6, header: '@@ -1,5 +1,6 @@' });
    expect(numbers(first?.lines ?? [])).toEqual([
      ['context', 1, 1],
      ['add', undefined, 2],
      ['context', 2, 3],
      ['context', 3, 4],
      ['context', 4, 5],
      ['context', 5, 6],
    ]);
    expect(second?.header).toBe('@@ -20,5 +21,7 @@ export const router = Router();');
    expect(numbers(second?.lines ?? [])).toEqual([
      ['context', 20, 21],
      ['context', 21, 22],
      ['del', 22, undefined],
      ['add', undefined, 23],
      ['add', undefined, 24],
      ['add', undefined, 25],
      ['context', 23, 26],
      ['context', 24, 27],
    ]);
  });

  it("strips the leading '+', '-' or ' ' from the text and keeps blank context lines", () => {
    const lines = parsePatch(changed(TWO_HUNKS))?.hunks[0]?.lines ?? [];

    expect(lines.map((l) => l.text)).toEqual([
      "import { Router } from 'express';",
      "import { z } from 'zod';",
      "import { db } from '../db.js';",
      '',
      'export const router = Router();',
      '',
    ]);
  });

  it('leaves the DiffLine keys of the other side absent, not undefined', () => {
    const lines = parsePatch(changed(TWO_HUNKS))?.hunks[1]?.lines ?? [];

    expect(Object.keys(lines[2] ?? {})).toEqual(['kind', 'oldLine', 'text']);
    expect(Object.keys(lines[3] ?? {})).toEqual(['kind', 'newLine', 'text']);
  });

  it('copies the file metadata and keeps previousPath only for renames', () => {
    const renamed = parsePatch(
      changed('@@ -1 +1 @@\n-export const a = 1;\n+export const a = 2;', {
        status: 'renamed',
        path: 'src/b.ts',
        previousPath: 'src/a.ts',
        additions: 1,
        deletions: 1,
      }),
    );
    const modified = parsePatch(changed(TWO_HUNKS));

    expect(renamed).toMatchObject({ path: 'src/b.ts', previousPath: 'src/a.ts', status: 'renamed', additions: 1 });
    expect(modified && 'previousPath' in modified).toBe(false);
  });

  it('parses an added file (all lines RIGHT)', () => {
    const patch = ['@@ -0,0 +1,3 @@', "+import { Pool } from 'pg';", '+', '+export const pool = new Pool();'].join('\n');
    const file = parsePatch(changed(patch, { status: 'added', additions: 3 }));

    expect(numbers(file?.hunks[0]?.lines ?? [])).toEqual([
      ['add', undefined, 1],
      ['add', undefined, 2],
      ['add', undefined, 3],
    ]);
  });

  it('parses a deleted file (all lines LEFT)', () => {
    const patch = ['@@ -1,2 +0,0 @@', '-export const legacy = true;', '-export default legacy;'].join('\n');
    const file = parsePatch(changed(patch, { status: 'removed', deletions: 2 }));

    expect(numbers(file?.hunks[0]?.lines ?? [])).toEqual([
      ['del', 1, undefined],
      ['del', 2, undefined],
    ]);
  });

  it('drops "\\ No newline at end of file" markers, which parse-diff reports as a copy of the previous line', () => {
    const patch = [
      '@@ -1,3 +1,3 @@',
      ' export const config = {',
      '   port: 3000,',
      '-}',
      '\\ No newline at end of file',
      '+};',
      '\\ No newline at end of file',
    ].join('\n');
    const lines = parsePatch(changed(patch))?.hunks[0]?.lines ?? [];

    expect(numbers(lines)).toEqual([
      ['context', 1, 1],
      ['context', 2, 2],
      ['del', 3, undefined],
      ['add', undefined, 3],
    ]);
    expect(lines.some((l) => l.text.includes('No newline'))).toBe(false);
  });

  it('parses a CRLF patch: headers still parse and no text keeps its \\r', () => {
    const patch = ['@@ -10,3 +10,4 @@ class OrderService {', '   save() {', '-    return db.save();', '+    validate();', '+    return db.save();', '   }'].join('\r\n');
    const hunk = parsePatch(changed(patch))?.hunks[0];

    expect(hunk).toMatchObject({ oldStart: 10, oldLines: 3, newStart: 10, newLines: 4 });
    expect(hunk?.header).toBe('@@ -10,3 +10,4 @@ class OrderService {');
    expect(hunk?.lines.map((l) => l.text)).toEqual(['  save() {', '    return db.save();', '    validate();', '    return db.save();', '  }']);
  });

  it('keeps line numbers right when a CRLF "\\ No newline" marker sits mid-hunk', () => {
    // Raw parse-diff takes the marker ending in '\r' for a context line and shifts every later line by one.
    const patch = ['@@ -1,2 +1,3 @@', ' a', '-b', '\\ No newline at end of file', '+b', '+c'].join('\r\n');
    const lines = parsePatch(changed(patch))?.hunks[0]?.lines ?? [];

    expect(numbers(lines)).toEqual([
      ['context', 1, 1],
      ['del', 2, undefined],
      ['add', undefined, 2],
      ['add', undefined, 3],
    ]);
  });

  it("strips the '\\r' GitHub leaves on the last line of a CRLF file's patch (no final newline)", () => {
    const patch = '@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r';
    const lines = parsePatch(changed(patch))?.hunks[0]?.lines ?? [];

    expect(lines.map((l) => l.text)).toEqual(['a', 'b', 'c']);
  });

  it('accepts a trailing newline after the last hunk', () => {
    const file = parsePatch(changed(`${TWO_HUNKS}\n`));

    expect(file?.hunks.map((h) => h.lines.length)).toEqual([6, 8]);
  });

  it.each([
    ['no patch', undefined],
    ['an empty patch', ''],
    ['a blank patch', '  \n'],
    ['text that is not a diff', 'Binary files a/logo.png and b/logo.png differ'],
  ])('returns undefined for %s', (_label, patch) => {
    expect(parsePatch(changed(patch))).toBeUndefined();
  });

  it.each([
    ['a hunk shorter than its header (it would swallow the next header)', ['@@ -1,3 +1,3 @@', ' a', '-b', '+c', '@@ -10,2 +10,2 @@', '-x', '+y'].join('\n')],
    ['lines beyond what the header announces', ['@@ -1,1 +1,1 @@', '-a', '+b', '+c'].join('\n')],
    ['a context line without its leading space', ['@@ -1,2 +1,2 @@', 'a', '-b', '+c'].join('\n')],
    ['a "No newline" marker right after the header (parse-diff throws on it)', ['@@ -1 +1 @@', '\\ No newline at end of file', '-a', '+b'].join('\n')],
  ])('returns undefined for a patch with %s', (_label, patch) => {
    expect(parsePatch(changed(patch))).toBeUndefined();
  });
});

describe('parsePatch: the one-pass reader against parse-diff', () => {
  // Generated patches: well-formed hunks (counts right or off by one, counts omitted, `\ No newline` markers, CRLF
  // remains, blank context lines), then spliced with stray lines (file headers, junk, bare and bogus `@@` lines).
  let seed = 2_463_534_242;
  const random = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x1_0000_0000;
  };
  const below = (n: number) => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[below(items.length)] as T;
  const STRAY = ['', ' ', '\r', '+\r', ' \r', '+', '-', '\\ No newline at end of file', '\\ other', 'junk', '@@ bogus', '@@ -1 +1 @@', '@@ -0,0 +0,0 @@', 'diff --git a/x b/x', '--- a/x', '+++ b/x', 'index 123..456 100644'];
  const hunk = (): string[] => {
    const lines: string[] = [];
    let oldCount = 0;
    let newCount = 0;
    for (let i = 0, n = 1 + below(6); i < n; i++) {
      const kind = pick(['+', '-', ' ', ' ', '']);
      lines.push(kind === '' ? '' : `${kind}line ${i}${random() < 0.1 ? '\r' : ''}`);
      if (kind !== '+') oldCount++;
      if (kind !== '-') newCount++;
    }
    const range = (start: number, count: number) => (count === 1 && random() < 0.5 ? `${start}` : `${start},${count}`);
    const skew = () => (random() < 0.15 ? pick([-1, 1]) : 0);
    const header = `@@ -${range(below(50), oldCount + skew())} +${range(below(50), newCount + skew())} @@${random() < 0.5 ? ' section' : ''}`;
    return [header, ...lines, ...(random() < 0.15 ? ['\\ No newline at end of file'] : [])];
  };

  it('reads every patch it does not hand to parse-diff exactly as parse-diff does', () => {
    let read = 0;
    for (let iteration = 0; iteration < 5_000; iteration++) {
      const lines = Array.from({ length: 1 + below(3) }, hunk).flat();
      for (let edits = random() < 0.5 ? 0 : 1 + below(3); edits > 0; edits--) {
        const at = below(lines.length + 1);
        if (random() < 0.6) lines.splice(at, 0, pick(STRAY));
        else lines.splice(at, 1);
      }
      const patch = `${lines.join('\n')}${random() < 0.3 ? '\n' : ''}`.replaceAll('\r\n', '\n');
      if (patch.trim() === '') continue;
      const hunks = readHunks(patch);
      if (hunks === UNUSUAL) continue;
      read++;
      expect(hunks, JSON.stringify(patch)).toStrictEqual(parseWithParseDiff(patch));
    }
    expect(read).toBeGreaterThan(2_000);
  });
});

