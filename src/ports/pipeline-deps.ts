import type { LearningDeps } from '../learning/load-learning.js';
import type { PipelineSettings } from '../review/pipeline-settings.js';
import type { AgentProvider } from './agent-provider.js';
import type { BudgetStore } from './budget-store.js';
import type { Clock } from './clock.js';
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
  /** Observes what each review consumed (metrics). */
  onUsage?: ((usage: { model: string; inputTokens: number; outputTokens: number; cacheReadInputTokens: number; cacheCreationInputTokens: number; usd: number | undefined }) => void) | undefined;
}
