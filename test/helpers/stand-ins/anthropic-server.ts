import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnthropicStandInOptions {
  /** Time the "model" takes to answer; a function decides per request (`index` counts from 0). */
  latencyMs?: number | ((request: Record<string, unknown>, index: number) => number);
  /** Told of each Messages request as it arrives, before the latency (the API counts a call against its limits then). */
  arrive?: (request: Record<string, unknown>) => void;
  /** Builds the Messages API answer from the request body; `headers` are sent with it (e.g. rate-limit headers). */
  respond: (request: Record<string, unknown>) => { status?: number; body: unknown; headers?: Record<string, string> };
  /**
   * Prompt caching as the API reports it: a request whose system prompt was cached before reads it
   * (`cache_read_input_tokens`), the first one writes it (`cache_creation_input_tokens`). `at-response`, like the
   * API, makes an entry readable only once the response that wrote it is sent, so requests started together all
   * write; `at-request` makes it readable as soon as the first request arrives. Off: usage is left as answered.
   */
  cache?: 'at-request' | 'at-response';
  /** Keep request bodies (default true); a benchmark sending megabytes of prompts turns it off. */
  keepBodies?: boolean;
  /**
   * Answers `POST /v1/messages/count_tokens` (recorded in `counts`, not in `requests`). Absent: 404, as from a
   * gateway that does not offer the endpoint.
   */
  countTokens?: (request: Record<string, unknown>) => { status?: number; body: unknown };
  /** Names the kind of each request, recorded in `calls`; absent: `verification` for verification calls, else `review`. */
  kindOf?: (request: Record<string, unknown>) => string;
  /**
   * Answers Bulwark's verification calls (their output schema asks for `scores`). Absent: every finding passes
   * (score 10), so a test about something else sees its findings posted. Verification requests are kept in
   * `verifications`, not in `requests`, which stay the review calls.
   */
  verify?: (request: Record<string, unknown>) => { status?: number; body: unknown };
}

/** A verification call: its output schema asks for `scores` (src/review/verify-findings.ts). */
export function isVerificationRequest(request: Record<string, unknown>): boolean {
  const format = (request.output_config as { format?: { schema?: { properties?: Record<string, unknown> } } } | undefined)?.format;
  return format?.schema?.properties?.scores !== undefined;
}

