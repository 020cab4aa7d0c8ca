import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseMarkers } from '../../src/render/markers.js';
import type { FakeGitHub, FakeGitHubOptions } from '../helpers/fake-github.js';
import { apiError, modelReplies } from '../helpers/fake-model.js';
import type { ModelReply } from '../helpers/fake-model.js';
import { file, HEAD, PR, REPO_PATH, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { assertNockDone, recordingLogger, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';
import { buildApp, deliverPullRequest } from '../helpers/build-app.js';
import type { BuildAppOptions } from '../helpers/build-app.js';

/**
 * "Trust and faults": every review job ends in a completed check run that says what happened; what is
 * retryable is retried with a bound; nothing is posted twice because of a retry.
 */

const USERS = 'src/server/routes/users.ts';
const REVIEWS = new RegExp(`^${REPO_PATH}/pulls/${PR}/reviews$`);
const CHECK_RUN = new RegExp(`^${REPO_PATH}/check-runs/\\d+$`);

/** Fast retries: two job attempts, one SDK retry, 10 ms job backoff. */
const RETRYING = { BULWARK_JOB_ATTEMPTS: '2', BULWARK_RETRY_BACKOFF_MS: '10', BULWARK_MODEL_MAX_RETRIES: '1' };

let app: TestApp;
let github: FakeGitHub;

beforeEach(() => {
  setupNock();
});

afterEach(() => {
  expect(github.unexpected).toEqual([]);
  assertNockDone();
});

async function start(env: Record<string, string> = {}, options: FakeGitHubOptions = {}, appOptions: Omit<BuildAppOptions, 'env' | 'github'> = {}) {
  ({ github, app } = await buildApp({ env, github: options, ...appOptions }));
}

async function deliver(action: 'opened' | 'synchronize' = 'opened') {
  await deliverPullRequest(app, 'delivery-faults', action);
}

/** A model endpoint that accepts connections and never answers. */
async function startSilentServer() {
  let count = 0;
  const server = createServer(() => {
    count += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  nock.enableNetConnect('127.0.0.1');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => count,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      nock.disableNetConnect();
    },
  };
}

const review = (findings: unknown[] = [finding()]): ModelReply => ({ body: messageResponse({ summary: 'Adds a user lookup.', findings }) });

/** The check run's final state: one run, completed, with its output. */
function completedCheck() {
  const run = github.check();
  expect(run.status).toBe('completed');
  expect(run.headSha).toBe(HEAD);
  const output = run.output as { title: string; summary: string };
  return { conclusion: run.conclusion, title: output.title, summary: output.summary, updates: run.updates };
}

function expectRetryHint(summary: string) {
  expect(summary).toMatch(/How to retry/);
  expect(summary).toMatch(/`\/review`|Re-run/);
  expect(summary).not.toMatch(/\n\s+at /);
}

describe('the model provider fails', () => {
  it('429 with retry-after: the SDK waits as told, retries, and the review is posted once', async () => {
    await start({ BULWARK_MODEL_MAX_RETRIES: '1' });
    const model = modelReplies(
      { status: 429, body: apiError('rate_limit_error', 'Rate limited'), headers: { 'retry-after': '1' } },
      review(),
    );

    await deliver();

    expect(model.requests).toHaveLength(2);
    expect(model.at[1]! - model.at[0]!).toBeGreaterThanOrEqual(900);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviewAttempts).toHaveLength(1);
    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('1 finding (1 high)');
  });

  it('529 overloaded on every try: bounded retries, then a neutral check that says so and how to retry', async () => {
    await start(RETRYING);
    const overloaded: ModelReply = { status: 529, body: apiError('overloaded_error', 'Overloaded'), headers: { 'retry-after-ms': '5' } };
    // Two job attempts, each with one SDK retry: four calls, and no fifth.
    const model = modelReplies(overloaded, overloaded, overloaded, overloaded);

    await deliver();

    expect(model.requests).toHaveLength(4);
    expect(github.reviewAttempts).toHaveLength(0);
    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('Review failed: model API (Anthropic)');
    expect(check.summary).toMatch(/529 \(overloaded\)/);
    expectRetryHint(check.summary);
    // Between the attempts the run said it would retry; it was the same run all along.
    expect(check.updates.some((update) => /retrying/.test(JSON.stringify(update.output)))).toBe(true);
    expect(github.count('POST', new RegExp(`^${REPO_PATH}/check-runs$`))).toBe(1);
  });

  it('500 on every try: neutral, naming the status', async () => {
    await start({ BULWARK_MODEL_MAX_RETRIES: '1' });
    const failing: ModelReply = { status: 500, body: apiError('api_error', 'Internal server error'), headers: { 'retry-after-ms': '5' } };
    modelReplies(failing, failing);

    await deliver();

    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.summary).toMatch(/answered 500/);
    expectRetryHint(check.summary);
    expect(github.reviewAttempts).toHaveLength(0);
  });

  it('no answer within BULWARK_MODEL_TIMEOUT_MS: neutral, "did not answer in time"', async () => {
    // Real HTTP: nock's delay does not see the SDK's abort, a socket does.
    const silent = await startSilentServer();
    try {
      await start({ BULWARK_MODEL_TIMEOUT_MS: '200', ANTHROPIC_BASE_URL: silent.url });
      const started = performance.now();

      await deliver();

      expect(silent.requests()).toBe(1);
      expect(performance.now() - started).toBeLessThan(1_500);
      const check = completedCheck();
      expect(check.conclusion).toBe('neutral');
      expect(check.summary).toMatch(/did not answer in time/);
      expectRetryHint(check.summary);
    } finally {
      await silent.close();
    }
  });

  it('the connection drops midway: neutral, "could not reach"', async () => {
    await start();
    modelReplies({ networkError: 'socket hang up' });

    await deliver();

    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.summary).toMatch(/Could not reach the model provider/);
    expectRetryHint(check.summary);
  });

  it('an answer cut off midway (truncated JSON): neutral, saying the answer could not be read; retried like a dropped connection', async () => {
    await start(RETRYING);
    const full = JSON.stringify(messageResponse({ findings: [finding()] }));
    const cut: ModelReply = { raw: full.slice(0, Math.floor(full.length / 2)) };
    // Retryable: a second job attempt asks again, and then the review goes through.
    const model = modelReplies(cut, review());

    await deliver();

    expect(model.requests).toHaveLength(2);
    expect(github.reviews).toHaveLength(1);
    expect(completedCheck().conclusion).toBe('neutral');
    expect(completedCheck().updates.some((update) => /could not be read/.test(JSON.stringify(update.output)))).toBe(true);
  });

  it('structured output that is not JSON: neutral, saying so', async () => {
    await start();
    modelReplies({ body: messageResponse('Sure! Here is my review: looks good to me.') });

    await deliver();

    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.summary).toMatch(/not valid JSON/);
    expectRetryHint(check.summary);
    expect(github.reviewAttempts).toHaveLength(0);
  });

  it('JSON without the findings list: neutral, saying so', async () => {
    await start();
    modelReplies({ body: messageResponse(JSON.stringify({ summary: 'Fine.', verdict: 'approve' })) });

    await deliver();

    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.summary).toMatch(/without the findings list/);
    expect(github.reviewAttempts).toHaveLength(0);
  });

  it('stop_reason max_tokens: neutral, naming the setting to raise; not retried', async () => {
    await start(RETRYING);
    const model = modelReplies({ body: messageResponse('{"summary":"Adds a', { stopReason: 'max_tokens' }) });

    await deliver();

    expect(model.requests).toHaveLength(1);
    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.summary).toMatch(/max_tokens/);
    expect(check.summary).toMatch(/BULWARK_MAX_OUTPUT_TOKENS/);
    expectRetryHint(check.summary);
  });

  it('stop_reason refusal: neutral, saying the model declined; not retried', async () => {
    await start(RETRYING);
    const model = modelReplies({ body: messageResponse('', { stopReason: 'refusal' }) });

    await deliver();

    expect(model.requests).toHaveLength(1);
    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.summary).toMatch(/declined/);
    expect(github.reviewAttempts).toHaveLength(0);
  });
});

