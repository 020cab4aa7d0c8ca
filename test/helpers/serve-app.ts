import { pino } from 'pino';
import { Probot, Server } from 'probot';
import type { Runtime } from '../../src/composition.js';
import { bulwark } from '../../src/index.js';
import { freePort } from './replicas.js';
import { TEST_PRIVATE_KEY, testSettings } from './test-app.js';

export interface ServedApp {
  /** Base URL of the App's HTTP server (webhooks at `${url}/api/github/webhooks`). */
  url: string;
  /** The App's runtime once it has started (its queue, to wait for idle). */
  runtime: () => Runtime;
  stop: () => Promise<void>;
}

/**
 * The App behind Probot's real HTTP server, as `npm start` runs it, pointed at a GitHub stand-in (`githubUrl`) and
 * configured by `env` (the model stand-in's ANTHROPIC_BASE_URL, …). Webhooks must be signed with `secret`.
 */
export async function serveApp(options: { secret: string; githubUrl: string; env: Record<string, string> }): Promise<ServedApp> {
  const log = pino({ level: 'silent' });
  let runtime: Runtime | undefined;
  const server = new Server({
    host: '127.0.0.1',
    // Probot's Server turns port 0 into 3000: ask the OS for a free port instead.
    port: await freePort(),
    log,
    Probot: Probot.defaults({ appId: 1, privateKey: TEST_PRIVATE_KEY, secret: options.secret, baseUrl: options.githubUrl, log }),
  });
  await server.load(bulwark({ settings: testSettings(options.env), onStarted: (started) => (runtime = started) }));
  const http = await server.start();
  const address = http.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    runtime: () => {
      if (!runtime) throw new Error('the App has not started');
      return runtime;
    },
    stop: async () => {
      await server.stop();
      await runtime?.queue.close(1000);
    },
  };
}
