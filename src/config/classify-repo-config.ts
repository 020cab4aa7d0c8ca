import { configProblemOf } from '../review/config-problem-of.js';
import { parseRepoConfig } from './repo-config.js';
import type { RepoConfig } from './repo-config.js';

export type ConfigLoad = { ok: true; config: RepoConfig } | { ok: false; problems: string[] };

/**
 * What reading the repository config (default branch) came to: the file's value, or the error reading it. A broken
 * file is reported on the check like any invalid field; any other failure (GitHub down, no permission) is thrown
 * again, for the job to retry or report as a failure.
 */
export function classifyRepoConfig(read: { raw: unknown } | { error: unknown }): ConfigLoad {
  if ('error' in read) {
    const problem = configProblemOf(read.error);
    if (problem === undefined) throw read.error;
    return { ok: false, problems: [problem] };
  }
  const parsed = parseRepoConfig(read.raw);
  return parsed.ok ? { ok: true, config: parsed.config } : { ok: false, problems: parsed.problems };
}
