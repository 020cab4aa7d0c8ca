import type { RepoConfig } from '../config/repo-config.js';
import type { AppliedLearning } from '../learning/applied-learning.js';
import type { PullRequestHost, PullRequestInfo, PullRequestRef } from '../ports/pull-request-host.js';
import type { PromptAgent } from '../review/build-prompt.js';

/** The agent chosen for one review, ready for the prompt. */
export interface AgentChoice {
  agent: PromptAgent;
  /** Where it came from: a repo path on the default branch, or `bundled:agents/backend-specialist.md`. */
  source: string;
  model: string;
  /** Read-only tools the agent lists (Read, Grep, Glob) that Bulwark serves from the head snapshot. */
  tools: string[];
  /** Things the check summary should mention (missing skills, ignored tools, model warnings). */
  notes: string[];
  /** What the repository's team taught Bulwark, for this review (src/learning/with-learnings.ts); absent when off. */
  learning?: AppliedLearning | undefined;
}

export type AgentProvider = (input: {
  host: PullRequestHost;
  ref: PullRequestRef;
  pr: PullRequestInfo;
  config: RepoConfig;
}) => Promise<AgentChoice>;
