import { describe, expect, it } from 'vitest';
import type { RateLimitNeed, RateLimitPolicy, RateLimitState } from '../../src/ports/rate-limiter.js';
import { admitModelCall } from '../../src/review/admit-model-call.js';
import { observeRateLimit, rateLimitExpiry } from '../../src/review/observe-rate-limit.js';

const NOW = Date.parse('2026-11-22T03:00:00Z');
const POLICY: RateLimitPolicy = { margin: 0.05, limitedWaitMs: 1000, windowMs: 60_000 };
const CALL: RateLimitNeed = { requests: 1, inputTokens: 50_000, outputTokens: 16_000 };

/** The requests limit (100 unless `limit` says otherwise; null: not reported). */
const requests = (remaining: number, resetIn = 10_000, limit: number | null = 100): RateLimitState => ({
  windows: { requests: { ...(limit === null ? {} : { limit }), remaining, resetAt: NOW + resetIn } },
});

describe('admitModelCall', () => {
  it('admits a call when nothing is known', () => {
    const { admission, state } = admitModelCall(undefined, CALL, NOW, POLICY);

    expect(admission).toEqual({ admitted: true });
    expect(state).toEqual({ windows: {} });
  });

  it('reserves what an admitted call needs from every limit it counts against', () => {
    const known: RateLimitState = {
      windows: {
        requests: { limit: 100, remaining: 50, resetAt: NOW + 5000 },
        'input-tokens': { limit: 1_000_000, remaining: 600_000, resetAt: NOW + 5000 },
        'output-tokens': { limit: 200_000, remaining: 100_000, resetAt: NOW + 5000 },
      },
    };

    const { admission, state } = admitModelCall(known, CALL, NOW, POLICY);

    expect(admission).toEqual({ admitted: true });
    expect(state.windows.requests?.remaining).toBe(49);
    expect(state.windows['input-tokens']?.remaining).toBe(550_000);
    expect(state.windows['output-tokens']?.remaining).toBe(84_000);
  });

  it.each([
    // remaining, margin, admitted: the call needs one request and keeps 5 of 100 free.
    [7, 0.05, true],
    [6, 0.05, true],
    [5, 0.05, false],
    [1, 0.05, false],
    [1, 0, true],
    [0, 0, false],
  ])('with %i requests left and a margin of %f, admits: %s', (remaining, margin, admitted) => {
    const { admission } = admitModelCall(requests(remaining), CALL, NOW, { ...POLICY, margin });

    expect(admission.admitted).toBe(admitted);
  });

  it('makes a call that would spend the margin wait until the reset of that limit, naming it', () => {
    const known: RateLimitState = {
      windows: {
        requests: { limit: 100, remaining: 90, resetAt: NOW + 2000 },
        'input-tokens': { limit: 1_000_000, remaining: 90_000, resetAt: NOW + 7000 },
      },
    };

    const { admission, state } = admitModelCall(known, CALL, NOW, POLICY);

    // 90,000 - 50,000 leaves less than 5 % of 1,000,000.
    expect(admission).toEqual({ admitted: false, until: NOW + 7000, reason: 'input-tokens' });
    expect(state.windows.requests?.remaining).toBe(90);
  });

  it('waits for the latest reset when several limits are short', () => {
    const known: RateLimitState = {
      windows: {
        requests: { limit: 100, remaining: 0, resetAt: NOW + 9000 },
        'output-tokens': { limit: 200_000, remaining: 1000, resetAt: NOW + 3000 },
      },
    };

    expect(admitModelCall(known, CALL, NOW, POLICY).admission).toEqual({ admitted: false, until: NOW + 9000, reason: 'requests' });
  });

  it('without the limit, waits only when the call itself does not fit', () => {
    expect(admitModelCall(requests(1, 10_000, null), CALL, NOW, POLICY).admission.admitted).toBe(true);
    expect(admitModelCall(requests(0, 10_000, null), CALL, NOW, POLICY).admission).toEqual({ admitted: false, until: NOW + 10_000, reason: 'requests' });
  });

  it('lets a call larger than the whole limit go once the limit is full, rather than never', () => {
    const known: RateLimitState = { windows: { 'output-tokens': { limit: 8000, remaining: 8000, resetAt: NOW + 1000 } } };

    const { admission, state } = admitModelCall(known, CALL, NOW, POLICY);

    expect(admission).toEqual({ admitted: true });
    expect(state.windows['output-tokens']?.remaining).toBe(0);
  });

  it('waits out a 429 until its retry-after, whatever the limits say', () => {
    const known: RateLimitState = { ...requests(80), blockedUntil: NOW + 4000 };

    expect(admitModelCall(known, CALL, NOW, POLICY).admission).toEqual({ admitted: false, until: NOW + 4000, reason: 'retry-after' });
    expect(admitModelCall(known, CALL, NOW + 4000, POLICY).admission).toEqual({ admitted: true });
  });

  it('counts a limit as full once its reset has passed, for another period, when its limit is known', () => {
    const { admission, state } = admitModelCall(requests(0, 1000), CALL, NOW + 1000, POLICY);

    expect(admission).toEqual({ admitted: true });
    expect(state.windows.requests).toEqual({ limit: 100, remaining: 99, resetAt: NOW + 1000 + 60_000 });
  });

  it('forgets a limit past its reset when its limit is not known', () => {
    const { admission, state } = admitModelCall(requests(0, 1000, null), CALL, NOW + 1000, POLICY);

    expect(admission).toEqual({ admitted: true });
    expect(state).toEqual({ windows: {} });
  });

  it('uses the tokens limit only when the input and output limits are not reported', () => {
    const tokens = { limit: 100_000, remaining: 60_000, resetAt: NOW + 3000 };

    expect(admitModelCall({ windows: { tokens } }, CALL, NOW, POLICY).admission).toEqual({ admitted: false, until: NOW + 3000, reason: 'tokens' });
    expect(admitModelCall({ windows: { tokens, 'input-tokens': { remaining: 900_000, resetAt: NOW + 3000 } } }, CALL, NOW, POLICY).admission).toEqual({ admitted: true });
  });
});

