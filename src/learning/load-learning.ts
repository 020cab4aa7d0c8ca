import type { LearningCache } from '../ports/learning-cache.js';
import { learningCacheKey } from '../ports/learning-cache.js';
import type { Logger } from '../ports/logger.js';
import type { PullRequestRef } from '../ports/pull-request-host.js';
import { parseLearningSnapshot } from './learning-snapshot.js';
import type { LearningSnapshot } from './learning-snapshot.js';
import { readLearning } from './read-learning.js';
import type { LearningReader, ReadLimits } from './read-learning.js';

/** Where what was learned is kept between reads, and for how long. */
export interface LearningDeps {
  cache: LearningCache;
  /** How long a repository's snapshot is reused before GitHub is read again (BULWARK_LEARNING_CACHE_SECONDS). */
  ttlMs: number;
  log: Logger;
  limits?: ReadLimits | undefined;
}

/**
 * The repository's snapshot: from the cache while it lives, else read from GitHub and kept. `fresh` reads GitHub
 * whatever the cache holds (a command that lists or changes learnings). The cache never costs a read: when it
 * fails, GitHub is read and the failure logged.
 */
export async function loadLearning(host: LearningReader, ref: PullRequestRef, deps: LearningDeps, options: { fresh?: boolean } = {}): Promise<LearningSnapshot> {
  const key = learningCacheKey(ref);
  if (!options.fresh) {
    const cached = await deps.cache.get(key).catch((error: unknown) => {
      deps.log.warn({ err: error }, 'could not read the learning cache; reading GitHub instead');
      return undefined;
    });
    const snapshot = cached === undefined ? undefined : parseLearningSnapshot(cached);
    if (snapshot) return snapshot;
  }
  const snapshot = await readLearning(host, ref, deps.limits);
  if (deps.ttlMs <= 0) return snapshot;
  await deps.cache.set(key, snapshot, deps.ttlMs).catch((error: unknown) => deps.log.warn({ err: error }, 'could not keep what was learned in the cache'));
  return snapshot;
}

/** Drops the repository's snapshot, so the next review reads what a command just changed. */
export async function forgetCachedLearning(ref: PullRequestRef, deps: LearningDeps): Promise<void> {
  await deps.cache.delete(learningCacheKey(ref)).catch((error: unknown) => deps.log.warn({ err: error }, 'could not clear the learning cache'));
}
