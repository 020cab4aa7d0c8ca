import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { modelAlways } from '../helpers/fake-model.js';
import type { ModelCalls } from '../helpers/fake-model.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { assertNockDone, createTestApp, fixture, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';
import { fakeUsersGitHub } from '../helpers/build-app.js';

type Payload = { action: string; pull_request: Record<string, unknown> } & Record<string, unknown>;

/**
 * The author picks the base branch, and a review's green check stays on its commit when the pull request is
 * retargeted: a base change (`pull_request.edited` with `changes.base`) reviews the head again, in a run of its own.
 */
let app: TestApp;
let github: FakeGitHub | undefined;

beforeEach(async () => {
  setupNock();
  github = undefined;
  app = await createTestApp();
});

afterEach(() => {
  expect(github?.unexpected ?? []).toEqual([]);
  assertNockDone();
});

/** GitHub keeping its check runs, and a model that always answers. */
function fakes(): { github: FakeGitHub; model: ModelCalls } {
  github = fakeUsersGitHub({ pullRequest: { draft: false, state: 'open' } });
  return { github, model: modelAlways(() => messageResponse({ summary: 'Adds a lookup route.', findings: [finding()] })) };
}

const BASE_CHANGE = { base: { ref: { from: 'lax-review' }, sha: { from: '1111111111111111111111111111111111111111' } } };

async function deliverOpened() {
  await app.probot.receive({ id: 'delivery-open', name: 'pull_request', payload: fixture<Payload>('pull_request.opened.json') as never });
  await app.queue.onIdle();
}

async function deliverEdited(delivery: string, changes: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  const opened = fixture<Payload>('pull_request.opened.json');
  const payload = { ...opened, action: 'edited', changes, pull_request: { ...opened.pull_request, ...overrides } };
  await app.probot.receive({ id: delivery, name: 'pull_request', payload: payload as never });
  await app.queue.onIdle();
}

describe('pull_request.edited', () => {
  it('reviews the head again when the base branch changed, though that head was already reviewed', async () => {
    const { github, model } = fakes();
    await deliverOpened();
    expect(github.checkRuns).toHaveLength(1);
    expect(github.checkRuns[0]).toMatchObject({ status: 'completed' });

    await deliverEdited('delivery-retarget', BASE_CHANGE);

    expect(model.requests).toHaveLength(2);
    expect(github.checkRuns).toHaveLength(2);
    const [first, second] = github.checkRuns;
    expect(second!.headSha).toBe(first!.headSha);
    expect(second!.externalId).not.toBe(first!.externalId);
    expect(second!.externalId).toMatch(/\/base-delivery-retarget$/);
    // A real review (the model was asked again, above), not a run that skipped or stopped at "already done".
    expect(second).toMatchObject({ status: 'completed' });
    expect(['success', 'neutral', 'failure']).toContain(second!.conclusion);
  });

  it('is one run per delivery: a redelivery of the same base change reviews nothing more', async () => {
    const { github, model } = fakes();
    await deliverEdited('delivery-retarget', BASE_CHANGE);
    await deliverEdited('delivery-retarget', BASE_CHANGE);

    expect(model.requests).toHaveLength(1);
    expect(github.checkRuns).toHaveLength(1);
  });

  it.each([
    ['a title or description edit', { title: { from: 'Old title' } }, {}],
    ['a base change of a closed pull request', BASE_CHANGE, { state: 'closed' }],
  ])('ignores %s: nothing is queued', async (_label, changes, overrides) => {
    const enqueue = vi.spyOn(app.queue, 'enqueue');

    await deliverEdited('delivery-edit', changes, overrides);

    expect(enqueue).not.toHaveBeenCalled();
  });
});
