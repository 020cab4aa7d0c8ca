import { describe, expect, it } from 'vitest';
import { createMemoryBudgetStore } from '../../src/adapters/memory/memory-budget-store.js';
import { readSettings } from '../../src/config/env.js';
import { spendLimitReached } from '../../src/jobs/daily-budget.js';
import type { PipelineDeps } from '../../src/ports/pipeline-deps.js';
import type { BudgetStore } from '../../src/ports/budget-store.js';
import type { ReviewJob } from '../../src/ports/job-queue.js';

const NOW = Date.parse('2025-03-14T12:00:00Z');
const RESETS = Date.parse('2025-03-15T00:00:00Z');

function deps(budget: BudgetStore, env: Record<string, string> = {}): PipelineDeps {
  const settings = readSettings(env);
  return {
    model: { review: () => Promise.reject(new Error('not called')) },
    agents: () => Promise.reject(new Error('not called')),
    settings: { ...settings, maxOutputTokens: 1000 },
    clock: { now: () => NOW },
    budget,
  };
}

function job(overrides: Partial<ReviewJob> = {}): ReviewJob {
  return { installationId: 1, owner: 'acme', repo: 'api', pullNumber: 7, headSha: 'a'.repeat(40), trigger: 'reopened', full: true, deliveryId: 'd', run: 'auto', ...overrides };
}

const FULL = { mode: 'full' } as const;

describe('spendLimitReached', () => {
  it('refuses the automatic full review past the per-pull-request limit, and says when it resets', async () => {
    const d = deps(createMemoryBudgetStore(), { BULWARK_PR_DAILY_AUTO_REVIEWS: '2' });

    expect(await spendLimitReached(d, job({ headSha: '1'.repeat(40) }), FULL)).toBeUndefined();
    expect(await spendLimitReached(d, job({ headSha: '2'.repeat(40) }), FULL)).toBeUndefined();
    expect(await spendLimitReached(d, job({ headSha: '3'.repeat(40) }), FULL)).toEqual({ kind: 'pull-request-reviews', limit: 2, resetsAt: RESETS });
    // A retry of a review already counted is not refused.
    expect(await spendLimitReached(d, job({ headSha: '2'.repeat(40) }), FULL)).toBeUndefined();
  });

  it('lets `/review` and Re-run (people with write access) past the per-pull-request limit, but not past the installation budget', async () => {
    const budget = createMemoryBudgetStore();
    const d = deps(budget, { BULWARK_PR_DAILY_AUTO_REVIEWS: '1', BULWARK_DAILY_TOKEN_BUDGET: '1000' });
    await spendLimitReached(d, job(), FULL);
    expect(await spendLimitReached(d, job({ headSha: 'b'.repeat(40) }), FULL)).toMatchObject({ kind: 'pull-request-reviews' });

    expect(await spendLimitReached(d, job({ headSha: 'b'.repeat(40), trigger: 'command', run: 'comment-5', command: { kind: 'review', commentId: 5 } }), FULL)).toBeUndefined();
    expect(await spendLimitReached(d, job({ headSha: 'b'.repeat(40), trigger: 'rerequested', run: 'rerun-x' }), FULL)).toBeUndefined();

    await budget.add(1, { tokens: 1000, usd: 0 }, NOW);
    expect(await spendLimitReached(d, job({ headSha: 'b'.repeat(40), trigger: 'command', run: 'comment-6', command: { kind: 'review', commentId: 6 } }), FULL)).toEqual({
      kind: 'installation-tokens',
      limit: 1000,
      resetsAt: RESETS,
    });
  });

  it('does not count an incremental review (a push reviewed since the last review) against the per-pull-request limit', async () => {
    const d = deps(createMemoryBudgetStore(), { BULWARK_PR_DAILY_AUTO_REVIEWS: '1' });
    await spendLimitReached(d, job(), FULL);

    expect(await spendLimitReached(d, job({ headSha: 'c'.repeat(40), trigger: 'synchronize', full: false }), { mode: 'incremental' })).toBeUndefined();
  });

  it('checks the dollar budget when one is set', async () => {
    const budget = createMemoryBudgetStore();
    await budget.add(1, { tokens: 10, usd: 5 }, NOW);

    expect(await spendLimitReached(deps(budget, { BULWARK_DAILY_USD_BUDGET: '5' }), job(), FULL)).toEqual({ kind: 'installation-usd', limit: 5, resetsAt: RESETS });
  });
});
