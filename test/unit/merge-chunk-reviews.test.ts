import { describe, expect, it } from 'vitest';
import type { ModelReview } from '../../src/ports/review-model.js';
import { mergeChunkReviews } from '../../src/review/merge-chunk-reviews.js';

const answer = (overrides: Partial<ModelReview>): ModelReview => ({
  summary: '',
  checklist: [],
  findings: [],
  usage: { inputTokens: 10, outputTokens: 2, cacheCreationInputTokens: 5, cacheReadInputTokens: 1 },
  model: 'claude-sonnet-5-5',
  stopReason: 'end_turn',
  ...overrides,
});

describe('mergeChunkReviews', () => {
  it('keeps the worst status of an item across chunks and every finding', () => {
    const merged = mergeChunkReviews([
      answer({ summary: 'Chunk one.', checklist: [{ item: 'authentication', status: 'ok', note: 'fine' }], findings: [{ a: 1 }] }),
      answer({ summary: 'Chunk two.', checklist: [{ item: 'Authentication', status: 'concern', note: 'no check on /admin' }], findings: [{ b: 2 }] }),
    ]);

    expect(merged.checklist).toEqual([{ item: 'Authentication', status: 'concern', note: 'no check on /admin' }]);
    expect(merged.findings).toEqual([{ a: 1 }, { b: 2 }]);
    expect(merged.summary).toBe('Chunk one.\n\nChunk two.');
  });

  it('sums usage over chunks, one-hour cache writes included', () => {
    const oneHour = { inputTokens: 10, outputTokens: 2, cacheCreationInputTokens: 5, cacheReadInputTokens: 1, cacheCreation1hInputTokens: 4 };
    const merged = mergeChunkReviews([answer({}), answer({}), answer({ usage: oneHour })]);

    expect(merged.usage).toEqual({ inputTokens: 30, outputTokens: 6, cacheCreationInputTokens: 15, cacheReadInputTokens: 3, cacheCreation1hInputTokens: 4 });
  });
});
