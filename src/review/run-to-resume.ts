import type { ReviewJob } from '../ports/job-queue.js';
import { reviewJobId } from '../ports/job-queue.js';
import type { ExistingCheckRun } from '../ports/pull-request-host.js';
import { settledRunOfHead } from './settled-run-of-head.js';

/**
 * What the check runs already on the head say this job is to do (`runs`: its check name's runs on the head).
 * Exactly once: a redelivered or retried job finds the check run an earlier attempt created (`resume`), and one
 * already completed leaves nothing to do (`done`). Marked ready or reopened: a head an earlier run reviewed is not
 * reviewed again (`settled`). One that was only skipped (a draft) is, in a check run of its own: GitHub shows, and
 * branch protection uses, the newest run of a name on a commit
 * (https://docs.github.com/en/rest/checks/runs#list-check-runs-for-a-git-reference, `filter: latest`), and a
 * completed run cannot be set back in progress, so the new run supersedes the skipped one (`start`).
 */
export type RunToResume =
  | { kind: 'done'; run: ExistingCheckRun }
  | { kind: 'settled'; run: ExistingCheckRun }
  | { kind: 'resume'; run: ExistingCheckRun }
  | { kind: 'start'; run: undefined };

export function runToResume(runs: readonly ExistingCheckRun[], job: ReviewJob): RunToResume {
  const existing = runs.find((run) => run.externalId === reviewJobId(job));
  if (existing) return { kind: existing.status === 'completed' ? 'done' : 'resume', run: existing };
  const settled = settledRunOfHead(runs, job);
  return settled ? { kind: 'settled', run: settled } : { kind: 'start', run: undefined };
}
