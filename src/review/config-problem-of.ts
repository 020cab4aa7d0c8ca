import { ServiceError } from '../ports/service-error.js';
import { extendsProblem } from '../render/render-config-problems.js';

/**
 * The problem to report on the check when reading the repository config failed because the file itself is broken
 * (YAML that does not parse, or is not an object): the repository's problem, not an outage. Undefined for any other
 * failure (GitHub down, no permission), which the job retries or reports as a failure.
 */
export function configProblemOf(error: unknown): string | undefined {
  if (!(error instanceof ServiceError) || error.status !== undefined) return undefined;
  const problem = error.cause instanceof Error ? error.cause.message.replace(/^\[@probot\/octokit-plugin-config\]\s*/, '') : error.message;
  // An `_extends` the config plugin refuses (not a repository reference, or a chain that comes back on itself) is
  // the file's problem too, not an outage to retry.
  const badExtends = /^Invalid value (.*) for _extends in /s.exec(problem);
  if (badExtends) return extendsProblem('invalid', badExtends[1] ?? '');
  if (/^Recursion detected/i.test(problem)) return extendsProblem('loop', problem);
  return /could not be parsed|not an object/i.test(problem) ? problem : undefined;
}
