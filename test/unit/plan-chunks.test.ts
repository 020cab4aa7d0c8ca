import { describe, expect, it } from 'vitest';
import { compressHunks, isOmissionMarker } from '../../src/review/compress-hunks.js';
import { estimateFileTokens } from '../../src/review/estimate-tokens.js';
import { planChunks } from '../../src/review/plan-chunks.js';
import type { ChunkPlan } from '../../src/review/plan-chunks.js';
import { riskRank } from '../../src/review/risk-order.js';
import type { DiffFile, DiffLine, DiffLineKind, Hunk } from '../../src/review/types.js';

function hunk(oldStart: number, newStart: number, kinds: DiffLineKind[], tag = 'x'): Hunk {
  let oldLine = oldStart;
  let newLine = newStart;
  const lines = kinds.map((kind, i): DiffLine => {
    const text = `  const ${tag}${i} = await repository.load(request.params.id, { attempt: ${i} });`;
    if (kind === 'add') return { kind, newLine: newLine++, text };
    if (kind === 'del') return { kind, oldLine: oldLine++, text };
    return { kind, oldLine: oldLine++, newLine: newLine++, text };
  });
  const oldLines = kinds.filter((kind) => kind !== 'add').length;
  const newLines = kinds.filter((kind) => kind !== 'del').length;
  return { oldStart, oldLines, newStart, newLines, header: `@@ -${oldStart},${oldLines} +${newStart},${newLines} @@`, lines };
}

/** A file of `count` hunks of `size` lines each (one context, then alternating deletions and additions). */
function diffFile(path: string, count: number, size: number, extra: Hunk[] = []): DiffFile {
  const kinds: DiffLineKind[] = Array.from({ length: size }, (_, i) => (i === 0 ? 'context' : i % 2 === 0 ? 'add' : 'del'));
  const hunks = Array.from({ length: count }, (_, i) => hunk(1 + i * 1000, 1 + i * 1000, kinds, `h${i}_`));
  const all = [...hunks, ...extra];
  const lines = all.flatMap((h) => h.lines);
  return {
    path,
    status: 'modified',
    additions: lines.filter((line) => line.kind === 'add').length,
    deletions: lines.filter((line) => line.kind === 'del').length,
    hunks: all,
  };
}

const lineCount = (files: DiffFile[]) => files.reduce((sum, file) => sum + file.hunks.reduce((n, h) => n + h.lines.length, 0), 0);
const tokensOf = (files: DiffFile[]) => files.reduce((sum, file) => sum + estimateFileTokens(file), 0);
const pathsIn = (plan: ChunkPlan) => plan.chunks.flat().map((file) => file.path);

