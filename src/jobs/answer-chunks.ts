import pLimit from 'p-limit';
import type { JobModelTools } from '../context/model-tools.js';
import type { AgentChoice } from '../ports/agent-provider.js';
import { isRetryable, ServiceError } from '../ports/service-error.js';
import { chunkPrompts } from '../review/chunk-prompts.js';
import { planKey, readCheckpoint, retryableChunks, settleAttempt, toChunkCalls, toCheckpoint } from '../review/chunk-checkpoint.js';
import type { SettledAttempt } from '../review/chunk-checkpoint.js';
import type { DiffFile } from '../review/types.js';
import { chargeUsage } from './daily-budget.js';
import type { PipelineInput } from './review-pull-request.js';

export type Answered = SettledAttempt & { asked: number };

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
  const prompts = chunkPrompts(agent.agent, chunks, pr, config.instructions, config.review.walkthrough);
  const limit = pLimit(deps.settings.modelConcurrency);
  const ask = (chunk: DiffFile[]) => deps.model.review({ model: agent.model, system: prompts.system, user: prompts.user(chunk), maxOutputTokens: deps.settings.maxOutputTokens, ...tools });
  const settled = await Promise.allSettled(pending.map((index) => limit(() => ask(chunks[index] ?? []))));
  const attempt = settleAttempt(saved, pending, toChunkCalls(settled), chunks.length, {
    isPassing: isRetryable,
    attemptsLeft: control.attempt < control.maxAttempts,
    noAnswer: (known) => new ServiceError('anthropic', known ?? 'No chunk of the review could be answered.', { retryable: false }),
  });
  // Saved before anything is thrown: the next attempt keeps the answers and skips what failed for good.
  if (attempt.spent.length > 0 || settled.some((result) => result.status === 'rejected')) await control.saveCheckpoint(toCheckpoint(job.headSha, key, attempt.outcome));
  if (attempt.spent.length > 0) await chargeUsage(deps, job, attempt.spent.find((answer) => answer.model)?.model ?? agent.model, attempt.spent.map((answer) => answer.usage), log);
  if (attempt.stop !== undefined) {
    log.warn({ failed: attempt.failed.length, chunks: chunks.length }, 'model calls failed; the job stops here');
    throw attempt.stop;
  }
  if (attempt.kept > 0) log.info({ kept: attempt.kept, asked: pending.length }, 'model answers kept from an earlier attempt');
  return { ...attempt, asked: pending.length };
}
