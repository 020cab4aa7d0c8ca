import type { JobControl } from '../ports/job-queue.js';

/**
 * The job control of a workflow run: one attempt (a failure completes the check run with how to retry, and the
 * workflow can be re-run), nothing newer to supersede it within the run, and no earlier attempt's answers to
 * resume. No queue holds any other job: another run's check left in progress on the same head is one a stopped
 * workflow left behind, since the documented workflow runs one review per pull request at a time (`concurrency`).
 */
export function oneShotControl(): JobControl {
  return {
    attempt: 1,
    maxAttempts: 1,
    isSuperseded: async () => false,
    loadCheckpoint: async () => undefined,
    saveCheckpoint: async () => undefined,
    isLive: async () => false,
  };
}
