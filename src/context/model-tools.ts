import type { TarballDownload } from '../ports/pull-request-host.js';
import type { ModelTools } from '../ports/review-model.js';
import type { PipelineSettings } from '../review/pipeline-settings.js';
import { createToolSandbox } from './tool-sandbox.js';
import { toolDefinitions } from './tools.js';

export interface JobModelTools {
  /** Undefined when the agent lists no repository tool, or the budget leaves no room for tool turns. */
  tools: ModelTools | undefined;
  /** Ends the job's tool worker; call once the model calls are done. */
  close(): Promise<void>;
  /** The head archive was over the compressed cap: the tools answered without the repository context. */
  contextTooLarge(): boolean;
  /** Secrets masked in the tool results so far (the ledger counts them; SECURITY.md). */
  secretsMasked(): number;
}

/**
 * Read, Grep and Glob when the agent lists them: one head snapshot per job, downloaded on first use under the
 * compressed cap, built and searched in the job's worker thread, each call under the deadline (tool-sandbox.ts).
 * Files the repository excludes from review are not readable through them either.
 */
export function createModelTools(honoured: string[], download: () => Promise<TarballDownload>, limits: PipelineSettings['tools'], exclude: string[]): JobModelTools {
  if (honoured.length === 0) return { tools: undefined, close: async () => undefined, contextTooLarge: () => false, secretsMasked: () => 0 };
  const sandbox = createToolSandbox({
    download,
    honoured,
    callTimeoutMs: limits.callTimeoutMs,
    snapshotLimits: { maxBytes: limits.snapshotMaxBytes },
    // Grep's own time budget (it stops with partial results and a note) well inside the hard deadline.
    toolOptions: { exclude, grepTimeBudgetMs: Math.max(50, Math.floor(limits.callTimeoutMs / 4)) },
  });
  let masked = 0;
  const tools: ModelTools = {
    definitions: toolDefinitions(honoured),
    execute: async (name, input) => {
      const result = await sandbox.execute(name, input);
      masked += result.masked ?? 0;
      return result;
    },
    maxTurns: limits.maxTurns,
    maxInputTokens: limits.maxInputTokens,
  };
  return { tools, close: () => sandbox.close(), contextTooLarge: () => sandbox.contextTooLarge(), secretsMasked: () => masked };
}
