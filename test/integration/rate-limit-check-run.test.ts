import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryRateLimitStore } from '../../src/adapters/memory/memory-rate-limit-store.js';
import type { Runtime } from '../../src/composition.js';
import type { RateLimitState } from '../../src/ports/rate-limiter.js';
import { buildApp, deliverPullRequest } from '../helpers/build-app.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { modelReplies } from '../helpers/fake-model.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { assertNockDone, setupNock } from '../helpers/test-app.js';

/**
 * A review whose model calls wait for the provider's rate limit: its check run says it is waiting for capacity
 * while it waits, goes back to "in progress", and the review is posted once the limit is full again.
 */

let github: FakeGitHub;

beforeEach(() => {
  setupNock();
});

afterEach(() => {
  expect(github.unexpected).toEqual([]);
  assertNockDone();
});

describe('a review delayed by the model rate limit', () => {
  it('says on its check run that it waits for capacity, then reviews once the limit is full again', async () => {
    const rateLimits = createMemoryRateLimitStore();
    let runtime: Runtime | undefined;
    const built = await buildApp({ rateLimits, onStarted: (started) => (runtime = started) });
    github = built.github;
    const model = modelReplies({ body: messageResponse({ summary: 'Adds a user lookup.', findings: [finding()] }) });
    // What another replica heard a moment ago: no request of claude-sonnet-5-5 left for about 4.5 s (the check run
    // tells of waits of 2 s and more; the review takes a moment to reach its model call).
    const resetAt = Date.now() + 4500;
    const known: RateLimitState = { windows: { requests: { limit: 50, remaining: 0, resetAt, observedAt: Date.now() } }, inFlight: [] };
    await rateLimits.update('claude-sonnet-5-5', () => ({ state: known, expiresAt: resetAt + 60_000, result: undefined }), Date.now());

    await deliverPullRequest(built.app, 'delivery-rate-limit');

    const run = github.check();
    const titles = run.updates.map((update) => (update.output as { title?: string } | undefined)?.title);
    const waiting = run.updates.find((update) => (update.output as { title?: string } | undefined)?.title === 'Review in progress: waiting for model capacity');
    expect(String((waiting?.output as { summary?: string } | undefined)?.summary)).toMatch(
      /It is waiting for capacity: the model provider's limit on requests for `claude-sonnet-5-5` is nearly spent, so its next model call goes at about \d\d:\d\d:\d\d UTC \(in [2-5] s\)\./,
    );
    // Created in progress, told it waits, back in progress, completed.
    expect(titles.slice(0, 3)).toEqual(['Review in progress', 'Review in progress: waiting for model capacity', 'Review in progress']);
    expect(run.status).toBe('completed');
    expect(run.conclusion).toBe('neutral');
    expect(github.reviews).toHaveLength(1);
    expect(model.requests).toHaveLength(1);
    // The call went once the limit was full again, not before (performance.now() and Date.now() tick alike).
    expect(performance.timeOrigin + model.at[0]!).toBeGreaterThanOrEqual(resetAt - 5);
    const metrics = await runtime!.metrics.registry.metrics();
    expect(metrics).toMatch(/^bulwark_model_rate_limit_wait_seconds_count\{model="claude-sonnet-5-5"\} 1$/m);
  });

  it('does not wait past BULWARK_RATE_LIMIT_MAX_WAIT_MS: no call is made, and the check says why', async () => {
    const rateLimits = createMemoryRateLimitStore();
    const built = await buildApp({ rateLimits, env: { BULWARK_RATE_LIMIT_MAX_WAIT_MS: '1000' } });
    github = built.github;
    const resetAt = Date.now() + 90_000;
    const known: RateLimitState = { windows: { requests: { limit: 50, remaining: 0, resetAt, observedAt: Date.now() } }, inFlight: [] };
    await rateLimits.update('claude-sonnet-5-5', () => ({ state: known, expiresAt: resetAt + 60_000, result: undefined }), Date.now());

    await deliverPullRequest(built.app, 'delivery-rate-limit-long');

    const run = github.check();
    const output = run.output as { title: string; summary: string };
    expect(run.conclusion).toBe('neutral');
    expect(output.title).toBe('Review failed: model API (Anthropic)');
    expect(output.summary).toContain("The model provider's rate limit holds calls until about");
    expect(output.summary).toContain('and that is longer than a review waits (1 s, BULWARK_RATE_LIMIT_MAX_WAIT_MS)');
    expect(github.reviewAttempts).toHaveLength(0);
  });
});
