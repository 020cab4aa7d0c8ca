import { describe, expect, it } from 'vitest';
import { estimateFileTokens } from '../../src/review/estimate-tokens.js';
import { CONTEXT_SHARE, planChunks } from '../../src/review/plan-chunks.js';
import type { DiffFile } from '../../src/review/types.js';
import { isWidened, widenHunks } from '../../src/review/widen-hunks.js';
import { diffFileOf, patchAdding } from '../helpers/patch-adding.js';

/** A route file of 80 lines whose line 60 was added, and its prompt copy widened from the head. */
function routeFile(path: string): { narrow: DiffFile; widened: DiffFile } {
  const head = [
    "router.get('/orders/:id', async (req, res) => {",
    ...Array.from({ length: 78 }, (_, index) => `  const value${index} = await repository.load(req.params.id, { attempt: ${index} });`),
    '});',
  ];
  const narrow = diffFileOf(path, patchAdding(head, [60]));
  return { narrow, widened: widenHunks(narrow, { shown: head, raw: head }) };
}

const A = routeFile('src/routes/a.ts');
const B = routeFile('src/routes/b.ts');
const narrowTokens = estimateFileTokens(A.narrow);
const widenedTokens = estimateFileTokens(A.widened);

describe('planChunks with widened files', () => {
  it('sends a widened file whole when the budget has room, and counts its context in the estimate', () => {
    const plan = planChunks([A.widened], { budgetTokens: 100_000, chunkTokens: 50_000 });

    expect(isWidened(plan.chunks[0]![0]!)).toBe(true);
    expect(plan.estimatedTokens).toBe(widenedTokens);
    expect(plan.contextTokens).toBe(widenedTokens - narrowTokens);
    expect(widenedTokens).toBeGreaterThan(narrowTokens);
  });

  it(`keeps the context within its share of the budget (${CONTEXT_SHARE * 100} % by default)`, () => {
    const budgetTokens = (widenedTokens - narrowTokens) * 10 - 10;

    const plan = planChunks([A.widened], { budgetTokens, chunkTokens: budgetTokens });
    const wider = planChunks([A.widened], { budgetTokens, chunkTokens: budgetTokens, contextShare: 0.2 });

    expect(plan.chunks[0]![0]).toEqual(A.narrow);
    expect(plan.estimatedTokens).toBe(narrowTokens);
    expect(plan.contextTokens).toBeUndefined();
    expect(isWidened(wider.chunks[0]![0]!)).toBe(true);
  });

  it('never costs a file its review: context only fills what the diff leaves of the budget', () => {
    const budgetTokens = narrowTokens * 2 + 5;

    const plan = planChunks([A.widened, B.widened], { budgetTokens, chunkTokens: budgetTokens, contextShare: 1 });

    expect(plan.chunks.flat().map((file) => file.path)).toEqual(['src/routes/a.ts', 'src/routes/b.ts']);
    expect(plan.skipped).toEqual([]);
    expect(plan.chunks.flat().some(isWidened)).toBe(false);
    expect(plan.estimatedTokens).toBeLessThanOrEqual(budgetTokens);
  });

  it('widens the riskier files first when the context runs out', () => {
    const budgetTokens = narrowTokens * 2 + (widenedTokens - narrowTokens) + 5;

    const plan = planChunks([A.widened, B.widened], { budgetTokens, chunkTokens: budgetTokens, contextShare: 1 });

    expect(plan.chunks.flat().map((file) => [file.path, isWidened(file)])).toEqual([
      ['src/routes/a.ts', true],
      ['src/routes/b.ts', false],
    ]);
  });

  it('sends a file narrow rather than clipped when its context would take it over the per-file limit', () => {
    const plan = planChunks([A.widened], { budgetTokens: 100_000, chunkTokens: 50_000, maxFileTokens: narrowTokens });

    expect(plan.clipped).toEqual([]);
    expect(plan.chunks[0]![0]).toEqual(A.narrow);
  });
});