describe('planChunks on a 3,000-file, 100,000-line pull request', () => {
  const FOLDERS = ['src/routes', 'src/auth', 'src/db', 'config', 'src/lib', 'test/unit'];
  const EXT = ['ts', 'ts', 'ts', 'yml', 'ts', 'test.ts'];
  // 101 hunks, 10,030 lines: far over a chunk, so it is clipped.
  const huge = diffFile('src/routes/huge.ts', 100, 100, [hunk(900_000, 900_000, Array<DiffLineKind>(30).fill('add'), 'tail')]);
  const deletionOnly = hunk(5000, 5000, Array<DiffLineKind>(21).fill('del'), 'gone');
  const files: DiffFile[] = [huge];
  for (let i = 1; i < 3000; i++) {
    const kind = i % FOLDERS.length;
    // Every 10th file also drops a 21-line block: 9 + 21 = 30 lines, like the other files.
    files.push(i % 10 === 0 ? diffFile(`${FOLDERS[kind]}/f${i}.${EXT[kind]}`, 1, 9, [deletionOnly]) : diffFile(`${FOLDERS[kind]}/f${i}.${EXT[kind]}`, 1, 30));
  }
  const chunkTokens = 60_000;

  // What every file costs as the plan sees it (compressed, and the huge one clipped), from an unbounded run.
  const unbounded = planChunks(files, { budgetTokens: Number.MAX_SAFE_INTEGER, chunkTokens });
  const costs = new Map(unbounded.chunks.flat().map((file) => [file.path, estimateFileTokens(file)]));
  const nonTestTokens = [...costs].filter(([path]) => riskRank(path).tier !== 5).reduce((sum, [, tokens]) => sum + tokens, 0);
  const testTokens = unbounded.estimatedTokens - nonTestTokens;
  // Room for every non-test file and about half of the tests.
  const budgetTokens = nonTestTokens + Math.floor(testTokens / 2);
  const plan = planChunks(files, { budgetTokens, chunkTokens });

  it('is the size the brief asks for', () => {
    expect(files).toHaveLength(3000);
    expect(lineCount(files)).toBe(100_000);
  });

  it('puts every file in exactly one of: a chunk, skipped', () => {
    const placed = [...pathsIn(plan), ...plan.skipped.map((skip) => skip.path)].sort();
    expect(placed).toEqual(files.map((file) => file.path).sort());
    expect(new Set(placed).size).toBe(3000);
    expect(plan.skipped.every((skip) => skip.reason === 'over-budget')).toBe(true);
    // Clipped files are reviewed in part: they are in a chunk.
    expect(plan.clipped.every((clip) => pathsIn(plan).includes(clip.path))).toBe(true);
  });

  it('respects the budget and the chunk size', () => {
    expect(tokensOf(plan.chunks.flat())).toBe(plan.estimatedTokens);
    expect(plan.estimatedTokens).toBeLessThanOrEqual(budgetTokens);
    for (const chunk of plan.chunks) expect(tokensOf(chunk)).toBeLessThanOrEqual(chunkTokens);
    expect(plan.chunks.length).toBeGreaterThan(1);
  });

  it('reviews every non-test file and spends what is left on tests, which come last', () => {
    expect(plan.skipped.length).toBeGreaterThan(0);
    expect(plan.skipped.every((skip) => riskRank(skip.path).tier === 5)).toBe(true);
    expect(pathsIn(plan).some((path) => riskRank(path).tier === 5)).toBe(true);
    for (const chunk of plan.chunks) {
      const tiers = chunk.map((file) => riskRank(file.path).tier);
      expect(tiers).toEqual([...tiers].sort((a, b) => a - b));
    }
  });

  it('compresses deletion-only hunks', () => {
    const reviewed = plan.chunks.flat().find((file) => file.path === 'src/routes/f30.ts');
    const block = reviewed?.hunks[1];
    expect(block?.header).toBe(deletionOnly.header);
    expect(block?.lines).toHaveLength(7);
    expect(block?.lines.filter(isOmissionMarker).map((line) => line.text)).toEqual(['… 15 deleted lines omitted …']);
  });

  it('clips the huge file at a hunk boundary, keeping the original hunks', () => {
    const [clip] = plan.clipped;
    expect(plan.clipped).toHaveLength(1);
    expect(clip?.path).toBe('src/routes/huge.ts');
    expect(clip?.totalHunks).toBe(101);
    const reviewed = plan.chunks.flat().find((file) => file.path === 'src/routes/huge.ts')!;
    expect(reviewed.hunks).toHaveLength(clip!.keptHunks);
    expect(clip!.keptHunks).toBeGreaterThan(0);
    expect(clip!.keptHunks).toBeLessThan(101);
    reviewed.hunks.forEach((kept, i) => expect(kept).toBe(huge.hunks[i]));
    // Whole hunks only, and as many as fit: one more would not.
    expect(estimateFileTokens(reviewed)).toBeLessThanOrEqual(chunkTokens);
    expect(estimateFileTokens({ ...huge, hunks: huge.hunks.slice(0, clip!.keptHunks + 1) })).toBeGreaterThan(chunkTokens);
  });

  it('gives the same plan for the same files in any order', () => {
    expect(planChunks([...files].reverse(), { budgetTokens, chunkTokens })).toEqual(plan);
  });
});

