import { randomBytes } from 'node:crypto';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { file, HEAD, mockCreateCheck, mockEarlierReviews, mockNoRepoConfig, mockPullRequest, mockRepoFiles, openedPayload, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse, toolUseResponse } from '../helpers/model-stand-in.js';
import { captureCheckUpdates, captureReviews, mockFilePages, mockTarball, summaryOf } from '../helpers/pipeline-mocks.js';
import { isVerification, verificationPasses } from '../helpers/fake-model.js';
import { ANTHROPIC, assertNockDone, createTestApp, mockInstallationToken, setupNock } from '../helpers/test-app.js';
import { buildTarball, TOP } from '../unit/context-fixtures.js';

// Request bodies as the API received them: loosely typed on purpose, the assertions check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const CAP = 4_096;

beforeEach(() => {
  setupNock();
});

afterEach(() => {
  assertNockDone();
});

/**
 * A head archive over BULWARK_SNAPSHOT_MAX_COMPRESSED_BYTES: the download stops at the cap, the model's tool calls
 * are answered with the reason, the review goes on from the diff and is posted, and the check run says so.
 */
describe('repository context over the compressed cap', () => {
  it('answers the tools without it, posts the review, and says in the check run that the context was too large', async () => {
    // Random bytes do not compress: the archive is well over the cap.
    const archive = await buildTarball([{ name: `${TOP}/src/db/users.ts`, content: randomBytes(16_384).toString('hex') }]);
    expect(archive.byteLength).toBeGreaterThan(CAP);
    const app = await createTestApp({ env: { BULWARK_SNAPSHOT_MAX_COMPRESSED_BYTES: String(CAP) } });
    mockInstallationToken();
    mockNoRepoConfig();
    mockCreateCheck();
    mockPullRequest();
    mockRepoFiles({});
    mockEarlierReviews([]);
    mockFilePages([file('src/server/routes/users.ts', USERS_PATCH)]);
    const tarball = mockTarball(HEAD, archive);
    const requests: Body[] = [];
    verificationPasses();
    nock(ANTHROPIC)
      .persist()
      .post('/v1/messages', (body: Body | string) => typeof body === 'object' && !isVerification(body))
      .reply(async (request: Request) => {
        const body = (await request.json()) as Body;
        requests.push(body);
        if (body.messages.length === 1) return [200, toolUseResponse([{ name: 'Read', input: { path: 'src/db/users.ts' } }, { name: 'Grep', input: { pattern: 'pool' } }])];
        return [200, messageResponse({ findings: [finding()] })];
      });
    const reviews = captureReviews();
    const updates = captureCheckUpdates();

    await app.probot.receive({ id: 'delivery-too-large', name: 'pull_request', payload: openedPayload() as never });
    await app.queue.onIdle();

    expect(tarball.downloads).toBe(1);
    expect(requests).toHaveLength(2);
    const results = requests[1]!.messages[2].content as Body[];
    expect(results).toHaveLength(2);
    for (const result of results) {
      expect(result).toMatchObject({ is_error: true });
      expect(result.content).toContain('too large');
    }
    expect(reviews).toHaveLength(1);
    expect(summaryOf(updates)).toContain('Repository context too large');
    expect(summaryOf(updates)).toContain('BULWARK_SNAPSHOT_MAX_COMPRESSED_BYTES');
    expect(updates.at(-1)).toMatchObject({ status: 'completed' });
  });
});
