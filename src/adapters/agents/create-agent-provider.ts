import { agentChecklist } from '../../agents/agent-checklist.js';
import { discoverAgent } from '../../agents/discover-agent.js';
import { bundledDir, createFsReader } from './fs-reader.js';
import type { LoadedAgent } from '../../agents/types.js';
import { ServiceError } from '../../ports/service-error.js';
import { agentNotes } from '../../render/agent-notes.js';
import { sanitizeInline } from '../../render/sanitize-text.js';
import type { AgentChoice, AgentProvider } from '../../ports/agent-provider.js';
import { createRepoFileReader } from './repo-file-reader.js';

export interface AgentProviderOptions {
  defaultModel: string;
  allowedModels: string[] | undefined;
}

/**
 * Finds the agent for a review in the repo on its **default branch**, like the repo config, else the bundled one. Not
 * at the PR's head, and not at its base either: the author chooses the base branch, and a branch with a lax agent
 * would pick the reviewer (the item 6). A repo agent that fails to load stops the review with its file and line: the team chose it, so
 * swapping in another reviewer silently would be wrong.
 */
export function createAgentProvider(options: AgentProviderOptions): AgentProvider {
  const bundled = createFsReader(bundledDir());
  return async ({ host, ref, pr, config }) => {
    const found = await discoverAgent({
      repo: createRepoFileReader(host, ref, pr.defaultBranch),
      bundled,
      operatorDefaultModel: options.defaultModel,
      ...(config.agent ? { name: config.agent } : {}),
      ...(options.allowedModels ? { allowedModels: options.allowedModels } : {}),
      ...(config.model ? { modelOverride: config.model } : {}),
    });
    if (!found.ok) {
      throw new ServiceError('config', `The review agent could not be loaded: ${found.errors.join('; ')}`, { retryable: false });
    }
    return toChoice(found.agent, found.notes);
  };
}

function toChoice(agent: LoadedAgent, notes: string[]): AgentChoice {
  return {
    agent: {
      name: agent.name,
      instructions: agent.instructions,
      skills: agent.skills.found.map((skill) => ({ name: skill.name, body: skill.body })),
      checklist: agentChecklist(agent),
    },
    source: agent.file,
    model: agent.model.resolved,
    tools: agent.tools.honoured,
    // What discovery noted quotes the repository's files (paths, agent names): sanitised like the agent's own notes.
    notes: [...notes.map((note) => sanitizeInline(note, 500)), ...agentNotes(agent)],
  };
}
