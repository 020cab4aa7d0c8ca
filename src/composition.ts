import type { Probot } from 'probot';
import { createAnthropicClient, createAnthropicModel } from './adapters/anthropic/anthropic-model.js';
import { createGitHubHost } from './adapters/github/github-host.js';
import { createMemoryQueue } from './adapters/memory/memory-queue.js';
import { readSettings } from './config/env.js';
import type { Settings } from './config/env.js';
import type { AgentProvider } from './jobs/agent-provider.js';
import { createAgentProvider } from './jobs/create-agent-provider.js';
import type { ReviewRunnerDeps } from './jobs/run-review.js';
import type { Clock } from './ports/clock.js';
import { systemClock } from './ports/clock.js';
import type { JobQueue } from './ports/job-queue.js';
import type { ReviewModel } from './ports/review-model.js';

/** Everything the App runs on; tests and benchmarks replace any part. */
export interface Runtime {
  settings: Settings;
  queue: JobQueue;
  model: ReviewModel;
  agents: AgentProvider;
  clock: Clock;
}

export type RuntimeOverrides = Partial<Runtime>;

/** The one place that knows every concrete adapter and wires it to a port. */
export function composeRuntime(app: Probot, overrides: RuntimeOverrides = {}): Runtime {
  const settings = overrides.settings ?? readSettings(process.env);
  const log = app.log.child({ name: 'bulwark' });
  return {
    settings,
    clock: overrides.clock ?? systemClock,
    queue: overrides.queue ?? createMemoryQueue({ concurrency: settings.concurrency, log }),
    model: overrides.model ?? createAnthropicModel(createAnthropicClient(settings.anthropic)),
    agents: overrides.agents ?? createAgentProvider({ defaultModel: settings.model.default, allowedModels: settings.model.allowed }),
  };
}

export function runnerDeps(app: Probot, runtime: Runtime): ReviewRunnerDeps {
  return {
    hostFor: async (installationId) => createGitHubHost(await app.auth(installationId)),
    model: runtime.model,
    agents: runtime.agents,
    settings: { checkName: runtime.settings.checkName, maxFiles: runtime.settings.maxFiles, maxOutputTokens: runtime.settings.model.maxOutputTokens },
    clock: runtime.clock,
    log: app.log.child({ name: 'bulwark' }),
  };
}
