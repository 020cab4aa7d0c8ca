import type { ModelReview, ModelUsage } from '../ports/review-model.js';
import type { ChecklistEntry } from './types.js';
import type { WalkthroughNote } from './walkthrough.js';

export interface MergedReview {
  summary: string;
  checklist: ChecklistEntry[];
  /** Raw findings of every chunk, validated one by one downstream. */
  findings: unknown[];
  /** Every chunk's walkthrough notes (chunks hold different files), in chunk order; [] when none gave any. */
  walkthrough: WalkthroughNote[];
  usage: ModelUsage;
  model: string;
}

const STATUS_WEIGHT = { concern: 2, ok: 1, 'not-applicable': 0 } as const;

/**
 * One review out of the answers for each chunk: summaries joined, each checklist item at its worst status across
 * chunks (a concern anywhere is a concern), findings and walkthrough notes concatenated (deduplicated later),
 * usage summed.
 */
export function mergeChunkReviews(answers: readonly ModelReview[]): MergedReview {
  return {
    summary: answers.map((answer) => answer.summary.trim()).filter(Boolean).join('\n\n'),
    checklist: mergeChecklists(answers.map((answer) => answer.checklist)),
    findings: answers.flatMap((answer) => answer.findings),
    walkthrough: answers.flatMap((answer) => answer.walkthrough ?? []),
    usage: sumUsage(answers.map((answer) => answer.usage)),
    model: answers.find((answer) => answer.model)?.model ?? '',
  };
}

export function sumUsage(usages: readonly ModelUsage[]): ModelUsage {
  return usages.reduce(
    (total, usage) => ({
      inputTokens: total.inputTokens + usage.inputTokens,
      outputTokens: total.outputTokens + usage.outputTokens,
      cacheCreationInputTokens: total.cacheCreationInputTokens + usage.cacheCreationInputTokens,
      cacheReadInputTokens: total.cacheReadInputTokens + usage.cacheReadInputTokens,
      cacheCreation1hInputTokens: (total.cacheCreation1hInputTokens ?? 0) + (usage.cacheCreation1hInputTokens ?? 0),
    }),
    { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, cacheCreation1hInputTokens: 0 },
  );
}

function mergeChecklists(lists: readonly ChecklistEntry[][]): ChecklistEntry[] {
  const merged = new Map<string, ChecklistEntry>();
  for (const entry of lists.flat()) {
    const key = entry.item.toLowerCase();
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...entry });
    else if (STATUS_WEIGHT[entry.status] > STATUS_WEIGHT[seen.status]) merged.set(key, { ...entry });
    else if (entry.status === seen.status && entry.note && !seen.note.includes(entry.note)) {
      seen.note = seen.note ? `${seen.note}; ${entry.note}` : entry.note;
    }
  }
  return [...merged.values()];
}
