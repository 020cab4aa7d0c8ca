import type { ModelRequest, ModelReview, ReviewModel } from '../../src/ports/review-model.js';

/** What one review call does: answers (a partial ModelReview, the rest filled in) or throws. */
export type FakeAnswer = Partial<ModelReview> | { throws: unknown };

export interface FakeReviewModel extends ReviewModel {
  /** Every review request, as sent. */
  readonly requests: ModelRequest[];
}

/**
 * A ReviewModel without HTTP, for runner and pipeline tests (nock stays for the Anthropic adapter's own tests).
 * `answers` are used in order, the last one again for any further call; a function answers each request itself.
 */
export function fakeReviewModel(answers: FakeAnswer[] | ((request: ModelRequest, index: number) => FakeAnswer) = [{}]): FakeReviewModel {
  const requests: ModelRequest[] = [];
  return {
    requests,
    review: async (request) => {
      requests.push(request);
      const answer = typeof answers === 'function' ? answers(request, requests.length - 1) : answers[Math.min(requests.length - 1, answers.length - 1)];
      if (answer === undefined) throw new Error('fakeReviewModel was given no answer');
      if ('throws' in answer) throw answer.throws;
      return {
        summary: 'Looks fine.',
        checklist: [],
        findings: [],
        usage: { inputTokens: 1000, outputTokens: 100, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
        model: request.model,
        stopReason: 'end_turn',
        ...answer,
      };
    },
  };
}
