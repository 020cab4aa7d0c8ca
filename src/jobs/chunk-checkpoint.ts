import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ModelReview } from '../ports/review-model.js';
import { validateChecklist } from '../review/findings-schema.js';
import type { DiffFile } from '../review/types.js';

/**
 * The model's answers to one attempt's chunks, kept by the queue for the job's later attempts. A job retried after
 * the model answered (GitHub failed the review or the check, or a rate limit interrupted publishing) publishes
 * those answers instead of paying for the same review again and perhaps getting different findings; a job retried
 * because some chunks' calls failed for a passing reason asks the model for those chunks only.
 */
export interface ChunkOutcome {
  /** Per chunk, in plan order: the model's answer, or undefined when the call for that chunk failed. */
  answers: (ModelReview | undefined)[];
  /** Why calls failed, one line each. */
  errors: string[];
}

const checkpointSchema = z.object({
  v: z.literal(1),
  head: z.string(),
  plan: z.string(),
  answers: z.array(
    z
      .object({
      summary: z.string(),
      checklist: z.array(z.unknown()),
      findings: z.array(z.unknown()),
      usage: z.object({
        inputTokens: z.number().nonnegative(),
        outputTokens: z.number().nonnegative(),
        cacheCreationInputTokens: z.number().nonnegative(),
        cacheReadInputTokens: z.number().nonnegative(),
      }),
      model: z.string(),
      stopReason: z.string().nullable(),
    })
      // JSON has no undefined: a failed chunk is saved as null.
      .nullable(),
  ),
  errors: z.array(z.string()),
});

export type ChunkCheckpoint = z.infer<typeof checkpointSchema>;

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
  return { v: 1, head: headSha, plan, answers: outcome.answers.map((answer) => answer ?? null), errors: outcome.errors };
}

/**
 * The saved outcome when it belongs to this head and this very plan, with an entry for every chunk; otherwise
 * undefined, and the chunks are reviewed again.
 */
export function readCheckpoint(saved: unknown, headSha: string, plan: string, chunkCount: number): ChunkOutcome | undefined {
  const parsed = checkpointSchema.safeParse(saved);
  if (!parsed.success) return undefined;
  const { data } = parsed;
  if (data.head !== headSha || data.plan !== plan || data.answers.length !== chunkCount) return undefined;
  return {
    answers: data.answers.map((answer) => (answer === null ? undefined : { ...answer, checklist: validateChecklist(answer.checklist) })),
    errors: data.errors,
  };
}

/** Indexes of the chunks whose call failed. */
export function failedChunks(outcome: ChunkOutcome): number[] {
  return outcome.answers.flatMap((answer, index) => (answer === undefined ? [index] : []));
}
