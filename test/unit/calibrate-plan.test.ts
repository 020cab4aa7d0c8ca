import { describe, expect, it, vi } from 'vitest';
import { renderFile } from '../../src/review/build-prompt.js';
import { planWithCounting, SAMPLE_MARGIN, sampleFiles, scaledEstimator, worthCounting } from '../../src/review/calibrate-plan.js';
import { estimateFileTokens, estimateTokens } from '../../src/review/estimate-tokens.js';
import { planChunks } from '../../src/review/plan-chunks.js';
import type { ChunkPlan } from '../../src/review/plan-chunks.js';
import type { DiffFile, DiffLine } from '../../src/review/types.js';

/** A file of `lines` added lines (one hunk); the text names the file so files differ. */
function added(path: string, lines = 20): DiffFile {
  const body = Array.from({ length: lines }, (_, i): DiffLine => ({ kind: 'add', newLine: i + 1, text: `export const ${path.replace(/\W/g, '_')}_${i} = load(${i});` }));
  return { path, status: 'added', additions: lines, deletions: 0, hunks: [{ oldStart: 0, oldLines: 0, newStart: 1, newLines: lines, header: `@@ -0,0 +1,${lines} @@`, lines: body }] };
}

const routes = Array.from({ length: 10 }, (_, i) => added(`src/routes/r${i}.ts`));
const tests = Array.from({ length: 10 }, (_, i) => added(`test/t${i}.test.ts`));
const all = [...tests, ...routes];
const unitCost = estimateFileTokens(routes[0]!);
const reviewed = (plan: ChunkPlan) => plan.chunks.flat().map((file) => file.path);
/** What count_tokens would answer if the tokenizer made `ratio` of the estimate. */
const countingAt = (ratio: number) => vi.fn(async (text: string) => Math.round(estimateTokens(text) * ratio));

describe('worthCounting', () => {
  const plan = (over: Partial<ChunkPlan>): ChunkPlan => ({ chunks: [], skipped: [], clipped: [], estimatedTokens: 0, ...over });

  it('counts when the estimate left a file out or clipped one, or came within 10% of the budget; not otherwise', () => {
    expect(worthCounting(plan({ estimatedTokens: 500 }), 1000)).toBe(false);
    expect(worthCounting(plan({ estimatedTokens: 899 }), 1000)).toBe(false);
    expect(worthCounting(plan({ estimatedTokens: 900 }), 1000)).toBe(true);
    expect(worthCounting(plan({ skipped: [{ path: 'a.ts', reason: 'over-budget' }] }), 1000)).toBe(true);
    expect(worthCounting(plan({ clipped: [{ path: 'a.ts', keptHunks: 1, totalHunks: 2 }] }), 1000)).toBe(true);
  });
});

describe('sampleFiles', () => {
  it('renders the sampled files exactly as the prompt does, and its estimate is theirs', () => {
    const sample = sampleFiles(routes, 1_000_000);
    expect(sample.files).toBe(10);
    expect(sample.text).toBe(routes.map((file) => `${renderFile(file)}\n`).join(''));
    expect(sample.estimatedTokens).toBe(routes.reduce((sum, file) => sum + estimateFileTokens(file), 0));
    expect(estimateTokens(sample.text)).toBeLessThanOrEqual(sample.estimatedTokens);
  });

  it('spreads a small sample over the whole pull request and stays under its size', () => {
    const many = Array.from({ length: 300 }, (_, i) => added(`src/m${String(i).padStart(3, '0')}.ts`));
    const max = unitCost * 10;
    const sample = sampleFiles(many, max);
    expect(sample.estimatedTokens).toBeLessThanOrEqual(max);
    expect(sample.files).toBeGreaterThanOrEqual(5);
    const paths = [...sample.text.matchAll(/<file path="([^"]+)"/g)].map((match) => match[1]);
    expect(paths).toHaveLength(sample.files);
    // Files from the start, the middle and the end, not the first few only.
    expect(paths.some((path) => path! < 'src/m030.ts')).toBe(true);
    expect(paths.some((path) => path! > 'src/m150.ts')).toBe(true);
    expect(paths.some((path) => path! > 'src/m250.ts')).toBe(true);
  });

  it('passes over a file larger than the whole sample', () => {
    const sample = sampleFiles([added('src/huge.ts', 2000), ...routes], unitCost * 20);
    expect(sample.text).not.toContain('src/huge.ts');
    expect(sample.files).toBe(10);
  });
});

