import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import { ANTHROPIC, assertNockDone, createTestApp, GITHUB, mockInstallationToken, setupNock } from '../helpers/test-app.js';
import {
  file,
  HEAD,
  mockCreateCheck,
  mockEarlierReviews,
  mockFiles,
  mockNoRepoConfig,
  mockPullRequest,
  mockRepoFiles,
  openedPayload,
  PR,
  REPO_PATH,
  USERS_PATCH,
} from '../helpers/github-stand-in.js';
import { CATEGORIES } from '../../src/review/types.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';

type Body = Record<string, unknown>;

let app: TestApp;

beforeEach(async () => {
  setupNock();
  app = await createTestApp();
});

afterEach(() => {
  assertNockDone();
});

async function receiveOpened(overrides: Record<string, unknown> = {}) {
  await app.probot.receive({ id: 'delivery-1', name: 'pull_request', payload: openedPayload(overrides) as never });
  await app.queue.onIdle();
}

/** A pull request of `files`, opened on a repo without config: everything a review reads before the model. */
function mockPullRequestOf(files: ReturnType<typeof file>[]) {
  mockInstallationToken();
  mockNoRepoConfig();
  mockCreateCheck();
  mockPullRequest();
  mockRepoFiles();
  mockFiles(files);
}

function captureModel(answer: unknown, status = 200) {
  const requests: Body[] = [];
  nock(ANTHROPIC)
    .post('/v1/messages', (body: Body) => {
      requests.push(body);
      return true;
    })
    .reply(status, answer as Body);
  return requests;
}

function captureCheckUpdates(id = 7) {
  const updates: Body[] = [];
  nock(GITHUB)
    .persist()
    .patch(`${REPO_PATH}/check-runs/${id}`, (body: Body | string) => {
      // nock may probe the matcher with the raw string first; only parsed bodies are requests we count.
      if (typeof body === 'object') updates.push(body);
      return true;
    })
    .reply(200, { id });
  return updates;
}

function captureReview() {
  const reviews: Body[] = [];
  nock(GITHUB)
    .post(`${REPO_PATH}/pulls/${PR}/reviews`, (body: Body) => {
      reviews.push(body);
      return true;
    })
    .reply(200, { id: 99 });
  return reviews;
}

