import type { Logger } from '../ports/logger.js';
import type { CheckRunCompletion, PullRequestHost } from '../ports/pull-request-host.js';
import { ServiceError } from '../ports/service-error.js';

/** The check run id handed out when the token may not create one: updates and completions of it go to the log. */
export const NO_CHECK_RUN = 0;

export interface CheckOutcome {
  conclusion: CheckRunCompletion['conclusion'];
  title: string;
  /** Whether the check run exists on GitHub (false: the token may not write checks, and only the log tells). */
  posted: boolean;
}

export interface ChecksOptionalHost extends PullRequestHost {
  /** How the last check run of the run was completed, posted or not; undefined when none was. */
  outcome(): CheckOutcome | undefined;
}

/**
 * A workflow token writes checks only with `permissions: checks: write`
 * (https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token);
 * without it GitHub answers 403 to listing and creating check runs. The review is still worth posting: the host
 * then lists no runs, hands out NO_CHECK_RUN, and writes what the check would have said to the log, once warned.
 * A 403 that is a rate limit is retryable and passes through like any other failure.
 */
export function checksOptionalHost(inner: PullRequestHost, log: Logger): ChecksOptionalHost {
  let denied = false;
  let last: CheckOutcome | undefined;
  const deny = (error: unknown): boolean => {
    if (!(error instanceof ServiceError) || error.status !== 403 || error.retryable) return false;
    if (!denied) {
      log.warn(
        { status: 403 },
        'the token may not write check runs: posting the review without a check run. Give the workflow `permissions: checks: write` to get the Bulwark check',
      );
    }
    denied = true;
    return true;
  };
  return {
    ...inner,
    outcome: () => last,
    listCheckRuns: async (ref, headSha, name) => {
      if (denied) return [];
      try {
        return await inner.listCheckRuns(ref, headSha, name);
      } catch (error) {
        if (deny(error)) return [];
        throw error;
      }
    },
    createCheckRun: async (ref, start) => {
      if (denied) return { id: NO_CHECK_RUN };
      try {
        return await inner.createCheckRun(ref, start);
      } catch (error) {
        if (deny(error)) return { id: NO_CHECK_RUN };
        throw error;
      }
    },
    updateCheckRun: async (ref, checkRunId, output) => {
      if (checkRunId === NO_CHECK_RUN) {
        log.info({ title: output.title }, 'check run (not posted) updated');
        return;
      }
      await inner.updateCheckRun(ref, checkRunId, output);
    },
    completeCheckRun: async (ref, checkRunId, completion) => {
      const posted = checkRunId !== NO_CHECK_RUN;
      if (posted) await inner.completeCheckRun(ref, checkRunId, completion);
      last = { conclusion: completion.conclusion, title: completion.output.title, posted };
      log.info({ conclusion: completion.conclusion, title: completion.output.title, posted }, posted ? 'check run completed' : 'check run (not posted) completed');
    },
  };
}
