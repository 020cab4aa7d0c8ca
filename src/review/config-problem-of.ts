import { ServiceError } from '../ports/service-error.js';

/**
 * The problem to report on the check when reading the repository config failed because the file itself is broken
 * (YAML that does not parse, or is not an object): the repository's problem, not an outage. Undefined for any other
 * failure (GitHub down, no permission), which the job retries or reports as a failure.
 */
export function configProblemOf(error: unknown): string | undefined {
  if (!(error instanceof ServiceError) || error.status !== undefined) return undefined;
  const problem = error.cause instanceof Error ? error.cause.message.replace(/^\[@probot\/octokit-plugin-config\]\s*/, '') : error.message;
  return /could not be parsed|not an object/i.test(problem) ? problem : undefined;
}
