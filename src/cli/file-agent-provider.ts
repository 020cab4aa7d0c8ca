import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { agentChecklist } from '../agents/agent-checklist.js';
import { loadAgentFile } from '../agents/discover-agent.js';
import { bundledDir, createFsReader } from '../adapters/agents/fs-reader.js';
import type { AgentProvider } from '../ports/agent-provider.js';
import { ServiceError } from '../ports/service-error.js';
import { agentNotes } from '../render/agent-notes.js';

/**
 * `--agent FILE`: one agent file from disk, loaded as the App loads a repository's agent (skills from the folder
 * above its agent folder, then the bundled ones). A file that fails to load stops the review, as in the App.
 */
export function createFileAgentProvider(file: string, options: { defaultModel: string; allowedModels: string[] | undefined }): AgentProvider {
  return async ({ config }) => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      throw new ServiceError('config', `The agent file ${file} cannot be read`, { retryable: false });
    }
    const repoRoot = /[\\/](?:\.claude[\\/]agents|\.opencode[\\/]agents?|\.github[\\/]bulwark[\\/]agents)$/.test(dirname(file)) ? dirname(dirname(dirname(file))) : dirname(file);
    const loaded = await loadAgentFile(basename(file), text, {
      repo: createFsReader(repoRoot),
      bundled: createFsReader(bundledDir()),
      operatorDefaultModel: options.defaultModel,
      ...(options.allowedModels ? { allowedModels: options.allowedModels } : {}),
      ...(config.model ? { modelOverride: config.model } : {}),
    });
    if (!loaded.ok) throw new ServiceError('config', `The review agent could not be loaded: ${loaded.errors.join('; ')}`, { retryable: false });
    const { agent } = loaded;
    return {
      agent: { name: agent.name, instructions: agent.instructions, skills: agent.skills.found.map((skill) => ({ name: skill.name, body: skill.body })), checklist: agentChecklist(agent) },
      source: file,
      model: agent.model.resolved,
      tools: agent.tools.honoured,
      notes: agentNotes(agent),
    };
  };
}
