import { describe, expect, it } from 'vitest';
import type { ModelRequest, ReviewModel } from '../../src/ports/review-model.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { finding } from '../helpers/model-stand-in.js';

/** What the model under test answers to the one call of a test. */
export type ScriptedAnswer =
  | { kind: 'review'; summary: string; findings: unknown[]; usage: { inputTokens: number; outputTokens: number } }
  /** The provider refused the request for good (a 400). */
  | { kind: 'invalid-request' }
  /** The provider is overloaded (a 529): worth another attempt. */
  | { kind: 'overloaded' };

export const REQUEST: ModelRequest = { model: 'claude-sonnet-5-5', system: 'You review backend code.', user: '<pull_request>…</pull_request>', maxOutputTokens: 4000 };

/**
 * One ReviewModel contract: the fake the runner tests use answers like the Anthropic adapter does (shape of a
 * review, which failures are ServiceErrors worth retrying), so a runner test on the fake says something true of
 * the adapter. `build` turns the answer into a model that gives it to the call.
 */
export function reviewModelContract(name: string, build: (answer: ScriptedAnswer) => ReviewModel): void {
  describe(`ReviewModel contract: ${name}`, () => {
    it('answers a review with its summary, the raw findings, the usage and the model', async () => {
      const model = build({ kind: 'review', summary: 'One injection.', findings: [finding()], usage: { inputTokens: 1200, outputTokens: 300 } });

      const review = await model.review(REQUEST);

      expect(review).toMatchObject({ summary: 'One injection.', findings: [finding()], model: 'claude-sonnet-5-5', stopReason: 'end_turn' });
      expect(review.checklist).toEqual([]);
      expect(review.usage).toMatchObject({ inputTokens: 1200, outputTokens: 300 });
    });

    it('fails a request the provider refuses with a ServiceError that is not retried', async () => {
      const failure = await build({ kind: 'invalid-request' }).review(REQUEST).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(ServiceError);
      expect(failure).toMatchObject({ service: 'anthropic', retryable: false });
    });

    it('fails an overloaded call with a ServiceError worth retrying', async () => {
      const failure = await build({ kind: 'overloaded' }).review(REQUEST).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(ServiceError);
      expect(failure).toMatchObject({ service: 'anthropic', retryable: true });
    });
  });
}
