import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ModelReview } from '../ports/review-model.js';
import { validateChecklist } from './findings-schema.js';
import type { DiffFile } from './types.js';
import { walkthroughNoteSchema } from './walkthrough.js';

/**
 * The model's answers to one attempt's chunks, kept by the queue for the job's later attempts. A job retried after
 * the model answered (GitHub failed the review or the check, or a rate limit interrupted publishing) publishes
 * those answers instead of paying for the same review again and perhaps getting different findings; a job retried
 * because some chunks' calls failed for a passing reason asks the model for those chunks only.
 */
export interface ChunkOutcome {
  /** Per chunk, in plan order: the model's answer, or undefined when the call for that chunk failed. */
  answers: (ModelReview | undefined)[];
  /** Failed chunks whose failure asking again would only repeat (out of output tokens, a refusal): not retried. */
  final: number[];
  /** Per chunk, in plan order: why its call failed, or undefined when it answered. */
  errors: (string | undefined)[];
}

const answerSchema = z.object({
  summary: z.string(),
  checklist: z.array(z.unknown()),
  findings: z.array(z.unknown()),
  // A saved walkthrough that no longer reads is left out, not the answer with it.
  walkthrough: z.array(walkthroughNoteSchema).optional().catch(undefined),
  usage: z.object({
    inputTokens: z.number().nonnegative(),
    outputTokens: z.number().nonnegative(),
    cacheCreationInputTokens: z.number().nonnegative(),
    cacheReadInputTokens: z.number().nonnegative(),
    cacheCreation1hInputTokens: z.number().nonnegative().default(0),
  }),
  model: z.string(),
  stopReason: z.string().nullable(),
});

const checkpointSchema = z.object({
  v: z.literal(1),
  head: z.string(),
  plan: z.string(),
  // JSON has no undefined: a failed chunk is saved as null.
  answers: z.array(answerSchema.nullable()),
  final: z.array(z.number().int().nonnegative()),
  errors: z.array(z.string().nullable()),
});

/** What is saved (the input side of the schema: a one-hour write count may be absent). */
export type ChunkCheckpoint = z.input<typeof checkpointSchema>;

/** Names a plan: the same files, with the same hunks, in the same chunks. */
export function planKey(chunks: readonly DiffFile[][]): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) {
    for (const file of chunk) hash.update(`${file.path}\u0000${file.hunks.length}\u0000`);
    hash.update('\u0001');
  }
  return hash.digest('hex');
}

export function toCheckpoint(headSha: string, plan: string, outcome: ChunkOutcome): ChunkCheckpoint {
  return { v: 1, head: headSha, plan, answers: outcome.answers.map((answer) => answer ?? null), final: outcome.final, errors: outcome.errors.map((error) => error ?? null) };
}

/**
 * The saved outcome when it belongs to this head and this very plan, with an entry for every chunk; otherwise
 * undefined, and the chunks are reviewed again.
 */
export function readCheckpoint(saved: unknown, headSha: string, plan: string, chunkCount: number): ChunkOutcome | undefined {
  const parsed = checkpointSchema.safeParse(saved);
  if (!parsed.success) return undefined;
  const { data } = parsed;
  if (data.head !== headSha || data.plan !== plan || data.answers.length !== chunkCount || data.errors.length !== chunkCount) return undefined;
  if (data.final.some((index) => data.answers[index] !== null)) return undefined;
  return {
    answers: data.answers.map((answer) => (answer === null ? undefined : { ...answer, checklist: validateChecklist(answer.checklist) })),
    final: data.final,
    errors: data.errors.map((error) => error ?? undefined),
  };
}

/** Indexes of the chunks whose call failed. */
export function failedChunks(outcome: ChunkOutcome): number[] {
  return outcome.answers.flatMap((answer, index) => (answer === undefined ? [index] : []));
}

/** Indexes of the failed chunks worth asking again. */
export function retryableChunks(outcome: ChunkOutcome): number[] {
  const final = new Set(outcome.final);
  return failedChunks(outcome).filter((index) => !final.has(index));
}

/** One chunk's call: its answer, or why it failed. */
export interface ChunkCall {
  answer: ModelReview | undefined;
  failure: { reason: unknown; message: string } | undefined;
}

/** What an attempt's calls came to: the outcome to save, the answers so far, and whether the job must stop. */
export interface SettledAttempt {
  outcome: ChunkOutcome;
  /** The answers of the chunks that answered, in plan order; those answered in this attempt (to count their cost). */
  answers: ModelReview[];
  spent: ModelReview[];
  /** Indexes of the chunks whose call failed, and why. */
  failed: number[];
  errors: string[];
  /** Chunks whose answer was kept from an earlier attempt. */
  kept: number;
  /** Thrown once the checkpoint is saved and the spend counted: no chunk answered, or one failed for a passing reason while attempts remain. */
  stop: unknown;
}

/**
 * The outcome after this attempt's calls: the saved one (or a fresh one) with each asked chunk's answer or
 * failure. A failure asking again would only repeat (`isPassing` false) is final: not asked again. A retry keeps
 * what the model already answered; a job with attempts left is retried rather than posted partial.
 */
export function settleAttempt(
  saved: ChunkOutcome | undefined,
  pending: readonly number[],
  calls: readonly ChunkCall[],
  chunkCount: number,
  options: { isPassing: (reason: unknown) => boolean; attemptsLeft: boolean; noAnswer: (message: string | undefined) => unknown },
): SettledAttempt {
  const outcome: ChunkOutcome = saved ? { answers: [...saved.answers], final: [...saved.final], errors: [...saved.errors] } : { answers: [], final: [], errors: [] };
  pending.forEach((index, call) => {
    const result = calls[call];
    outcome.answers[index] = result?.answer;
    outcome.errors[index] = result?.failure?.message;
    if (result?.failure !== undefined && !options.isPassing(result.failure.reason)) outcome.final.push(index);
  });
  const answers = outcome.answers.filter((answer): answer is ModelReview => answer !== undefined);
  const failures = calls.flatMap((result) => (result.failure ? [result.failure.reason] : []));
  const passing = failures.find(options.isPassing);
  const stop =
    answers.length === 0 && chunkCount > 0
      ? (passing ?? failures[0] ?? options.noAnswer(outcome.errors.find((error) => error !== undefined)))
      : options.attemptsLeft ? passing : undefined;
  const failed = failedChunks(outcome);
  return {
    outcome,
    answers,
    spent: calls.flatMap((result) => (result.answer ? [result.answer] : [])),
    failed,
    errors: failed.flatMap((index) => outcome.errors[index] ?? []),
    kept: saved ? saved.answers.filter((answer) => answer !== undefined).length : 0,
    stop,
  };
}

/** Per chunk, its answer or why its call failed (from `Promise.allSettled`). */
export function toChunkCalls(settled: readonly PromiseSettledResult<ModelReview>[]): ChunkCall[] {
  return settled.map((result) =>
    result.status === 'fulfilled'
      ? { answer: result.value, failure: undefined }
      : { answer: undefined, failure: { reason: result.reason as unknown, message: result.reason instanceof Error ? result.reason.message : String(result.reason) } },
  );
}
