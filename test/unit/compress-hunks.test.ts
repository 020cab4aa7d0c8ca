import { describe, expect, it } from 'vitest';
import { anchorFindings } from '../../src/review/anchor-findings.js';
import { buildPrompt } from '../../src/review/build-prompt.js';
import { compressHunks, isOmissionMarker } from '../../src/review/compress-hunks.js';
import type { DiffFile, DiffLine, DiffLineKind, Finding, Hunk } from '../../src/review/types.js';

function hunk(oldStart: number, newStart: number, kinds: DiffLineKind[]): Hunk {
  let oldLine = oldStart;
  let newLine = newStart;
  const lines = kinds.map((kind, i): DiffLine => {
    const text = `line ${i}`;
    if (kind === 'add') return { kind, newLine: newLine++, text };
    if (kind === 'del') return { kind, oldLine: oldLine++, text };
    return { kind, oldLine: oldLine++, newLine: newLine++, text };
  });
  const oldLines = kinds.filter((kind) => kind !== 'add').length;
  const newLines = kinds.filter((kind) => kind !== 'del').length;
  return { oldStart, oldLines, newStart, newLines, header: `@@ -${oldStart},${oldLines} +${newStart},${newLines} @@`, lines };
}

const file = (...hunks: Hunk[]): DiffFile => ({ path: 'src/orders/legacy.ts', status: 'modified', additions: 0, deletions: 0, hunks });
const run = (kind: DiffLineKind, count: number): DiffLineKind[] => Array<DiffLineKind>(count).fill(kind);

describe('compressHunks', () => {
  it('keeps the first and last three lines of a long deletion-only hunk around one marker', () => {
    const original = hunk(10, 9, run('del', 20));
    const [compressed] = compressHunks(file(original)).hunks;

    expect(compressed?.header).toBe(original.header);
    expect(compressed?.lines).toHaveLength(7);
    expect(compressed?.lines.slice(0, 3)).toEqual(original.lines.slice(0, 3));
    expect(compressed?.lines.slice(4)).toEqual(original.lines.slice(17));
    expect(compressed?.lines[3]).toEqual({ kind: 'context', text: '… 14 deleted lines omitted …' });
    expect(compressed?.lines.map((line) => line.oldLine)).toEqual([10, 11, 12, undefined, 27, 28, 29]);
  });

  it.each([
    ['8 deleted lines stay whole', [...run('del', 8)], false],
    ['9 deleted lines are compressed', [...run('del', 9)], true],
    ['a hunk with an addition stays whole', [...run('del', 30), 'add'], false],
    ['context around a long run is kept', ['context', ...run('del', 12), 'context'], true],
    ['runs split by context are measured separately', [...run('del', 6), 'context', ...run('del', 6)], false],
  ] as [string, DiffLineKind[], boolean][])('%s', (_, kinds, compressed) => {
    const original = hunk(1, 1, kinds);
    const result = compressHunks(file(original)).hunks[0]!;
    expect(result !== original).toBe(compressed);
    expect(result.lines.some(isOmissionMarker)).toBe(compressed);
  });

  it('keeps context lines and compresses each long run on its own', () => {
    const original = hunk(1, 1, ['context', ...run('del', 10), 'context', ...run('del', 12), 'context']);
    const lines = compressHunks(file(original)).hunks[0]!.lines;
    expect(lines.map((line) => (isOmissionMarker(line) ? line.text : line.kind))).toEqual([
      'context',
      'del', 'del', 'del', '… 4 deleted lines omitted …', 'del', 'del', 'del',
      'context',
      'del', 'del', 'del', '… 6 deleted lines omitted …', 'del', 'del', 'del',
      'context',
    ]);
  });

  it('returns the same file and hunks when nothing is compressed, and never changes its input', () => {
    const small = file(hunk(1, 1, ['context', 'del', 'add']));
    expect(compressHunks(small)).toBe(small);

    const untouched = hunk(1, 1, ['del', 'add']);
    const long = hunk(50, 50, run('del', 40));
    const input = file(untouched, long);
    const snapshot = structuredClone(input);
    const result = compressHunks(input);
    expect(result).not.toBe(input);
    expect(result.hunks[0]).toBe(untouched);
    expect(input).toEqual(snapshot);
  });

  it('shows the marker in the prompt with both number columns blank, so it cannot be cited', () => {
    const user = buildPrompt({ name: 'a', instructions: 'i', skills: [], checklist: [] }, { title: 't', body: 'b' }, [compressHunks(file(hunk(10, 9, run('del', 20))))]).user;
    expect(user).toContain(`${' '.repeat(14)}  … 14 deleted lines omitted …`);
    expect(user).toMatch(/L12 {4}\s{7}- line 2\n {16}… 14 deleted lines omitted …\nL27 /);
  });

  it('leaves the omitted lines citable against the original file, which is what anchoring uses', () => {
    const original = file(hunk(10, 9, run('del', 20)));
    const finding: Finding = { path: original.path, line: 15, side: 'LEFT', severity: 'high', category: 'reliability', title: 't', body: 'b' };
    expect(anchorFindings([finding], [original]).anchored).toHaveLength(1);
  });
});
