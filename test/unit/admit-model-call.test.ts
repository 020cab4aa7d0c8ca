import { describe, expect, it } from 'vitest';
import type { InFlightCall, RateLimitNeed, RateLimitPolicy, RateLimitState } from '../../src/ports/rate-limiter.js';
import { admitModelCall } from '../../src/review/admit-model-call.js';
import { rateLimitExpiry } from '../../src/review/rate-limit-expiry.js';
import { settleModelCall } from '../../src/review/settle-model-call.js';

const NOW = Date.parse('2026-11-22T03:00:00Z');
const POLICY: RateLimitPolicy = { margin: 0.05, limitedWaitMs: 1000, windowMs: 60_000, inFlightMs: 600_000, transitMs: 500 };
const NEED: RateLimitNeed = { requests: 1, inputTokens: 50_000, outputTokens: 16_000 };
const CALL = { id: 'call', need: NEED };

/** The requests limit as reported a second ago (100 unless `limit` says otherwise; null: not reported). */
const requests = (remaining: number, resetIn = 10_000, limit: number | null = 100, inFlight: InFlightCall[] = []): RateLimitState => ({
  windows: { requests: { ...(limit === null ? {} : { limit }), remaining, resetAt: NOW + resetIn, observedAt: NOW - 1000 } },
  inFlight,
});
const sent = (id: string, at: number): InFlightCall => ({ id, at, need: NEED });

