import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { createMemoryRateLimitStore } from '../../src/adapters/memory/memory-rate-limit-store.js';
import { createRateLimiter } from '../../src/adapters/rate-limit/create-rate-limiter.js';
import type { RateLimiterOptions } from '../../src/adapters/rate-limit/create-rate-limiter.js';
import type { RateLimitedCall, RateLimiter, RateLimitObservation, RateLimitStore, RateLimitWait, RateLimitWaitListener } from '../../src/ports/rate-limiter.js';
import { ServiceError } from '../../src/ports/service-error.js';

const START = Date.parse('2026-11-22T03:00:00Z');
const CALL: RateLimitedCall = { key: 'claude-sonnet-5-5', model: 'claude-sonnet-5-5', need: { requests: 1, inputTokens: 1000, outputTokens: 100 } };
const SPENT = { windows: { requests: { limit: 50, remaining: 0, resetAt: START + 5000 } } };
/** What an earlier call's answer said, told to `limiter` as that call settles. */
const heard = (subject: RateLimiter, observation: RateLimitObservation) => subject.settle({ key: CALL.key, model: CALL.model, id: 'earlier' }, observation);

/** Time that passes only when the limiter sleeps (or a test moves it); `onSleep` runs once, at the next sleep. */
function fakeTime() {
  let now = START;
  const sleeps: number[] = [];
  let hook: (() => Promise<unknown>) | undefined;
  return {
    clock: { now: () => now },
    sleeps,
    advance: (ms: number) => void (now += ms),
    onSleep: (run: () => Promise<unknown>) => void (hook = run),
    sleep: async (ms: number, signal?: AbortSignal) => {
      signal?.throwIfAborted();
      sleeps.push(ms);
      now += ms;
      const run = hook;
      hook = undefined;
      await run?.();
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
  const made = createRateLimiter({
    store,
    maxWaitMs: 60_000,
    recheckMs: 60_000,
    clock: time.clock,
    sleep: time.sleep,
    log: pino({ level: 'silent' }),
    onWaited: (_model, ms) => waited.push(ms),
    ...overrides,
  });
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
    await heard(subject, SPENT);

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
    await heard(subject, SPENT);

    const failure = await subject.acquire(CALL, { listener }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ServiceError);
    expect(failure).toMatchObject({ service: 'anthropic', retryable: true, retryAfterMs: 5000 });
    expect((failure as Error).message).toContain('longer than a review waits (4 s, BULWARK_RATE_LIMIT_MAX_WAIT_MS)');
    expect(time.sleeps).toEqual([]);
    expect(events).toEqual([]);
  });

  it('waits for a window not reported yet until an answer reports it, however far its estimated end', async () => {
    const { limiter: subject, time } = limiter({ maxWaitMs: 4000, recheckMs: 1000, policy: { margin: 0 } });
    await heard(subject, { windows: { requests: { limit: 1, remaining: 0, resetAt: START + 500 } } });
    time.advance(500);
    // Past the reset the window is full again (one request), its end a guess (a minute): this call goes…
    const first = await subject.acquire(CALL);
    // …and the next waits, looking again every second, until the first one's answer reports the window.
    time.onSleep(() => subject.settle(first, { windows: { requests: { limit: 1, remaining: 1, resetAt: START + 10_000 } } }));

    await subject.acquire(CALL);

    expect(time.sleeps).toEqual([1000]);
  });

  it('gives up on a window not reported yet once it has waited the maximum', async () => {
    const { limiter: subject, time } = limiter({ maxWaitMs: 4000, recheckMs: 1000, policy: { margin: 0 } });
    await heard(subject, { windows: { requests: { limit: 1, remaining: 0, resetAt: START + 500 } } });
    time.advance(500);
    await subject.acquire(CALL);

    await expect(subject.acquire(CALL)).rejects.toMatchObject({ retryable: true });
    expect(time.sleeps).toEqual([1000, 1000, 1000, 1000]);
  });

  it('blocks every limiter on the same store for a 429’s retry-after', async () => {
    const shared = limiter();
    const other = createRateLimiter({ store: shared.store, maxWaitMs: 60_000, recheckMs: 60_000, clock: shared.time.clock, sleep: shared.time.sleep, log: pino({ level: 'silent' }) });
    await heard(shared.limiter, { windows: {}, limited: { retryAfterMs: 12_000 } });

    await other.acquire(CALL);

    expect(shared.time.sleeps).toEqual([12_000]);
  });

  it('lets only one of two calls spend the last request; the other waits for the reset', async () => {
    const { limiter: subject, time } = limiter({ policy: { margin: 0 } });
    await heard(subject, { windows: { requests: { limit: 50, remaining: 1, resetAt: START + 3000 } } });

    await Promise.all([subject.acquire(CALL), subject.acquire(CALL)]);

    expect(time.sleeps).toEqual([3000]);
  });

  it('looks again while it waits, and goes as soon as another call reports the limit full again', async () => {
    const { limiter: subject, time, store } = limiter({ recheckMs: 1000 });
    await heard(subject, { windows: { requests: { limit: 50, remaining: 0, resetAt: START + 30_000 } } });
    const other = createRateLimiter({ store, maxWaitMs: 60_000, clock: time.clock, sleep: time.sleep, log: pino({ level: 'silent' }) });
    const waiting = subject.acquire(CALL);
    // While it sleeps its first second, another replica hears that the window ends sooner than thought.
    await heard(other, { windows: { requests: { limit: 50, remaining: 40, resetAt: START + 60_000 } } });

    await waiting;

    expect(time.sleeps).toEqual([1000]);
  });

  it('keeps each model and endpoint apart', async () => {
    const { limiter: subject, time } = limiter();
    await heard(subject, SPENT);

    await subject.acquire({ ...CALL, key: 'claude-haiku-5-5', model: 'claude-haiku-5-5' });
    await subject.acquire({ ...CALL, key: 'claude-sonnet-5-5:count_tokens' });

    expect(time.sleeps).toEqual([]);
  });

  it('stops waiting when the call is cancelled, and still tells the listener the wait is over', async () => {
    const { limiter: subject } = limiter({ sleep: (_ms, signal) => new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason))) });
    const { listener, events } = recordingListener();
    await heard(subject, SPENT);
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
    await heard(subject, SPENT);
    await subject.acquire(CALL);

    expect(lines.map((line) => line.msg)).toEqual(["could not read the model's shared rate-limit state; calls go on without it"]);
  });
});
