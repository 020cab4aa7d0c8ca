import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryBudgetStore } from '../../src/adapters/memory/memory-budget-store.js';
import type { BudgetStore } from '../../src/ports/budget-store.js';
import type { ModelRequest, ModelReview, ModelUsage, ReviewModel } from '../../src/ports/review-model.js';
import type { FakeGitHub, FakeGitHubOptions } from '../helpers/fake-github.js';
import { openedPayload } from '../helpers/github-stand-in.js';
import { finding } from '../helpers/model-stand-in.js';
import { assertNockDone, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';
import { buildApp, deliverPullRequest } from '../helpers/build-app.js';

/**
 * Outsiders cannot drive unlimited model spend: a daily budget per installation (on by default), a daily limit of
 * automatic full reviews per pull request, `review.authors`; the check says which limit stopped a review and when
 * it resets. And what the model answered is published even when the accounting fails.
 */

const NOW = Date.parse('2025-03-14T12:00:00Z');
const INSTALLATION = 1;

let app: TestApp;
let github: FakeGitHub;
let requests: ModelRequest[];

beforeEach(() => {
  setupNock();
  requests = [];
});

afterEach(() => {
  expect(github.unexpected).toEqual([]);
  assertNockDone();
});

/** The model, in-process: every call answers one finding and spends `usage`. */
function model(usage: Partial<ModelUsage> = {}): ReviewModel {
  return {
    async review(request: ModelRequest): Promise<ModelReview> {
      requests.push(request);
      return {
        summary: 'Adds a user lookup.',
        checklist: [],
        findings: [finding()],
        usage: { inputTokens: 1200, outputTokens: 300, cacheCreationInputTokens: 0, cacheReadInputTokens: 900, ...usage },
        model: 'claude-sonnet-5-5',
        stopReason: 'end_turn',
      };
    },
  };
}

async function start(options: { env?: Record<string, string>; budget?: BudgetStore; github?: FakeGitHubOptions; usage?: Partial<ModelUsage> } = {}) {
  ({ github, app } = await buildApp({ ...(options.github ? { github: options.github } : {}), env: options.env ?? {}, model: model(options.usage), clock: { now: () => NOW }, budget: options.budget ?? createMemoryBudgetStore() }));
}

async function deliver(id: string, action: 'opened' | 'reopened' = 'opened', overrides: Record<string, unknown> = {}) {
  await deliverPullRequest(app, id, action, overrides);
}

function output(run: { output: Record<string, unknown> | undefined }) {
  return run.output as { title: string; summary: string };
}

describe('daily budget per installation', () => {
  it('is on by default: an installation that spent the default budget today is refused, the check says which limit and when it resets', async () => {
    const budget = createMemoryBudgetStore();
    await budget.add(INSTALLATION, { tokens: 20_000_000, usd: 0 }, NOW);
    await start({ budget });

    await deliver('delivery-over-budget');

    expect(requests).toHaveLength(0);
    expect(github.reviews).toHaveLength(0);
    const run = github.check();
    expect(run.conclusion).toBe('neutral');
    expect(output(run).title).toMatch(/daily review budget reached \(20,000,000 tokens per installation\)/i);
    expect(output(run).summary).toContain('BULWARK_DAILY_TOKEN_BUDGET');
    expect(output(run).summary).toContain('resets at 00:00 UTC on 2025-03-15');
  });

  it('counts every input token a review spent (cache reads of tool turns included): the next review of the day is refused', async () => {
    // Few uncached tokens, many cache reads: what tool turns look like.
    const pullRequest: Record<string, unknown> = {};
    await start({ env: { BULWARK_DAILY_TOKEN_BUDGET: '10000' }, usage: { inputTokens: 500, outputTokens: 100, cacheReadInputTokens: 12_000 }, github: { pullRequest } });

    await deliver('delivery-first');
    // The next push of the same pull request, reviewed as a full review (reopened).
    const head = { ...(openedPayload().pull_request.head as object), sha: 'a'.repeat(40) };
    pullRequest.head = head;
    await deliver('delivery-second', 'reopened', { head });

    expect(requests).toHaveLength(1);
    expect(github.checkRuns).toHaveLength(2);
    expect(output(github.checkRuns[1]!).title).toMatch(/daily review budget reached \(10,000 tokens per installation\)/i);
  });
});

describe('automatic full reviews per pull request', () => {
  it('a fork pull request closed and reopened with new commits five times gets only the limit (3) of reviews; the rest say which limit and when it resets', async () => {
    const pullRequest: Record<string, unknown> = { author_association: 'CONTRIBUTOR' };
    await start({ github: { pullRequest } });
    const head = openedPayload().pull_request.head as Record<string, unknown>;

    for (let index = 1; index <= 5; index += 1) {
      const sha = String(index).repeat(40);
      pullRequest.head = { ...head, sha };
      await deliver(`delivery-reopen-${index}`, 'reopened', { head: { ...head, sha }, author_association: 'CONTRIBUTOR' });
    }

    expect(requests).toHaveLength(3);
    expect(github.checkRuns).toHaveLength(5);
    const refused = github.checkRuns.slice(3);
    for (const run of refused) {
      expect(run.conclusion).toBe('neutral');
      expect(output(run).title).toMatch(/daily limit of automatic reviews of this pull request reached/i);
      expect(output(run).summary).toContain('3 times today');
      expect(output(run).summary).toContain('resets at 00:00 UTC on 2025-03-15');
      expect(output(run).summary).toContain('/review');
    }
  });
});

describe('review.authors', () => {
  it("skips a CONTRIBUTOR's pull request when only MEMBER is listed, with a check saying so and no model call", async () => {
    await start({ github: { config: 'review:\n  authors: [MEMBER]\n', pullRequest: { author_association: 'CONTRIBUTOR' } } });

    await deliver('delivery-contributor', 'opened', { author_association: 'CONTRIBUTOR' });

    expect(requests).toHaveLength(0);
    const run = github.check();
    expect(run.conclusion).toBe('skipped');
    expect(output(run).title).toMatch(/author not reviewed automatically/i);
    expect(output(run).summary).toContain('`CONTRIBUTOR`');
    expect(output(run).summary).toContain('`MEMBER`');
    expect(output(run).summary).toContain('review.authors');
  });

  it("reviews a MEMBER's pull request", async () => {
    await start({ github: { config: 'review:\n  authors: [MEMBER]\n', pullRequest: { author_association: 'MEMBER' } } });

    await deliver('delivery-member', 'opened', { author_association: 'MEMBER' });

    expect(requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
  });
});

describe('accounting never costs a review', () => {
  it('a budget store whose add throws after the model answered: the review is still published', async () => {
    const store = createMemoryBudgetStore();
    const failing: BudgetStore = {
      spent: (...args) => store.spent(...args),
      claimReview: (...args) => store.claimReview(...args),
      add: () => Promise.reject(new Error('connection lost')),
    };
    await start({ budget: failing });

    await deliver('delivery-accounting');

    expect(requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    const run = github.check();
    expect(run.conclusion).toBe('neutral');
    expect(output(run).title).not.toMatch(/failed|error/i);
    expect(JSON.stringify(github.reviews[0])).toContain('User id is interpolated into SQL');
  });
});

describe('tool turns spend the review budget', () => {
  it("gives the tool turns only what the repo's budget leaves after the planned diff, not the operator's 400,000 on top", async () => {
    await start({ github: { config: 'budget:\n  max_input_tokens: 5000\n' } });
    await deliver('delivery-tools');

    const tools = requests[0]?.tools;
    expect(tools).toBeDefined();
    expect(tools!.maxTurnInputTokens).toBeGreaterThan(4000);
    expect(tools!.maxTurnInputTokens).toBeLessThan(5000);
  });
});

