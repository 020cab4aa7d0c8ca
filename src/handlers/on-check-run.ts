import type { Context } from 'probot';
import type { JobQueue } from '../ports/job-queue.js';
import { RE_REVIEW_ACTION } from '../ports/pull-request-host.js';

/**
 * Re-run on the Bulwark check (`check_run.rerequested`) and its "Re-review" button (`requested_action`) review
 * that head sha again. The PR number comes from the run's pull_requests, or, for forks where GitHub leaves that
 * list empty, from our own external_id.
 */
export function onCheckRun(queue: JobQueue, checkName: () => string) {
  return async (context: Context<'check_run.rerequested' | 'check_run.requested_action'>): Promise<void> => {
    const { payload } = context;
    const run = payload.check_run;
    // GitHub sends these only to the App that created the run; the name tells Bulwark's runs from others it may own.
    if (run.name !== checkName()) return;
    if (payload.action === 'requested_action' && payload.requested_action?.identifier !== RE_REVIEW_ACTION) return;
    const installationId = payload.installation?.id;
    const pullNumber = run.pull_requests[0]?.number ?? pullNumberFromExternalId(run.external_id);
    if (installationId === undefined || pullNumber === undefined) {
      context.log.warn({ checkRunId: run.id }, 're-run without a pull request; ignored');
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

/** Our external_id is the job id: `review/<installation>/<owner>/<repo>/<pr>/<sha>/<run>`. */
export function pullNumberFromExternalId(externalId: string | null | undefined): number | undefined {
  const parts = externalId?.split('/') ?? [];
  const number = parts[0] === 'review' ? Number(parts[4]) : Number.NaN;
  return Number.isInteger(number) && number > 0 ? number : undefined;
}
