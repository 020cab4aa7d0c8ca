import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { Probot, ProbotOctokit, Server } from 'probot';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createBullmqQueue } from '../../src/adapters/redis/bullmq-queue.js';
import type { Runtime } from '../../src/composition.js';
import { bulwark } from '../../src/index.js';
import type { BulwarkOptions } from '../../src/index.js';
import { BASE, HEAD, openedPayload, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';
import { deliverWebhook, freePort, startReplica } from '../helpers/replicas.js';
import type { Replica } from '../helpers/replicas.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../helpers/stand-ins/github-server.js';
import type { GitHubStandIn } from '../helpers/stand-ins/github-server.js';
import { fixture, TEST_PRIVATE_KEY, testSettings } from '../helpers/test-app.js';

/**
 * Several replicas on one real Redis (issue "Triggers and scale-out", item 8). Every App is the real one — Probot's
 * HTTP server, signature check, bulwark() with its BullMQ queue and Redis budget — on a key prefix of its own per
 * run (deleted afterwards); GitHub and the model are local HTTP stand-ins shared by every replica, in-process or
 * child processes.
 */
const SECRET = 'replicas-secret';
const HEAD_B = 'b'.repeat(40);
const HEAD_C = 'c'.repeat(40);
const HEAD_PR3 = 'd'.repeat(40);
const CONFIG = 'review:\n  on: [opened, reopened, ready_for_review, synchronize]\n';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(20);
  }
}

function openedFor(headSha: string, pullNumber = 2) {
  const payload = openedPayload();
  return { ...payload, number: pullNumber, pull_request: { ...payload.pull_request, number: pullNumber, head: { ...(payload.pull_request.head as object), sha: headSha } } };
}

function synchronizeFor(headSha: string) {
  const payload = fixture<{ pull_request: Record<string, unknown> } & Record<string, unknown>>('pull_request.synchronize.json');
  return { ...payload, after: headSha, pull_request: { ...payload.pull_request, head: { ...(payload.pull_request.head as object), sha: headSha } } };
}

function commentFrom(login: string, commentId: number) {
  const payload = fixture<Record<string, Record<string, unknown>>>('issue_comment.created.json');
  const user = { ...payload.comment!.user as object, login, type: 'User' };
  return {
    ...payload,
    repository: fixture<{ repository: unknown }>('pull_request.opened.json').repository,
    issue: { ...payload.issue, number: 2, pull_request: { url: 'https://api.github.com/repos/Codertocat/Hello-World/pulls/2' } },
    comment: { ...payload.comment, id: commentId, body: '/review', user },
    sender: { ...payload.sender, login, type: 'User' },
  };
}

