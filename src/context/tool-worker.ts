import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { loadSnapshot } from './snapshot.js';
import type { SnapshotLimits } from './snapshot.js';
import { createToolExecutor, executeTool } from './tools.js';
import type { ToolOptions, ToolResult } from './tools.js';

/**
 * The thread the repository tools run in (see tool-sandbox.ts): it builds the snapshot from the compressed archive
 * (gunzip, tar parsing and whatever the tools do per call stay off the main thread) and answers one call at a
 * time. It holds no deadline of its own: the main thread terminates it when a call runs past its deadline, which
 * is the only way to stop a regular expression that backtracks (V8 cannot interrupt one from inside).
 */

export interface ToolWorkerData {
  /** The gzipped tarball, shared with the main thread (not copied) so a fresh worker reloads it for free. */
  tarball: SharedArrayBuffer;
  limits: Partial<SnapshotLimits>;
  honoured: readonly string[];
  /** Structured-cloneable options only (no clock function). */
  options: Omit<ToolOptions, 'now'>;
}

export interface ToolCallMessage {
  id: number;
  name: string;
  input: unknown;
}

export type ToolWorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; result: ToolResult };

function serveTools(port: MessagePort, data: ToolWorkerData): void {
  const loading = loadSnapshot(Buffer.from(data.tarball), data.limits).then(async (snapshot) => {
    // A first call loads what every call uses (the secret scanner's rules): paid here, before any deadline runs.
    await executeTool(snapshot, 'Read', {}, data.options);
    return createToolExecutor(snapshot, data.honoured, data.options);
  });
  const send = (message: ToolWorkerMessage) => port.postMessage(message);
  loading.then(
    () => send({ type: 'ready' }),
    (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
  port.on('message', (call: ToolCallMessage) => {
    void loading
      .then((execute) => execute(call.name, call.input))
      .then((result) => send({ type: 'result', id: call.id, result }));
  });
}

if (!isMainThread && parentPort) serveTools(parentPort, workerData as ToolWorkerData);
