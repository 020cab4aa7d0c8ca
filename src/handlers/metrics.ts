import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../adapters/metrics/metrics.js';

/**
 * `GET /metrics`: Prometheus text exposition. With a token (BULWARK_METRICS_TOKEN) only requests carrying
 * `Authorization: Bearer <token>` get it, as Prometheus sends with `authorization: { credentials: … }` in its
 * scrape config (https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config); the
 * others get 401 with `WWW-Authenticate: Bearer` (RFC 6750, section 3).
 */
export function metricsHandler(metrics: Metrics, token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') return false;
    if (expected && !carries(req.headers.authorization, expected)) {
      res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain; charset=utf-8' }).end('Unauthorized\n');
      return true;
    }
    const body = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
    return true;
  };
}

/** Compared as digests, so the comparison takes the same time whatever the length or content of what was sent. */
function carries(authorization: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), expected);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
