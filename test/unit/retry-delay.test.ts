import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { toServiceError as anthropicError } from '../../src/adapters/anthropic/to-service-error.js';
import { toServiceError as githubError } from '../../src/adapters/github/to-service-error.js';
import { whenRetrying } from '../../src/render/render-retrying.js';
import { MAX_RETRY_DELAY_MS, RetryLaterError, retryDelayMs } from '../../src/ports/job-queue.js';

const NOW = Date.UTC(2026, 10, 22, 3, 0, 0);
const octokitError = (status: number, headers: Record<string, string>, message = 'failed') => ({ status, message, response: { headers, data: { message } } });

describe('GitHub errors: how long a rate limit asks to wait', () => {
  it('reads retry-after in seconds', () => {
    const error = githubError(octokitError(403, { 'retry-after': '30' }), 'listing files', NOW);

    expect(error).toMatchObject({ retryable: true, retryAfterMs: 30_000 });
  });

  it('waits until x-ratelimit-reset when the primary limit is spent', () => {
    const reset = String(NOW / 1000 + 95);
    const error = githubError(octokitError(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), 'listing files', NOW);

    expect(error).toMatchObject({ retryable: true, retryAfterMs: 95_000 });
  });

  it('knows a secondary rate limit by its message and waits a minute when no header says how long', () => {
    const error = githubError(octokitError(403, {}, 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.'), 'posting the review', NOW);

    expect(error.message).toContain('rate limited by GitHub');
    expect(error).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
  });

  it('asks for no wait on errors that are not rate limits', () => {
    expect(githubError(octokitError(403, {}, 'Resource not accessible by integration'), 'creating the check', NOW)).toMatchObject({ retryable: false, retryAfterMs: undefined });
    expect(githubError(octokitError(502, {}), 'listing files', NOW)).toMatchObject({ retryable: true, retryAfterMs: undefined });
  });
});

describe('Anthropic errors: how long a rate limit asks to wait', () => {
  const apiError = (status: number, headers: Record<string, string>) =>
    Anthropic.APIError.generate(status, { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }, undefined, new Headers(headers));

  it('reads retry-after-ms, then retry-after', () => {
    expect(anthropicError(apiError(429, { 'retry-after-ms': '1500', 'retry-after': '9' }))).toMatchObject({ retryable: true, retryAfterMs: 1500 });
    expect(anthropicError(apiError(429, { 'retry-after': '9' }))).toMatchObject({ retryable: true, retryAfterMs: 9000 });
    expect(anthropicError(apiError(529, {}))).toMatchObject({ retryable: true, retryAfterMs: undefined });
  });

  it('asks for no wait on errors that will not pass by waiting', () => {
    expect(anthropicError(apiError(400, { 'retry-after': '9' }))).toMatchObject({ retryable: false, retryAfterMs: undefined });
  });
});

describe('retryDelayMs', () => {
  it('is the exponential backoff unless the error asks for longer', () => {
    expect(retryDelayMs(1000, 1, new Error('x'))).toBe(1000);
    expect(retryDelayMs(1000, 3, new Error('x'))).toBe(4000);
    expect(retryDelayMs(1000, 1, new RetryLaterError('x', { delayMs: 30_000 }))).toBe(30_000);
    expect(retryDelayMs(1000, 3, new RetryLaterError('x', { delayMs: 500 }))).toBe(4000);
  });

  it('caps what an error asks for at an hour', () => {
    expect(retryDelayMs(1000, 1, new RetryLaterError('x', { delayMs: 10 * 60 * 60 * 1000 }))).toBe(MAX_RETRY_DELAY_MS);
  });
});

describe('whenRetrying (what the check run says while a job waits)', () => {
  const retry = (delayMs?: number) => new RetryLaterError('retryable failure', { delayMs });

  it.each<[string, number | undefined, number, number | undefined, string]>([
    ['the backoff, first retry', 5_000, 1, undefined, ' in about 5 s'],
    ['the backoff, doubled for the second', 5_000, 2, undefined, ' in about 10 s'],
    ['a longer wait the service asked for', 5_000, 1, 60_000, ' in about 60 s, as the service asked'],
    ['a shorter wait the service asked for: the backoff wins', 5_000, 1, 1_000, ' in about 5 s'],
    ['minutes', 5_000, 1, 600_000, ' in about 10 min, as the service asked'],
    ['no backoff known: only what the service asked', undefined, 1, 3_000, ' in about 3 s, as the service asked'],
    ['no backoff known and nothing asked: no time', undefined, 1, undefined, ''],
  ])('%s', (_, backoffMs, attempt, delayMs, said) => {
    expect(whenRetrying(retry(delayMs), attempt, backoffMs)).toBe(said);
  });
});
