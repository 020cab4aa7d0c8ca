import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicClient, createAnthropicModel } from '../../src/adapters/anthropic/anthropic-model.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { ANTHROPIC, assertNockDone, setupNock } from '../helpers/test-app.js';

const model = () => createAnthropicModel(createAnthropicClient({ apiKey: 'test-key', baseUrl: ANTHROPIC, timeoutMs: 5_000, maxRetries: 3 }));

beforeEach(setupNock);
afterEach(assertNockDone);

describe('countTokens (POST /v1/messages/count_tokens)', () => {
  it('sends the text as one user turn for the model, with no max_tokens, and returns input_tokens', async () => {
    let sent: Record<string, unknown> | undefined;
    nock(ANTHROPIC)
      .post('/v1/messages/count_tokens', (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(200, { input_tokens: 1234 });

    await expect(model().countTokens!({ model: 'claude-sonnet-5-5', text: '<file path="a.ts">…</file>' })).resolves.toBe(1234);
    expect(sent).toEqual({ model: 'claude-sonnet-5-5', messages: [{ role: 'user', content: '<file path="a.ts">…</file>' }] });
  });

  it('tries once: a 500 is a ServiceError at once, not retried like a review call', async () => {
    nock(ANTHROPIC).post('/v1/messages/count_tokens').once().reply(500, { type: 'error', error: { type: 'api_error', message: 'Internal server error' } });

    const error = await model().countTokens!({ model: 'claude-sonnet-5-5', text: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ServiceError);
    expect((error as ServiceError).status).toBe(500);
  });

  it('refuses an answer without a count', async () => {
    nock(ANTHROPIC).post('/v1/messages/count_tokens').reply(200, { tokens: 'many' });

    await expect(model().countTokens!({ model: 'claude-sonnet-5-5', text: 'x' })).rejects.toThrow('count_tokens answered without a token count.');
  });
});
