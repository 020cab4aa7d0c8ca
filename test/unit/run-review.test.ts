import { describe, expect, it } from 'vitest';
import { createMemoryBudgetStore } from '../../src/adapters/memory/memory-budget-store.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { buildRunner, fixtureJob, fixturePullRequest, jobControl, usersFile } from '../helpers/build-runner.js';
import { fakeReviewModel } from '../helpers/fake-review-model.js';
import { finding } from '../helpers/model-stand-in.js';

/**
 * The runner as a black box, without HTTP: a job goes in, and what the memory host holds afterwards (check runs,
 * reviews) and what the fake model was asked are what is asserted. nock stays for the adapters' own tests.
 */

const ORDERS_PATCH = ['@@ -1,2 +1,3 @@', ' export function orders() {', '+  return db.all();', ' }'].join('\n');
const ordersFile = { path: 'src/server/routes/orders.ts', status: 'modified' as const, additions: 1, deletions: 0, patch: ORDERS_PATCH };

describe('createReviewRunner over the memory host', () => {
  it('reviews a pull request: one completed check run, one review with the finding inline, one model call', async () => {
    const model = fakeReviewModel([{ summary: 'One injection.', findings: [finding()] }]);
    const { run, host, jobId } = buildRunner({ model });

    await run(fixtureJob(), jobControl());

    const check = host.check();
    expect(check).toMatchObject({ externalId: jobId(), status: 'completed', conclusion: 'neutral' });
    expect(check.output?.title).toMatch(/high/i);
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]!.user).toContain('src/server/routes/users.ts');
    expect(host.reviews).toHaveLength(1);
    const review = host.reviews[0]!.draft;
    expect(review.event).toBe('COMMENT');
    expect(review.commitId).toBe(fixturePullRequest().headSha);
    expect(review.comments).toEqual([expect.objectContaining({ path: 'src/server/routes/users.ts', line: 12, side: 'RIGHT' })]);
    expect(review.comments[0]!.body).toContain('User id is interpolated into SQL');
  });

  it('runs a job twice and publishes once: the second run finds its completed check run', async () => {
    const model = fakeReviewModel([{ findings: [finding()] }]);
    const { run, host } = buildRunner({ model });

    await run(fixtureJob(), jobControl());
    await run(fixtureJob({ deliveryId: 'redelivered' }), jobControl());

    expect(host.checkRuns).toHaveLength(1);
    expect(host.reviews).toHaveLength(1);
    expect(model.requests).toHaveLength(1);
  });

  it('skips a draft: the check run completes skipped and says why, and the model is never asked', async () => {
    const { run, host, model } = buildRunner({ host: { pullRequests: [{ info: fixturePullRequest({ draft: true }), files: [usersFile()] }] } });

    await run(fixtureJob(), jobControl());

    expect(host.check()).toMatchObject({ status: 'completed', conclusion: 'skipped' });
    expect(host.check().output?.title).toBe('Review skipped: Draft pull request');
    expect(model.requests).toHaveLength(0);
    expect(host.reviews).toHaveLength(0);
  });

  it('reports an invalid repository config on a neutral check, naming the field, without a model call', async () => {
    const { run, host, model } = buildRunner({
      host: { pullRequests: [{ info: fixturePullRequest(), files: [usersFile()] }], config: { 'bulwark.yml': { check: { fail_on: 'sometimes' } } } },
    });

    await run(fixtureJob(), jobControl());

    expect(host.check()).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(host.check().output?.title).toBe('Invalid .github/bulwark.yml');
    expect(host.check().output?.summary).toContain('check.fail_on');
    expect(model.requests).toHaveLength(0);
  });

  it("refuses a review once the installation's daily budget is spent, naming the limit, without a model call", async () => {
    const now = Date.UTC(2026, 0, 15, 12);
    const budget = createMemoryBudgetStore();
    await budget.add(1, { tokens: 5_000, usd: 0 }, now);
    const { run, host, model } = buildRunner({ budget, now, env: { BULWARK_DAILY_TOKEN_BUDGET: '1000' } });

    await run(fixtureJob(), jobControl());

    expect(host.check().status).toBe('completed');
    expect(host.check().conclusion).not.toBe('success');
    expect(host.check().output?.title).toBe('Review skipped: Daily review budget reached (1,000 tokens per installation)');
    expect(model.requests).toHaveLength(0);
    expect(host.reviews).toHaveLength(0);
  });

  it('ends neutral when the model fails for good, saying the model failed and how to retry', async () => {
    const model = fakeReviewModel([{ throws: new ServiceError('anthropic', 'Anthropic rejected the request (400)', { retryable: false, status: 400 }) }]);
    const { run, host } = buildRunner({ model });

    await run(fixtureJob(), jobControl());

    expect(host.check()).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(host.check().output?.title).toMatch(/model|partial/i);
    expect(host.check().output?.summary).toMatch(/Re-run|\/review/);
    expect(host.reviews.filter((review) => review.draft.comments.length > 0)).toHaveLength(0);
  });

  it('reviews a head again when it is marked ready after a run that failed: a failure settles nothing', async () => {
    const model = fakeReviewModel([{ throws: new ServiceError('anthropic', 'Anthropic rejected the request (400)', { retryable: false, status: 400 }) }, { findings: [finding()] }]);
    const { run, host } = buildRunner({ model });

    await run(fixtureJob(), jobControl());
    expect(host.check()).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    await run(fixtureJob({ trigger: 'ready_for_review', run: 'ready-d2', deliveryId: 'd2' }), jobControl());

    expect(model.requests).toHaveLength(2);
    expect(host.checkRuns).toHaveLength(2);
    expect(host.checkRuns[1]).toMatchObject({ status: 'completed', conclusion: 'neutral', externalId: expect.stringMatching(/ready-d2$/) });
    expect(host.reviews).toHaveLength(1);
  });

  it('does not review a head again when it is marked ready after a run that reviewed it', async () => {
    const model = fakeReviewModel([{ findings: [finding()] }]);
    const { run, host } = buildRunner({ model });

    await run(fixtureJob(), jobControl());
    await run(fixtureJob({ trigger: 'ready_for_review', run: 'ready-d2', deliveryId: 'd2' }), jobControl());

    expect(model.requests).toHaveLength(1);
    expect(host.checkRuns).toHaveLength(1);
  });

  it('retries a passing model failure while attempts remain, leaving the check in progress and saying so', async () => {
    const model = fakeReviewModel([{ throws: new ServiceError('anthropic', 'Anthropic is overloaded (529)', { retryable: true, status: 529 }) }]);
    const { run, host } = buildRunner({ model });

    await expect(run(fixtureJob(), jobControl({ attempt: 1, maxAttempts: 3 }))).rejects.toThrow(/retry/i);

    expect(host.check().status).toBe('in_progress');
    expect(host.check().output?.summary).toMatch(/retrying/);
  });

  it('posts a partial review when one chunk fails: the check says how many files were reviewed and never passes', async () => {
    const model = fakeReviewModel((request) =>
      request.user.includes('<file path="src/server/routes/orders.ts"') ? { throws: new ServiceError('anthropic', 'the answer ran out of output tokens', { retryable: false }) } : { findings: [finding()] },
    );
    const { run, host } = buildRunner({
      model,
      // Room for either file's diff (as estimated) but not both: one chunk per file, each its own model call.
      env: { BULWARK_CHUNK_TOKENS: '200', BULWARK_MODEL_CONCURRENCY: '1' },
      host: { pullRequests: [{ info: fixturePullRequest({ changedFiles: 2 }), files: [usersFile(), ordersFile] }] },
    });

    await run(fixtureJob(), jobControl());

    expect(model.requests).toHaveLength(2);
    expect(host.check().status).toBe('completed');
    expect(host.check().conclusion).toBe('neutral');
    expect(host.check().output?.title).toMatch(/^Partial review: 1 of 2 files reviewed\b/);
    expect(host.check().output?.summary).toContain('src/server/routes/orders.ts');
    expect(host.reviews).toHaveLength(1);
    expect(host.reviews[0]!.draft.comments.map((comment) => comment.path)).toEqual(['src/server/routes/users.ts']);
  });

  it('posts the findings in the body when GitHub refuses the inline comments with 422', async () => {
    const model = fakeReviewModel([{ findings: [finding()] }]);
    const { run, host } = buildRunner({ model });
    host.fail('createReview', new ServiceError('github', 'GitHub posting the review failed: unprocessable (422)', { retryable: false, status: 422 }));

    await run(fixtureJob(), jobControl());

    expect(host.reviewAttempts.map((attempt) => attempt.comments.length)).toEqual([1, 0]);
    expect(host.reviews).toHaveLength(1);
    expect(host.reviews[0]!.draft.body).toContain('User id is interpolated into SQL');
    expect(host.check()).toMatchObject({ status: 'completed', conclusion: 'neutral' });
  });
});
