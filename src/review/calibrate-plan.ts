import { renderFile } from './build-prompt.js';
import { compressHunks } from './compress-hunks.js';
import { estimateFileTokens } from './estimate-tokens.js';
import { planChunks } from './plan-chunks.js';
import type { ChunkPlan, PlanChunksOptions } from './plan-chunks.js';
import type { DiffFile } from './types.js';

/** Tokens of diff, by estimate, sent to count_tokens at most: enough to average out file-to-file differences. */
export const SAMPLE_TOKENS = 40_000;

/**
 * Added to the counted ratio: the sample stands for files that were not counted, whose ratio differs from the
 * sample's by a few percent. The budget is a promise to the operator, so the difference is taken on the safe side.
 */
export const SAMPLE_MARGIN = 0.03;

/** An estimate this close to the budget may be over it in truth; counting tells. */
export const NEAR_BUDGET = 0.9;

/** A counted ratio outside these bounds says the count is wrong, not the estimate: the plan stays as estimated. */
const PLAUSIBLE_RATIO = { min: 0.25, max: 4 };

/**
 * Counting pays when the estimate decided something: a file left out or clipped for the budget, or a plan so close
 * to the budget that the estimate's error could put it over. Otherwise the exact figure would change nothing.
 */
export function worthCounting(plan: ChunkPlan, budgetTokens: number): boolean {
  return plan.skipped.length > 0 || plan.clipped.length > 0 || plan.estimatedTokens >= budgetTokens * NEAR_BUDGET;
}

export interface Sample {
  /** The user-turn text of the sampled files, exactly as the prompt renders them. */
  text: string;
  /** Its estimate (the sum of estimateFileTokens of the files, as planChunks sums them). */
  estimatedTokens: number;
  files: number;
}

/**
 * Files spread evenly over the pull request (every n-th, so code, config and tests are all represented), in the
 * form the prompt carries them (deletion runs compressed), up to `maxTokens` by estimate. A file larger than what
 * is left of the sample is passed over.
 */
export function sampleFiles(files: readonly DiffFile[], maxTokens = SAMPLE_TOKENS): Sample {
  const copies = files.map((file) => compressHunks(file));
  const sizes = copies.map((file) => estimateFileTokens(file));
  const total = sizes.reduce((sum, size) => sum + size, 0);
  const stride = Math.max(1, Math.ceil(total / Math.max(1, maxTokens)));
  const parts: string[] = [];
  let estimatedTokens = 0;
  for (let offset = 0; offset < stride && estimatedTokens < maxTokens; offset += 1) {
    for (let index = offset; index < copies.length; index += stride) {
      const size = sizes[index] ?? 0;
      if (estimatedTokens + size > maxTokens) continue;
      // renderFile plus the newline that joins it to the next part: what estimateFileTokens estimates.
      parts.push(`${renderFile(copies[index]!)}\n`);
      estimatedTokens += size;
    }
    // One pass over every n-th file is the sample; a second pass only tops up a sample of very uneven files.
    if (estimatedTokens >= maxTokens / 2) break;
  }
  return { text: parts.join(''), estimatedTokens, files: parts.length };
}

/** The estimator scaled by what the sample counted, rounded up per file like the plain estimate. */
export function scaledEstimator(factor: number): (file: DiffFile) => number {
  return (file) => Math.ceil(estimateFileTokens(file) * factor);
}

export interface CalibratedPlan {
  plan: ChunkPlan;
  /** What the count changed, for the check summary; undefined when no count was made or it changed nothing. */
  note: string | undefined;
  /** Counted tokens ÷ estimated tokens of the sample; undefined when no count was made or it failed. */
  ratio: number | undefined;
}

/**
 * The chunk plan, with the estimate checked against the exact count where it pays (`worthCounting`): one
 * count_tokens call on a sample, then the plan again with the estimate scaled by what it counted, so files the
 * estimate left out come back when they fit, and a plan the estimate under-counted keeps to the budget.
 *
 * Counting is an improvement, never a condition: when it fails, or answers something implausible, the plan is
 * the estimated one and `onError` hears why.
 */
export async function planWithCounting(
  files: readonly DiffFile[],
  options: PlanChunksOptions,
  count: ((text: string) => Promise<number>) | undefined,
  onError: (error: unknown) => void,
): Promise<CalibratedPlan> {
  const estimated = planChunks(files, options);
  if (count === undefined || !worthCounting(estimated, options.budgetTokens)) return { plan: estimated, note: undefined, ratio: undefined };
  const sample = sampleFiles(files);
  if (sample.files === 0) return { plan: estimated, note: undefined, ratio: undefined };
  let counted: number;
  try {
    counted = await count(sample.text);
  } catch (error) {
    onError(error);
    return { plan: estimated, note: undefined, ratio: undefined };
  }
  const ratio = counted / sample.estimatedTokens;
  if (!Number.isFinite(ratio) || ratio < PLAUSIBLE_RATIO.min || ratio > PLAUSIBLE_RATIO.max) {
    onError(new Error(`count_tokens answered ${counted} tokens for a sample estimated at ${sample.estimatedTokens}; the estimate is kept`));
    return { plan: estimated, note: undefined, ratio: undefined };
  }
  const plan = planChunks(files, { ...options, estimate: scaledEstimator(ratio + SAMPLE_MARGIN) });
  return { plan, note: describe(estimated, plan, ratio, sample.files), ratio };
}

/** What counting changed, for the check summary; undefined when it changed nothing (quiet unless it matters). */
function describe(estimated: ChunkPlan, counted: ChunkPlan, ratio: number, sampled: number): string | undefined {
  const reviewed = (plan: ChunkPlan) => plan.chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const clipped = (plan: ChunkPlan) => plan.clipped.map((clip) => `${clip.path}:${clip.keptHunks}`).join('\n');
  const difference = reviewed(counted) - reviewed(estimated);
  if (difference === 0 && clipped(counted) === clipped(estimated)) return undefined;
  const effect =
    difference > 0
      ? `${difference} more file(s) fit the budget than the estimate allowed.`
      : difference < 0
        ? `${-difference} file(s) fewer fit the budget than the estimate allowed.`
        : 'The same files fit the budget, clipped differently.';
  return `Token estimate checked with the count_tokens endpoint: ${sampled} sampled file(s) count ${ratio.toFixed(2)}× the estimate. ${effect}`;
}

/**
 * Each chunk's share of the review's budget for tool turns: tool turns spend `budget.max_input_tokens` too, so
 * what the planned diff leaves is shared by the chunks. Zero leaves the agent without its tools.
 */
export function toolTurnTokens(budgetTokens: number, plan: Pick<ChunkPlan, 'estimatedTokens' | 'chunks'>): number {
  return Math.floor(Math.max(0, budgetTokens - plan.estimatedTokens) / Math.max(1, plan.chunks.length));
}
