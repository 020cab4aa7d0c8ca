import { createHmac } from 'node:crypto';
import nock from 'nock';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulwark } from '../../src/index.js';
import type { Runtime } from '../../src/composition.js';
import { HEAD, openedPayload, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../helpers/stand-ins/github-server.js';
import type { GitHubStandIn } from '../helpers/stand-ins/github-server.js';
import { TEST_PRIVATE_KEY, testSettings } from '../helpers/test-app.js';
import { freePort } from '../helpers/replicas.js';

const SECRET = 'e2e-secret';

/**
 * The App over real HTTP: a signed webhook to Probot's server, GitHub (as a GHE host) and the model served by
 * local stand-ins. Proves the wiring nock cannot: signature check, base URLs, pagination links, the ack.
 */
describe('signed webhook over HTTP', () => {
  let github: GitHubStandIn;
  let model: AnthropicStandIn;
  let server: Server;
  let runtime: Runtime | undefined;
  let appUrl: string;

  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    github = await startGitHubStandIn({
      owner: 'Codertocat',
      repo: 'Hello-World',
      pullNumber: 2,
      headSha: HEAD,
      baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      files: [
        { filename: 'src/server/routes/users.ts', status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH },
        { filename: 'assets/logo.png', status: 'added', additions: 0, deletions: 0 },
      ],
    });
    model = await startAnthropicStandIn({
      latencyMs: 50,
      respond: () => ({ body: messageResponse({ summary: 'Adds a lookup route.', findings: [finding(), finding({ line: 999, existing_code: 'cache.clear();', title: 'Far away' })] }) }),
    });
    const log = pino({ level: 'silent' });
    server = new Server({
      host: '127.0.0.1',
      // Probot's Server turns port 0 into 3000: ask the OS for a free port instead.
      port: await freePort(),
      log,
      Probot: Probot.defaults({ appId: 1, privateKey: TEST_PRIVATE_KEY, secret: SECRET, baseUrl: github.url, log }),
    });
    await server.load(
      bulwark({
        settings: testSettings({ ANTHROPIC_BASE_URL: model.url }),
        onStarted: (started) => (runtime = started),
      }),
    );
    const http = await server.start();
    const address = http.address();
    appUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await server.stop();
    await runtime?.queue.close(1000);
    await github.close();
    await model.close();
    nock.disableNetConnect();
  });

  const deliver = (body: string, signature: string | undefined) =>
    fetch(`${appUrl}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': crypto.randomUUID(),
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
      body,
    });

  it('rejects a webhook with a wrong signature and queues nothing', async () => {
    const body = JSON.stringify(openedPayload());

    const response = await deliver(body, `sha256=${createHmac('sha256', 'wrong').update(body).digest('hex')}`);
    await runtime!.queue.onIdle();

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(github.requests).toHaveLength(0);
  });

  it('acknowledges at once, then posts exactly one review with valid anchors and one completed check run', async () => {
    const body = JSON.stringify(openedPayload());
    const sent = performance.now();

    const response = await deliver(body, `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    const acked = performance.now();
    await runtime!.queue.onIdle();

    expect(response.status).toBeLessThan(300);
    expect(github.reviews).toHaveLength(1);
    const review = github.reviews[0]!;
    expect(review).toMatchObject({ event: 'COMMENT', commit_id: HEAD });
    expect(review.comments).toEqual([expect.objectContaining({ path: 'src/server/routes/users.ts', line: 12, side: 'RIGHT' })]);
    expect(review.body).toContain('Far away');
    expect(github.checkRuns.size).toBe(1);
    const [updates] = [...github.checkRuns.values()];
    expect(updates![0]).toMatchObject({ status: 'in_progress', head_sha: HEAD });
    expect(updates!.at(-1)).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(model.requests).toHaveLength(1);
    const checkCreated = github.requests.find((request) => request.method === 'POST' && request.path.endsWith('/check-runs'))!.at;
    const reviewPosted = github.requests.find((request) => request.path.endsWith('/reviews'))!.at;
    console.info(
      `e2e timings: ack ${(acked - sent).toFixed(1)} ms, check in progress ${(checkCreated - sent).toFixed(1)} ms, review posted ${(reviewPosted - sent).toFixed(1)} ms (model stand-in latency 50 ms)`,
    );
  });
});
