import { Worker } from 'node:worker_threads';
import pLimit from 'p-limit';
import type { TarballDownload } from '../ports/pull-request-host.js';
import type { SnapshotLimits } from './snapshot.js';
import type { ToolOptions, ToolResult } from './tools.js';
import type { ToolCallMessage, ToolWorkerData, ToolWorkerMessage } from './tool-worker.js';

/**
 * Read, Grep and Glob for one review job, run in a worker thread with a hard deadline per call.
 *
 * Why a thread: one process serves webhooks, health, every review and BullMQ's lock renewal, and a JavaScript
 * regular expression cannot be interrupted once it runs — V8's engine backtracks, and some patterns (Glob's
 * picomatch regexes among them, `*a*a*a*a*a*a*a*b` on a long name) take seconds to forever. A worker can be
 * terminated whatever it runs (https://nodejs.org/api/worker_threads.html#workerterminate), so a call past its
 * deadline ends its worker, is answered with an error the model can act on, and the next call starts a fresh one
 * from the compressed archive kept here. Grep itself matches with a linear-time engine (re2js), so it does not
 * come near the deadline; the deadline is the backstop for everything else.
 *
 * One worker per job, not per call (each holds its own copy of the snapshot); calls run one at a time, so a call
 * stuck at the deadline fails alone and those asked with it run after it in the fresh worker.
 */

/** A tool's answer; the worker's results are passed on as they are. */
export type SandboxResult = Pick<ToolResult, 'content' | 'isError'> & Partial<ToolResult>;

export interface ToolSandboxOptions {
  /** Called on the first tool call only: a job whose model never calls a tool downloads nothing. */
  download: () => Promise<TarballDownload>;
  /** The tools the agent honours; anything else is answered as unknown. */
  honoured: readonly string[];
  /** How long one call may run in the worker before it is terminated. */
  callTimeoutMs: number;
  snapshotLimits?: Partial<SnapshotLimits>;
  toolOptions?: Omit<ToolOptions, 'now'>;
  /** How long a worker may take to build the snapshot; past it the context is given up for this job. */
  loadTimeoutMs?: number;
}

export interface ToolSandbox {
  execute(name: string, input: unknown): Promise<SandboxResult>;
  /** The archive was over the compressed cap: the review went on without the repository context. */
  contextTooLarge(): boolean;
  /** Worker threads alive (0 or 1). */
  threads(): number;
  /** Ends the worker; later calls are refused. Call it when the job ends. */
  close(): Promise<void>;
}

const DEFAULT_LOAD_TIMEOUT_MS = 60_000;

/** The built worker is .js next to this module; under vitest and tsx this module is .ts and so is the worker. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './tool-worker.ts' : './tool-worker.js', import.meta.url);
const WORKER_EXEC_ARGV = FROM_SOURCE ? ['--import', 'tsx'] : [];

interface Running {
  worker: Worker;
  /** Settles once the snapshot is built: undefined, or why it could not be. */
  ready: Promise<string | undefined>;
  /** The call in flight, answered by the worker, its exit, or the deadline. */
  answer?: ((outcome: { result: SandboxResult } | { stopped: string }) => void) | undefined;
  alive: boolean;
}

type Archive = { ok: true; tarball: SharedArrayBuffer } | { ok: false; message: string; tooLarge: boolean };