describe('scaledEstimator', () => {
  it('scales each file and rounds up', () => {
    expect(scaledEstimator(0.5)(routes[0]!)).toBe(Math.ceil(unitCost * 0.5));
    expect(scaledEstimator(1.1)(routes[0]!)).toBe(Math.ceil(unitCost * 1.1));
  });
});

describe('planWithCounting', () => {
  // Room for the 10 routes and half a test, by estimate.
  const options = { budgetTokens: unitCost * 10 + Math.floor(unitCost / 2), chunkTokens: 1_000_000 };

  it('brings back the files the estimate left out when the exact count says they fit, and says so', async () => {
    const count = countingAt(0.6);
    const estimated = planChunks(all, options);
    expect(reviewed(estimated)).toHaveLength(10);

    const result = await planWithCounting(all, options, count, () => expect.fail('no error expected'));

    expect(count).toHaveBeenCalledTimes(1);
    expect(result.ratio).toBeCloseTo(0.6, 2);
    // 20 files at 0.63 of the estimate: 12.6 units in a budget of 10.5 would not fit, so not all come back; but more do.
    const scaled = scaledEstimator(result.ratio! + SAMPLE_MARGIN);
    const fitting = Math.floor(options.budgetTokens / scaled(routes[0]!));
    expect(reviewed(result.plan)).toHaveLength(fitting);
    expect(fitting).toBeGreaterThan(10);
    expect(result.plan.estimatedTokens).toBeLessThanOrEqual(options.budgetTokens);
    // Still riskiest first: every route, then tests.
    expect(reviewed(result.plan).slice(0, 10).sort()).toEqual(routes.map((file) => file.path).sort());
    expect(result.note).toMatch(/count_tokens endpoint: \d+ sampled file\(s\) count 0\.60× the estimate\. \d+ more file\(s\) fit the budget/);
  });

  it('keeps to the budget when the exact count is above the estimate: fewer files than the estimate chose', async () => {
    const result = await planWithCounting(all, options, countingAt(1.3), () => expect.fail('no error expected'));
    expect(reviewed(result.plan).length).toBeLessThan(10);
    expect(reviewed(result.plan).every((path) => path.startsWith('src/routes/'))).toBe(true);
    // In counted terms (the estimate × the counted ratio) the plan is within the budget.
    const counted = result.plan.chunks.flat().reduce((sum, file) => sum + estimateFileTokens(file) * 1.3, 0);
    expect(counted).toBeLessThanOrEqual(options.budgetTokens);
    expect(result.note).toMatch(/file\(s\) fewer fit the budget/);
  });

  it('says nothing in the summary when the exact count changes nothing', async () => {
    // Room for the 10 routes, by estimate and by a count 10% lower alike: the count changes nothing.
    const tight = { budgetTokens: unitCost * 10, chunkTokens: 1_000_000 };
    const count = countingAt(0.9);
    const result = await planWithCounting(all, tight, count, () => expect.fail('no error expected'));
    expect(count).toHaveBeenCalledTimes(1);
    expect(reviewed(result.plan)).toEqual(reviewed(planChunks(all, tight)));
    expect(result.ratio).toBeDefined();
    expect(result.note).toBeUndefined();
  });

  it('keeps the estimated plan when counting fails, and reports the failure', async () => {
    const errors: unknown[] = [];
    const result = await planWithCounting(all, options, async () => Promise.reject(new Error('count_tokens unavailable')), (error) => errors.push(error));
    expect(result.plan).toEqual(planChunks(all, options));
    expect(result.note).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(String(errors[0])).toContain('count_tokens unavailable');
  });

  it('ignores an implausible count (zero, or ten times the estimate)', async () => {
    for (const answer of [0, Number.NaN, 1e9]) {
      const errors: unknown[] = [];
      const result = await planWithCounting(all, options, async () => answer, (error) => errors.push(error));
      expect(result.plan).toEqual(planChunks(all, options));
      expect(result.ratio).toBeUndefined();
      expect(errors).toHaveLength(1);
    }
  });

  it('does not count when the estimate fits with room to spare, or when there is nothing to count with', async () => {
    const count = countingAt(0.6);
    const roomy = { budgetTokens: unitCost * 100, chunkTokens: 1_000_000 };
    const result = await planWithCounting(all, roomy, count, () => undefined);
    expect(count).not.toHaveBeenCalled();
    expect(result.note).toBeUndefined();
    expect(reviewed(result.plan)).toHaveLength(20);

    const uncounted = await planWithCounting(all, options, undefined, () => undefined);
    expect(uncounted.plan).toEqual(planChunks(all, options));
  });
});
