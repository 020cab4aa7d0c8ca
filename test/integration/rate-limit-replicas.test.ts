import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { createProviderModel } from '../../src/adapters/anthropic/create-provider-model.js';
import { rateLimitMiddleware } from '../../src/adapters/anthropic/rate-limit-middleware.js';
import { createMemoryRateLimitStore } from '../../src/adapters/memory/memory-rate-limit-store.js';
import { createRateLimiter } from '../../src/adapters/rate-limit/create-rate-limiter.js';
import { createRedisRateLimitStore } from '../../src/adapters/redis/redis-rate-limit-store.js';
import type { RateLimitStore } from '../../src/ports/rate-limiter.js';
import type { ReviewModel } from '../../src/ports/review-model.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { promptOf } from '../helpers/model-stand-in.js';
import { rateLimitedResponder } from '../helpers/rate-limited-responder.js';
import { deleteKeys, describeRedis, uniquePrefix } from '../helpers/redis.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';

/**
 * Two replicas, each with its own limiter and its own Anthropic client (the App's adapter: the SDK with the
 * rate-limit middleware), calling one model stand-in that plays the API's request limit over real HTTP. What one
 * replica hears from the provider, the other obeys when they share Redis.
 */

const silent = pino({ level: 'silent' });
const WINDOW_MS = 1500;

await describeRedis('one model rate limit shared by two replicas', (redisUrl) => {
  const keyPrefix = `${uniquePrefix()}:ratelimit`;
  const closing: (() => Promise<void>)[] = [];
  let standIn: AnthropicStandIn;
  let provider: ReturnType<typeof rateLimitedResponder>;
  // Each test's replicas share a state of their own.
  let testPrefix = keyPrefix;
  let tests = 0;

  beforeAll(async () => {
    standIn = await startAnthropicStandIn({ arrive: (request) => provider.arrive(request), respond: (request) => provider.respond(request) });
  });

  beforeEach(() => {
    // Two requests per window of 1.5 s, counted from the first request of each test.
    provider = rateLimitedResponder({ limit: 2, windowMs: WINDOW_MS, callerOf: (request) => promptOf(request) });
    standIn.reset();
    testPrefix = `${keyPrefix}:${(tests += 1)}`;
  });

  afterEach(async () => {
    await Promise.all(closing.splice(0).map((close) => close()));
  });

  afterAll(async () => {
    await standIn?.close();
    await deleteKeys(redisUrl, keyPrefix);
  });

  /** One replica: a limiter on `store` (margin 0: only the provider's own limit counts) and the App's model adapter. */
  const replica = (store: RateLimitStore): ReviewModel => {
    const limiter = createRateLimiter({ store, policy: { margin: 0 }, maxWaitMs: 10_000, log: silent });
    return createProviderModel({ provider: 'anthropic', apiKey: 'test-key', baseUrl: standIn.url, timeoutMs: 10_000, maxRetries: 0, middleware: [rateLimitMiddleware(limiter)] });
  };
  const redisStore = () => {
    const store = createRedisRateLimitStore({ redisUrl, keyPrefix: testPrefix, log: silent });
    closing.push(() => store.close());
    return store;
  };
  const ask = (model: ReviewModel, caller: string) => model.review({ model: 'claude-sonnet-5-5', system: 'You review code.', user: caller, maxOutputTokens: 1000 });

  it('after replica 1 is told no request is left until the reset, replica 2 waits for the reset instead of calling', async () => {
    const [first, second] = [replica(redisStore()), replica(redisStore())];

    await ask(first, 'replica 1, call 1');
    await ask(first, 'replica 1, call 2');
    const reset = provider.windowEnd();
    const answer = await ask(second, 'replica 2');

    expect(answer.summary).toBe('Answered replica 2.');
    expect(provider.answers.map((call) => [call.caller, call.status])).toEqual([
      ['replica 1, call 1', 200],
      ['replica 1, call 2', 200],
      ['replica 2', 200],
    ]);
    // The stand-in's reset is in milliseconds; the replica waited for it rather than be refused.
    expect(provider.answers[2]!.at).toBeGreaterThanOrEqual(reset);
  });

  it('without the shared state, replica 2 knows nothing and is refused (429)', async () => {
    const [first, second] = [replica(createMemoryRateLimitStore()), replica(createMemoryRateLimitStore())];

    await ask(first, 'replica 1, call 1');
    await ask(first, 'replica 1, call 2');
    const refused = await ask(second, 'replica 2').catch((error: unknown) => error);

    expect(refused).toBeInstanceOf(ServiceError);
    expect(refused).toMatchObject({ status: 429, retryable: true });
    expect(provider.answers.map((call) => call.status)).toEqual([200, 200, 429]);
  });

  it('after replica 2 is refused, replica 1 (sharing the state) waits out the retry-after instead of being refused too', async () => {
    const rogue = replica(createMemoryRateLimitStore());
    const shared = redisStore();
    const [first, second] = [replica(shared), replica(redisStore())];
    // Someone the replicas cannot see (another deployment, a person's script) spends the window.
    await ask(rogue, 'elsewhere 1');
    await ask(rogue, 'elsewhere 2');

    const refused = await ask(second, 'replica 2').catch((error: unknown) => error);
    const answer = await ask(first, 'replica 1');

    expect(refused).toMatchObject({ status: 429 });
    expect(answer.summary).toBe('Answered replica 1.');
    expect(provider.answers.map((call) => [call.caller, call.status])).toEqual([
      ['elsewhere 1', 200],
      ['elsewhere 2', 200],
      ['replica 2', 429],
      ['replica 1', 200],
    ]);
    // retry-after is whole seconds, rounded up from the window's end: at least the window's end.
    expect(provider.answers[3]!.at - provider.answers[2]!.at).toBeGreaterThanOrEqual(1000);
  });
});
