import { describe, expect, it } from 'vitest';
import { rateLimitedCall } from '../../src/adapters/anthropic/rate-limit-middleware.js';
import { CHARS_PER_TOKEN, estimateTokens } from '../../src/review/estimate-tokens.js';

describe('rateLimitedCall', () => {
  const body = { model: 'claude-sonnet-5-5', max_tokens: 16_000, system: [{ type: 'text', text: 'You review code.' }], messages: [{ role: 'user', content: 'diff…' }] };
  const encoded = JSON.stringify(body);

  it('counts a Messages call per model: one request, the whole request as input, max_tokens as output', () => {
    expect(rateLimitedCall('/v1/messages', body, encoded)).toEqual({
      key: 'claude-sonnet-5-5',
      model: 'claude-sonnet-5-5',
      need: { requests: 1, inputTokens: Math.ceil(Buffer.byteLength(encoded, 'utf8') / CHARS_PER_TOKEN), outputTokens: 16_000 },
    });
  });

  it('stays near or above the prompt estimate, whatever the text (at least 80 % of it)', () => {
    for (const text of ['plain ascii diff', 'naïve café — “quotes” …', '日本語のコメント', '😀 emoji']) {
      const request = { ...body, messages: [{ role: 'user', content: text.repeat(200) }] };
      const encodedRequest = JSON.stringify(request);
      expect(rateLimitedCall('/v1/messages', request, encodedRequest)!.need.inputTokens).toBeGreaterThanOrEqual(Math.floor(0.8 * estimateTokens(encodedRequest)));
    }
  });

  it('counts count_tokens on its own key, as one request', () => {
    const counting = { model: 'claude-sonnet-5-5', messages: [{ role: 'user', content: 'diff…' }] };

    expect(rateLimitedCall('/v1/messages/count_tokens', counting, JSON.stringify(counting))).toEqual({
      key: 'claude-sonnet-5-5:count_tokens',
      model: 'claude-sonnet-5-5',
      need: { requests: 1, inputTokens: 0, outputTokens: 0 },
    });
  });

  it('bounds the key of a model id a repository config could make as long as it likes', () => {
    const long = { ...body, model: `claude-${'x'.repeat(5000)}` };

    expect(rateLimitedCall('/v1/messages', long, JSON.stringify(long))?.key).toHaveLength(200);
  });

  it('leaves alone what is not a model call', () => {
    expect(rateLimitedCall('/v1/models', {}, undefined)).toBeUndefined();
    expect(rateLimitedCall('/v1/messages', { max_tokens: 10 }, '{}')).toBeUndefined();
    expect(rateLimitedCall(undefined, body, encoded)).toBeUndefined();
  });
});
