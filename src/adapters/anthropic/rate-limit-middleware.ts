import type { Middleware } from '@anthropic-ai/sdk';
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import type { RateLimitedCall, RateLimiter, RateLimitObservation, RateLimitWaitListener } from '../../ports/rate-limiter.js';
import { CHARS_PER_TOKEN } from '../../review/estimate-tokens.js';
import { readRateLimitHeaders } from './read-rate-limit-headers.js';

/**
 * Every HTTP attempt the SDK makes (the review chunks, the tool loop's turns, verification, count_tokens, and the
 * SDK's own retries) waits for the model's capacity before it is sent and reports the rate-limit headers of its
 * answer, a 429's included. SDK middleware runs per attempt, inside the SDK's retry loop and outside the request
 * timeout, and sees the Anthropic-shaped request on every backend (Bedrock and Vertex adapt it inside `next`), so
 * nothing that calls the model has to know about the limit. What the SDK does with the answer is unchanged.
 *
 * `listener`: the wait listener of the review the call belongs to (create-wait-notices.ts), if any.
 */
export function rateLimitMiddleware(limiter: RateLimiter, listener: () => RateLimitWaitListener | undefined = () => undefined, clock: Clock = systemClock): Middleware {
  return async (request, next, context) => {
    const call = rateLimitedCall(context.options?.path, context.options?.body, request.body);
    if (!call) return next(request);
    const ticket = await limiter.acquire(call, { listener: listener(), signal: request.signal ?? undefined });
    let observation: RateLimitObservation | undefined;
    try {
      const response = await next(request);
      observation = readRateLimitHeaders(response.headers, response.status, clock.now());
      return response;
    } finally {
      // Answered or not (a dropped connection, a timeout), the call is no longer in flight.
      await limiter.settle(ticket, observation);
    }
  };
}

const MAX_MODEL_KEY = 200;

/**
 * The call as the limiter counts it: Messages calls per model; count_tokens apart (the API limits it on its own).
 * The input estimate is the whole request's text, JSON included, by its UTF-8 length (a native count: a chunk's body
 * is ~300 KB, and scanning it for non-ASCII text cost ~3 ms per call): cached input does not count against the
 * provider's input limit, so it errs high, and a call waits early rather than late. Output is `max_tokens`, which
 * is what the API counts against the output limit when a call starts.
 */
export function rateLimitedCall(path: string | undefined, params: unknown, encoded: unknown): RateLimitedCall | undefined {
  if (path === undefined || !path.startsWith('/v1/messages')) return undefined;
  const body = typeof params === 'object' && params !== null ? (params as { model?: unknown; max_tokens?: unknown }) : {};
  if (typeof body.model !== 'string' || body.model === '') return undefined;
  const counting = path.startsWith('/v1/messages/count_tokens');
  const inputTokens = typeof encoded === 'string' ? Math.ceil(Buffer.byteLength(encoded, 'utf8') / CHARS_PER_TOKEN) : 0;
  const outputTokens = !counting && typeof body.max_tokens === 'number' && Number.isFinite(body.max_tokens) ? Math.max(0, body.max_tokens) : 0;
  // A model id can come from a repository's config: its state's key (a Redis key) is bounded.
  const model = body.model.slice(0, MAX_MODEL_KEY);
  return { key: counting ? `${model}:count_tokens` : model, model, need: { requests: 1, inputTokens: counting ? 0 : inputTokens, outputTokens } };
}
