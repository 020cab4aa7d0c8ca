import { createHmac } from 'node:crypto';
import nock from 'nock';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/composition.js';
import { bulwark } from '../../src/index.js';
import { parsePatch } from '../../src/review/parse-patch.js';
import { fakeGitHub } from '../helpers/fake-github.js';
import type { FakeGitHub, FakeGitHubOptions } from '../helpers/fake-github.js';
import { modelAlways, modelReplies, userTurn } from '../helpers/fake-model.js';
import type { ModelReply } from '../helpers/fake-model.js';
import { BASE, DEFAULT_BRANCH, file, HEAD, isWideningRead, openedPayload, OWNER, PR, REPO, REPO_PATH, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../helpers/stand-ins/github-server.js';
import type { GitHubStandIn } from '../helpers/stand-ins/github-server.js';
import { assertNockDone, createTestApp, fixture, setupNock, TEST_PRIVATE_KEY, testSettings } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';
import { freePort } from '../helpers/replicas.js';

type Body = Record<string, unknown>;

const SECRET = 'bad-inputs-secret';
const USERS = 'src/server/routes/users.ts';

describe('webhooks that are not from GitHub, over HTTP', () => {
  let github: GitHubStandIn;
  let model: AnthropicStandIn;
  let server: Server;
  let runtime: Runtime | undefined;
  let appUrl: string;

  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    github = await startGitHubStandIn({
      owner: OWNER,
      repo: REPO,
      pullNumber: PR,
      headSha: HEAD,
      baseSha: BASE,
      files: [{ filename: USERS, status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH }],
    });
    model = await startAnthropicStandIn({ respond: () => ({ body: messageResponse({ findings: [finding()] }) }) });
    const log = pino({ level: 'silent' });
    server = new Server({
      host: '127.0.0.1',
      // Probot's Server turns port 0 into 3000: ask the OS for a free port instead.
      port: await freePort(),
      log,
      Probot: Probot.defaults({ appId: 1, privateKey: TEST_PRIVATE_KEY, secret: SECRET, baseUrl: github.url, log }),
    });
    await server.load(bulwark({ settings: testSettings({ ANTHROPIC_BASE_URL: model.url }), onStarted: (started) => (runtime = started) }));
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

  const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  async function post(body: string, headers: Record<string, string | undefined>) {
    const sent = Object.fromEntries(Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
    const response = await fetch(`${appUrl}/api/github/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json', ...sent }, body });
    await runtime!.queue.onIdle();
    return response.status;
  }

  const valid = JSON.stringify(openedPayload());
  const headersFor = (body: string) => ({ 'x-github-event': 'pull_request', 'x-github-delivery': crypto.randomUUID(), 'x-hub-signature-256': sign(body) });

  it.each([
    ['a signature made with another secret', valid, { ...headersFor(valid), 'x-hub-signature-256': sign(valid, 'not-the-secret') }],
    ['a signature of another body', valid, { ...headersFor(valid), 'x-hub-signature-256': sign(`${valid} `) }],
    ['no signature', valid, { ...headersFor(valid), 'x-hub-signature-256': undefined }],
    ['no x-github-event', valid, { ...headersFor(valid), 'x-github-event': undefined }],
    ['no x-github-delivery', valid, { ...headersFor(valid), 'x-github-delivery': undefined }],
    ['a body that is not JSON, correctly signed', '{"action":"opened",', headersFor('{"action":"opened",')],
  ])('rejects a delivery with %s (4xx) and queues nothing', async (_name, body, headers) => {
    const before = github.requests.length;

    const status = await post(body, headers);

    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(github.requests.length).toBe(before);
    expect(model.requests).toHaveLength(0);
  });

  it('still reviews a proper delivery afterwards (the rejections were not a broken server)', async () => {
    const status = await post(valid, headersFor(valid));

    expect(status).toBeLessThan(300);
    expect(github.reviews).toHaveLength(1);
    expect(model.requests).toHaveLength(1);
  });
});

describe('pull requests with unusual content', () => {
  let app: TestApp;
  let github: FakeGitHub;

  beforeEach(() => {
    setupNock();
  });

  afterEach(() => {
    expect(github.unexpected).toEqual([]);
    assertNockDone();
  });

  async function review(options: FakeGitHubOptions, payload: Body = openedPayload(), env: Record<string, string> = {}) {
    github = fakeGitHub(options);
    app = await createTestApp({ env });
    await app.probot.receive({ id: 'delivery-bad-inputs', name: 'pull_request', payload: payload as never });
    await app.queue.onIdle();
  }

  const answer = (findings: unknown[] = [], summary = 'Reviewed.'): ModelReply => ({ body: messageResponse({ summary, findings }) });

  function completed() {
    const run = github.check();
    expect(run.status).toBe('completed');
    const output = run.output as { title: string; summary: string; text?: string; annotations?: Body[] };
    return { conclusion: run.conclusion, ...output, allAnnotations: run.updates.flatMap((update) => ((update.output as Body | undefined)?.annotations ?? []) as Body[]) };
  }

  /** Every RIGHT/LEFT line number a patch puts in the diff: the only lines GitHub accepts a comment on. */
  function diffLines(patch: string): { RIGHT: Set<number>; LEFT: Set<number> } {
    const parsed = parsePatch({ path: 'x', status: 'modified', additions: 0, deletions: 0, patch })!;
    const lines = parsed.hunks.flatMap((hunk) => hunk.lines);
    return {
      RIGHT: new Set(lines.flatMap((line) => (line.newLine === undefined ? [] : [line.newLine]))),
      LEFT: new Set(lines.flatMap((line) => (line.kind === 'del' && line.oldLine !== undefined ? [line.oldLine] : []))),
    };
  }

  it('no files: a skipped check saying the PR changes nothing, no model call', async () => {
    await review({ files: [] });

    const check = completed();
    expect(check.conclusion).toBe('skipped');
    expect(check.title).toMatch(/No reviewable files/);
    expect(check.summary).toMatch(/changes no files/);
    expect(github.reviewAttempts).toHaveLength(0);
  });

  it('only binary files: a skipped check, no model call', async () => {
    await review({ files: [file('assets/logo.png', undefined, { additions: 0, deletions: 0 }), file('docs/diagram.pdf', undefined, { status: 'added' })] });

    const check = completed();
    expect(check.conclusion).toBe('skipped');
    expect(check.summary).toMatch(/All 2 changed files were skipped/);
  });

  it('more than 3,000 files: the listing stops at 3,000 (no page 31), nothing beyond is reviewed, and the summary says so', async () => {
    const files = Array.from({ length: 3_050 }, (_, index) => file(`src/handlers/h${index}.ts`, '@@ -1,1 +1,2 @@\n a\n+b'));
    const model = modelAlways(() => messageResponse({ findings: [] }));

    await review({ files });

    const pages = github.requests.filter((request) => request.path === `${REPO_PATH}/pulls/${PR}/files`).map((request) => request.query.get('page') ?? '1');
    expect(pages).toEqual(Array.from({ length: 30 }, (_, index) => String(index + 1)));
    const prompts = model.requests.map(userTurn).join('\n');
    expect(prompts).toContain('path="src/handlers/h2999.ts"');
    expect(prompts).not.toContain('path="src/handlers/h3000.ts"');
    const check = completed();
    // Partial (50 files never seen): never a passing check.
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('Partial review: 3,000 of 3,050 files reviewed · No issues found');
    expect(check.summary).toMatch(/changes 3050 files, but GitHub lists only the first 3000; the other 50 file\(s\) were not reviewed/);
  });

  it('a 5 MB patch: no crash, the prompt stays bounded and the file is clipped by whole hunks, and the summary says so', async () => {
    const hunk = (index: number) => [`@@ -${index * 100 + 1},1 +${index * 100 + 1},101 @@`, ' keep', ...Array.from({ length: 100 }, (_, line) => `+const v${index}_${line} = "${'x'.repeat(40)}";`)].join('\n');
    const huge = Array.from({ length: 900 }, (_, index) => hunk(index)).join('\n');
    expect(huge.length).toBeGreaterThan(5_000_000);
    const model = modelReplies(answer([finding()]));

    await review({ files: [file('src/generated-ish/big.ts', huge), file(USERS, USERS_PATCH)] });

    const sent = model.raw[0]!;
    // Far below 5 MB: bounded by the chunk budget (80k tokens by default).
    expect(sent.length).toBeLessThan(600_000);
    expect(userTurn(model.requests[0]!)).toContain(`path="${USERS}"`);
    const check = completed();
    expect(check.summary).toMatch(/Clipped to fit the budget: `src\/generated-ish\/big\.ts` \(\d+\/900 hunks\)/);
    expect(github.reviews).toHaveLength(1);
  });

  it('a 5 MB single-hunk patch: skipped as over the size budget and listed, the rest reviewed', async () => {
    const huge = ['@@ -1,1 +1,120001 @@', ' keep', ...Array.from({ length: 120_000 }, (_, line) => `+const v${line} = "${'y'.repeat(30)}";`)].join('\n');
    expect(huge.length).toBeGreaterThan(5_000_000);
    const model = modelReplies(answer());

    await review({ files: [file('src/big.ts', huge), file(USERS, USERS_PATCH)] });

    expect(model.raw[0]!.length).toBeLessThan(100_000);
    const check = completed();
    // Partial (a file over the budget): never a passing check.
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('Partial review: 1 of 2 files reviewed · No issues found');
    expect(check.summary).toMatch(/\| `src\/big\.ts` \| over the review size budget \|/);
  });

  it('text that is not valid UTF-8 (U+FFFD, lone surrogates): reviewed, and the request sent to the model is well-formed', async () => {
    const patch = ['@@ -1,2 +1,3 @@', ' const a = 1;', '+const name = "caf\uFFFD \uD800 \uDFFF end";', ' const b = 2;'].join('\n');
    const model = modelReplies(answer([finding({ path: 'src/latin1.ts', line: 2, existing_code: 'const name = ', severity: 'medium', category: 'maintainability', title: 'Mojibake in a literal' })]));

    await review({ files: [file('src/latin1.ts', patch)], pullRequest: { title: 'Fix \uD83D encoding', body: 'Body \uDC00 here' } });

    // The API rejects a lone surrogate with "400 The request body is not valid JSON: no low surrogate in string".
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    expect(userTurn(model.requests[0]!)).not.toMatch(loneSurrogate);
    expect(model.raw[0]!).not.toMatch(/\\ud[89a-f][0-9a-f]{2}/i);
    expect(userTurn(model.requests[0]!)).toContain('caf\uFFFD');
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]!.comments).toEqual([expect.objectContaining({ path: 'src/latin1.ts', line: 2 })]);
  });

  it('file names with spaces and unicode: the prompt, the comment and the annotation use the exact name', async () => {
    const name = 'src/api/user handlers/größe ✓ (copy).ts';
    const model = modelReplies(answer([finding({ path: name, line: 12 })]));

    await review({ files: [file(name, USERS_PATCH)] });

    expect(userTurn(model.requests[0]!)).toContain(`path="${name}"`);
    expect(github.reviews[0]!.comments).toEqual([expect.objectContaining({ path: name, line: 12, side: 'RIGHT' })]);
    expect(completed().allAnnotations).toEqual([expect.objectContaining({ path: name, start_line: 12 })]);
  });

  it('rename-only, deleted and submodule changes: renames and deletions are listed as not reviewed, a submodule bump is reviewed', async () => {
    const submodule = '@@ -1 +1 @@\n-Subproject commit 1111111111111111111111111111111111111111\n+Subproject commit 2222222222222222222222222222222222222222';
    const model = modelReplies(answer([finding({ path: 'vendor-libs/payments', line: 1, existing_code: 'Subproject commit 2222222222222222222222222222222222222222', severity: 'medium', category: 'reliability', title: 'Submodule moved to an untagged commit' })]));

    await review({
      files: [
        file('src/server/new-name.ts', undefined, { status: 'renamed', previous_filename: 'src/server/old-name.ts', additions: 0, deletions: 0, changes: 0 }),
        file('src/server/legacy.ts', '@@ -1,2 +0,0 @@\n-const a = 1;\n-const b = 2;', { status: 'removed' }),
        file('vendor-libs/payments', submodule),
      ],
    });

    const prompt = userTurn(model.requests[0]!);
    expect(prompt).toContain('path="vendor-libs/payments"');
    expect(prompt).toContain('Subproject commit 2222222222222222222222222222222222222222');
    expect(prompt).not.toContain('src/server/legacy.ts');
    expect(github.reviews[0]!.comments).toEqual([expect.objectContaining({ path: 'vendor-libs/payments', line: 1, side: 'RIGHT' })]);
    const check = completed();
    expect(check.summary).toMatch(/\| `src\/server\/new-name\.ts` \| no diff available \(binary, too large, or renamed without changes\) \|/);
    expect(check.summary).toMatch(/\| `src\/server\/legacy\.ts` \| file removed \|/);
    expect(check.summary).toMatch(/Reviewed 1 file\./);
  });

  it.each([
    ['closed', { state: 'closed', merged: false }, /is closed/],
    ['merged', { state: 'closed', merged: true, merged_at: '2026-01-01T00:00:00Z' }, /is merged/],
  ])('a PR %s by the time the job runs: a skipped check that says so, no model call', async (_name, state, detail) => {
    await review({ files: [file(USERS, USERS_PATCH)], pullRequest: state });

    const check = completed();
    expect(check.conclusion).toBe('skipped');
    expect(check.title).toMatch(/closed/);
    expect(check.summary).toMatch(detail);
    expect(github.reviewAttempts).toHaveLength(0);
  });

  it('a closed event: no job, no request to GitHub at all', async () => {
    await review({ files: [file(USERS, USERS_PATCH)] }, fixture('pull_request.closed.json'));

    expect(github.requests).toEqual([]);
  });

  it('a PR from a fork: reviewed in the base repository, with the agent from the default branch', async () => {
    const fork = { ...(openedPayload().pull_request.head as Body), repo: { id: 999, name: REPO, full_name: `mallory/${REPO}`, owner: { login: 'mallory', type: 'User' }, fork: true } };
    const agent = ['---', 'name: backend-specialist', 'description: Default-branch reviewer.', '---', 'BASE-AGENT-INSTRUCTIONS.'].join('\n');
    const model = modelReplies(answer([finding()]));

    await review(
      { files: [file(USERS, USERS_PATCH)], pullRequest: { head: fork }, repoFiles: { '.claude/agents/backend-specialist.md': agent } },
      openedPayload({ head: fork }),
    );

    expect(JSON.stringify(model.requests[0]!.system)).toContain('BASE-AGENT-INSTRUCTIONS.');
    const outside = github.requests.filter((request) => !request.path.startsWith(`/repos/${OWNER}/`) && !request.path.startsWith('/app/') && request.path !== '/graphql');
    expect(outside).toEqual([]);
    expect(github.requests.some((request) => request.path.includes('mallory'))).toBe(false);
    // Besides the head text its hunks are widened from (the base repository's head commit), only the default branch is read.
    expect(github.requests.filter((request) => request.query.has('ref') && !isWideningRead(request, [USERS])).every((request) => request.query.get('ref') === DEFAULT_BRANCH)).toBe(true);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]).toMatchObject({ commit_id: HEAD, event: 'COMMENT' });
  });

  it('an agent file with broken YAML: neutral, naming the file and line; no model call', async () => {
    const broken = ['---', 'name: backend-specialist', 'description: Reviewer.', 'tools: [Read, Grep', 'model: sonnet', '---', 'Body.'].join('\n');

    await review({ files: [file(USERS, USERS_PATCH)], repoFiles: { '.claude/agents/backend-specialist.md': broken } });

    const check = completed();
    expect(check.conclusion).toBe('neutral');
    expect(check.summary).toMatch(/\.claude\/agents\/backend-specialist\.md:\d+/);
    expect(check.summary).toMatch(/How to retry/);
  });

  it('a config with wrong types: neutral, naming each field, before anything else is read', async () => {
    await review({ files: [file(USERS, USERS_PATCH)], config: 'review:\n  on: opened\n  max_comments: -3\ncheck:\n  blocking: "yes"\n' });

    const check = completed();
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('Invalid .github/bulwark.yml');
    for (const field of ['review.on', 'review.max_comments', 'check.blocking']) expect(check.summary).toContain(`\`${field}\``);
    expect(github.count('GET', new RegExp(`^${REPO_PATH}/pulls/${PR}/files$`))).toBe(0);
  });

  it('a config that is not YAML: neutral, naming the file', async () => {
    await review({ files: [file(USERS, USERS_PATCH)], config: 'review:\n  on: [opened\n  drafts: true\n' });

    const check = completed();
    expect(check.conclusion).toBe('neutral');
    expect(check.title).toBe('Invalid .github/bulwark.yml');
  });

  it('findings on files or lines that are not in the diff: never inline, listed in the body; every comment GitHub gets is on a diff line', async () => {
    const pool = '@@ -20,3 +20,4 @@ export function pool() {\n   const a = 1;\n-  const b = 2;\n+  const b = 3;\n+  const c = 4;\n   return a;';
    const findings = [
      finding(),
      finding({ path: 'src/server/db/pool.ts', line: 22, existing_code: '  const c = 4;', severity: 'medium', category: 'reliability', title: 'Valid anchor in pool' }),
      finding({ path: 'src/server/db/pool.ts', line: 21, side: 'LEFT', existing_code: '  const b = 2;', severity: 'medium', category: 'reliability', title: 'Deleted line finding' }),
      finding({ path: 'src/server/db/pool.ts', line: 5, existing_code: 'pool.end();', title: 'Line before the hunk' }),
      finding({ path: 'src/server/db/pool.ts', line: 21, end_line: 400, existing_code: 'for (const row of rows) {', title: 'Range running out of the diff' }),
      finding({ path: 'src/server/db/pool.ts', line: 30, end_line: 20, existing_code: 'pool.release(client);', title: 'Reversed range' }),
      finding({ path: 'src/no/such/file.ts', line: 1, title: 'File not in the PR' }),
      finding({ path: '../../etc/passwd', line: 1, title: 'Path outside the repo' }),
      finding({ path: USERS, line: 40, side: 'LEFT', existing_code: 'db.close();', title: 'Left side line that was never deleted' }),
    ];
    modelReplies(answer(findings));

    await review({ files: [file(USERS, USERS_PATCH), file('src/server/db/pool.ts', pool)] });

    const posted = github.reviews[0]!;
    const diffs: Record<string, ReturnType<typeof diffLines>> = { [USERS]: diffLines(USERS_PATCH), 'src/server/db/pool.ts': diffLines(pool) };
    const comments = posted.comments as { path: string; line: number; side: 'RIGHT' | 'LEFT'; start_line?: number }[];
    expect(comments.length).toBeGreaterThan(0);
    for (const comment of comments) {
      expect(Object.keys(diffs)).toContain(comment.path);
      expect(diffs[comment.path]![comment.side].has(comment.line)).toBe(true);
      if (comment.start_line !== undefined) expect(diffs[comment.path]![comment.side].has(comment.start_line)).toBe(true);
    }
    expect(comments.map((comment) => `${comment.path}:${comment.line}:${comment.side}`).sort()).toEqual(
      [`${USERS}:12:RIGHT`, 'src/server/db/pool.ts:21:LEFT', 'src/server/db/pool.ts:22:RIGHT'].sort(),
    );
    for (const title of ['Line before the hunk', 'Range running out of the diff', 'Reversed range', 'File not in the PR', 'Path outside the repo', 'Left side line that was never deleted']) {
      expect(posted.body).toContain(title);
    }
    // Annotations too point only at lines of the head commit that are in the diff.
    for (const annotation of completed().allAnnotations) {
      expect(diffs[String(annotation.path)]?.RIGHT.has(Number(annotation.start_line))).toBe(true);
    }
  });
});
