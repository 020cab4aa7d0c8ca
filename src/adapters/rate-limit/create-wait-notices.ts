import { AsyncLocalStorage } from 'node:async_hooks';
import type { RateLimitWaitListener } from '../../ports/rate-limiter.js';
import type { ReviewModel } from '../../ports/review-model.js';

export interface WaitNotices {
  /** The listener of the model call this code runs in, if the caller gave one. */
  current(): RateLimitWaitListener | undefined;
  /** `model`, whose calls tell `listener` of their rate-limit waits (one review's check run). */
  around(model: ReviewModel, listener: RateLimitWaitListener): ReviewModel;
}

/**
 * Carries a review's wait listener from its model calls down to the HTTP layer where they wait (the SDK middleware,
 * rate-limit-middleware.ts), without a parameter through every caller: the listener rides on the async context of
 * the call (AsyncLocalStorage), so every attempt of it, the SDK's retries and the tool loop's turns included,
 * reports to the review that made it.
 */
export function createWaitNotices(): WaitNotices {
  const storage = new AsyncLocalStorage<RateLimitWaitListener>();
  return {
    current: () => storage.getStore(),
    around(model, listener) {
      const { verify, countTokens } = model;
      return {
        review: (request, signal) => storage.run(listener, () => model.review(request, signal)),
        ...(verify ? { verify: (request, signal) => storage.run(listener, () => verify.call(model, request, signal)) } : {}),
        ...(countTokens ? { countTokens: (request) => storage.run(listener, () => countTokens.call(model, request)) } : {}),
      };
    },
  };
}
