import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** A replica in its own process: takes one job, says so on stdout, then hangs until killed. */
const CHILD_WORKER = `
const { createBullmqQueue } = await import(process.env.BULWARK_ADAPTER);
const noop = () => {};
const log = { debug: noop, info: noop, warn: noop, error: noop, child: () => log };
const queue = createBullmqQueue({
  redisUrl: process.env.REDIS_URL,
  queueName: process.env.BULWARK_QUEUE,
  prefix: process.env.BULWARK_PREFIX,
  concurrency: 1,
  lockDurationMs: 1000,
  stalledIntervalMs: 500,
  log,
  ...JSON.parse(process.env.BULWARK_CHILD_OPTIONS ?? '{}'),
});
queue.start(async (job, control) => {
  console.log(JSON.stringify({ started: job.headSha, attempt: control.attempt }));
  await new Promise(() => {});
});
`;

export interface ChildWorker {
  process: ChildProcess;
  /** The job it took (its head sha and attempt); rejects when the process exits first. */
  taken: Promise<{ started: string; attempt: number }>;
  exited: Promise<void>;
}

/**
 * A BullMQ worker of queue `queueName` in a process of its own (lock 1000 ms, stalled check 500 ms, concurrency 1,
 * unless `options` say otherwise), for what only a process that dies can show: SIGKILL leaves no cleanup at all.
 */
export function spawnChildWorker(redis: { redisUrl: string; prefix: string; queueName: string }, options: object = {}): ChildWorker {
  const adapter = pathToFileURL(fileURLToPath(new URL('../../src/adapters/redis/bullmq-queue.ts', import.meta.url))).href;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD_WORKER], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    env: { ...process.env, REDIS_URL: redis.redisUrl, BULWARK_ADAPTER: adapter, BULWARK_QUEUE: redis.queueName, BULWARK_PREFIX: redis.prefix, BULWARK_CHILD_OPTIONS: JSON.stringify(options) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const taken = new Promise<{ started: string; attempt: number }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { started: string; attempt: number });
    });
    child.on('exit', (code) => reject(new Error(`the child worker exited (${String(code)}) before taking the job:\n${output}`)));
  });
  return { process: child, taken, exited };
}
