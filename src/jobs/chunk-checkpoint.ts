import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ModelReview } from '../ports/review-model.js';
import { validateChecklist } from '../review/findings-schema.js';
import type { DiffFile } from '../review/types.js';

/**
 * The model's answers to one attempt's chunks, kept by the queue for the job's later attempts: a job retried after
 * the model answered (GitHub failed the review or the check, or a rate limit interrupted publishing) publishes
 * those answers instead of paying for the same review again and perhaps getting different findings.
 */
export interface ChunkOutcome {
  answers: ModelReview[];
  /** The chunks whose call failed, by index in the plan. */
  failed: number[];
  errors: string[];
}

const checkpointSchema = z.object({
  v: z.literal(1),
  head: z.string(),
  plan: z.string(),
  answers: z.array(
    z.object({
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
    }),
  ),
  failed: z.array(z.number().int().nonnegative()),
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
  return { v: 1, head: headSha, plan, answers: outcome.answers, failed: outcome.failed, errors: outcome.errors };
}

/**
 * The saved outcome when it belongs to this head and this very plan and accounts for every chunk; otherwise
 * undefined, and the chunks are reviewed again.
 */
export function readCheckpoint(saved: unknown, headSha: string, plan: string, chunkCount: number): ChunkOutcome | undefined {
  const parsed = checkpointSchema.safeParse(saved);
  if (!parsed.success) return undefined;
  const { data } = parsed;
  if (data.head !== headSha || data.plan !== plan) return undefined;
  if (data.answers.length + data.failed.length !== chunkCount || data.failed.some((index) => index >= chunkCount)) return undefined;
  return {
    answers: data.answers.map((answer) => ({ ...answer, checklist: validateChecklist(answer.checklist) })),
    failed: data.failed,
    errors: data.errors,
  };
}
