/**
 * What Bulwark learned per repository, kept for a short time so that reviews and commands do not read it from
 * GitHub each time. In memory for one process, or in Redis, shared by every replica. Values are JSON; what is
 * read back is untrusted in shape (the reader checks it), and losing it costs only a fresh read from GitHub.
 */
export interface LearningCache {
  get(key: string): Promise<unknown>;
  /** Keeps `value` (JSON, copied) for `ttlMs`. */
  set(key: string, value: unknown, ttlMs: number): Promise<void>;
  /** Forgets `key` at once (after a learning is added or forgotten). */
  delete(key: string): Promise<void>;
}

/** The cache key of a repository: one per installation and repository, whatever its pull request. */
export function learningCacheKey(ref: { installationId: number; owner: string; repo: string }): string {
  return `${ref.installationId}/${ref.owner.toLowerCase()}/${ref.repo.toLowerCase()}`;
}
