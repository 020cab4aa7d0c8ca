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
  for (const reply of replies) {
    const interceptor = nock(ANTHROPIC).post('/v1/messages', (body: Body | string) => {
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
  nock(ANTHROPIC)
    .persist()
    .post('/v1/messages', (body: Body | string) => typeof body === 'object')
    .reply(async (request: Request) => {
      const body = (await request.json()) as Body;
      calls.requests.push(body);
      calls.raw.push(JSON.stringify(body));
      calls.at.push(performance.now());
      return [200, answer(body) as Body, { 'content-type': 'application/json' }] as const;
    });
  return calls;
}
