import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assertNockDone, createTestApp, mockInstallationToken, setupNock } from '../helpers/test-app.js';
import { file, mockCreateCheck, mockFiles, mockNoRepoConfig, mockPullRequest, mockRepoFiles, openedPayload, USERS_PATCH } from '../helpers/github-stand-in.js';
import { captureCheckUpdates, captureReviews, summaryOf } from '../helpers/pipeline-mocks.js';
import { messageResponse } from '../helpers/model-stand-in.js';

type Body = Record<string, unknown>;

// Fake credentials built at test time, read by the SDK's standard AWS chain (its first link: the environment).
const fakeAccessKey = ['AKIA', 'TESTONLY', '0000EXAMPLE'].join('');
const BEDROCK = 'https://bedrock-runtime.eu-west-1.amazonaws.com';

beforeEach(() => {
  setupNock();
  vi.stubEnv('AWS_ACCESS_KEY_ID', fakeAccessKey);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', ['test', 'only', 'secret'].join('/'));
  vi.stubEnv('AWS_PROFILE', '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  assertNockDone();
});

describe('a review on Amazon Bedrock', () => {
  it('reaches the invoke endpoint of the mapped model, signed, and the check run names the provider and model', async () => {
    const app = await createTestApp({ env: { BULWARK_PROVIDER: 'bedrock', AWS_REGION: 'eu-west-1', BULWARK_BEDROCK_INFERENCE_PROFILE: 'eu' } });
    mockInstallationToken();
    mockNoRepoConfig();
    mockCreateCheck();
    mockPullRequest();
    mockRepoFiles();
    mockFiles([file('src/server/routes/users.ts', USERS_PATCH)]);
    const sent: { body: Body }[] = [];
    nock(BEDROCK)
      .matchHeader('authorization', new RegExp(`^AWS4-HMAC-SHA256 Credential=${fakeAccessKey}/\\d{8}/eu-west-1/bedrock/aws4_request`))
      .post('/model/eu.anthropic.claude-sonnet-5-5/invoke', (body: Body) => {
        sent.push({ body });
        return true;
      })
      .reply(200, messageResponse({ summary: 'Adds a user lookup route.' }, { model: 'eu.anthropic.claude-sonnet-5-5' }) as unknown as Body);
    const reviews = captureReviews({ optional: true });
    const updates = captureCheckUpdates();

    await app.probot.receive({ id: 'delivery-1', name: 'pull_request', payload: openedPayload() as never });
    await app.queue.onIdle();

    expect(sent).toHaveLength(1);
    expect(sent[0]?.body.model).toBeUndefined();
    expect(sent[0]?.body.anthropic_version).toEqual(expect.any(String));
    expect(JSON.stringify(sent[0]?.body)).toContain('src/server/routes/users.ts');
    expect(reviews).toHaveLength(0);
    const summary = summaryOf(updates);
    expect(summary).toContain('Served by Amazon Bedrock as `eu.anthropic.claude-sonnet-5-5`.');
    expect(summary).toMatch(/\| Model \| `eu\.anthropic\.claude-sonnet-5-5` \|/);
  });
});
