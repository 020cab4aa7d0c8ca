import type { AgentFileReader } from '../ports/agent-file-reader.js';
import { DEFAULT_AGENT_NAME, loadAgentFile } from './discover-agent.js';
import { bundledDir, createFsReader } from '../adapters/agents/fs-reader.js';
import { BUNDLED_PREFIX } from './resolve-skills.js';
import type { LoadResult } from './types.js';

export interface LoadBundledAgentOptions {
  allowedModels?: string[];
  /** When given, the repo's own skills override bundled ones of the same name. */
  repo?: AgentFileReader;
}

/** The bundled backend specialist with its skills: for repos that name no agent, or whose agent failed to load. */
export async function loadBundledAgent(operatorDefaultModel: string, options: LoadBundledAgentOptions = {}): Promise<LoadResult> {
  const bundled = createFsReader(bundledDir());
  const path = `${DEFAULT_AGENT_NAME}.md`;
  const file = `${BUNDLED_PREFIX}${path}`;
  const text = await bundled.read(path);
  if (text === undefined) return { ok: false, file, errors: [`${file}: not found in ${bundledDir()}`] };
  return loadAgentFile(file, text, {
    bundled,
    operatorDefaultModel,
    ...(options.repo ? { repo: options.repo } : {}),
    ...(options.allowedModels ? { allowedModels: options.allowedModels } : {}),
  });
}
