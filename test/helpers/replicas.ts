import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('./replica-process.ts', import.meta.url));

export interface ReplicaOptions {
  /** Shown in its log lines (`replica`) and in errors. */
  name: string;
  /** The GitHub API base the replica calls, e.g. a stand-in's url. */
  githubUrl: string;
  privateKey: string;
  webhookSecret: string;
  /** Bulwark's settings, as in production (REDIS_URL, BULWARK_*, ANTHROPIC_*). */
  env: Record<string, string>;
  /** Default `info`. */
  logLevel?: string;
  /** Octokit's throttling as in production (default) or off. */
  throttle?: boolean;
  /** Extra node flags, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Time allowed to boot. Default 20 s. */
  startTimeoutMs?: number;
  /** Keep and parse its log lines (default); false drops them once it is ready (a benchmark's load would make them costly). */
  keepLogs?: boolean;
}

export interface Replica {
  name: string;
  url: string;
  pid: number;
  child: ChildProcess;
  /** Its JSON log lines so far, parsed. */
  logs: Record<string, unknown>[];
  /** Resolves with the first log line (past or future) the predicate accepts. */
  waitForLog(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string | null>;
  /** SIGTERM (drains), then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `test/helpers/replica-process.ts` in a child process (`node --import tsx`) and waits until it listens. */
export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', ENTRY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      ...options.env,
      REPLICA_NAME: options.name,
      REPLICA_GITHUB_URL: options.githubUrl,
      REPLICA_PRIVATE_KEY: options.privateKey,
      REPLICA_WEBHOOK_SECRET: options.webhookSecret,
      REPLICA_LOG_LEVEL: options.logLevel ?? 'info',
      ...(options.throttle === false ? { REPLICA_OCTOKIT_THROTTLE: 'off' } : {}),
      REPLICA_EXIT_WITH_PARENT: '1',
    },
    // stdin stays open and unused: the replica exits when it closes, so a crashed test leaves no replica behind.
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  const waiters: { predicate: (line: Record<string, unknown>) => boolean; resolve: (line: Record<string, unknown>) => void }[] = [];
  let stderr = '';
  let pending = '';
  let parsing = true;
  child.stdout!.on('data', (chunk: Buffer) => {
    if (!parsing) return;
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const text of lines) {
      if (!text.startsWith('{')) continue;
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        continue;
      }
      logs.push(line);
      for (const waiter of [...waiters]) {
        if (!waiter.predicate(line)) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));

  const waitForLog = (predicate: (line: Record<string, unknown>) => boolean, timeoutMs = 15_000) => {
    const seen = logs.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`replica ${options.name}: no matching log line within ${timeoutMs} ms\n${stderr}`)), timeoutMs);
      waiters.push({
        predicate,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`replica ${options.name} exited (${String(code)}) before the awaited log line\n${stderr}`));
      });
    });
  };

  let ready: Record<string, unknown>;
  try {
    ready = await Promise.race([
      waitForLog((line) => line.replica === 'ready', options.startTimeoutMs ?? 20_000),
      exited.then((code) => {
        throw new Error(`replica ${options.name} exited (${String(code)}) while starting:\n${stderr}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  if (options.keepLogs === false) {
    parsing = false;
    pending = '';
  }

  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    name: options.name,
    url: String(ready.url),
    pid: Number(ready.pid),
    child,
    logs,
    waitForLog,
    exited,
    kill,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The headers GitHub sends with a webhook, signed with `secret` (X-Hub-Signature-256). */
export function webhookHeaders(event: string, deliveryId: string, body: string, secret: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': deliveryId,
    'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
  };
}

/** POSTs a signed webhook to an App's `/api/github/webhooks`. */
export function deliverWebhook(appUrl: string, event: string, deliveryId: string, payload: unknown, secret: string): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(`${appUrl}/api/github/webhooks`, { method: 'POST', headers: webhookHeaders(event, deliveryId, body, secret), body });
}

/**
 * A TCP port nothing listens on right now (the OS picks it). Probot's Server takes port 0 for its default 3000, so
 * replicas ask for a free port first; the window before they bind it is a few milliseconds.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
