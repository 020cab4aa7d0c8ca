import type { AgentFileReader } from '../ports/agent-file-reader.js';
import type { LoadAgentContext } from './discover-agent.js';
import { isDisabled, loadOpenCodeAgent, OPENCODE_CONFIG_FILES, openCodeAgentLabel, parseOpenCodeConfig } from './parse-opencode-json.js';
import type { OpenCodeAgentEntry, OpenCodeAgentSource } from './parse-opencode-json.js';
import { withResolvedSkills } from './resolve-skills.js';
import type { LoadResult } from './types.js';

/**
 * The agent named `target` in the `agent` map of the repository's OpenCode config (OPENCODE_CONFIG_FILES, first
 * match wins; names compared without case), loaded with its prompt files and skills; undefined when none defines
 * it. A config file that does not parse is the agent's failure when what could be read of it still names the
 * agent, and only a note otherwise; a disabled entry (`disable: true`) is passed over with a note.
 */
export async function findOpenCodeJsonAgent(repo: AgentFileReader, target: string, context: LoadAgentContext, notes: string[]): Promise<LoadResult | undefined> {
  const wanted = target.toLowerCase();
  for (const path of OPENCODE_CONFIG_FILES) {
    const text = await repo.read(path);
    if (text === undefined) continue;
    const config = parseOpenCodeConfig(path, text);
    const entry = config.agents.find((candidate) => candidate.name.toLowerCase() === wanted);
    if (!config.ok) {
      if (entry) return { ok: false, file: openCodeAgentLabel(path, entry.name), errors: config.errors };
      notes.push(`${path} was skipped: ${config.errors.join('; ')}`);
      continue;
    }
    if (!entry) continue;
    if (isDisabled(entry)) {
      notes.push(`${openCodeAgentLabel(path, entry.name)} is disabled (\`disable: true\`); not used`);
      continue;
    }
    return loadOpenCodeJsonAgent({ file: path, path, repo }, entry, context);
  }
  return undefined;
}

/** One entry of an OpenCode config, with its skills resolved as a markdown agent's are (the repository's, then the bundled ones). */
export async function loadOpenCodeJsonAgent(source: OpenCodeAgentSource, entry: OpenCodeAgentEntry, context: LoadAgentContext): Promise<LoadResult> {
  return withResolvedSkills(await loadOpenCodeAgent(source, entry, context), context);
}
