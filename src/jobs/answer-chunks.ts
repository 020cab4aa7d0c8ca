import pLimit from 'p-limit';
import picomatch from 'picomatch';
import { createToolSandbox } from '../context/tool-sandbox.js';
import type { ToolSandbox } from '../context/tool-sandbox.js';
import { toolDefinitions } from '../context/tools.js';
import type { AgentChoice } from '../ports/agent-provider.js';
import type { ModelReview, ModelTools } from '../ports/review-model.js';
import { isRetryable, ServiceError } from '../ports/service-error.js';
import { buildSystem, buildUser } from '../review/build-prompt.js';
import { failedChunks, planKey, readCheckpoint, recordCalls, retryableChunks, toCheckpoint } from '../review/chunk-checkpoint.js';
import { estimateTotalCost } from '../review/estimate-cost.js';
import { mergeChunkReviews } from '../review/merge-chunk-reviews.js';
import { spentOf } from '../review/spent-of.js';
import type { DiffFile } from '../review/types.js';
import { recordSpend } from './daily-budget.js';
import type { PipelineInput } from './review-pull-request.js';

export interface Answered {
  /** The answers of the chunks that answered, in plan order. */
  answers: ModelReview[];
  /** Indexes of the chunks whose call failed, and why. */
  failed: number[];
  errors: string[];
  /** Chunks whose answer was kept from an earlier attempt, and chunks asked in this one. */
  kept: number;
  asked: number;
  /** The head archive was over the compressed cap: the tools answered without the repository context. */
  contextTooLarge: boolean;
  /** Secrets masked in the tool results of this attempt's calls. */
  toolSecretsMasked: number;
}

/**
 * The model's answer to each chunk. A retry keeps what the model already answered (the job's checkpoint): all of
 * it after a failure to publish; after calls that failed for a passing reason, the chunks that did answer, and
 * asks again only for those that failed for a passing reason. What is spent is counted once, when spent. Throws
 * when no chunk answered, and when some failed for a passing reason while attempts remain (the job is retried
 * rather than posted partial). `turnTokens`: each chunk's share of the review's budget for tool turns.
 */
export async function answerChunks(input: PipelineInput, agent: AgentChoice, chunks: DiffFile[][], pr: { title: string; body: string }, turnTokens: number): Promise<Answered> {
  const { deps, job, control, log } = input;
  const key = planKey(chunks);
  const saved = readCheckpoint(await control.loadCheckpoint(), job.headSha, key, chunks.length);
  const pending = saved ? retryableChunks(saved) : chunks.map((_, index) => index);
  const { results: calls, contextTooLarge, toolSecretsMasked } = await reviewChunks(input, agent, pending.map((index) => chunks[index] ?? []), pr, turnTokens);
  const outcome = recordCalls(saved, pending, calls, isRetryable);
  const answers = outcome.answers.filter((answer): answer is ModelReview => answer !== undefined);
  const failures = calls.flatMap((result) => (result.failure ? [result.failure.reason] : []));
  const spent = calls.flatMap((result) => (result.answer ? [result.answer] : []));
  // Saved before anything is thrown: the next attempt keeps the answers and skips what failed for good.
  if (spent.length > 0 || failures.length > 0) await control.saveCheckpoint(toCheckpoint(job.headSha, key, outcome));
  if (answers.length === 0 && chunks.length > 0) {
    const known = outcome.errors.find((error) => error !== undefined);
    throw failures.find(isRetryable) ?? failures[0] ?? new ServiceError('anthropic', known ?? 'No chunk of the review could be answered.', { retryable: false });
  }
  if (spent.length > 0) {
    const merged = mergeChunkReviews(spent);
    const model = merged.model || agent.model;
    const usd = estimateTotalCost(spent.map((answer) => answer.usage), model, deps.settings.prices).usd;
    deps.onUsage?.({ model, ...merged.usage, usd });
    await recordSpend(deps, job, spentOf(merged.usage, usd), log);
  }
  const passing = failures.find(isRetryable);
  if (passing !== undefined && control.attempt < control.maxAttempts) {
    log.warn({ failed: failures.length, chunks: chunks.length }, 'some chunks failed for a passing reason; retrying them');
    throw passing;
  }
  const kept = saved ? saved.answers.filter((answer) => answer !== undefined).length : 0;
  if (kept > 0) log.info({ kept, asked: pending.length }, 'model answers kept from an earlier attempt');
  const failed = failedChunks(outcome);
  return { answers, failed, errors: failed.flatMap((index) => outcome.errors[index] ?? []), kept, asked: pending.length, contextTooLarge, toolSecretsMasked };
}

