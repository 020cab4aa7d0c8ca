import { Probot } from 'probot';
import type { Logger as ProbotLogger, ProbotOctokit } from 'probot';
import { createMemoryLearningCache } from '../adapters/memory/memory-learning-cache.js';
import { composeRuntime, runnerDeps } from '../composition.js';
import { systemClock } from '../ports/clock.js';
import { readSettings, SettingsError } from '../config/env.js';
import { dispatchJob, isConversationJob } from '../conversation/dispatch-job.js';
import { createConversationRunner } from '../conversation/run-conversation.js';
import { createReviewRunner } from '../jobs/run-review.js';
import type { PullRequestHost } from '../ports/pull-request-host.js';
import { actionLogLevel, createActionLogger } from './action-logger.js';
import { checksOptionalHost } from './checks-optional-host.js';
import type { CheckOutcome, ChecksOptionalHost } from './checks-optional-host.js';
import { eventToJob } from './event-to-job.js';
import { oneShotControl } from './one-shot-control.js';
import { readActionEnv } from './read-action-env.js';
import { withConfigInputs } from './with-config-inputs.js';

export interface RunActionOptions {
  /** The step's environment (process.env in a workflow). */
  env: Record<string, string | undefined>;
  /** Reads the event payload file (GITHUB_EVENT_PATH). */
  readFile: (path: string) => Promise<string>;
  /** Where log lines go (stdout in a workflow). */
  write: (line: string) => void;
  /** The Octokit class (tests turn throttling off); Probot's by default. */
  Octokit?: typeof ProbotOctokit;
}

export interface ActionResult {
  exitCode: 0 | 1;
  /** How the Bulwark check ended, when the run got that far. */
  outcome?: CheckOutcome;
}

/**
 * One workflow step: the event becomes the job the App would queue for the same webhook, and the App's runners
 * work it here, once, over the workflow token: a review, or a conversation command (`/review ask`, `pause`,
 * `resume`, `learn`, `learnings`, `forget`, a question in one of Bulwark's threads). Everything the App decides
 * (config from the default branch, gates, the commenter's permission, incremental scope from the review markers,
 * the single review and check run, the state kept in Bulwark's own comments) is decided by the same code. Bulwark's
 * own comments are the token's App's (`app_slug`), as the App's are its own. The step fails only when the job
 * could not be run or a review's check concluded `failure` (`check.blocking: true`), so a blocking finding can
 * also gate through the workflow.
 */
export async function runAction(options: RunActionOptions): Promise<ActionResult> {
  const log = createActionLogger(options.write, actionLogLevel(options.env)).child({ name: 'bulwark' });
  const read = readActionEnv(options.env);
  if (!read.ok) {
    for (const problem of read.problems) log.error({}, problem);
    return { exitCode: 1 };
  }
  const env = read.env;

  let payload: unknown;
  try {
    payload = JSON.parse(await options.readFile(env.eventPath));
  } catch (error) {
    log.error({ err: error, path: env.eventPath }, 'could not read the event payload (GITHUB_EVENT_PATH)');
    return { exitCode: 1 };
  }
  const mapped = eventToJob({ eventName: env.eventName, payload, deliveryId: env.deliveryId, appSlug: env.appSlug });
  if (mapped.kind === 'ignored') {
    log.info({ event: env.eventName }, `nothing to review: ${mapped.reason}`);
    return { exitCode: 0 };
  }

  let settings;
  try {
    settings = readSettings(env.settingsEnv);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    for (const problem of error.problems) log.error({}, problem);
    return { exitCode: 1 };
  }

  // Probot with a token instead of an App key: `auth()` hands out one Octokit over the workflow token, with the
  // retry, throttling and config plugins the App's installation clients have (probot/lib/octokit/get-probot-octokit-with-defaults.js).
  const app = new Probot({
    githubToken: env.token,
    baseUrl: env.apiUrl,
    // Probot and Octokit call only the level methods and child() of pino's Logger, which this one answers.
    log: log as unknown as ProbotLogger,
    ...(options.Octokit ? { Octokit: options.Octokit } : {}),
  });
  await app.auth();
  // One run, no server: what the team taught Bulwark is read from GitHub and kept in memory for this run only.
  const runtime = composeRuntime(app, { settings, learningCache: createMemoryLearningCache(systemClock) });
  const deps = runnerDeps(app, runtime);
  let host: ChecksOptionalHost | undefined;
  const hostFor = async (installationId: number): Promise<PullRequestHost> => {
    if (!host) {
      const inner = await deps.hostFor(installationId);
      // Who Bulwark is, before anything is read: only comments by the token's App are its own (a review learns it
      // again from the check run it creates, which GitHub attributes to that App).
      inner.learnOwnIdentity(env.appSlug);
      host = checksOptionalHost(withConfigInputs(inner, { config: env.config, model: env.model }), log);
    }
    return host;
  };

  const job = mapped.job;
  const conversation = isConversationJob(job);
  log.info({ repository: `${job.owner}/${job.repo}`, pr: job.pullNumber, trigger: job.trigger, command: job.command?.kind }, conversation ? 'answering a command' : 'reviewing');
  const runner = dispatchJob({
    review: createReviewRunner({ ...deps, hostFor }),
    conversation: createConversationRunner({ ...deps, hostFor, appSlug: async () => env.appSlug }),
  });
  try {
    await runner(job, oneShotControl());
  } catch (error) {
    log.error({ err: error }, conversation ? 'the command could not run' : 'the review could not run');
    return { exitCode: 1 };
  } finally {
    await runtime.queue.close(0).catch(() => undefined);
  }
  if (conversation) return { exitCode: 0 };
  const outcome = host?.outcome();
  if (!outcome) log.info({}, 'no check run was completed: nothing was reviewed by this run (see the lines above)');
  return { exitCode: outcome?.conclusion === 'failure' ? 1 : 0, ...(outcome ? { outcome } : {}) };
}
