import nock from 'nock';
import { ANTHROPIC } from './test-app.js';

type Body = Record<string, unknown>;

/** One answer of the Messages API, as the stand-in gives it. */
export type ModelReply =
  | { status?: number; body: unknown; headers?: Record<string, string>; delayMs?: number }
  /** The connection fails (reset, DNS…): no HTTP answer at all. */
  | { networkError: string }
  /** A raw body, e.g. JSON cut off midway. */
  | { raw: string; status?: number; headers?: Record<string, string> };

export interface ModelCalls {
  /** The request bodies, as sent. */
  requests: Body[];
  /** The request bodies again, as JSON text. */
  raw: string[];
  /** When each request arrived (performance.now()). */
  at: number[];
}

/**
 * Strict: one nock interceptor per reply, in order, so `assertNockDone` fails when the App asked the model
 * fewer times than the test expects, and an extra call fails with no interceptor left.
 */
export function modelReplies(...replies: ModelReply[]): ModelCalls {
  const calls: ModelCalls = { requests: [], raw: [], at: [] };
  verificationPasses();
  for (const reply of replies) {
    const interceptor = nock(ANTHROPIC).post('/v1/messages', (body: Body | string) => {
      // Verification calls are answered by verificationPasses (or a test's own verificationReplies).
      if (typeof body === 'object' && isVerification(body)) return false;
      // nock may probe a matcher with the raw text first; only the parsed body is a request.
      if (typeof body === 'object') {
        calls.requests.push(body);
        calls.raw.push(JSON.stringify(body));
        calls.at.push(performance.now());
      }
      return true;
    });
    if ('networkError' in reply) interceptor.replyWithError(reply.networkError);
    else if ('raw' in reply) interceptor.reply(reply.status ?? 200, reply.raw, { 'content-type': 'application/json', ...reply.headers });
    else {
      if (reply.delayMs !== undefined) interceptor.delay(reply.delayMs);
      interceptor.reply(reply.status ?? 200, reply.body as Body, { 'content-type': 'application/json', ...reply.headers });
    }
  }
  return calls;
}

/** An Anthropic error answer (https://docs.claude.com/en/api/errors). */
export function apiError(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: 'req_test' };
}

/** The user turn of a captured request, as text. */
export function userTurn(request: Body): string {
  const messages = request.messages as { content: unknown }[];
  return messages.map((message) => (typeof message.content === 'string' ? message.content : JSON.stringify(message.content))).join('\n');
}

/** Every call gets the same answer (for reviews whose number of chunks is not the point); at least one is expected. */
export function modelAlways(answer: (request: Body) => unknown): ModelCalls {
  const calls: ModelCalls = { requests: [], raw: [], at: [] };
  verificationPasses();
  nock(ANTHROPIC)
    .persist()
    .post('/v1/messages', (body: Body | string) => typeof body === 'object' && !isVerification(body))
    .reply(async (request: Request) => {
      const body = (await request.json()) as Body;
      calls.requests.push(body);
      calls.raw.push(JSON.stringify(body));
      calls.at.push(performance.now());
      return [200, answer(body) as Body, { 'content-type': 'application/json' }] as const;
    });
  return calls;
}

/** A verification call (the pass that scores findings): its output schema asks for `scores`. */
export function isVerification(request: Body): boolean {
  const format = (request.output_config as { format?: { schema?: { properties?: Record<string, unknown> } } } | undefined)?.format;
  return format?.schema?.properties?.scores !== undefined;
}

/** How many findings a verification request numbers (`<finding id="n">`). */
export function findingsToVerify(request: Body): string[] {
  return [...userTurn(request).matchAll(/title: ([^\n]*)/g)].map((match) => match[1] ?? '');
}

/** A verification answer: one score per finding, numbered from 1 in the order the request lists them. */
export function verificationAnswer(scores: { score: number; reason?: string }[]) {
  return {
    id: 'msg_verify',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content: [{ type: 'text', text: JSON.stringify({ scores: scores.map((entry, index) => ({ id: index + 1, reason: entry.reason ?? 'Shown by the diff.', score: entry.score })) }) }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 400, output_tokens: 60, cache_creation_input_tokens: 0, cache_read_input_tokens: 900 },
  };
}

/**
 * Verification calls of tests that are not about verification: every finding passes (10). Optional (a review with
 * no finding makes no verification call), so it is never an unused mock; tests about verification script their
 * own answers with verificationReplies, which are matched first.
 */
export function verificationPasses(): void {
  nock(ANTHROPIC)
    .persist()
    .post('/v1/messages', (body: Body | string) => typeof body === 'object' && isVerification(body))
    .optionally()
    .reply(async (request: Request) => {
      const body = (await request.json()) as Body;
      return [200, verificationAnswer(findingsToVerify(body).map(() => ({ score: 10 }))), { 'content-type': 'application/json' }] as const;
    });
}

/** Verification calls answered in order, strictly (each must be used); scores by finding title. */
export function verificationReplies(...replies: (((titles: string[]) => ModelReply) | ModelReply)[]): ModelCalls {
  const calls: ModelCalls = { requests: [], raw: [], at: [] };
  for (const reply of replies) {
    let seen: Body | undefined;
    const interceptor = nock(ANTHROPIC).post('/v1/messages', (body: Body | string) => {
      if (typeof body !== 'object' || !isVerification(body)) return false;
      seen = body;
      calls.requests.push(body);
      calls.raw.push(JSON.stringify(body));
      calls.at.push(performance.now());
      return true;
    });
    const answer = () => (typeof reply === 'function' ? reply(seen ? findingsToVerify(seen) : []) : reply);
    interceptor.reply(() => {
      const chosen = answer();
      if ('networkError' in chosen || 'raw' in chosen) return [500, JSON.stringify(apiError('api_error', 'Internal server error'))];
      return [chosen.status ?? 200, JSON.stringify(chosen.body), { 'content-type': 'application/json', ...chosen.headers }];
    });
  }
  return calls;
}
