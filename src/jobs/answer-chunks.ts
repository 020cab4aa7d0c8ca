import pLimit from 'p-limit';
import picomatch from 'picomatch';
import type { JobModelTools } from '../context/model-tools.js';
import type { AgentChoice } from '../ports/agent-provider.js';
import { isRetryable, ServiceError } from '../ports/service-error.js';
import { buildSystem, buildUser, listPullRequestFiles } from '../review/build-prompt.js';
import { planKey, readCheckpoint, retryableChunks, settleAttempt, toChunkCalls, toCheckpoint } from '../review/chunk-checkpoint.js';
import type { SettledAttempt } from '../review/chunk-checkpoint.js';
import { estimateTotalCost } from '../review/estimate-cost.js';
import { mergeChunkReviews } from '../review/merge-chunk-reviews.js';
import { spentOf } from '../review/spent-of.js';
import type { DiffFile } from '../review/types.js';
import { recordSpend } from './daily-budget.js';
import type { PipelineInput } from './review-pull-request.js';

export type Answered = SettledAttempt & { asked: number; contextTooLarge: boolean; toolSecretsMasked: number };

/**
 * The model's answer to each chunk, in parallel under a bound. A retry keeps what the model already answered (the
 * job's checkpoint, src/review/chunk-checkpoint.ts decides what to ask again and when to stop). What is spent is
 * counted once, when spent. `turnTokens`: each chunk's share of the review's budget for tool turns. `context`: the
 * job's repository tools (none without them); its worker is the caller's to close, after verification.
 */
export async function answerChunks(input: PipelineInput, agent: AgentChoice, chunks: DiffFile[][], pr: { title: string; body: string }, turnTokens: number, context: JobModelTools): Promise<Answered> {
  const { deps, job, config, control, log } = input;
  const key = planKey(chunks);
  const saved = readCheckpoint(await control.loadCheckpoint(), job.headSha, key, chunks.length);
  const pending = saved ? retryableChunks(saved) : chunks.map((_, index) => index);
  const tools = context.tools && { tools: { ...context.tools, maxTurnInputTokens: turnTokens } };
  const instructions = config.instructions.map((instruction) => ({ ...instruction, matches: picomatch(instruction.path, { dot: true }) }));
  // buildPrompt's two halves: the system prompt is the same for every chunk, so it is built once; each chunk's
  // user turn (~200 KB on a big PR) only when its call starts, and let go when it returns.
  const system = buildSystem(agent.agent);
  const limit = pLimit(deps.settings.modelConcurrency);
  // Every chunk lists the files of every chunk: a test reviewed in another chunk is not "missing" (build-prompt.ts).
  const listing = listPullRequestFiles(chunks.flat());
  const ask = (chunk: DiffFile[]) => deps.model.review({ model: agent.model, system, user: buildUser(pr, chunk, instructions, listing), maxOutputTokens: deps.settings.maxOutputTokens, ...tools });
  const settled = await Promise.allSettled(pending.map((index) => limit(() => ask(chunks[index] ?? []))));
  const attempt = settleAttempt(saved, pending, toChunkCalls(settled), chunks.length, {
    isPassing: isRetryable,
    attemptsLeft: control.attempt < control.maxAttempts,
    noAnswer: (known) => new ServiceError('anthropic', known ?? 'No chunk of the review could be answered.', { retryable: false }),
  });
  // Saved before anything is thrown: the next attempt keeps the answers and skips what failed for good.
  if (attempt.spent.length > 0 || settled.some((result) => result.status === 'rejected')) await control.saveCheckpoint(toCheckpoint(job.headSha, key, attempt.outcome));
  if (attempt.spent.length > 0) {
    const merged = mergeChunkReviews(attempt.spent);
    const model = merged.model || agent.model;
    const usd = estimateTotalCost(attempt.spent.map((answer) => answer.usage), model, deps.settings.prices).usd;
    deps.onUsage?.({ model, ...merged.usage, usd });
    await recordSpend(deps, job, spentOf(merged.usage, usd), log);
  }
  if (attempt.stop !== undefined) {
    log.warn({ failed: attempt.failed.length, chunks: chunks.length }, 'model calls failed; the job stops here');
    throw attempt.stop;
  }
  if (attempt.kept > 0) log.info({ kept: attempt.kept, asked: pending.length }, 'model answers kept from an earlier attempt');
  return { ...attempt, asked: pending.length, contextTooLarge: context.contextTooLarge(), toolSecretsMasked: context.secretsMasked() };
}
