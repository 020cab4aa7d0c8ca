import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from '../adapters/metrics/metrics.js';

/** `GET /metrics`: Prometheus text exposition. */
export function metricsHandler(metrics: Metrics) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') return false;
    const body = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body);
    return true;
  };
}
