import { describe, expect, it } from 'vitest';
import { readRateLimitHeaders } from '../../src/adapters/anthropic/read-rate-limit-headers.js';

const NOW = Date.parse('2026-11-22T03:00:00Z');
const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString().replace('.000Z', 'Z');

/** The headers of an Anthropic answer, as the API sends them (names and values from its rate-limit page). */
const answer = (extra: Record<string, string> = {}) =>
  new Headers({
    'anthropic-ratelimit-requests-limit': '4000',
    'anthropic-ratelimit-requests-remaining': '3999',
    'anthropic-ratelimit-requests-reset': at(1),
    'anthropic-ratelimit-input-tokens-limit': '2000000',
    'anthropic-ratelimit-input-tokens-remaining': '1880000',
    'anthropic-ratelimit-input-tokens-reset': at(4),
    'anthropic-ratelimit-output-tokens-limit': '400000',
    'anthropic-ratelimit-output-tokens-remaining': '384000',
    'anthropic-ratelimit-output-tokens-reset': at(3),
    'anthropic-ratelimit-tokens-limit': '2400000',
    'anthropic-ratelimit-tokens-remaining': '2264000',
    'anthropic-ratelimit-tokens-reset': at(4),
    ...extra,
  });

describe('readRateLimitHeaders', () => {
  it('reads every limit of an answer: limit, remaining and the RFC 3339 reset as a time', () => {
    const observation = readRateLimitHeaders(answer(), 200, NOW);

    expect(observation).toEqual({
      windows: {
        requests: { limit: 4000, remaining: 3999, resetAt: NOW + 1000 },
        'input-tokens': { limit: 2_000_000, remaining: 1_880_000, resetAt: NOW + 4000 },
        'output-tokens': { limit: 400_000, remaining: 384_000, resetAt: NOW + 3000 },
        tokens: { limit: 2_400_000, remaining: 2_264_000, resetAt: NOW + 4000 },
      },
    });
  });

  it('marks a 429 as limited with the wait it asked for, retry-after-ms before retry-after', () => {
    expect(readRateLimitHeaders(answer({ 'anthropic-ratelimit-requests-remaining': '0', 'retry-after': '17' }), 429, NOW)).toMatchObject({
      windows: { requests: { remaining: 0 } },
      limited: { retryAfterMs: 17_000 },
    });
    expect(readRateLimitHeaders(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), 429, NOW)).toEqual({ windows: {}, limited: { retryAfterMs: 1500 } });
    expect(readRateLimitHeaders(new Headers({ 'retry-after': new Date(NOW + 30_000).toUTCString() }), 429, NOW)).toEqual({ windows: {}, limited: { retryAfterMs: 30_000 } });
  });

  it('says a 429 without any header was limited, with no wait named', () => {
    expect(readRateLimitHeaders(new Headers(), 429, NOW)).toEqual({ windows: {}, limited: { retryAfterMs: undefined } });
  });

  it('says nothing about an answer without rate-limit headers (a gateway, Bedrock, Vertex)', () => {
    expect(readRateLimitHeaders(new Headers({ 'content-type': 'application/json' }), 200, NOW)).toBeUndefined();
    expect(readRateLimitHeaders(new Headers({ 'retry-after': '3' }), 529, NOW)).toBeUndefined();
  });

  it('keeps a window without its limit, and ignores one without a readable remaining or reset', () => {
    const headers = new Headers({
      'anthropic-ratelimit-requests-remaining': '12',
      'anthropic-ratelimit-requests-reset': at(20),
      'anthropic-ratelimit-input-tokens-remaining': '-5',
      'anthropic-ratelimit-input-tokens-reset': at(20),
      'anthropic-ratelimit-output-tokens-remaining': '1e9',
      'anthropic-ratelimit-output-tokens-reset': at(20),
      'anthropic-ratelimit-tokens-remaining': '100',
      'anthropic-ratelimit-tokens-reset': 'soon',
    });

    expect(readRateLimitHeaders(headers, 200, NOW)).toEqual({ windows: { requests: { remaining: 12, resetAt: NOW + 20_000 } } });
  });

  it('reads a reset or a retry-after more than an hour away as an hour', () => {
    const far = readRateLimitHeaders(answer({ 'anthropic-ratelimit-requests-reset': at(86_400), 'retry-after': '86400' }), 429, NOW);

    expect(far?.windows.requests?.resetAt).toBe(NOW + 3_600_000);
    expect(far?.limited?.retryAfterMs).toBe(3_600_000);
  });
});
