import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicClient, createAnthropicModel } from '../../src/adapters/anthropic/anthropic-model.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { messageResponse } from '../helpers/model-stand-in.js';
import { ANTHROPIC, assertNockDone, setupNock } from '../helpers/test-app.js';

const model = () => createAnthropicModel(createAnthropicClient({ apiKey: 'test-key', baseUrl: ANTHROPIC, timeoutMs: 5_000, maxRetries: 0 }));
const request = { model: 'claude-sonnet-5-5', system: 'System.', user: 'User.', maxOutputTokens: 1000 };

type Schema = { properties?: Record<string, Schema>; items?: Schema; description?: string; $ref?: string; required?: string[] };

function capture(reply: unknown): { body?: Record<string, unknown> } {
  const sent: { body?: Record<string, unknown> } = {};
  nock(ANTHROPIC)
    .post('/v1/messages', (body: Record<string, unknown>) => {
      sent.body = body;
      return true;
    })
    .reply(200, reply as Record<string, unknown>);
  return sent;
}

const schemaOf = (body: Record<string, unknown> | undefined) => ((body?.output_config as { format: { schema: Schema } }).format.schema);

beforeEach(setupNock);
afterEach(assertNockDone);

describe('the findings schema sent to the model', () => {
  it('describes every field of a finding, the optional ones included, and asks for the evidence first', async () => {
    const sent = capture(messageResponse({}));
    await model().review(request);

    const finding = schemaOf(sent.body).properties?.findings?.items as Schema;
    const properties = finding.properties ?? {};
    for (const name of ['end_line', 'side', 'rule', 'suggestion', 'options', 'existing_code', 'failure', 'confidence']) {
      expect(properties[name]?.$ref, name).toBeUndefined();
      expect(properties[name]?.description, name).toMatch(/\w{4,}/);
    }
    const withoutDescription = Object.entries(properties).filter(([name, value]) => name !== 'category' && !value.description);
    expect(withoutDescription.map(([name]) => name)).toEqual([]);
    const order = Object.keys(properties);
    expect(order.indexOf('existing_code')).toBeLessThan(order.indexOf('severity'));
    expect(order.indexOf('failure')).toBeLessThan(order.indexOf('severity'));
    expect(order.indexOf('confidence')).toBeLessThan(order.indexOf('title'));
    expect(finding.required).toEqual(expect.arrayContaining(['existing_code', 'failure', 'confidence']));
  });
});

describe('the verification call', () => {
  it('sends the review system prompt as the cached prefix and the scores schema, and returns the parsed answer', async () => {
    const sent = capture(messageResponse(JSON.stringify({ scores: [{ id: 1, reason: 'Real.', score: 8 }] })));
    const answer = await model().verify!(request);

    expect(answer.output).toEqual({ scores: [{ id: 1, reason: 'Real.', score: 8 }] });
    expect(answer.usage.inputTokens).toBe(1200);
    expect(sent.body?.system).toEqual([{ type: 'text', text: 'System.', cache_control: { type: 'ephemeral' } }]);
    const scores = schemaOf(sent.body).properties?.scores?.items as Schema;
    expect(Object.keys(scores.properties ?? {})).toEqual(['id', 'reason', 'score']);
  });

  it('fails with a ServiceError when the answer is not JSON', async () => {
    capture(messageResponse('not json'));
    await expect(model().verify!(request)).rejects.toBeInstanceOf(ServiceError);
  });
});
