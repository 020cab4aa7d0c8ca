import nock from 'nock';
import { pino } from 'pino';
import { Probot, Server } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/composition.js';
import { bulwark } from '../../src/index.js';
import { freePort } from '../helpers/replicas.js';
import { TEST_PRIVATE_KEY, testSettings } from '../helpers/test-app.js';

/** Built at test time: no token lives in the repo. */
const TOKEN = ['metrics', 'bearer', 'for', 'tests', 'only'].join('-');

let server: Server | undefined;
let runtime: Runtime | undefined;

beforeEach(() => {
  nock.enableNetConnect('127.0.0.1');
});

afterEach(async () => {
  await server?.stop();
  await runtime?.queue.close(200);
  server = undefined;
  runtime = undefined;
  nock.disableNetConnect();
});

/** The App behind Probot's own HTTP server, as `npm start` serves it. */
async function serve(env: Record<string, string>): Promise<string> {
  const log = pino({ level: 'silent' });
  const started = new Server({
    host: '127.0.0.1',
    port: await freePort(),
    log,
    Probot: Probot.defaults({ appId: 1, privateKey: TEST_PRIVATE_KEY, secret: ['metrics', 'test', 'secret'].join('-'), log }),
  });
  await started.load(bulwark({ settings: testSettings(env), onStarted: (value) => (runtime = value) }));
  const http = await started.start();
  server = started;
  const address = http.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

describe('GET /metrics', () => {
  it('with BULWARK_METRICS_TOKEN, answers 401 without the bearer token or with another one', async () => {
    const url = await serve({ BULWARK_METRICS_TOKEN: TOKEN });

    for (const authorization of [undefined, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, TOKEN]) {
      const response = await fetch(`${url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.text()).not.toContain('bulwark_');
    }
  });

  it('with BULWARK_METRICS_TOKEN, serves the metrics to a request carrying it', async () => {
    const url = await serve({ BULWARK_METRICS_TOKEN: TOKEN });

    const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('bulwark_');
  });

  it('without the setting, stays open (and /healthz stays open either way)', async () => {
    const url = await serve({});

    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
