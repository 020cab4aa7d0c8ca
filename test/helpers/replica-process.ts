/**
 * One Bulwark replica in its own process: Probot's HTTP server with bulwark(), settings read from the environment
 * exactly as in production (REDIS_URL, BULWARK_*, ANTHROPIC_BASE_URL…). Started with
 * `node --import tsx test/helpers/replica-process.ts` by tests and benchmarks that need several processes.
 *
 * Its own variables: REPLICA_GITHUB_URL (the API base, e.g. a stand-in's `http://127.0.0.1:1234/api/v3`),
 * REPLICA_PRIVATE_KEY (PEM), REPLICA_WEBHOOK_SECRET, REPLICA_LOG_LEVEL (default `info`), REPLICA_NAME, and
 * REPLICA_OCTOKIT_THROTTLE=off to turn off Octokit's throttling (on in production: it spaces an installation's
 * writes by a second, which would dominate a timing test).
 * Logs are pino JSON lines on stdout; once listening it prints `{"replica":"ready","url":…,"pid":…}`.
 * SIGTERM drains like src/main.ts: stop the server, close the queue within BULWARK_SHUTDOWN_TIMEOUT_MS, exit 0.
 * With REPLICA_EXIT_WITH_PARENT=1 it does the same when its stdin closes (the parent died).
 */
import { pino } from 'pino';
import { Probot, ProbotOctokit, Server } from 'probot';
import type { Runtime } from '../../src/composition.js';
import { bulwark } from '../../src/index.js';
import { freePort } from './replicas.js';

const env = process.env;
const required = (name: string): string => {
  const value = env[name];
  if (!value) {
    console.error(`replica-process: ${name} is required`);
    process.exit(2);
  }
  return value;
};

const log = pino({ level: env.REPLICA_LOG_LEVEL ?? 'info', base: { replica: env.REPLICA_NAME ?? String(process.pid) } });
let runtime: Runtime | undefined;
const server = new Server({
  host: '127.0.0.1',
  port: await freePort(),
  log,
  Probot: Probot.defaults({
    appId: 1,
    privateKey: required('REPLICA_PRIVATE_KEY'),
    secret: required('REPLICA_WEBHOOK_SECRET'),
    baseUrl: required('REPLICA_GITHUB_URL'),
    log,
    ...(env.REPLICA_OCTOKIT_THROTTLE === 'off'
      ? { Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { enabled: false } })) }
      : // As Probot's run() (src/main.ts) does: with REDIS_URL, Octokit's throttling is shared by every replica.
        env.REDIS_URL
        ? { redisConfig: env.REDIS_URL }
        : {}),
  }),
});
await server.load(bulwark({ onStarted: (started) => (runtime = started) }));
const http = await server.start();
const address = http.address();
const port = typeof address === 'object' && address ? address.port : 0;
process.stdout.write(`${JSON.stringify({ replica: 'ready', url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`);

let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await server.stop().catch(() => undefined);
    await runtime?.queue.close(runtime.settings.shutdownTimeoutMs);
    process.exit(0);
  })();
};
process.on('SIGTERM', shutdown);
// The parent holds our stdin open: when it goes away (even SIGKILLed), so does this replica, never orphaned.
if (env.REPLICA_EXIT_WITH_PARENT === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}
