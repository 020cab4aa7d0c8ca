import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobQueue } from '../ports/job-queue.js';

/** `GET /healthz`: 200 when the queue backend answers, 503 otherwise. */
export function healthHandler(queue: JobQueue) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/healthz') return false;
    const healthy = await queue.healthy().catch(() => false);
    res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: healthy ? 'ok' : 'unavailable' }));
    return true;
  };
}
