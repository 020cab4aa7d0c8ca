import { createMemoryBudgetStore } from '../../src/adapters/memory/memory-budget-store.js';
import { createMemoryPullRequestHost } from '../../src/adapters/memory/memory-pull-request-host.js';
import type { MemoryPullRequestHost, MemoryPullRequestHostOptions } from '../../src/adapters/memory/memory-pull-request-host.js';
import { createAgentProvider } from '../../src/adapters/agents/create-agent-provider.js';
import type { Settings } from '../../src/config/env.js';
import { createReviewRunner } from '../../src/jobs/run-review.js';
import type { ReviewRunnerDeps } from '../../src/jobs/run-review.js';
import type { BudgetStore } from '../../src/ports/budget-store.js';
import type { JobControl, JobHandler, ReviewJob } from '../../src/ports/job-queue.js';
import { reviewJobId } from '../../src/ports/job-queue.js';
import type { Logger } from '../../src/ports/logger.js';
import type { PullRequestInfo } from '../../src/ports/pull-request-host.js';
import type { ChangedFile } from '../../src/review/types.js';
import { fakeReviewModel } from './fake-review-model.js';
import type { FakeReviewModel } from './fake-review-model.js';
import { BASE, DEFAULT_BRANCH, HEAD, OWNER, PR, REPO, USERS_PATCH } from './github-stand-in.js';
import { testSettings } from './test-app.js';

/** The fixture pull request (test/fixtures/pull_request.opened.json) as the GitHub adapter reads it. */
export function fixturePullRequest(overrides: Partial<PullRequestInfo> = {}): PullRequestInfo {
  return {
    number: PR,
    state: 'open',
    merged: false,
    draft: false,
    title: 'Update the README with new information.',
    body: 'This is a pretty simple change that we need to pull into master.',
    author: { login: 'Codertocat', isBot: false, association: 'OWNER' },
    headSha: HEAD,
    baseSha: BASE,
    baseRef: 'master',
    defaultBranch: DEFAULT_BRANCH,
    changedFiles: 1,
    ...overrides,
  };
}

/** The handler file of USERS_PATCH as the files API lists it (line 12 of the head is added). */
export function usersFile(overrides: Partial<ChangedFile> = {}): ChangedFile {
  return { path: 'src/server/routes/users.ts', status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH, ...overrides };
}

/** The job a webhook for the fixture pull request queues. */
export function fixtureJob(overrides: Partial<ReviewJob> = {}): ReviewJob {
  return { installationId: 1, owner: OWNER, repo: REPO, pullNumber: PR, headSha: HEAD, trigger: 'opened', full: false, deliveryId: 'delivery-1', run: 'auto', ...overrides };
}

/** A queue's control for one attempt, without a queue. */
export function jobControl(overrides: Partial<JobControl> = {}): JobControl {
  const saved: { data?: unknown } = {};
  return {
    attempt: 1,
    maxAttempts: 1,
    isSuperseded: async () => false,
    loadCheckpoint: async () => saved.data,
    saveCheckpoint: async (data) => {
      saved.data = structuredClone(data);
    },
    isLive: async () => false,
    ...overrides,
  };
}

/** A logger that keeps nothing. */
export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silentLogger };

export interface RunnerUnderTest {
  run: JobHandler;
  host: MemoryPullRequestHost;
  model: FakeReviewModel;
  budget: BudgetStore;
  deps: ReviewRunnerDeps;
  /** The external id the job's check run gets. */
  jobId: (job?: ReviewJob) => string;
}

export interface RunnerOptions {
  /** What the memory host holds; default: the fixture pull request changing usersFile(). */
  host?: MemoryPullRequestHostOptions;
  model?: FakeReviewModel;
  budget?: BudgetStore;
  env?: Record<string, string>;
  now?: number;
}

/** `createReviewRunner` over the memory host, a fake model and the bundled agent: no HTTP at all. */
export function buildRunner(options: RunnerOptions = {}): RunnerUnderTest {
  const host = createMemoryPullRequestHost(options.host ?? { pullRequests: [{ info: fixturePullRequest(), files: [usersFile()] }] });
  const model = options.model ?? fakeReviewModel();
  const budget = options.budget ?? createMemoryBudgetStore();
  const settings = testSettings(options.env);
  const now = options.now ?? Date.UTC(2026, 0, 15, 12);
  const deps: ReviewRunnerDeps = {
    hostFor: async () => host,
    model,
    agents: createAgentProvider({ defaultModel: settings.model.default, allowedModels: settings.model.allowed }),
    budget,
    settings: pipelineSettings(settings),
    clock: { now: () => now },
    log: silentLogger,
  };
  return { run: createReviewRunner(deps), host, model, budget, deps, jobId: (job = fixtureJob()) => reviewJobId(job) };
}

/** The pipeline's slice of the operator settings, as the composition root hands it over. */
function pipelineSettings(settings: Settings): ReviewRunnerDeps['settings'] {
  return {
    checkName: settings.checkName,
    maxFiles: settings.maxFiles,
    maxOutputTokens: settings.model.maxOutputTokens,
    chunkTokens: settings.chunkTokens,
    modelConcurrency: settings.modelConcurrency,
    maxInputTokens: settings.maxInputTokens,
    prices: settings.prices,
    dailyBudget: settings.dailyBudget,
    tools: settings.tools,
    retryBackoffMs: settings.jobs.backoffMs,
  };
}
