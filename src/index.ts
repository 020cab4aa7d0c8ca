import type { ApplicationFunction } from 'probot';
import { createAppIdentity } from './adapters/github/app-identity.js';
import { quietKnownNoise } from './adapters/logging/quiet-known-noise.js';
import { composeRuntime, runnerDeps } from './composition.js';
import { startupLine } from './config/startup-line.js';
import { dispatchGiveUp, dispatchJob } from './conversation/dispatch-job.js';
import { createConversationRunner } from './conversation/run-conversation.js';
import type { Runtime, RuntimeOverrides } from './composition.js';
import { healthHandler } from './handlers/health.js';
import { metricsHandler } from './handlers/metrics.js';
import { onCheckRun } from './handlers/on-check-run.js';
import { onIssueComment } from './handlers/on-issue-comment.js';
import { onPullRequest, PULL_REQUEST_EVENTS } from './handlers/on-pull-request.js';
import { onPullRequestEdited } from './handlers/on-pull-request-edited.js';
import { onReviewComment } from './handlers/on-review-comment.js';
import { createGiveUp } from './jobs/give-up.js';
import { createReviewRunner } from './jobs/run-review.js';

export interface BulwarkOptions extends RuntimeOverrides {
  /** Called once the App is wired, with what a shutdown needs. */
  onStarted?: (runtime: Runtime) => void;
}

/** The Probot app function: build dependencies, register handlers. Nothing else. */
export function bulwark(options: BulwarkOptions = {}): ApplicationFunction {
  return (app, { addHandler }) => {
    quietKnownNoise(app.log as unknown as Parameters<typeof quietKnownNoise>[0]);
    const runtime = composeRuntime(app, options);
    app.log.info(startupLine(runtime.settings));
    app.onAny(async (context) => {
      runtime.metrics.webhooks.inc({ event: context.name });
    });
    app.on(PULL_REQUEST_EVENTS, onPullRequest(runtime.queue));
    app.on('pull_request.edited', onPullRequestEdited(runtime.queue));
    app.on('issue_comment.created', onIssueComment(runtime.queue));
    const identity = createAppIdentity(() => app.auth());
    app.on('pull_request_review_comment.created', onReviewComment(runtime.queue, identity.known));
    app.on(['check_run.rerequested', 'check_run.requested_action'], onCheckRun(runtime.queue, () => runtime.settings.checkName));
    addHandler(healthHandler(runtime.queue));
    addHandler(metricsHandler(runtime.metrics, runtime.settings.metricsToken));
    const deps = runnerDeps(app, runtime);
    const runner = dispatchJob({ review: createReviewRunner(deps), conversation: createConversationRunner({ ...deps, appSlug: identity.slug }) });
    runtime.queue.start(runner, dispatchGiveUp(createGiveUp({ hostFor: deps.hostFor, checkName: deps.settings.checkName, log: deps.log }), deps.log));
    options.onStarted?.(runtime);
  };
}

export default bulwark();
