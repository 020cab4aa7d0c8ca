import { afterEach, beforeEach, expect, it } from 'vitest';
import { fixtureJobId } from '../helpers/fake-github.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { modelReplies } from '../helpers/fake-model.js';
import { openedPayload } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { assertNockDone, createTestApp, setupNock } from '../helpers/test-app.js';
import { fakeUsersGitHub } from '../helpers/build-app.js';

/**
 * Issue item 5: a worker whose lock lapsed (an event-loop stall, a paused container) goes on with its job while
 * another worker runs the same job again. Two Apps, each with its own in-process queue, run the same job (same
 * id, same run) at once on one GitHub: the second resumes the check run the first created, posts the review and
 * completes the check; the first, whose model answer comes later, must not post the review again.
 */
let github: FakeGitHub;

beforeEach(() => setupNock());
afterEach(() => {
  expect(github.unexpected).toEqual([]);
  assertNockDone();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(what: string, predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(5);
  }
}

it('two workers racing past a lapsed lock post one review', async () => {
  github = fakeUsersGitHub();
  const answer = { body: messageResponse({ summary: 'Adds a user lookup.', findings: [finding()] }) };
  // The first worker's model call answers late (it was the one whose lock lapsed); the second's at once.
  const model = modelReplies({ ...answer, delayMs: 400 }, answer);
  const first = await createTestApp();
  const second = await createTestApp();
  const event = { id: 'delivery-lapsed', name: 'pull_request' as const, payload: openedPayload() as never };

  await first.probot.receive(event);
  await until('the first worker asks the model', () => model.requests.length === 1);
  await second.probot.receive(event);
  await second.queue.onIdle();
  expect(github.reviews).toHaveLength(1);
  await first.queue.onIdle();

  expect(model.requests).toHaveLength(2);
  expect(github.reviewAttempts).toHaveLength(1);
  expect(github.reviews).toHaveLength(1);
  expect(github.check()).toMatchObject({ externalId: fixtureJobId(), status: 'completed', conclusion: 'neutral' });
});
