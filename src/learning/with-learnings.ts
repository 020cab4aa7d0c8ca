import type { AgentProvider } from '../ports/agent-provider.js';
import { learningUnreadNote } from '../render/render-learning.js';
import { loadLearning } from './load-learning.js';
import type { LearningDeps } from './load-learning.js';
import { learningsForPrompt } from './prompt-learnings.js';
import { rejectedFindings } from './rejected-findings.js';

/**
 * The agent of a review, with what the repository's team taught Bulwark: its learnings in the system prompt
 * (the agent's `learnings`, rendered by src/review/build-prompt.ts), and the team's rejections for the pipeline to
 * apply after verification (`learning`). Read while the agent is loaded, so it adds no wait of its own. When
 * nothing can be read, the review goes on without it and the check run says so: learning never costs a review.
 */
export function withLearnings(agents: AgentProvider, deps: LearningDeps): AgentProvider {
  return async (input) => {
    const settings = input.config.learning;
    if (!settings.enabled) return agents(input);
    const loading = loadLearning(input.host, input.ref, deps).then(
      (snapshot) => ({ snapshot }),
      (error: unknown) => ({ error }),
    );
    const [choice, loaded] = await Promise.all([agents(input), loading]);
    if ('error' in loaded) {
      deps.log.warn({ err: loaded.error }, 'could not read what the team taught Bulwark; reviewing without it');
      return { ...choice, notes: [...choice.notes, learningUnreadNote()] };
    }
    const learnings = learningsForPrompt(loaded.snapshot.learnings);
    return {
      ...choice,
      agent: { ...choice.agent, learnings: learnings.map(({ id, text }) => ({ id, text })) },
      learning: { learnings, rejections: rejectedFindings(loaded.snapshot.signals, settings.reject_after) },
    };
  };
}
