import type { JobControl, ReviewJob } from '../ports/job-queue.js';
import type { ReviewModel } from '../ports/review-model.js';

/** A model call refused because a newer head of the pull request was queued: the run ends as superseded. */
export class SupersededError extends Error {
  constructor() {
    super('A newer head of the pull request was queued; this review stops before its next model call.');
    this.name = 'SupersededError';
  }
}

/** By name as well as class, so an error rebuilt across a module boundary still counts. */
export function isSupersededError(error: unknown): boolean {
  return error instanceof SupersededError || (error instanceof Error && error.name === 'SupersededError');
}

/**
 * The model as one run of a review sees it: before each call (a chunk, a verification batch) the run asks its queue
 * whether a newer head was queued, and once one was, every call not yet started is refused with `SupersededError`
 * instead of paid for. Calls already under way finish. A command reviews whatever head the pull request has, so
 * nothing supersedes it. Everything else the model offers passes through as it is.
 */
export function stopWhenSuperseded(model: ReviewModel, job: Pick<ReviewJob, 'command'>, control: Pick<JobControl, 'isSuperseded'>): ReviewModel {
  if (job.command) return model;
  let superseded = false;
  const check = async () => {
    superseded ||= await control.isSuperseded();
    if (superseded) throw new SupersededError();
  };
  const guarded: Partial<ReviewModel> = {
    review: async (request, signal) => {
      await check();
      return model.review(request, signal);
    },
    ...(model.verify && {
      verify: async (request, signal) => {
        await check();
        return model.verify!(request, signal);
      },
    }),
  };
  return new Proxy(model, {
    get(target, property) {
      if (property in guarded) return guarded[property as keyof ReviewModel];
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