describe('planChunks', () => {
  const small = (path: string, lines = 4) => diffFile(path, 1, lines);
  const cost = (file: DiffFile) => estimateFileTokens(compressHunks(file));

  it('skips a file that no longer fits the budget and still reviews a smaller one after it', () => {
    const big = diffFile('src/routes/big.ts', 1, 200);
    const medium = diffFile('src/auth/medium.ts', 1, 150);
    const tiny = small('src/lib/tiny.ts');
    const budgetTokens = cost(big) + cost(tiny) + 5;
    const plan = planChunks([tiny, medium, big], { budgetTokens, chunkTokens: 1_000_000 });
    expect(pathsIn(plan)).toEqual(['src/routes/big.ts', 'src/lib/tiny.ts']);
    expect(plan.skipped).toEqual([{ path: 'src/auth/medium.ts', reason: 'over-budget' }]);
  });

  it('skips a file whose first hunk alone is over the file limit', () => {
    const file = diffFile('src/routes/wide.ts', 3, 200);
    const plan = planChunks([file], { budgetTokens: 1_000_000, chunkTokens: 1_000_000, maxFileTokens: 100 });
    expect(plan.chunks).toEqual([]);
    expect(plan.clipped).toEqual([]);
    expect(plan.skipped).toEqual([{ path: 'src/routes/wide.ts', reason: 'over-budget' }]);
  });

  it('lists a file clipped to fit but then over the budget as skipped only', () => {
    const file = diffFile('src/routes/wide.ts', 10, 50);
    const limit = estimateFileTokens({ ...file, hunks: file.hunks.slice(0, 3) });
    const plan = planChunks([file], { budgetTokens: limit - 1, chunkTokens: 1_000_000, maxFileTokens: limit });
    expect(plan.clipped).toEqual([]);
    expect(plan.skipped).toEqual([{ path: 'src/routes/wide.ts', reason: 'over-budget' }]);
  });

  it('clips to maxFileTokens when it is below the chunk size, and to the chunk size when it is above', () => {
    const file = diffFile('src/routes/wide.ts', 10, 50);
    const three = estimateFileTokens({ ...file, hunks: file.hunks.slice(0, 3) });
    const five = estimateFileTokens({ ...file, hunks: file.hunks.slice(0, 5) });
    const byFileLimit = planChunks([file], { budgetTokens: 1_000_000, chunkTokens: five, maxFileTokens: three });
    expect(byFileLimit.clipped).toEqual([{ path: 'src/routes/wide.ts', keptHunks: 3, totalHunks: 10 }]);
    const byChunk = planChunks([file], { budgetTokens: 1_000_000, chunkTokens: five, maxFileTokens: 10 * five });
    expect(byChunk.clipped).toEqual([{ path: 'src/routes/wide.ts', keptHunks: 5, totalHunks: 10 }]);
  });

  it('does not clip a file that fits once its deletion-only hunks are compressed', () => {
    const file = diffFile('src/lib/cleanup.ts', 1, 5, [hunk(500, 400, Array<DiffLineKind>(400).fill('del'))]);
    const limit = cost(file);
    expect(estimateFileTokens(file)).toBeGreaterThan(limit);
    const plan = planChunks([file], { budgetTokens: limit, chunkTokens: limit });
    expect(plan.clipped).toEqual([]);
    expect(plan.chunks.flat()[0]?.hunks).toHaveLength(2);
  });

  it('packs files first fit in risk order, keeping a folder together when there is room', () => {
    const files = [
      small('src/routes/a.ts'),
      small('src/routes/b.ts'),
      small('src/tokens/c.ts'),
      small('src/routes/d.ts'),
      small('src/tokens/e.ts'),
    ];
    const each = cost(files[0]!);
    expect(files.every((file) => cost(file) === each)).toBe(true);
    // Room for two files per chunk.
    const plan = planChunks(files, { budgetTokens: 1_000_000, chunkTokens: 2 * each });
    // d opens the second chunk, c (next in risk order) fills it, e opens a third; each chunk stays in risk order.
    expect(plan.chunks.map((chunk) => chunk.map((file) => file.path))).toEqual([
      ['src/routes/a.ts', 'src/routes/b.ts'],
      ['src/routes/d.ts', 'src/tokens/c.ts'],
      ['src/tokens/e.ts'],
    ]);
  });

  it('prefers a chunk that holds the same folder over the first chunk with room', () => {
    const p = diffFile('src/a/p.ts', 1, 20);
    const q = diffFile('src/b/q.ts', 1, 20);
    const r = diffFile('src/b/r.ts', 1, 10);
    const chunkTokens = cost(q) + cost(r);
    // r would fit beside p as well; it goes beside q, from its own folder.
    expect(cost(p) + cost(r)).toBeLessThanOrEqual(chunkTokens);
    expect(cost(p) + cost(q)).toBeGreaterThan(chunkTokens);
    const plan = planChunks([r, q, p], { budgetTokens: 1_000_000, chunkTokens });
    expect(plan.chunks.map((chunk) => chunk.map((file) => file.path))).toEqual([['src/a/p.ts'], ['src/b/q.ts', 'src/b/r.ts']]);
  });

  it('uses the estimator it is given', () => {
    const files = [small('src/a.ts'), small('src/b.ts'), small('src/c.ts')];
    const plan = planChunks(files, { budgetTokens: 25, chunkTokens: 20, estimate: () => 10 });
    expect(plan.chunks.map((chunk) => chunk.map((file) => file.path))).toEqual([['src/a.ts', 'src/b.ts']]);
    expect(plan.skipped).toEqual([{ path: 'src/c.ts', reason: 'over-budget' }]);
    expect(plan.estimatedTokens).toBe(20);
  });

  it('skips everything with a zero budget, and plans nothing for no files', () => {
    expect(planChunks([small('src/a.ts')], { budgetTokens: 0, chunkTokens: 100 }).skipped).toHaveLength(1);
    expect(planChunks([], { budgetTokens: 100, chunkTokens: 100 })).toEqual({ chunks: [], skipped: [], clipped: [], estimatedTokens: 0 });
  });

  it.each([
    [{ budgetTokens: 100, chunkTokens: 0 }, /chunkTokens/],
    [{ budgetTokens: -1, chunkTokens: 100 }, /budgetTokens/],
    [{ budgetTokens: Number.NaN, chunkTokens: 100 }, /budgetTokens/],
    [{ budgetTokens: 100, chunkTokens: 100, maxFileTokens: 0 }, /maxFileTokens/],
  ])('rejects %j', (options, message) => {
    expect(() => planChunks([], options)).toThrow(message);
  });
});