describe('GitHub fails', () => {
  it('5xx on the review: the job is retried and exactly one review is posted', async () => {
    await start(RETRYING);
    github.fail({ method: 'POST', path: REVIEWS, status: 502, body: { message: 'Bad Gateway' } });
    const model = modelReplies(review());

    await deliver();

    // The retry publishes the first attempt's answers: the model is asked once.
    expect(model.requests).toHaveLength(1);

    expect(github.reviewAttempts).toHaveLength(2);
    expect(github.reviews).toHaveLength(1);
    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('1 finding (1 high)');
    expect(github.checkRuns).toHaveLength(1);
  });

  it('5xx on the review although GitHub created it: the retry finds its marker and does not post again', async () => {
    await start(RETRYING);
    github.fail({ method: 'POST', path: REVIEWS, status: 502, body: { message: 'Bad Gateway' }, applied: true });
    const model = modelReplies(review());

    await deliver();

    // The retry publishes the first attempt's answers: the model is asked once.
    expect(model.requests).toHaveLength(1);

    expect(github.reviewAttempts).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    // The check still tells the review's outcome (not "skipped: already reviewed").
    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('1 finding (1 high)');
  });

  it('5xx on the review although GitHub created it, on a push: the retry neither posts again nor calls it "nothing changed"', async () => {
    await start(RETRYING, { config: 'review:\n  on: [opened, synchronize]\n' });
    github.fail({ method: 'POST', path: REVIEWS, status: 502, body: { message: 'Bad Gateway' }, applied: true });
    const model = modelReplies(review());

    await deliver('synchronize');

    // The retry publishes the first attempt's answers: the model is asked once.
    expect(model.requests).toHaveLength(1);

    expect(github.reviewAttempts).toHaveLength(1);
    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('1 finding (1 high)');
  });

  it('with Octokit\'s own retries on (as in production), a review POST answered 502 is not re-sent blindly', async () => {
    // Octokit's retry plugin retries any 5xx, POST included, without looking for the review it may have created.
    await start(RETRYING, {}, { octokitRetry: { retryAfterBaseValue: 1 } });
    github.fail({ method: 'POST', path: REVIEWS, status: 502, body: { message: 'Bad Gateway' }, applied: true });
    const model = modelReplies(review());

    await deliver();

    // The retry publishes the first attempt's answers: the model is asked once.
    expect(model.requests).toHaveLength(1);

    expect(github.reviewAttempts).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(completedCheck().title).toBe('1 finding (1 high)');
  });

  it('secondary rate limit (403 with retry-after) on the review: retried, posted once', async () => {
    await start(RETRYING);
    github.fail({
      method: 'POST',
      path: REVIEWS,
      status: 403,
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
      headers: { 'retry-after': '1' },
    });
    const model = modelReplies(review());

    const delivered = Date.now();
    await deliver();

    // The retry publishes the first attempt's answers: the model is asked once.
    expect(model.requests).toHaveLength(1);

    expect(github.reviewAttempts).toHaveLength(2);
    expect(github.reviews).toHaveLength(1);
    const retrying = completedCheck().updates.find((update) => /retrying/.test(JSON.stringify(update.output)));
    expect(JSON.stringify(retrying)).toMatch(/rate limited by GitHub/);
    // GitHub's retry-after (1 s), not the 10 ms backoff, sets when the job runs again.
    expect(JSON.stringify(retrying)).toMatch(/retrying in about 1 s, as the service asked/);
    expect(Date.now() - delivered).toBeGreaterThanOrEqual(1000);
    expect(completedCheck().conclusion).toBe('neutral');
  });

  it('422 on the review: posted again without inline comments, losing no finding', async () => {
    const patch = ['@@ -1,2 +1,5 @@', ' a', '+b', '+c', '+d', ' e'].join('\n');
    await start({}, { files: [file(USERS, USERS_PATCH), file('src/server/db/pool.ts', patch)] });
    github.fail({ method: 'POST', path: REVIEWS, status: 422, body: { message: 'Unprocessable Entity', errors: ['Pull request review thread line must be part of the diff'] } });
    const findings = [
      finding(),
      finding({ path: 'src/server/db/pool.ts', line: 2, existing_code: 'b', severity: 'medium', category: 'reliability', title: 'Pool is never released' }),
      finding({ path: 'src/server/db/pool.ts', line: 4, existing_code: 'd', severity: 'medium', category: 'performance', title: 'Pool size is hard-coded' }),
      finding({ path: 'src/server/db/pool.ts', line: 90, existing_code: 'while (true) {', severity: 'medium', category: 'reliability', title: 'Retry loop has no bound' }),
    ];
    modelReplies(review(findings));

    await deliver();

    expect(github.reviewAttempts).toHaveLength(2);
    expect((github.reviewAttempts[0]!.comments as unknown[]).length).toBe(3);
    const fallback = github.reviews[0]!;
    expect(github.reviews).toHaveLength(1);
    expect(fallback.comments).toEqual([]);
    for (const { title } of findings) expect(fallback.body).toContain(title);
    expect(parseMarkers(String(fallback.body)).filter((marker) => marker.kind === 'review')).toEqual([{ kind: 'review', data: { head: HEAD, run: 'auto' } }]);
    expect(completedCheck().conclusion).toBe('neutral');
  });

  it('404 on the pull request (gone): neutral, with a clear message, no model call', async () => {
    await start();
    github.fail({ method: 'GET', path: new RegExp(`^${REPO_PATH}/pulls/${PR}$`), status: 404, body: { message: 'Not Found' } });

    await deliver();

    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('Review failed: GitHub API');
    expect(check.summary).toMatch(/not found \(404\)/);
    expect(check.summary).toMatch(/pull request or repository is gone/);
    expect(github.reviewAttempts).toHaveLength(0);
  });

  it('a files page that is not a list of files (a proxy page answered 200): retried, then reviewed', async () => {
    await start(RETRYING);
    const files = new RegExp(`^${REPO_PATH}/pulls/${PR}/files$`);
    github.fail({ method: 'GET', path: files, status: 200, body: '<html>upstream hiccup</html>', headers: { 'content-type': 'text/html' } });
    modelReplies(review());

    await deliver();

    const retrying = completedCheck().updates.find((update) => /retrying/.test(JSON.stringify(update.output)));
    expect(JSON.stringify(retrying)).toMatch(/listing the pull request files failed: the answer is not JSON/);
    expect(github.reviews).toHaveLength(1);
    expect(completedCheck().title).toBe('1 finding (1 high)');
  });

  it('a files page whose entries are not files, on every try: neutral, saying what was wrong, no model call', async () => {
    await start(RETRYING);
    const files = new RegExp(`^${REPO_PATH}/pulls/${PR}/files$`);
    github.fail({ method: 'GET', path: files, status: 200, body: [{ name: 'not a file' }], times: 2 });

    await deliver();

    const check = completedCheck();
    expect(check.conclusion).toBe('neutral');
    expect(check.summary).toMatch(/entry 1 of a page has no file name, status or line counts/);
    expect(github.reviewAttempts).toHaveLength(0);
  });

  it('401 on the installation token: nothing can be posted; the job ends and logs why, the process lives on', async () => {
    const recorder = recordingLogger('warn');
    await start(RETRYING, {}, { log: recorder.log });
    github.fail({ method: 'POST', path: /^\/app\/installations\/1\/access_tokens$/, status: 401, body: { message: 'Bad credentials' }, times: 10 });

    await deliver();

    // Without a token there is no way to create (or complete) a check run: this outcome is a log line, not a check.
    expect(github.checkRuns).toHaveLength(0);
    expect(github.reviewAttempts).toHaveLength(0);
    // Not retryable: the token request was made by one attempt only.
    expect(github.count('POST', /access_tokens$/)).toBe(1);
    const failed = recorder.lines.find((line) => line.msg === 'review job failed');
    expect(failed).toBeDefined();
    expect(JSON.stringify(failed)).toMatch(/401/);
    // The App still works: the next delivery is reviewed once the credentials are good again.
    expect(await app.queue.healthy()).toBe(true);
  });

  it('5xx creating the check run: retried, and the job still ends in one completed check run', async () => {
    await start(RETRYING);
    github.fail({ method: 'POST', path: new RegExp(`^${REPO_PATH}/check-runs$`), status: 502, body: { message: 'Bad Gateway' } });
    modelReplies(review());

    await deliver();

    expect(github.count('POST', new RegExp(`^${REPO_PATH}/check-runs$`))).toBe(2);
    expect(completedCheck().conclusion).toBe('neutral');
    expect(github.reviews).toHaveLength(1);
  });

  it('the check completion fails after the review was posted: the retry does not post again and completes the check', async () => {
    await start(RETRYING);
    github.fail({ method: 'PATCH', path: CHECK_RUN, status: 500, body: { message: 'Server Error' } });
    const model = modelReplies(review());

    await deliver();

    // The retry publishes the first attempt's answers: the model is asked once.
    expect(model.requests).toHaveLength(1);

    expect(github.reviewAttempts).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    const check = completedCheck();
    // The outcome of the review, not "skipped: nothing changed since the last review".
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('1 finding (1 high)');
    expect(check.summary).toMatch(/answers are published here, without asking the model again/);
  });
});