describe('admitModelCall', () => {
  it('lets a call go when nothing is known, and counts it in flight', () => {
    const { admission, state } = admitModelCall(undefined, CALL, NOW, POLICY);

    expect(admission).toEqual({ admitted: true });
    expect(state).toEqual({ windows: {}, inFlight: [{ id: 'call', at: NOW, need: NEED }] });
  });

  it.each([
    // remaining, margin, admitted: the call needs one request and keeps 5 of 100 free.
    [7, 0.05, true],
    [6, 0.05, true],
    [5, 0.05, false],
    [1, 0.05, false],
    [1, 0, true],
    [0, 0, false],
  ])('with %i requests left and a margin of %f, lets the call go: %s', (remaining, margin, admitted) => {
    const { admission } = admitModelCall(requests(remaining), CALL, NOW, { ...POLICY, margin });

    expect(admission.admitted).toBe(admitted);
  });

  it('counts the calls let go since the limit was reported against it, not those let go before', () => {
    const before = [sent('a', NOW - 2000), sent('b', NOW - 1500)];
    const since = [sent('c', NOW - 500), sent('d', NOW - 400)];
    const margin0 = { ...POLICY, margin: 0 };

    // 3 left as reported; the provider counted a and b already, c and d are not in it: one request left.
    expect(admitModelCall(requests(3, 10_000, 100, [...before, ...since]), CALL, NOW, margin0).admission).toEqual({ admitted: true });
    expect(admitModelCall(requests(2, 10_000, 100, [...before, ...since]), CALL, NOW, margin0).admission).toEqual({ admitted: false, until: NOW + 10_000, reason: 'requests' });
    expect(admitModelCall(requests(1, 10_000, 100, before), CALL, NOW, margin0).admission).toEqual({ admitted: true });
  });

  it('makes a call that would spend the margin wait until the reset of that limit, naming it', () => {
    const known: RateLimitState = {
      windows: {
        requests: { limit: 100, remaining: 90, resetAt: NOW + 2000, observedAt: NOW },
        'input-tokens': { limit: 1_000_000, remaining: 90_000, resetAt: NOW + 7000, observedAt: NOW },
      },
      inFlight: [],
    };

    const { admission, state } = admitModelCall(known, CALL, NOW, POLICY);

    // 90,000 - 50,000 leaves less than 5 % of 1,000,000.
    expect(admission).toEqual({ admitted: false, until: NOW + 7000, reason: 'input-tokens' });
    expect(state.inFlight).toEqual([]);
  });

  it('waits for the latest reset when several limits are short', () => {
    const known: RateLimitState = {
      windows: {
        requests: { limit: 100, remaining: 0, resetAt: NOW + 9000, observedAt: NOW },
        'output-tokens': { limit: 200_000, remaining: 1000, resetAt: NOW + 3000, observedAt: NOW },
      },
      inFlight: [],
    };

    expect(admitModelCall(known, CALL, NOW, POLICY).admission).toEqual({ admitted: false, until: NOW + 9000, reason: 'requests' });
  });

  it('without the limit, waits only when the call itself does not fit', () => {
    expect(admitModelCall(requests(1, 10_000, null), CALL, NOW, POLICY).admission.admitted).toBe(true);
    expect(admitModelCall(requests(0, 10_000, null), CALL, NOW, POLICY).admission).toEqual({ admitted: false, until: NOW + 10_000, reason: 'requests' });
  });

  it('lets a call larger than the whole limit go once the limit is full, rather than never', () => {
    const known: RateLimitState = { windows: { 'output-tokens': { limit: 8000, remaining: 8000, resetAt: NOW + 1000, observedAt: NOW } }, inFlight: [] };

    expect(admitModelCall(known, CALL, NOW, POLICY).admission).toEqual({ admitted: true });
  });

  it('waits out a 429 until its retry-after, whatever the limits say', () => {
    const known: RateLimitState = { ...requests(80), blockedUntil: NOW + 4000 };

    expect(admitModelCall(known, CALL, NOW, POLICY).admission).toEqual({ admitted: false, until: NOW + 4000, reason: 'retry-after' });
    expect(admitModelCall(known, CALL, NOW + 4000, POLICY).admission).toEqual({ admitted: true });
  });

  it('counts a limit as full once its reset has passed, for another period; a call let go just before the reset counts against it too', () => {
    const margin0 = { ...POLICY, margin: 0 };
    const early = sent('early', NOW + 1000 - 600);
    const late = sent('late', NOW + 1000 - 400);

    const { admission, state } = admitModelCall(requests(0, 1000, 2, [early, late]), CALL, NOW + 1000, margin0);

    // Two requests again; `late` may reach the provider after the reset: one is left for this call.
    expect(admission).toEqual({ admitted: true });
    expect(state.windows.requests).toEqual({ limit: 2, remaining: 2, resetAt: NOW + 61_000, observedAt: NOW + 500, estimated: true });
    expect(admitModelCall(state, { id: 'next', need: NEED }, NOW + 1000, margin0).admission.admitted).toBe(false);
  });

  it('says a wait for a window the provider has not reported yet is an estimate', () => {
    const spentAfterReset = requests(0, 1000, 2, [sent('a', NOW + 1000), sent('b', NOW + 1000)]);

    expect(admitModelCall(spentAfterReset, CALL, NOW + 1000, POLICY).admission).toEqual({ admitted: false, until: NOW + 61_000, reason: 'requests', estimated: true });
  });

  it('forgets a limit past its reset when its limit is not known', () => {
    const { admission, state } = admitModelCall(requests(0, 1000, null), CALL, NOW + 1000, POLICY);

    expect(admission).toEqual({ admitted: true });
    expect(state.windows).toEqual({});
  });

  it('uses the tokens limit only when the input and output limits are not reported', () => {
    const tokens = { limit: 100_000, remaining: 60_000, resetAt: NOW + 3000, observedAt: NOW };
    const input = { remaining: 900_000, resetAt: NOW + 3000, observedAt: NOW };

    expect(admitModelCall({ windows: { tokens }, inFlight: [] }, CALL, NOW, POLICY).admission).toEqual({ admitted: false, until: NOW + 3000, reason: 'tokens' });
    expect(admitModelCall({ windows: { tokens, 'input-tokens': input }, inFlight: [] }, CALL, NOW, POLICY).admission).toEqual({ admitted: true });
  });

  it('stops counting a call in flight that never ended (its replica died) after the policy’s time', () => {
    const lost = requests(1, 10_000, 100, [sent('lost', NOW - 600_000)]);

    const { admission, state } = admitModelCall(lost, CALL, NOW, { ...POLICY, margin: 0 });

    expect(admission).toEqual({ admitted: true });
    expect(state.inFlight.map((entry) => entry.id)).toEqual(['call']);
  });
});

