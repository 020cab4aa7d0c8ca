import type { LearningDeps } from '../learning/load-learning.js';
import type { PipelineSettings } from '../review/pipeline-settings.js';
import type { AgentProvider } from './agent-provider.js';
import type { BudgetStore } from './budget-store.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { PullRequestHost, PullRequestRef } from './pull-request-host.js';
import type { ReviewModel } from './review-model.js';

/** What the review pipeline runs on (src/composition.ts wires the real ones; tests and the CLI their own). */
export interface PipelineDeps {
  model: ReviewModel;
  agents: AgentProvider;
  settings: PipelineSettings;
  clock: Clock;
  budget: BudgetStore | undefined;
  /** Where what repositories' teams taught Bulwark is cached (the learning commands clear it); absent: not cached. */
  learning?: LearningDeps | undefined;
  /**
   * The model as one run's calls see it once its check run exists: their waits for the provider's rate limit are
   * told on that check run (src/adapters/rate-limit). Absent: `model` as it is.
   */
  modelForRun?: ((run: { host: PullRequestHost; ref: PullRequestRef; checkRunId: number; headSha: string; log: Logger }) => ReviewModel) | undefined;
  /** Observes what each review consumed (metrics). */
  onUsage?: ((usage: { model: string; inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheCreationInputTokens: number; usd: number | undefined }) => void) | undefined;
}