await describeRedis('replicas on one Redis', (redisUrl) => {
  const prefix = uniquePrefix('bulwark-replicas');
  let github: GitHubStandIn;
  let model: AnthropicStandIn;
  /** Model answer time per request, set by each test. */
  let modelLatency: (index: number) => number = () => 30;

  interface App {
    url: string;
    runtime: Runtime;
    stop(): Promise<void>;
  }
  const apps: App[] = [];
  const replicas: Replica[] = [];

  /** One in-process replica: the real App behind Probot's HTTP server, settings as from its environment. */
  const startApp = async (env: Record<string, string>, options: BulwarkOptions = {}): Promise<App> => {
    const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
    let runtime: Runtime | undefined;
    const server = new Server({
      host: '127.0.0.1',
      port: await freePort(),
      log,
      Probot: Probot.defaults({
        appId: 1,
        privateKey: TEST_PRIVATE_KEY,
        secret: SECRET,
        baseUrl: github.url,
        log,
        // Octokit's throttling (one write per second per installation) would only stretch the timings here.
        Octokit: ProbotOctokit.defaults((octokitOptions: Record<string, unknown>) => ({ ...octokitOptions, throttle: { enabled: false } })),
      }),
    });
    await server.load(
      bulwark({
        ...options,
        settings: testSettings({ ANTHROPIC_BASE_URL: model.url, REDIS_URL: redisUrl, ...env }),
        onStarted: (started) => (runtime = started),
      }),
    );
    const app: App = {
      url: '',
      runtime: runtime!,
      stop: async () => {
        await server.stop().catch(() => undefined);
        await runtime!.queue.close(500);
        await (runtime!.budget as { close?: () => Promise<void> }).close?.();
      },
    };
    apps.push(app);
    const address = (await server.start()).address() as AddressInfo;
    app.url = `http://127.0.0.1:${address.port}`;
    return app;
  };

  beforeAll(async () => {
    github = await startGitHubStandIn({
      owner: 'Codertocat',
      repo: 'Hello-World',
      pullNumber: 2,
      headSha: HEAD,
      baseSha: BASE,
      files: [{ filename: 'src/server/routes/users.ts', status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH }],
      config: CONFIG,
      permissions: { visitor: 'read', maintainer: 'write' },
      otherPullRequests: (pullNumber) => (pullNumber === 3 ? HEAD_PR3 : undefined),
    });
    model = await startAnthropicStandIn({
      latencyMs: (_request, index) => modelLatency(index),
      respond: () => ({ body: messageResponse({ summary: 'Adds a lookup route.', findings: [finding()] }) }),
    });
  });

  beforeEach(() => {
    github.reset();
    model.reset();
    modelLatency = () => 30;
  });

  afterEach(async () => {
    await Promise.all([...apps.splice(0).map((app) => app.stop()), ...replicas.splice(0).map((replica) => replica.kill('SIGKILL'))]);
  });

  afterAll(async () => {
    await github?.close();
    await model?.close();
    await deleteKeys(redisUrl, prefix);
  });

  const completedRuns = () => github.checkRunStates().filter((run) => run.status === 'completed');

  it('the same pull_request.opened delivered 10 times, to two replicas, gives one check run, one model call and one review', async () => {
    const env = { BULWARK_REDIS_PREFIX: `${prefix}-dup` };
    const first = await startApp(env);
    const second = await startApp(env);
    const payload = openedFor(HEAD);

    const responses = await Promise.all(Array.from({ length: 10 }, (_, index) => deliverWebhook((index % 2 ? second : first).url, 'pull_request', 'delivery-dup-1', payload, SECRET)));
    await until('the check run completes', () => completedRuns().length === 1);
    await first.runtime.queue.onIdle();
    // A redelivery after the job finished (GitHub's "Redeliver" button) still collapses into it.
    const late = await deliverWebhook(second.url, 'pull_request', 'delivery-dup-1', payload, SECRET);
    await sleep(300);
    await second.runtime.queue.onIdle();

    expect([...responses, late].map((response) => response.status)).toEqual(Array(11).fill(200));
    expect(model.received).toBe(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]).toMatchObject({ commit_id: HEAD });
    expect(github.checkRunStates()).toEqual([expect.objectContaining({ headSha: HEAD, status: 'completed', externalId: `review/1/Codertocat/Hello-World/2/${HEAD}/auto` })]);
  });

  it('a replica SIGKILLed while its model call is in flight: the other takes the job over once the lock expires, and one review is posted', async () => {
    modelLatency = (index) => (index === 0 ? 3000 : 100);
    const env = {
      REDIS_URL: redisUrl,
      BULWARK_REDIS_PREFIX: `${prefix}-kill`,
      BULWARK_LOCK_DURATION_MS: '1000',
      BULWARK_STALLED_INTERVAL_MS: '500',
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: model.url,
      BULWARK_MODEL_MAX_RETRIES: '0',
    };
    const common = { githubUrl: github.url, privateKey: TEST_PRIVATE_KEY, webhookSecret: SECRET, env, throttle: false };
    const started = await Promise.all(['one', 'two'].map((name) => startReplica({ ...common, name }).then((replica) => (replicas.push(replica), replica))));

    const response = await deliverWebhook(started[0]!.url, 'pull_request', 'delivery-kill-1', openedFor(HEAD), SECRET);
    expect(response.status).toBe(200);
    const isStart = (line: Record<string, unknown>) => line.msg === 'review started';
    const victim = await Promise.race(started.map(async (replica) => (await replica.waitForLog(isStart), replica)));
    const survivor = started.find((replica) => replica !== victim)!;
    await until('the first model call', () => model.received === 1);
    expect(github.checkRunStates()).toEqual([expect.objectContaining({ status: 'in_progress' })]);

    await victim.kill('SIGKILL');
    const killedAt = performance.now();
    await until('the check run completes', () => completedRuns().length === 1, 15_000);
    const tookOver = performance.now() - killedAt;
    console.info(`job of a SIGKILLed replica completed by the other ${tookOver.toFixed(0)} ms after the kill (lock 1000 ms, stalled check 500 ms)`);

    const resumed = await survivor.waitForLog(isStart, 1000);
    expect(resumed).toMatchObject({ resumed: true, jobId: `review/1/Codertocat/Hello-World/2/${HEAD}/auto` });
    expect(survivor.logs.some((line) => line.msg === 'review job stalled: its worker stopped; it runs again')).toBe(true);
    expect(model.received).toBe(2);
    expect(github.reviews).toHaveLength(1);
    const [run] = github.checkRunStates();
    expect(github.checkRunStates()).toHaveLength(1);
    expect(run).toMatchObject({ status: 'completed', conclusion: 'neutral' });
  }, 30_000);

  it('a newer push supersedes: the running job for head A completes skipped, the waiting one for B is dropped, C is reviewed', async () => {
    modelLatency = (index) => (index === 0 ? 800 : 30);
    const app = await startApp({ BULWARK_REDIS_PREFIX: `${prefix}-supersede`, BULWARK_CONCURRENCY: '1' });

    expect((await deliverWebhook(app.url, 'pull_request', 'delivery-sup-a', openedFor(HEAD), SECRET)).status).toBe(200);
    await until('the model call for head A', () => model.received === 1);
    github.setHead(HEAD_B);
    expect((await deliverWebhook(app.url, 'pull_request', 'delivery-sup-b', synchronizeFor(HEAD_B), SECRET)).status).toBe(200);
    github.setHead(HEAD_C);
    expect((await deliverWebhook(app.url, 'pull_request', 'delivery-sup-c', synchronizeFor(HEAD_C), SECRET)).status).toBe(200);
    await until('two check runs complete', () => completedRuns().length === 2);
    await app.runtime.queue.onIdle();

    const runs = github.checkRunStates();
    expect(runs.map((run) => [run.headSha, run.status, run.conclusion])).toEqual([
      [HEAD, 'completed', 'skipped'],
      [HEAD_C, 'completed', 'neutral'],
    ]);
    expect(String(runs[0]!.output?.title)).toMatch(/Superseded by a newer push/);
    // B's job was removed while it waited: it never ran (no check-run lookup on its head) and never called the model.
    expect(github.requests.some((request) => request.path.includes(HEAD_B))).toBe(false);
    expect(model.received).toBe(2);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]).toMatchObject({ commit_id: HEAD_C });
  });

  it("a read-only user's /review makes no model call and gets one short reply, however often they ask", async () => {
    const app = await startApp({ BULWARK_REDIS_PREFIX: `${prefix}-command` });

    for (const commentId of [9001, 9002]) {
      expect((await deliverWebhook(app.url, 'issue_comment', `delivery-cmd-${commentId}`, commentFrom('visitor', commentId), SECRET)).status).toBe(200);
      await app.runtime.queue.onIdle();
    }

    expect(model.received).toBe(0);
    expect(github.comments).toHaveLength(1);
    expect(String(github.comments[0]!.body)).toMatch(/write, maintain or admin/);
    expect(github.checkRunStates()).toHaveLength(0);
    expect(github.reviews).toHaveLength(0);
    expect(github.requests.filter((request) => request.path.includes('/reactions'))).toHaveLength(0);
  });

  it('GET /healthz answers 200 with Redis up and 503 when the queue cannot reach Redis; GET /metrics counts a review', async () => {
    const app = await startApp({ BULWARK_REDIS_PREFIX: `${prefix}-health` });
    const closedPort = await freePort();
    const broken = await startApp({ REDIS_URL: `redis://127.0.0.1:${closedPort}`, BULWARK_REDIS_PREFIX: `${prefix}-broken` });

    const healthy = await fetch(`${app.url}/healthz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toEqual({ status: 'ok' });
    const unhealthy = await fetch(`${broken.url}/healthz`);
    expect(unhealthy.status).toBe(503);
    expect(await unhealthy.json()).toEqual({ status: 'unavailable' });
    // The broken replica cannot take a webhook either: GitHub sees the failure and it can be redelivered.
    expect((await deliverWebhook(broken.url, 'pull_request', 'delivery-broken', openedFor(HEAD), SECRET)).status).toBeGreaterThanOrEqual(500);

    await deliverWebhook(app.url, 'pull_request', 'delivery-metrics', openedFor(HEAD), SECRET);
    await until('the review', () => completedRuns().length === 1);
    await app.runtime.queue.onIdle();
    const metrics = await (await fetch(`${app.url}/metrics`)).text();

    const sample = (name: string, labels: RegExp = /.*/) =>
      metrics.split('\n').find((line) => line.startsWith(name) && labels.test(line) && Number(line.split(' ').at(-1)) > 0);
    expect(sample('bulwark_webhooks_received_total', /event="pull_request"/)).toBeDefined();
    expect(sample('bulwark_jobs_total', /outcome="queued"/)).toBeDefined();
    expect(sample('bulwark_jobs_total', /outcome="completed"/)).toBeDefined();
    expect(sample('bulwark_review_duration_seconds_count')).toBeDefined();
    expect(sample('bulwark_model_tokens_total', /kind="input"/)).toBeDefined();
    expect(sample('bulwark_model_tokens_total', /kind="output"/)).toBeDefined();
    expect(sample('bulwark_github_requests_total', /method="POST",status="201"/)).toBeDefined();
  });

  it('the daily token budget holds across replicas: once one spent it, the other completes its check neutral without a model call', async () => {
    const env = { BULWARK_REDIS_PREFIX: `${prefix}-budget`, BULWARK_DAILY_TOKEN_BUDGET: '1000' };
    // Each replica works its own queue, so each review is known to run on the replica it was sent to; the budget
    // (Redis, under the shared prefix) is the only thing they share.
    const queueOf = (name: string) => createBullmqQueue({ redisUrl, prefix: `${prefix}-budget`, queueName: name, concurrency: 2, maxAttempts: 1, log: pino({ level: 'silent' }) });
    const first = await startApp(env, { queue: queueOf('replica-one') });
    const second = await startApp(env, { queue: queueOf('replica-two') });

    await deliverWebhook(first.url, 'pull_request', 'delivery-budget-1', openedFor(HEAD), SECRET);
    await until('the first review', () => completedRuns().length === 1);
    await first.runtime.queue.onIdle();
    expect(model.received).toBe(1);
    expect(github.reviews).toHaveLength(1);

    await deliverWebhook(second.url, 'pull_request', 'delivery-budget-2', openedFor(HEAD_PR3, 3), SECRET);
    await until('the second check run', () => completedRuns().length === 2);
    await second.runtime.queue.onIdle();

    expect(model.received).toBe(1);
    expect(github.reviews).toHaveLength(1);
    const refused = github.checkRunStates().find((run) => run.headSha === HEAD_PR3)!;
    expect(refused).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(String(refused.output?.title)).toMatch(/daily review budget reached/i);
    expect(String(refused.output?.summary)).toMatch(/1,000 tokens/);
  });
});
