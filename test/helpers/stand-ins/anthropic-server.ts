import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AnthropicStandInOptions {
  /** Time the "model" takes to answer. */
  latencyMs?: number;
  /** Builds the Messages API answer from the request body. */
  respond: (request: Record<string, unknown>) => { status?: number; body: unknown };
}

export interface AnthropicStandIn {
  url: string;
  requests: { at: number; body: Record<string, unknown> }[];
  /** Most requests in flight at once. */
  peakConcurrency: number;
  close(): Promise<void>;
}

/** A local Anthropic Messages API (`POST /v1/messages`) over real HTTP, with a latency you set. */
export async function startAnthropicStandIn(options: AnthropicStandInOptions): Promise<AnthropicStandIn> {
  const state: AnthropicStandIn = { url: '', requests: [], peakConcurrency: 0, close: async () => undefined };
  let inFlight = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      inFlight += 1;
      state.peakConcurrency = Math.max(state.peakConcurrency, inFlight);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      state.requests.push({ at: performance.now(), body });
      setTimeout(() => {
        inFlight -= 1;
        if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"no route"}}');
          return;
        }
        const answer = options.respond(body);
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
      }, options.latencyMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}
