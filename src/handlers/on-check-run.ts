import type { Context } from 'probot';
import type { JobQueue } from '../ports/job-queue.js';
import { RE_REVIEW_ACTION } from '../ports/pull-request-host.js';

/**
 * Re-run on the Bulwark check (`check_run.rerequested`) and its "Re-review" button (`requested_action`) review
 * that head sha again; the job checks the sender's permission before anything else. The pull request is the one the
 * run's external_id (its job id, which only Bulwark sets) names: `check_run.pull_requests` is empty for forks and may
 * list other pull requests whose head is the same commit.
 */
export function onCheckRun(queue: JobQueue, checkName: () => string) {
  return async (context: Context<'check_run.rerequested' | 'check_run.requested_action'>): Promise<void> => {
    const { payload } = context;
    const run = payload.check_run;
    // GitHub sends these only to the App that created the run; the name tells Bulwark's runs from others it may own.
    if (run.name !== checkName()) return;
    if (payload.action === 'requested_action' && payload.requested_action?.identifier !== RE_REVIEW_ACTION) return;
    const installationId = payload.installation?.id;
    const pullNumber = installationId === undefined ? undefined : pullNumberFromExternalId(run.external_id, installationId);
    if (installationId === undefined || pullNumber === undefined) {
      context.log.warn({ checkRunId: run.id }, 're-run of a run that names no pull request of this installation; ignored');
      return;
    }
    const result = await queue.enqueue({
      installationId,
      owner: payload.repository.owner.login,
      repo: payload.repository.name,
      pullNumber,
      headSha: run.head_sha,
      trigger: 'rerequested',
      full: true,
      deliveryId: context.id,
      run: `rerun-${context.id}`,
      requestedBy: payload.sender.login,
    });
    context.log.info({ jobId: result.jobId, queued: result.queued }, 're-review requested');
  };
}

/**
 * Our external_id is the job id: `review/<installation>/<owner>/<repo>/<pr>/<sha>/<run>`. Owner and repo are not
 * compared (a repository can be renamed or transferred under its runs); the installation is.
 */
export function pullNumberFromExternalId(externalId: string | null | undefined, installationId: number): number | undefined {
  const parts = externalId?.split('/') ?? [];
  if (parts[0] !== 'review' || parts[1] !== String(installationId)) return undefined;
  const number = Number(parts[4]);
  return Number.isInteger(number) && number > 0 ? number : undefined;
}