/** Every finding of a verification request scored 10, as the Messages API would answer it. */
function passEveryFinding(request: Record<string, unknown>): { status?: number; body: unknown } {
  const messages = request.messages as { content: unknown }[] | undefined;
  const prompt = typeof messages?.[0]?.content === 'string' ? messages[0].content : '';
  const scores = [...prompt.matchAll(/<finding id="(\d+)">/g)].map((match) => ({ id: Number(match[1]), reason: 'Shown by the diff.', score: 10 }));
  return {
    body: {
      id: 'msg_verify',
      type: 'message',
      role: 'assistant',
      model: String(request.model),
      content: [{ type: 'text', text: JSON.stringify({ scores }) }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 400, output_tokens: 60, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  };
}

/** One answered Messages request: its kind, when it arrived and was answered, and the tokens the usage reports. */
export interface StandInCall {
  kind: string;
  at: number;
  answeredAt: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
}

export interface AnthropicStandIn {
  url: string;
  requests: { at: number; body: Record<string, unknown> }[];
  /** Verification calls (the pass that scores findings), apart from the review calls in `requests`. */
  verifications: { at: number; body: Record<string, unknown> }[];
  /** Every answered Messages request, kept also when bodies are not (a few numbers each). */
  calls: StandInCall[];
  /** count_tokens request bodies. */
  counts: Record<string, unknown>[];
  /** Review requests received (also when bodies are not kept); verification calls are counted apart. */
  received: number;
  /** Verification calls received. */
  verificationsReceived: number;
  /** Most requests in flight at once. */
  peakConcurrency: number;
  /** With `cache`: requests that read the cached system prompt, the tokens they read, and requests that wrote it. */
  cacheReads: number;
  cacheReadTokens: number;
  cacheWrites: number;
  /** Forgets requests, counters and the cache: the next request is a cold start. */
  reset(): void;
  close(): Promise<void>;
}

/** ~4 characters per token: a stand-in's count only has to be stable. */
const tokensOf = (text: string) => Math.ceil(text.length / 4);

/** A local Anthropic Messages API (`POST /v1/messages`) over real HTTP, with a latency you set. */
export async function startAnthropicStandIn(options: AnthropicStandInOptions): Promise<AnthropicStandIn> {
  const state: AnthropicStandIn = {
    url: '',
    requests: [],
    verifications: [],
    calls: [],
    counts: [],
    received: 0,
    verificationsReceived: 0,
    peakConcurrency: 0,
    cacheReads: 0,
    cacheReadTokens: 0,
    cacheWrites: 0,
    reset: () => {
      state.requests.length = 0;
      state.verifications.length = 0;
      state.calls.length = 0;
      state.counts.length = 0;
      state.received = 0;
      state.verificationsReceived = 0;
      state.peakConcurrency = 0;
      state.cacheReads = 0;
      state.cacheReadTokens = 0;
      state.cacheWrites = 0;
      cached.clear();
    },
    close: async () => undefined,
  };
  const cached = new Set<string>();
  let inFlight = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method === 'POST' && req.url?.startsWith('/v1/messages/count_tokens')) {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
        state.counts.push(body);
        const answer = options.countTokens?.(body) ?? { status: 404, body: { type: 'error', error: { type: 'not_found_error', message: 'no route' } } };
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
        return;
      }
      inFlight += 1;
      state.peakConcurrency = Math.max(state.peakConcurrency, inFlight);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const arrivedAt = performance.now();
      options.arrive?.(body);
      const verification = isVerificationRequest(body);
      if (verification) state.verificationsReceived += 1;
      else state.received += 1;
      if (options.keepBodies !== false) (verification ? state.verifications : state.requests).push({ at: arrivedAt, body });
      const cacheKey = options.cache ? createHash('sha256').update(JSON.stringify([body.model, body.tools ?? null, body.system ?? null])).digest('hex') : '';
      const hit = options.cache ? cached.has(cacheKey) : false;
      if (options.cache === 'at-request') cached.add(cacheKey);
      setTimeout(() => {
        inFlight -= 1;
        if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"no route"}}');
          return;
        }
        const answer: { status?: number; body: unknown; headers?: Record<string, string> } = verification ? (options.verify ?? passEveryFinding)(body) : options.respond(body);
        const status = answer.status ?? 200;
        if (options.cache && status === 200) {
          const prefix = tokensOf(JSON.stringify([body.tools ?? null, body.system ?? null]));
          const usage = {
            input_tokens: tokensOf(JSON.stringify(body.messages ?? [])),
            cache_creation_input_tokens: hit ? 0 : prefix,
            cache_read_input_tokens: hit ? prefix : 0,
          };
          if (hit) {
            state.cacheReads += 1;
            state.cacheReadTokens += prefix;
          } else {
            state.cacheWrites += 1;
          }
          cached.add(cacheKey);
          const message = answer.body as { usage?: Record<string, unknown> };
          answer.body = { ...message, usage: { ...message.usage, ...usage } };
        }
        const reported = (answer.body as { usage?: Record<string, number> } | undefined)?.usage ?? {};
        state.calls.push({
          kind: options.kindOf?.(body) ?? (verification ? 'verification' : 'review'),
          at: arrivedAt,
          answeredAt: performance.now(),
          inputTokens: reported.input_tokens ?? 0,
          cacheReadTokens: reported.cache_read_input_tokens ?? 0,
          cacheWriteTokens: reported.cache_creation_input_tokens ?? 0,
          outputTokens: reported.output_tokens ?? 0,
        });
        res.writeHead(status, { ...answer.headers, 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      }, typeof options.latencyMs === 'function' ? options.latencyMs(body, state.received - 1) : (options.latencyMs ?? 0));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