describe('observeRateLimit', () => {
  it('takes what a response reports, limit included', () => {
    const state = observeRateLimit(undefined, { windows: { requests: { limit: 50, remaining: 10, resetAt: NOW + 3000 } } }, NOW, POLICY);

    expect(state).toEqual({ windows: { requests: { limit: 50, remaining: 10, resetAt: NOW + 3000 } } });
  });

  it('keeps the lower remaining within the same window, so an answer does not give back another call’s reservation', () => {
    const reserved = requests(4, 3000);

    expect(observeRateLimit(reserved, { windows: { requests: { remaining: 6, resetAt: NOW + 3000 } } }, NOW, POLICY).windows.requests).toEqual({ limit: 100, remaining: 4, resetAt: NOW + 3000 });
    expect(observeRateLimit(reserved, { windows: { requests: { limit: 100, remaining: 2, resetAt: NOW + 3000 } } }, NOW, POLICY).windows.requests?.remaining).toBe(2);
    expect(observeRateLimit(reserved, { windows: { requests: { limit: 100, remaining: 60, resetAt: NOW + 3500 } } }, NOW, POLICY).windows.requests?.remaining).toBe(60);
  });

  it('blocks the model for a 429’s retry-after, or the policy’s wait when it names none, never shortening a block', () => {
    expect(observeRateLimit(undefined, { windows: {}, limited: { retryAfterMs: 7000 } }, NOW, POLICY).blockedUntil).toBe(NOW + 7000);
    expect(observeRateLimit(undefined, { windows: {}, limited: { retryAfterMs: undefined } }, NOW, POLICY).blockedUntil).toBe(NOW + 1000);
    expect(observeRateLimit({ windows: {}, blockedUntil: NOW + 9000 }, { windows: {}, limited: { retryAfterMs: 2000 } }, NOW, POLICY).blockedUntil).toBe(NOW + 9000);
    expect(observeRateLimit({ windows: {}, blockedUntil: NOW - 1 }, { windows: {} }, NOW, POLICY)).toEqual({ windows: {} });
  });
});

describe('rateLimitExpiry', () => {
  it('lasts until the block and every reset have passed, a known limit one period more', () => {
    expect(rateLimitExpiry({ windows: {}, blockedUntil: NOW + 5000 }, POLICY)).toBe(NOW + 5000);
    expect(rateLimitExpiry(requests(3, 2000, null), POLICY)).toBe(NOW + 2000);
    expect(rateLimitExpiry(requests(3, 2000), POLICY)).toBe(NOW + 62_000);
    expect(rateLimitExpiry({ windows: {} }, POLICY)).toBe(0);
  });
});
