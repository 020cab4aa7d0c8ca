import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureJobId } from '../helpers/fake-github.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { modelAlways } from '../helpers/fake-model.js';
import type { ModelCalls } from '../helpers/fake-model.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { assertNockDone, createTestApp, fixture, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';
import { fakeUsersGitHub } from '../helpers/build-app.js';

type Payload = { action: string; pull_request: Record<string, unknown> } & Record<string, unknown>;
type Action = 'opened' | 'reopened' | 'ready_for_review';

/**
 * Each pull_request trigger through Probot's own receive path, against a GitHub that keeps its check runs: the
 * draft flow (open as draft, mark ready), close and reopen, and redeliveries of either.
 */
let app: TestApp;
let github: FakeGitHub;
let model: ModelCalls;
/** What the pulls API answers now: a test flips `draft` or `state` between deliveries, as a person would. */
let pullRequest: Record<string, unknown>;

beforeEach(async () => {
  setupNock();
  pullRequest = { draft: false, state: 'open' };
  github = fakeUsersGitHub({ pullRequest });
  model = modelAlways(() => messageResponse({ summary: 'Adds a lookup route.', findings: [finding()] }));
  app = await createTestApp();
});

afterEach(() => {
  expect(github.unexpected).toEqual([]);
  assertNockDone();
});

async function deliver(action: Action, delivery: string, overrides: Record<string, unknown> = {}) {
  const payload = fixture<Payload>(`pull_request.${action}.json`);
  await app.probot.receive({ id: delivery, name: 'pull_request', payload: { ...payload, pull_request: { ...payload.pull_request, ...overrides } } as never });
  await app.queue.onIdle();
}

/** The check run GitHub shows for the head: the newest of the name (https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference, `filter: latest`). */
const shown = () => github.checkRuns.at(-1)!;

describe('each pull_request trigger reviews an open pull request', () => {
  it.each(['opened', 'reopened', 'ready_for_review'] as const)('%s: one review, one completed check run', async (action) => {
    await deliver(action, `delivery-${action}`);

    expect(model.requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.checkRuns).toHaveLength(1);
    expect(github.check()).toMatchObject({ status: 'completed', conclusion: 'neutral' });
  });
});

describe('open as draft, then mark ready', () => {
  it('skips the draft, then reviews once when it is marked ready; the newest check run has the real conclusion', async () => {
    pullRequest.draft = true;
    await deliver('opened', 'delivery-open', { draft: true });

    expect(model.requests).toHaveLength(0);
    expect(github.check()).toMatchObject({ status: 'completed', conclusion: 'skipped', externalId: fixtureJobId('auto') });

    pullRequest.draft = false;
    await deliver('ready_for_review', 'delivery-ready');

    expect(model.requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.checkRuns).toHaveLength(2);
    expect(shown()).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(shown().externalId).not.toBe(fixtureJobId('auto'));
    expect((shown().output as { title: string }).title).toMatch(/1 finding/);
  });

  it('a redelivered ready_for_review (same delivery) reviews no second time, before or after the first finished', async () => {
    pullRequest.draft = true;
    await deliver('opened', 'delivery-open', { draft: true });
    pullRequest.draft = false;

    await deliver('ready_for_review', 'delivery-ready');
    await deliver('ready_for_review', 'delivery-ready');

    expect(model.requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.checkRuns).toHaveLength(2);
  });

  it('marked ready again later on the same head (back to draft and ready): not reviewed twice', async () => {
    await deliver('opened', 'delivery-open');
    expect(github.reviews).toHaveLength(1);

    await deliver('ready_for_review', 'delivery-ready-again');

    expect(model.requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.checkRuns).toHaveLength(1);
  });

  it('a ready_for_review whose job finds the pull request a draft again ends skipped, and the next one still reviews', async () => {
    pullRequest.draft = true;
    await deliver('opened', 'delivery-open', { draft: true });
    await deliver('ready_for_review', 'delivery-ready-1');
    expect(model.requests).toHaveLength(0);

    pullRequest.draft = false;
    await deliver('ready_for_review', 'delivery-ready-2');

    expect(model.requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(shown()).toMatchObject({ status: 'completed', conclusion: 'neutral' });
  });
});

describe('close and reopen', () => {
  it('reviews on reopen when the earlier run ended skipped (the pull request was closed when its job ran)', async () => {
    pullRequest.state = 'closed';
    await deliver('opened', 'delivery-open');
    expect(github.check()).toMatchObject({ conclusion: 'skipped' });

    pullRequest.state = 'open';
    await deliver('reopened', 'delivery-reopen');

    expect(model.requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(shown()).toMatchObject({ status: 'completed', conclusion: 'neutral' });
  });

  it('does not review again on reopen when the same head was already reviewed', async () => {
    await deliver('opened', 'delivery-open');

    await deliver('reopened', 'delivery-reopen');
    await deliver('reopened', 'delivery-reopen');

    expect(model.requests).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.checkRuns).toHaveLength(1);
  });
});