describe('pull_request.opened', () => {
  it('posts one review with inline comments on the cited lines and completes one check run', async () => {
    const created: Body[] = [];
    mockInstallationToken();
    mockNoRepoConfig();
    mockCreateCheck(7, (body) => created.push(body));
    mockPullRequest();
    mockRepoFiles();
    mockFiles([file('src/server/routes/users.ts', USERS_PATCH), file('package-lock.json', '@@ -1 +1 @@\n-a\n+b')]);
    const model = captureModel(
      messageResponse({
        summary: 'Adds a user lookup route.',
        checklist: [{ item: 'input-validation', status: 'concern', note: 'id reaches SQL unescaped' }],
        findings: [finding({ suggestion: '    const rows = await db.query("SELECT * FROM users WHERE id = $1", [id]);' })],
      }),
    );
    const reviews = captureReview();
    const updates = captureCheckUpdates();

    await receiveOpened();

    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: 'Bulwark', head_sha: HEAD, status: 'in_progress' });
    expect(model).toHaveLength(1);
    expect(JSON.stringify(model[0])).toContain('src/server/routes/users.ts');
    expect(JSON.stringify(model[0])).not.toContain('package-lock.json');
    expect(reviews).toHaveLength(1);
    const review = reviews[0]!;
    expect(review.event).toBe('COMMENT');
    expect(review.commit_id).toBe(HEAD);
    expect(review.comments).toEqual([
      expect.objectContaining({ path: 'src/server/routes/users.ts', line: 12, side: 'RIGHT', body: expect.stringContaining('```suggestion') }),
    ]);
    expect(review.body).toContain('<!-- bulwark:review');
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    const output = updates[0]!.output as Body;
    expect(output.summary).toContain('package-lock.json');
    expect(output.annotations).toEqual([expect.objectContaining({ path: 'src/server/routes/users.ts', start_line: 12, annotation_level: 'failure' })]);
  });

  it.each([
    ['5m', { type: 'ephemeral' }, 0, (1_500 * 2 + 60 * 10 + 2_000 * 2.5 + 900 * 0.1) / 1e6],
    ['1h', { type: 'ephemeral', ttl: '1h' }, 2_000, (1_500 * 2 + 60 * 10 + 2_000 * 4 + 900 * 0.1) / 1e6],
  ] as const)('with BULWARK_CACHE_TTL=%s, marks the system prompt as the cached prefix with that TTL and prices its writes at that rate', async (ttl, cacheControl, oneHour, usd) => {
    app = await createTestApp({ env: { BULWARK_CACHE_TTL: ttl } });
    mockPullRequestOf([file('src/server/routes/users.ts', USERS_PATCH)]);
    const answer = messageResponse({ summary: 'Adds a user lookup route.', findings: [] });
    const model = captureModel({
      ...answer,
      usage: {
        input_tokens: 1_500,
        output_tokens: 60,
        cache_creation_input_tokens: 2_000,
        cache_read_input_tokens: 900,
        cache_creation: { ephemeral_5m_input_tokens: 2_000 - oneHour, ephemeral_1h_input_tokens: oneHour },
      },
    });
    const updates = captureCheckUpdates();

    await receiveOpened();

    expect(model[0]!.system).toEqual([expect.objectContaining({ type: 'text', cache_control: cacheControl })]);
    const summary = String((updates.at(-1)!.output as Body).summary);
    expect(summary).toContain('| Cache writes / reads | 2,000 / 900 |');
    expect(summary).toContain(`| Estimated cost | $${usd.toFixed(4)} |`);
  });

  it('pages through more than 100 files, 100 per page', async () => {
    const files = Array.from({ length: 250 }, (_, index) => file(`src/server/handlers/h${index}.ts`, '@@ -1,1 +1,2 @@\n a\n+b'));
    mockInstallationToken();
    mockNoRepoConfig();
    mockCreateCheck();
    mockPullRequest();
    mockRepoFiles();
    mockEarlierReviews([]);
    const pages = nock(GITHUB)
      .get(`${REPO_PATH}/pulls/${PR}/files`)
      .query({ per_page: '100' })
      .reply(200, files.slice(0, 100), {
        link: `<${GITHUB}${REPO_PATH}/pulls/${PR}/files?per_page=100&page=2>; rel="next", <${GITHUB}${REPO_PATH}/pulls/${PR}/files?per_page=100&page=3>; rel="last"`,
      })
      .get(`${REPO_PATH}/pulls/${PR}/files`)
      .query({ per_page: '100', page: '2' })
      .reply(200, files.slice(100, 200), {
        link: `<${GITHUB}${REPO_PATH}/pulls/${PR}/files?per_page=100&page=3>; rel="next", <${GITHUB}${REPO_PATH}/pulls/${PR}/files?per_page=100&page=3>; rel="last"`,
      })
      .get(`${REPO_PATH}/pulls/${PR}/files`)
      .query({ per_page: '100', page: '3' })
      .reply(200, files.slice(200));
    const model = captureModel(messageResponse({ findings: [] }));
    const updates = captureCheckUpdates();

    await receiveOpened();

    expect(pages.isDone()).toBe(true);
    const prompt = JSON.stringify(model[0]);
    expect(prompt).toContain('src/server/handlers/h0.ts');
    expect(prompt).toContain('src/server/handlers/h249.ts');
    expect(updates.at(-1)).toMatchObject({ conclusion: 'success' });
  });

  it('skips a draft with a skipped check run and no model call', async () => {
    mockInstallationToken();
    mockNoRepoConfig();
    mockCreateCheck();
    mockPullRequest({ draft: true });
    const updates = captureCheckUpdates();

    await receiveOpened({ draft: true });

    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'skipped' });
    expect((updates[0]!.output as Body).summary).toMatch(/draft/i);
  });

  it('lists findings that cannot be anchored in the review body, not inline', async () => {
    mockPullRequestOf([file('src/server/routes/users.ts', USERS_PATCH)]);
    captureModel(
      messageResponse({
        findings: [
          finding(),
          finding({ line: 400, existing_code: 'pool.end();', title: 'Connection pool never closed' }),
          finding({ path: 'src/server/db/pool.ts', line: 3, title: 'Pool size hard-coded' }),
        ],
      }),
    );
    const reviews = captureReview();
    captureCheckUpdates();

    await receiveOpened();

    const review = reviews[0]!;
    expect(review.comments).toHaveLength(1);
    expect(review.body).toContain('Connection pool never closed');
    expect(review.body).toContain('Pool size hard-coded');
  });

  it('completes the check neutral with a plain message when the model fails', async () => {
    mockPullRequestOf([file('src/server/routes/users.ts', USERS_PATCH)]);
    captureModel({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } }, 500);
    const updates = captureCheckUpdates();

    await receiveOpened();

    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    const output = updates[0]!.output as Body;
    expect(output.summary).toMatch(/model/i);
    expect(output.summary).toMatch(/\/review|Re-run/);
    expect(output.summary).not.toMatch(/\n\s+at /);
  });

  it('sends more than 50 annotations in batches of 50', async () => {
    const patch = ['@@ -1,1 +1,121 @@', ' first', ...Array.from({ length: 120 }, (_, index) => `+line ${index}`)].join('\n');
    mockPullRequestOf([file('src/server/big.ts', patch)]);
    captureModel(
      messageResponse({
        findings: Array.from({ length: 120 }, (_, index) =>
          // Distinct root causes (merge-root-causes.ts): neighbours differ in category, and no rule is shared.
          finding({ path: 'src/server/big.ts', line: index + 2, existing_code: `line ${index}`, severity: 'medium', category: CATEGORIES[index % CATEGORIES.length], rule: undefined, title: `Issue ${index}` }),
        ),
      }),
    );
    captureReview();
    const updates = captureCheckUpdates();

    await receiveOpened();

    const batches = updates.map((update) => ((update.output as Body).annotations as unknown[] | undefined)?.length ?? 0);
    expect(batches).toEqual([50, 50, 20]);
    expect(updates.slice(0, -1).every((update) => update.status === undefined)).toBe(true);
    expect(updates.at(-1)).toMatchObject({ status: 'completed', conclusion: 'success' });
  });
});
