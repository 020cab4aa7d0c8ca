import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import { assertNockDone, createTestApp, mockInstallationToken, setupNock } from '../helpers/test-app.js';
import { file, HEAD, mockCreateCheck, mockFiles, mockNoRepoConfig, mockPullRequest, mockRepoConfig, mockRepoFiles, USERS_PATCH } from '../helpers/github-stand-in.js';
import { apiError, findingsToVerify, modelReplies, userTurn, verificationAnswer, verificationReplies } from '../helpers/fake-model.js';
import { finding, messageResponse, toolUseResponse } from '../helpers/model-stand-in.js';
import { captureCheckUpdates, captureReviews, mockTarball } from '../helpers/pipeline-mocks.js';
import { deliverPullRequest } from '../helpers/build-app.js';
import { buildTarball, hostileEntries } from '../unit/context-fixtures.js';

type Body = Record<string, unknown>;

let app: TestApp;

beforeEach(async () => {
  setupNock();
  app = await createTestApp();
});

afterEach(() => {
  assertNockDone();
});

/** A real finding (USERS_PATCH line 12) and a planted wrong one, whose premise is not in the code. */
const REAL = finding({ title: 'User id is interpolated into SQL' });
const PLANTED = finding({
  line: 13,
  severity: 'medium',
  category: 'reliability',
  rule: 'BE-REL-1',
  title: 'Planted: rows[0] is read from a cursor that is already closed',
  existing_code: '    res.json(rows[0]);',
  failure: 'The cursor closes before the read.',
});

function mockReviewRun(config?: string) {
  mockInstallationToken();
  if (config === undefined) mockNoRepoConfig();
  else mockRepoConfig(config);
  mockCreateCheck();
  mockPullRequest();
  mockRepoFiles();
  mockFiles([file('src/server/routes/users.ts', USERS_PATCH)]);
}

