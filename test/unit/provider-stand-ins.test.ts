import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProviderModel } from '../../src/adapters/anthropic/create-provider-model.js';
import { ProviderSdkMissingError, loadSdk } from '../../src/adapters/anthropic/create-provider-client.js';
import { providerModelId } from '../../src/adapters/anthropic/provider-model-id.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';

/** One request as the provider's endpoint saw it. */
interface Seen {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A local stand-in of a provider's endpoint: records every request and answers like the Messages API. */
function standIn(answer: (seen: Seen) => unknown) {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const request = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: raw ? (JSON.parse(raw) as Record<string, unknown>) : {} };
      seen.push(request);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(request)));
    });
  });
  return {
    seen,
    start: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const reviewRequest = { model: 'claude-sonnet-5-5', system: 'You review backend code.', user: 'The diff.', maxOutputTokens: 1000 };
const answer = (seen: Seen) => (seen.path.includes('count-tokens') ? { input_tokens: 4321 } : messageResponse({ findings: [finding()] }, { model: 'whatever-the-provider-says' }));
// Built at test time: fake credentials, never real ones.
const fakeAccessKey = ['AKIA', 'TESTONLY', '0000EXAMPLE'].join('');
const fakeSecretKey = ['test', 'only', 'secret', 'key'].join('/');
const fakeGoogleToken = ['ya29', 'test-only-token'].join('.');

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterAll(() => nock.enableNetConnect());

describe('Bedrock through its stand-in', () => {
  const bedrock = standIn(answer);
  let baseUrl = '';
  beforeAll(async () => (baseUrl = await bedrock.start()));
  afterAll(() => bedrock.stop());

  it('invokes /model/{inference profile}.anthropic.{id}/invoke, signed with SigV4, and names that id in the answer', async () => {
    const model = createProviderModel({
      provider: 'bedrock',
      timeoutMs: 5000,
      maxRetries: 0,
      bedrock: { region: 'eu-west-1', baseUrl },
      inferenceProfile: 'eu',
      sdkOptions: { awsAccessKey: fakeAccessKey, awsSecretKey: fakeSecretKey },
    });
    const review = await model.review(reviewRequest);

    expect(bedrock.seen).toHaveLength(1);
    const [request] = bedrock.seen;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/model/eu.anthropic.claude-sonnet-5-5/invoke');
    expect(request?.headers.authorization).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${fakeAccessKey}/\\d{8}/eu-west-1/bedrock/aws4_request`));
    expect(request?.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request?.body.model).toBeUndefined();
    expect(request?.body.anthropic_version).toEqual(expect.any(String));
    expect(request?.body.output_config).toMatchObject({ format: { type: 'json_schema' } });
    expect(request?.body.system).toEqual([expect.objectContaining({ cache_control: { type: 'ephemeral' } })]);
    expect(review.model).toBe('eu.anthropic.claude-sonnet-5-5');
    expect(review.findings).toHaveLength(1);
  });

  it('has no count_tokens (Bedrock serves none), so reviews are planned by estimate', () => {
    const model = createProviderModel({ provider: 'bedrock', timeoutMs: 5000, maxRetries: 0, bedrock: { baseUrl } });
    expect(model.countTokens).toBeUndefined();
  });

  it('takes the operator model map over the built-in mapping', async () => {
    const model = createProviderModel({
      provider: 'bedrock',
      timeoutMs: 5000,
      maxRetries: 0,
      bedrock: { region: 'us-east-1', baseUrl },
      modelMap: { 'claude-sonnet-5-5': 'us.anthropic.claude-sonnet-5-5-v1:0' },
      sdkOptions: { awsAccessKey: fakeAccessKey, awsSecretKey: fakeSecretKey },
    });
    await model.review(reviewRequest);
    expect(bedrock.seen.at(-1)?.path).toBe('/model/us.anthropic.claude-sonnet-5-5-v1:0/invoke');
  });
});

describe('Vertex AI through its stand-in', () => {
  const vertex = standIn(answer);
  let baseUrl = '';
  beforeAll(async () => (baseUrl = await vertex.start()));
  afterAll(() => vertex.stop());
  const authClient = { projectId: undefined, getRequestHeaders: async () => new Headers({ authorization: `Bearer ${fakeGoogleToken}` }) };
  const options = (structuredOutputs: boolean) =>
    ({
      provider: 'vertex',
      timeoutMs: 5000,
      maxRetries: 0,
      vertex: { region: 'us-east5', projectId: 'review-project', baseUrl: `${baseUrl}/v1` },
      structuredOutputs,
      sdkOptions: { authClient },
    }) as const;

  it('posts to …/publishers/anthropic/models/{id}:rawPredict with a Google bearer token, and counts tokens on count-tokens:rawPredict', async () => {
    const model = createProviderModel(options(true));
    const review = await model.review({ ...reviewRequest, model: 'claude-sonnet-4-5' });
    const counted = await model.countTokens?.({ model: 'claude-sonnet-5-5', text: 'some diff' });

    const [reviewCall, countCall] = vertex.seen;
    expect(reviewCall?.path).toBe('/v1/projects/review-project/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict');
    expect(reviewCall?.headers.authorization).toBe(`Bearer ${fakeGoogleToken}`);
    expect(reviewCall?.headers['x-api-key']).toBeUndefined();
    expect(reviewCall?.body.model).toBeUndefined();
    expect(reviewCall?.body.anthropic_version).toEqual(expect.any(String));
    expect(reviewCall?.body.output_config).toMatchObject({ format: { type: 'json_schema' } });
    expect(review.model).toBe('claude-sonnet-4-5@20250929');
    expect(countCall?.path).toBe('/v1/projects/review-project/locations/us-east5/publishers/anthropic/models/count-tokens:rawPredict');
    expect(countCall?.body.model).toBe('claude-sonnet-5-5');
    expect(counted).toBe(4321);
  });

  it('with structured outputs off (an organisation policy can refuse them), sends no output_config and puts the schema in the system prompt', async () => {
    const before = vertex.seen.length;
    const review = await createProviderModel(options(false)).review(reviewRequest);
    const request = vertex.seen[before];
    expect(request?.body.output_config).toBeUndefined();
    const system = (request?.body.system as { text: string }[])[0]?.text ?? '';
    expect(system).toMatch(/^You review backend code\.\n\nAnswer with one JSON object.*\n\{"/);
    expect(review.findings).toHaveLength(1);
  });
});

describe('provider model ids', () => {
  it.each([
    ['bedrock', 'claude-sonnet-5-5', { inferenceProfile: 'global' }, 'global.anthropic.claude-sonnet-5-5'],
    ['bedrock', 'claude-haiku-5-5', { inferenceProfile: 'none' }, 'anthropic.claude-haiku-5-5'],
    ['bedrock', 'us.anthropic.claude-opus-5-5-v1:0', {}, 'us.anthropic.claude-opus-5-5-v1:0'],
    ['bedrock', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc', {}, 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc'],
    ['vertex', 'claude-sonnet-5-5', {}, 'claude-sonnet-5-5'],
    ['vertex', 'claude-haiku-4-5', {}, 'claude-haiku-4-5@20251001'],
    ['vertex', 'claude-sonnet-4-5-20250929', {}, 'claude-sonnet-4-5@20250929'],
    ['vertex', 'claude-opus-5-5', { modelMap: { 'claude-opus-5-5': 'claude-opus-5-5@20270101' } }, 'claude-opus-5-5@20270101'],
    ['anthropic', 'claude-sonnet-5-5', { inferenceProfile: 'us' }, 'claude-sonnet-5-5'],
  ] as const)('%s: %s → %s', (provider, model, options, expected) => {
    expect(providerModelId(provider, model, options)).toBe(expected);
  });
});

describe('a missing cloud SDK', () => {
  const notFound = () => Promise.reject(Object.assign(new Error("Cannot find package '@anthropic-ai/bedrock-sdk'"), { code: 'ERR_MODULE_NOT_FOUND' }));

  it('says which package to install', async () => {
    await expect(loadSdk('bedrock', notFound)).rejects.toThrow(new ProviderSdkMissingError('bedrock'));
    await expect(loadSdk('bedrock', notFound)).rejects.toThrow('Run: npm install @anthropic-ai/bedrock-sdk');
  });

  it('fails a review for good (no retry would install it), with the same advice', async () => {
    const model = createProviderModel({ provider: 'bedrock', timeoutMs: 5000, maxRetries: 0, importSdk: notFound });
    const failure = await model.review(reviewRequest).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceError);
    expect(failure).toMatchObject({ retryable: false, message: expect.stringContaining('npm install @anthropic-ai/bedrock-sdk') });
  });
});
