import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixtureJobId } from '../helpers/fake-github.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { apiError, modelReplies } from '../helpers/fake-model.js';
import type { ModelReply } from '../helpers/fake-model.js';
import { HEAD, openedPayload, REPO_PATH } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { assertNockDone, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';
import { buildApp } from '../helpers/build-app.js';

/**
 * Issue item 3: every job the process gives up on — at shutdown (running, queued, waiting for a retry), on its last
 * failed attempt, or lost with a stopped process — leaves no check run "in progress" or "retrying". The real App
 * on the in-process queue, GitHub a stateful fake.
 */
let app: TestApp;
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

const review: ModelReply = { body: messageResponse({ summary: 'Adds a user lookup.', findings: [finding()] }) };
const overloaded: ModelReply = { status: 529, body: apiError('overloaded_error', 'Overloaded') };

async function start(env: Record<string, string> = {}) {
  ({ github, app } = await buildApp({ env }));
}

async function receive() {
  await app.probot.receive({ id: 'delivery-give-up', name: 'pull_request', payload: openedPayload() as never });
}

function checkOf(externalId = fixtureJobId()) {
  const run = github.checkRuns.find((candidate) => candidate.externalId === externalId)!;
  const output = (run.output ?? {}) as { title?: string; summary?: string };
  return { status: run.status, conclusion: run.conclusion, title: String(output.title), summary: String(output.summary), actions: run.updates.at(-1)?.actions };
}

function expectRetryHint(summary: string) {
  expect(summary).toMatch(/\*\*How to retry:\*\* Comment `\/review` on the pull request, or use \*\*Re-run\*\* on this check/);
}

describe('shutdown', () => {
  it('a review still running at the shutdown bound: its check run is completed neutral, saying so and how to retry', async () => {
    await start();
    const model = modelReplies({ ...review, delayMs: 300 });
    await receive();
    await until('the model call', () => model.requests.length === 1);
    expect(checkOf().status).toBe('in_progress');

    await app.queue.close(20);

    const check = checkOf();
    expect(check).toMatchObject({ status: 'completed', conclusion: 'neutral', title: 'Review stopped: Bulwark was shutting down' });
    expectRetryHint(check.summary);
    expect(check.actions).toEqual([expect.objectContaining({ identifier: 'rereview' })]);
    await app.queue.onIdle();
  });

  it('a review waiting for its retry: its "retrying" check run is completed neutral at shutdown', async () => {
    await start({ BULWARK_JOB_ATTEMPTS: '2', BULWARK_RETRY_BACKOFF_MS: '60000' });
    modelReplies(overloaded);
    await receive();
    await until('the retry is announced', () => github.checkRuns.length === 1 && /retrying in about 60 s/.test(checkOf().summary));
    expect(checkOf().status).toBe('in_progress');

    await app.queue.close(20);

    const check = checkOf();
    expect(check).toMatchObject({ status: 'completed', conclusion: 'neutral', title: 'Review stopped: Bulwark was shutting down' });
    expectRetryHint(check.summary);
  });
});

describe('last attempt', () => {
  it('fails before it reaches its check run (GitHub 500 on the lookup): the "retrying" check run is completed neutral', async () => {
    await start({ BULWARK_JOB_ATTEMPTS: '2', BULWARK_RETRY_BACKOFF_MS: '150' });
    modelReplies(overloaded);
    await receive();
    await until('the retry is announced', () => github.checkRuns.length === 1 && /retrying/.test(checkOf().summary));
    // The second attempt's first call to GitHub fails, before its own try can complete the check run.
    github.fail({ method: 'GET', path: new RegExp(`^${REPO_PATH}/commits/${HEAD}/check-runs$`), status: 500 });
    await app.queue.onIdle();

    const check = checkOf();
    expect(check).toMatchObject({ status: 'completed', conclusion: 'neutral', title: 'Review stopped: its last attempt failed' });
    expect(check.summary).toMatch(/attempt 2 failed and no attempts are left/);
    expectRetryHint(check.summary);
  });
});

describe('after a restart', () => {
  it('a check run of this head left in progress by a job no queue holds is completed when a job for the head starts', async () => {
    await start();
    const lost = fixtureJobId('rerun-41');
    github.checkRuns.push({ id: 99, name: 'Bulwark', headSha: HEAD, externalId: lost, status: 'in_progress', conclusion: undefined, output: { title: 'Review in progress', summary: '' }, updates: [] });
    modelReplies(review);

    await receive();
    await app.queue.onIdle();

    const check = checkOf(lost);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'neutral', title: 'Review stopped: interrupted' });
    expectRetryHint(check.summary);
    expect(checkOf()).toMatchObject({ status: 'completed', conclusion: 'neutral', title: '1 finding (1 high)' });
    expect(github.reviews).toHaveLength(1);
  });
});
