import type { ApplicationFunction } from 'probot';
import { composeRuntime, runnerDeps } from './composition.js';
import type { Runtime, RuntimeOverrides } from './composition.js';
import { healthHandler } from './handlers/health.js';
import { onPullRequest, PULL_REQUEST_EVENTS } from './handlers/on-pull-request.js';
import { createReviewRunner } from './jobs/run-review.js';

export interface BulwarkOptions extends RuntimeOverrides {
  /** Called once the App is wired, with what a shutdown needs. */
  onStarted?: (runtime: Runtime) => void;
}

/** The Probot app function: build dependencies, register handlers. Nothing else. */
export function bulwark(options: BulwarkOptions = {}): ApplicationFunction {
  return (app, { addHandler }) => {
    const runtime = composeRuntime(app, options);
    app.on(PULL_REQUEST_EVENTS, onPullRequest(runtime.queue));
    addHandler(healthHandler(runtime.queue));
    runtime.queue.start(createReviewRunner(runnerDeps(app, runtime)));
    options.onStarted?.(runtime);
  };
}

export default bulwark();
