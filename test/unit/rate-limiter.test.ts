import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryRateLimitStore } from '../../src/adapters/memory/memory-rate-limit-store.js';
import { createRateLimiter } from '../../src/adapters/rate-limit/create-rate-limiter.js';
import type { RateLimiterOptions } from '../../src/adapters/rate-limit/create-rate-limiter.js';
import type { RateLimitedCall, RateLimitStore, RateLimitWait, RateLimitWaitListener } from '../../src/ports/rate-limiter.js';
import { ServiceError } from '../../src/ports/service-error.js';

const START = Date.parse('2026-11-22T03:00:00Z');
const CALL: RateLimitedCall = { key: 'claude-sonnet-5-5', model: 'claude-sonnet-5-5', need: { requests: 1, inputTokens: 1000, outputTokens: 100 } };
const SPENT = { windows: { requests: { limit: 50, remaining: 0, resetAt: START + 5000 } } };

/** Time that passes only when the limiter sleeps. */
function fakeTime() {
  let now = START;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleeps,
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
    },
  };
}

function recordingListener() {
  const events: { kind: 'waiting' | 'resumed'; wait: RateLimitWait }[] = [];
  const listener: RateLimitWaitListener = {
    waiting: async (wait) => void events.push({ kind: 'waiting', wait }),
    resumed: async (wait) => void events.push({ kind: 'resumed', wait }),
  };
  return { listener, events };
}

function limiter(overrides: Partial<RateLimiterOptions> = {}) {
  const time = fakeTime();
  const waited: number[] = [];
  const store = overrides.store ?? createMemoryRateLimitStore();
  const made = createRateLimiter({ store, maxWaitMs: 60_000, clock: time.clock, sleep: time.sleep, log: pino({ level: 'silent' }), onWaited: (_model, ms) => waited.push(ms), ...overrides });
  return { limiter: made, time, waited, store };
}

describe('createRateLimiter', () => {
  it('lets a call go at once when nothing is known, telling no one', async () => {
    const { limiter: subject, time, waited } = limiter();
    const { listener, events } = recordingListener();

    await subject.acquire(CALL, { listener });

    expect(time.sleeps).toEqual([]);
    expect(events).toEqual([]);
    expect(waited).toEqual([]);
  });

  it('makes a call wait until the reset a response reported, telling the listener before and after', async () => {
    const { limiter: subject, time, waited } = limiter();
    const { listener, events } = recordingListener();
    await subject.observe(CALL, SPENT);

    await subject.acquire(CALL, { listener });

    expect(time.sleeps).toEqual([5000]);
    const wait = { model: 'claude-sonnet-5-5', reason: 'requests', until: START + 5000, waitMs: 5000 };
    expect(events).toEqual([
      { kind: 'waiting', wait },
      { kind: 'resumed', wait },
    ]);
    expect(waited).toEqual([5000]);
  });

  it('does not make a call whose wait is longer than the maximum: a retryable failure carrying the wait', async () => {
    const { limiter: subject, time } = limiter({ maxWaitMs: 4000 });
    const { listener, events } = recordingListener();
    await subject.observe(CALL, SPENT);

    const failure = await subject.acquire(CALL, { listener }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ServiceError);
    expect(failure).toMatchObject({ service: 'anthropic', retryable: true, retryAfterMs: 5000 });
    expect((failure as Error).message).toContain('longer than a review waits (4 s, BULWARK_RATE_LIMIT_MAX_WAIT_MS)');
    expect(time.sleeps).toEqual([]);
    expect(events).toEqual([]);
  });

  it('blocks every limiter on the same store for a 429’s retry-after', async () => {
    const shared = limiter();
    const other = createRateLimiter({ store: shared.store, maxWaitMs: 60_000, clock: shared.time.clock, sleep: shared.time.sleep, log: pino({ level: 'silent' }) });
    await shared.limiter.observe(CALL, { windows: {}, limited: { retryAfterMs: 12_000 } });

    await other.acquire(CALL);

    expect(shared.time.sleeps).toEqual([12_000]);
  });

  it('lets only one of two calls spend the last request; the other waits for the reset', async () => {
    const { limiter: subject, time } = limiter({ policy: { margin: 0 } });
    await subject.observe(CALL, { windows: { requests: { limit: 50, remaining: 1, resetAt: START + 3000 } } });

    await Promise.all([subject.acquire(CALL), subject.acquire(CALL)]);

    expect(time.sleeps).toEqual([3000]);
  });

  it('keeps each model and endpoint apart', async () => {
    const { limiter: subject, time } = limiter();
    await subject.observe(CALL, SPENT);

    await subject.acquire({ ...CALL, key: 'claude-haiku-5-5', model: 'claude-haiku-5-5' });
    await subject.acquire({ ...CALL, key: 'claude-sonnet-5-5:count_tokens' });

    expect(time.sleeps).toEqual([]);
  });

  it('stops waiting when the call is cancelled, and still tells the listener the wait is over', async () => {
    const { limiter: subject } = limiter({ sleep: (_ms, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))) });
    const { listener, events } = recordingListener();
    await subject.observe(CALL, SPENT);
    const controller = new AbortController();

    const waiting = subject.acquire(CALL, { listener, signal: controller.signal });
    await vi.waitFor(() => expect(events).toHaveLength(1));
    controller.abort(new Error('cancelled'));

    await expect(waiting).rejects.toThrow('cancelled');
    expect(events.map((event) => event.kind)).toEqual(['waiting', 'resumed']);
  });

  it('lets calls go when the store cannot be reached, and says so once', async () => {
    const broken: RateLimitStore = { update: async () => Promise.reject(new ServiceError('redis', 'down', { retryable: true })) };
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const { limiter: subject } = limiter({ store: broken, log });

    await subject.acquire(CALL);
    await subject.observe(CALL, SPENT);
    await subject.acquire(CALL);

    expect(lines.map((line) => line.msg)).toEqual(["could not read the model's shared rate-limit state; calls go on without it"]);
  });
});