describe('settleModelCall', () => {
  it('takes the call out of flight and what its answer reports, as of now', () => {
    const state = settleModelCall(requests(10, 10_000, 100, [sent('call', NOW - 500), sent('other', NOW - 400)]), 'call', { windows: { requests: { limit: 100, remaining: 7, resetAt: NOW + 12_000 } } }, NOW, POLICY);

    expect(state).toEqual({ windows: { requests: { limit: 100, remaining: 7, resetAt: NOW + 12_000, observedAt: NOW } }, inFlight: [sent('other', NOW - 400)] });
  });

  it('only takes the call out of flight when no answer, or one without rate-limit headers, came', () => {
    const known = requests(10, 10_000, 100, [sent('call', NOW - 500)]);

    expect(settleModelCall(known, 'call', undefined, NOW, POLICY)).toEqual({ ...known, inFlight: [] });
  });

  it('within the same window, takes only an answer that reports less: one written earlier and processed late brings no news', () => {
    const known = requests(4, 3000);

    expect(settleModelCall(known, 'x', { windows: { requests: { remaining: 6, resetAt: NOW + 3000 } } }, NOW, POLICY).windows).toEqual(known.windows);
    expect(settleModelCall(known, 'x', { windows: { requests: { remaining: 4, resetAt: NOW + 3000 } } }, NOW, POLICY).windows).toEqual(known.windows);
    expect(settleModelCall(known, 'x', { windows: { requests: { remaining: 2, resetAt: NOW + 3000 } } }, NOW, POLICY).windows.requests).toEqual({ limit: 100, remaining: 2, resetAt: NOW + 3000, observedAt: NOW });
    expect(settleModelCall(known, 'x', { windows: { requests: { limit: 100, remaining: 60, resetAt: NOW + 3500 } } }, NOW, POLICY).windows.requests?.remaining).toBe(60);
  });

  it('does not count a call let go after the window was reported as arrived because a stale answer was processed after it', () => {
    const margin0 = { ...POLICY, margin: 0 };
    // 2 left as reported a second ago; a call let go since; then an answer written before that call arrived.
    const withCall = requests(2, 3000, 100, [sent('since', NOW - 100)]);
    const settled = settleModelCall(withCall, 'stale', { windows: { requests: { limit: 100, remaining: 2, resetAt: NOW + 3000 } } }, NOW, margin0);

    const first = admitModelCall(settled, { id: 'one', need: NEED }, NOW, margin0);
    const second = admitModelCall(first.state, { id: 'two', need: NEED }, NOW, margin0);

    expect(first.admission.admitted).toBe(true);
    expect(second.admission.admitted).toBe(false);
  });

  it('ignores a window whose reset has passed: a late answer from an earlier window says nothing of this one', () => {
    const known = requests(3, 2000);

    expect(settleModelCall(known, 'x', { windows: { requests: { limit: 100, remaining: 90, resetAt: NOW - 1 } } }, NOW, POLICY)).toEqual(known);
  });

  it('blocks the model for a 429’s retry-after, or the policy’s wait when it names none, never shortening a block', () => {
    const none: RateLimitState = { windows: {}, inFlight: [] };

    expect(settleModelCall(none, 'x', { windows: {}, limited: { retryAfterMs: 7000 } }, NOW, POLICY).blockedUntil).toBe(NOW + 7000);
    expect(settleModelCall(none, 'x', { windows: {}, limited: { retryAfterMs: undefined } }, NOW, POLICY).blockedUntil).toBe(NOW + 1000);
    expect(settleModelCall({ ...none, blockedUntil: NOW + 9000 }, 'x', { windows: {}, limited: { retryAfterMs: 2000 } }, NOW, POLICY).blockedUntil).toBe(NOW + 9000);
    expect(settleModelCall({ ...none, blockedUntil: NOW - 1 }, 'x', { windows: {} }, NOW, POLICY)).toEqual(none);
  });
});

describe('rateLimitExpiry', () => {
  it('lasts until the block, every reset (a known limit one period more) and every call in flight have passed', () => {
    expect(rateLimitExpiry({ windows: {}, inFlight: [], blockedUntil: NOW + 5000 }, POLICY)).toBe(NOW + 5000);
    expect(rateLimitExpiry(requests(3, 2000, null), POLICY)).toBe(NOW + 2000);
    expect(rateLimitExpiry(requests(3, 2000), POLICY)).toBe(NOW + 62_000);
    expect(rateLimitExpiry({ windows: {}, inFlight: [sent('a', NOW)] }, POLICY)).toBe(NOW + 600_000);
    expect(rateLimitExpiry({ windows: {}, inFlight: [] }, POLICY)).toBe(0);
  });
});