describe('the verification pass', () => {
  it('drops a planted wrong finding before anything is posted, and lists it collapsed in the check run details only', async () => {
    mockReviewRun();
    const verifier = verificationReplies((titles) => ({
      body: verificationAnswer(titles.map((title) => (title.startsWith('Planted') ? { score: 1, reason: 'rows[0] is an array element; no cursor is involved.' } : { score: 9 }))),
    }));
    const model = modelReplies({ body: messageResponse({ findings: [REAL, PLANTED] }) });
    const reviews = captureReviews();
    const updates = captureCheckUpdates();

    await deliverPullRequest(app, 'delivery-1');

    expect(model.requests).toHaveLength(1);
    expect(verifier.requests).toHaveLength(1);
    // The verification call reads the review's cached system prompt and shows each finding with its evidence.
    expect(verifier.requests[0]!.system).toEqual(model.requests[0]!.system);
    expect(findingsToVerify(verifier.requests[0]!)).toEqual([REAL.title, PLANTED.title]);
    expect(userTurn(verifier.requests[0]!)).toContain('failure: The cursor closes before the read.');

    expect(reviews).toHaveLength(1);
    expect(JSON.stringify(reviews[0])).not.toContain('Planted');
    expect(reviews[0]!.comments).toEqual([expect.objectContaining({ line: 12, body: expect.stringContaining('User id is interpolated into SQL') })]);
    const output = updates.at(-1)!.output as Body;
    expect(output.summary).toContain('1 finding dropped by verification (scored below 6 of 10); listed in the details.');
    expect(output.summary).toContain('| Verification | 2 scored, 1 dropped |');
    expect(output.text).toContain('<details><summary>1 finding dropped by verification (not posted)</summary>');
    // The reason is model text: sanitized like any (its brackets escaped).
    expect(output.text).toMatch(/1\/10 · .* — Planted: .*: rows\\?\[0\\?\] is an array element; no cursor is involved\./);
  });

  it('posts the findings unverified when the verification call fails, and the check run says so', async () => {
    mockReviewRun();
    verificationReplies({ status: 500, body: apiError('api_error', 'Internal server error') });
    modelReplies({ body: messageResponse({ findings: [REAL, PLANTED] }) });
    const reviews = captureReviews();
    const updates = captureCheckUpdates();

    await deliverPullRequest(app, 'delivery-1');

    expect(reviews).toHaveLength(1);
    expect(JSON.stringify(reviews[0])).toContain('Planted');
    expect(JSON.stringify(reviews[0])).toContain('User id is interpolated into SQL');
    const output = updates.at(-1)!.output as Body;
    expect(updates.at(-1)).toMatchObject({ status: 'completed' });
    expect(output.summary).toMatch(/Verification failed \(.*\): the findings are posted unverified\./);
  });

  it('makes no verification call when the repository turns it off', async () => {
    mockReviewRun('review:\n  verify: false\n');
    const model = modelReplies({ body: messageResponse({ findings: [REAL, PLANTED] }) });
    const reviews = captureReviews();
    captureCheckUpdates();

    await deliverPullRequest(app, 'delivery-1');

    expect(model.requests).toHaveLength(1);
    expect(reviews).toHaveLength(1);
    expect(JSON.stringify(reviews[0])).toContain('Planted');
  });

  it('moves a finding whose line is off by two to the line it quotes', async () => {
    mockReviewRun();
    modelReplies({ body: messageResponse({ findings: [finding({ line: 14 })] }) });
    const reviews = captureReviews();
    captureCheckUpdates();

    await deliverPullRequest(app, 'delivery-1');

    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.comments).toEqual([expect.objectContaining({ path: 'src/server/routes/users.ts', line: 12, side: 'RIGHT' })]);
  });

  it('sends the chunks\' tools and system block with the verification call, which can Read the head through the same worker', async () => {
    mockInstallationToken();
    mockNoRepoConfig();
    mockCreateCheck();
    mockPullRequest();
    const agent = ['---', 'name: backend-specialist', 'description: Our reviewer.', 'tools: Read, Grep, Glob', 'model: sonnet', '---', 'You review our API. REPO-AGENT-BODY.'].join('\n');
    mockRepoFiles({ '.claude/agents/backend-specialist.md': agent });
    mockFiles([file('src/server/routes/users.ts', USERS_PATCH)]);
    const tarball = mockTarball(HEAD, await buildTarball(hostileEntries()));
    const verifier = verificationReplies(
      { body: toolUseResponse([{ name: 'Read', input: { path: 'src/db/users.ts' } }]) },
      (titles) => ({ body: verificationAnswer(titles.map((title) => ({ score: title.startsWith('Planted') ? 1 : 9 }))) }),
    );
    const model = modelReplies({ body: toolUseResponse([{ name: 'Read', input: { path: 'src/a.ts' } }]) }, { body: messageResponse({ findings: [REAL, PLANTED] }) });
    const reviews = captureReviews();
    captureCheckUpdates();

    await deliverPullRequest(app, 'delivery-1');

    expect(model.requests).toHaveLength(2);
    expect(verifier.requests).toHaveLength(2);
    const [chunk] = model.requests as [Body];
    expect((chunk.tools as Body[]).map((tool) => tool.name)).toEqual(['Read', 'Grep', 'Glob']);
    expect(JSON.stringify(chunk.system)).toContain('REPO-AGENT-BODY');
    for (const request of verifier.requests) {
      // The same tools → system prefix as the chunks: their cache entry is read, not written again.
      expect(request.tools).toEqual(chunk.tools);
      expect(request.system).toEqual(chunk.system);
      expect(request.tool_choice).toEqual({ type: 'auto' });
    }
    // The verifier's Read ran against the job's snapshot, downloaded once for the chunks and the verification.
    const results = (verifier.requests[1]!.messages as { content: unknown }[])[2]!.content as Body[];
    expect(results).toEqual([expect.objectContaining({ type: 'tool_result' })]);
    expect(results[0]!.is_error).toBeUndefined();
    expect(results[0]!.content).toMatch(/^1\timport \{ pool \} from "\.\/pool";/);
    expect(tarball.downloads).toBe(1);
    expect(reviews).toHaveLength(1);
    expect(JSON.stringify(reviews[0])).not.toContain('Planted');
    expect(JSON.stringify(reviews[0])).toContain('User id is interpolated into SQL');
  });
});
