import { createHmac } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAD, openedPayload, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../helpers/stand-ins/github-server.js';
import type { GitHubStandIn } from '../helpers/stand-ins/github-server.js';
import { serveApp } from '../helpers/serve-app.js';
import type { ServedApp } from '../helpers/serve-app.js';

const SECRET = 'e2e-secret';

/**
 * The App over real HTTP: a signed webhook to Probot's server, GitHub (as a GHE host) and the model served by
 * local stand-ins. Proves the wiring nock cannot: signature check, base URLs, pagination links, the ack.
 */
describe('signed webhook over HTTP', () => {
  let github: GitHubStandIn;
  let model: AnthropicStandIn;
  let app: ServedApp;
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
    app = await serveApp({ secret: SECRET, githubUrl: github.url, env: { ANTHROPIC_BASE_URL: model.url } });
    appUrl = app.url;
  });

  afterAll(async () => {
    await app.stop();
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
    await app.runtime().queue.onIdle();

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(github.requests).toHaveLength(0);
  });

  it('acknowledges at once, then posts exactly one review with valid anchors and one completed check run', async () => {
    const body = JSON.stringify(openedPayload());
    const sent = performance.now();

    const response = await deliver(body, `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`);
    const acked = performance.now();
    await app.runtime().queue.onIdle();

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