export function createToolSandbox(options: ToolSandboxOptions): ToolSandbox {
  const oneAtATime = pLimit(1);
  const loadTimeoutMs = options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS;
  let archive: Promise<Archive> | undefined;
  let tooLarge = false;
  /** Why the snapshot cannot be served (not readable, too slow to build): answered to every later call. */
  let unavailable: string | undefined;
  let running: Running | undefined;
  const ending = new Set<Promise<number>>();
  let closed = false;

  const end = (run: Running) => {
    run.alive = false;
    if (running === run) running = undefined;
    const exited = run.worker.terminate();
    ending.add(exited);
    void exited.finally(() => ending.delete(exited));
  };

  const fetchArchive = (): Promise<Archive> =>
    (archive ??= options.download().then(
      (download): Archive => {
        if (download.kind === 'too-large') {
          tooLarge = true;
          return { ok: false, tooLarge: true, message: `the repository archive is too large (over ${download.maxBytes} bytes compressed), so the review goes on without it` };
        }
        // Shared, not copied, with every worker of this job.
        const tarball = new SharedArrayBuffer(download.bytes.byteLength);
        new Uint8Array(tarball).set(download.bytes);
        return { ok: true, tarball };
      },
      (error: unknown): Archive => ({ ok: false, tooLarge: false, message: `the repository archive could not be downloaded (${error instanceof Error ? error.message : String(error)})` }),
    ));

  const spawn = (tarball: SharedArrayBuffer): Running => {
    const data: ToolWorkerData = { tarball, limits: options.snapshotLimits ?? {}, honoured: [...options.honoured], options: options.toolOptions ?? {} };
    const worker = new Worker(WORKER_URL, { workerData: data, execArgv: WORKER_EXEC_ARGV });
    // Never what keeps the process alive; the job still ends it (close).
    worker.unref();
    const run: Running = { worker, alive: true, ready: Promise.resolve(undefined) };
    run.ready = new Promise((resolve) => {
      const timer = setTimeout(() => resolve(`the repository snapshot took longer than ${loadTimeoutMs} ms to load`), loadTimeoutMs);
      worker.on('message', (message: ToolWorkerMessage) => {
        if (message.type === 'ready' || message.type === 'failed') {
          clearTimeout(timer);
          resolve(message.type === 'failed' ? message.message : undefined);
          return;
        }
        run.answer?.({ result: message.result });
      });
      const stopped = (why: string) => {
        clearTimeout(timer);
        run.alive = false;
        if (running === run) running = undefined;
        resolve(why);
        run.answer?.({ stopped: why });
      };
      worker.on('error', (error) => stopped(`the tool worker failed (${error.message})`));
      worker.on('exit', () => stopped('the tool worker stopped'));
    });
    return run;
  };

  const callOnce = (run: Running, name: string, input: unknown): Promise<SandboxResult> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        run.answer = undefined;
        end(run);
        resolve(timedOut(name, options.callTimeoutMs));
      }, options.callTimeoutMs);
      run.answer = (outcome) => {
        clearTimeout(timer);
        run.answer = undefined;
        resolve('result' in outcome ? outcome.result : failed(name, closed ? 'the review these tools served has ended' : outcome.stopped));
      };
      const call: ToolCallMessage = { id: 0, name, input };
      run.worker.postMessage(call);
    });

  const execute = async (name: string, input: unknown): Promise<SandboxResult> => {
    if (closed) return failed(name, 'the review these tools served has ended');
    const source = await fetchArchive();
    if (!source.ok) return failed(name, source.message);
    if (unavailable !== undefined) return failed(name, unavailable);
    const run = running?.alive ? running : (running = spawn(source.tarball));
    const problem = await run.ready;
    if (closed) return failed(name, 'the review these tools served has ended');
    if (problem !== undefined) {
      // Building the snapshot fails the same way every time: not tried again for each call.
      unavailable = problem;
      end(run);
      return failed(name, problem);
    }
    return callOnce(run, name, input);
  };

  return {
    execute: (name, input) => oneAtATime(() => execute(name, input)),
    contextTooLarge: () => tooLarge,
    threads: () => (running?.alive ? 1 : 0) + ending.size,
    close: async () => {
      closed = true;
      if (running) end(running);
      await Promise.all([...ending]);
    },
  };
}

function timedOut(name: string, ms: number): SandboxResult {
  return {
    content: `The ${name} call ran out of time (${ms} ms) and was stopped. Simplify the pattern (fewer wildcards or alternatives), or narrow the search with path or glob, and try again.`,
    isError: true,
  };
}

function failed(name: string, why: string): SandboxResult {
  return { content: `The ${name} tool is not available: ${why.replace(/\.$/, '')}.`, isError: true };
}
