import { basename } from 'node:path';
import { createLocalGitHost } from '../adapters/git/local-git-host.js';
import type { LocalCapture } from '../adapters/git/local-git-host.js';
import type { PipelineSettings } from '../review/pipeline-settings.js';
import { createReviewRunner } from '../jobs/run-review.js';
import type { AgentProvider } from '../ports/agent-provider.js';
import type { JobControl, ReviewJob } from '../ports/job-queue.js';
import type { Logger } from '../ports/logger.js';
import type { CheckAnnotation } from '../ports/pull-request-host.js';
import type { ReviewModel } from '../ports/review-model.js';
import { postedFindings } from '../render/posted-findings.js';
import type { PostedFinding } from '../render/posted-findings.js';
import { parsePatch } from '../review/parse-patch.js';
import type { DiffFile } from '../review/types.js';

export interface LocalReviewInput {
  repoDir: string;
  baseSha: string;
  headSha: string;
  model: ReviewModel;
  agents: AgentProvider;
  settings: PipelineSettings;
  log: Logger;
  /** The repository config's `agent`/`model`, replaced (`--agent NAME`, `--model`). */
  overrides?: { agent?: string | undefined; model?: string | undefined };
}

export interface LocalReviewUsage {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  usd: number | undefined;
}

export interface LocalReviewOutcome {
  capture: LocalCapture;
  findings: PostedFinding[];
  files: DiffFile[];
  usage: LocalReviewUsage | undefined;
  wallMs: number;
}

/**
 * One review of a local diff through the App's own job runner (createReviewRunner): the job is a Re-run by someone
 * with write access, so no trigger, draft or author rule of the repository config skips it, and a one-shot job
 * control (one attempt, nothing superseded, no checkpoint) makes a failure complete the check at once.
 */
export async function runLocalReview(input: LocalReviewInput): Promise<LocalReviewOutcome> {
  const started = Date.now();
  const name = basename(input.repoDir) || 'repository';
  const { host, capture } = createLocalGitHost({ repoDir: input.repoDir, baseSha: input.baseSha, headSha: input.headSha, title: `Local changes in ${name}`, repoName: name });
  let usage: LocalReviewUsage | undefined;
  const overrides = input.overrides ?? {};
  const agents: AgentProvider = (request) =>
    input.agents({
      ...request,
      config: { ...request.config, ...(overrides.agent ? { agent: overrides.agent } : {}), ...(overrides.model ? { model: overrides.model } : {}) },
    });
  const runner = createReviewRunner({
    hostFor: async () => host,
    model: input.model,
    agents,
    settings: input.settings,
    clock: { now: () => Date.now() },
    budget: undefined,
    log: input.log,
    onUsage: (spent) => {
      usage = usage === undefined ? spent : addUsage(usage, spent);
    },
  });
  const job: ReviewJob = {
    installationId: 0,
    owner: 'local',
    repo: name,
    pullNumber: 1,
    headSha: input.headSha,
    trigger: 'rerequested',
    full: true,
    deliveryId: 'local',
    run: 'local',
    requestedBy: 'local',
  };
  const control: JobControl = {
    attempt: 1,
    maxAttempts: 1,
    isSuperseded: async () => false,
    loadCheckpoint: async () => undefined,
    saveCheckpoint: async () => undefined,
    isLive: async () => false,
  };
  await runner(job, control);
  const annotations: CheckAnnotation[] = capture.checkRuns.flatMap((run) => [...run.updates.flatMap((update) => update.annotations ?? []), ...(run.completion?.output.annotations ?? [])]);
  const files = (await host.listFiles({ installationId: 0, owner: 'local', repo: name, pullNumber: 1 })).flatMap((file) => parsePatch(file) ?? []);
  return { capture, findings: postedFindings(capture.reviews, annotations), files, usage, wallMs: Date.now() - started };
}

function addUsage(a: LocalReviewUsage, b: LocalReviewUsage): LocalReviewUsage {
  return {
    model: b.model,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    usd: a.usd === undefined || b.usd === undefined ? undefined : a.usd + b.usd,
  };
}