interface ChunkResult {
  answer: ModelReview | undefined;
  failure: { reason: unknown; message: string } | undefined;
}

/** Chunks run in parallel under a bound. Nothing is thrown: per chunk, its answer or why its call failed. */
async function reviewChunks(input: PipelineInput, agent: AgentChoice, chunks: DiffFile[][], pr: { title: string; body: string }, turnTokens: number) {
  const { deps, host, ref, job, config } = input;
  const limit = pLimit(deps.settings.modelConcurrency);
  const limits = deps.settings.tools;
  // Read, Grep and Glob when the agent lists them and the budget leaves room for tool turns: one head snapshot per
  // job, downloaded on first use under the compressed cap, built and searched in the job's worker thread, each call
  // under the deadline (tool-sandbox.ts). Files the repository excludes from review are not readable through them.
  const sandbox: ToolSandbox | undefined =
    turnTokens > 0 && agent.tools.length > 0
      ? createToolSandbox({
          download: () => host.downloadTarball(ref, job.headSha, limits.snapshotMaxCompressedBytes),
          honoured: agent.tools,
          callTimeoutMs: limits.callTimeoutMs,
          snapshotLimits: { maxBytes: limits.snapshotMaxBytes },
          // Grep's own time budget (it stops with partial results and a note) well inside the hard deadline.
          toolOptions: { exclude: config.paths.exclude, grepTimeBudgetMs: Math.max(50, Math.floor(limits.callTimeoutMs / 4)) },
        })
      : undefined;
  const masked = { count: 0 };
  const tools: ModelTools | undefined = sandbox && {
    definitions: toolDefinitions(agent.tools),
    execute: async (name, toolInput) => {
      const result = await sandbox.execute(name, toolInput);
      masked.count += result.masked ?? 0; // the ledger counts the secrets masked in tool results
      return result;
    },
    maxTurns: limits.maxTurns,
    maxInputTokens: limits.maxInputTokens,
  };
  const instructions = config.instructions.map((instruction) => ({ ...instruction, matches: picomatch(instruction.path, { dot: true }) }));
  // buildPrompt's two halves: the system prompt is the same for every chunk, so it is built once; each chunk's
  // user turn (~200 KB on a big PR) only when its call starts, and let go when it returns.
  const system = buildSystem(agent.agent);
  const settled = await Promise.allSettled(
    chunks.map((chunk) =>
      limit(() =>
        deps.model.review({ model: agent.model, system, user: buildUser(pr, chunk, instructions), maxOutputTokens: deps.settings.maxOutputTokens, ...(tools ? { tools: { ...tools, maxTurnInputTokens: turnTokens } } : {}) }),
      ),
    ),
  );
  // The job's tool worker ends with its model calls (allSettled never throws, so this always runs).
  await sandbox?.close();
  const results: ChunkResult[] = settled.map((result) =>
    result.status === 'fulfilled'
      ? { answer: result.value, failure: undefined }
      : { answer: undefined, failure: { reason: result.reason as unknown, message: result.reason instanceof Error ? result.reason.message : String(result.reason) } },
  );
  return { results, contextTooLarge: sandbox?.contextTooLarge() ?? false, toolSecretsMasked: masked.count };
}
