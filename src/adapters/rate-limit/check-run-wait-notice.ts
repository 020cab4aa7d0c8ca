import type { Logger } from '../../ports/logger.js';
import type { PullRequestHost, PullRequestRef } from '../../ports/pull-request-host.js';
import type { RateLimitWaitListener } from '../../ports/rate-limiter.js';
import { renderInProgress } from '../../render/render-in-progress.js';
import { renderWaitingForCapacity } from '../../render/render-rate-limit-wait.js';

export interface CheckRunWaitNoticeOptions {
  host: PullRequestHost;
  ref: PullRequestRef;
  checkRunId: number;
  headSha: string;
  log: Logger;
}

/** Shorter waits are not shown: two writes to GitHub are not worth a blink. */
const MIN_NOTICE_WAIT_MS = 2_000;

/**
 * One review's check run while its model calls wait for the rate limit: it says so when the first call starts
 * a wait long enough to notice, and goes back to "in progress" when the last waiting call goes on. Both writes
 * are awaited by the call, in order, so the check run is never left saying "waiting" once the review has gone
 * on, and a late write never lands after the check run is completed. A failed write is logged: the review goes on.
 */
export function checkRunWaitNotice(options: CheckRunWaitNoticeOptions): RateLimitWaitListener {
  let waiting = 0;
  let shown = false;
  let writes: Promise<void> = Promise.resolve();
  const write = (output: { title: string; summary: string }) => {
    writes = writes.then(() =>
      options.host.updateCheckRun(options.ref, options.checkRunId, output).catch((error: unknown) => {
        options.log.warn({ err: error, checkRunId: options.checkRunId }, 'could not update the check run about a rate-limit wait');
      }),
    );
    return writes;
  };
  return {
    async waiting(wait) {
      waiting += 1;
      if (shown || wait.waitMs < MIN_NOTICE_WAIT_MS) return;
      shown = true;
      await write(renderWaitingForCapacity(options.headSha, wait));
    },
    async resumed() {
      waiting -= 1;
      if (waiting > 0 || !shown) return;
      shown = false;
      await write(renderInProgress(options.headSha));
    },
  };
}
