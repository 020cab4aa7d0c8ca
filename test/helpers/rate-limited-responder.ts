import { messageResponse } from './model-stand-in.js';

export interface RateLimitedResponderOptions {
  /** Requests answered per window; past it, 429 with retry-after until the window ends. */
  limit: number;
  windowMs: number;
  /** Who made the call, from its request (e.g. its prompt), recorded with each answer. */
  callerOf?: (request: Record<string, unknown>) => string;
}

export interface RateLimitedAnswer {
  caller: string;
  /** Date.now() when it arrived. */
  at: number;
  status: number;
}

/**
 * The Anthropic API's request limit as a model stand-in plays it (`arrive` and `respond` of startAnthropicStandIn):
 * fixed windows of `limit` requests from the first request on, each request counted when it arrives (as the API
 * counts), every answer carrying the rate-limit headers the API sends (limit, remaining, reset as RFC 3339) as they
 * stand when it is sent, a request past the limit answered 429 with `retry-after` (whole seconds, rounded up, as the
 * API sends it) and not counted.
 */
export function rateLimitedResponder(options: RateLimitedResponderOptions) {
  let windowEnd = 0;
  let used = 0;
  const answers: RateLimitedAnswer[] = [];
  const decided = new WeakMap<Record<string, unknown>, { limited: boolean; at: number }>();
  const rollWindow = (now: number) => {
    if (now < windowEnd) return;
    windowEnd = now + options.windowMs;
    used = 0;
  };
  /** Counts the request against the window it arrives in; true when it is past the limit. */
  const arrive = (request: Record<string, unknown>) => {
    const at = Date.now();
    rollWindow(at);
    const limited = used >= options.limit;
    if (!limited) used += 1;
    decided.set(request, { limited, at });
  };
  const respond = (request: Record<string, unknown>) => {
    if (!decided.has(request)) arrive(request);
    const { limited, at } = decided.get(request)!;
    const now = Date.now();
    rollWindow(now);
    const caller = options.callerOf?.(request) ?? '';
    answers.push({ caller, at, status: limited ? 429 : 200 });
    const headers: Record<string, string> = {
      'anthropic-ratelimit-requests-limit': String(options.limit),
      'anthropic-ratelimit-requests-remaining': String(options.limit - used),
      'anthropic-ratelimit-requests-reset': new Date(windowEnd).toISOString(),
      ...(limited ? { 'retry-after': String(Math.max(1, Math.ceil((windowEnd - now) / 1000))) } : {}),
    };
    return limited
      ? { status: 429, headers, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit.' } } }
      : { headers, body: messageResponse({ summary: `Answered ${caller}.` }) };
  };
  return { arrive, respond, answers, windowEnd: () => windowEnd };
}
