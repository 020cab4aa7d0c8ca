import type { AgentFileReader } from '../ports/agent-file-reader.js';
import { fileStem, parseAgentFile } from './parse-agent-file.js';
import { findOpenCodeJsonAgent } from './find-opencode-json-agent.js';
import { BUNDLED_PREFIX, withResolvedSkills } from './resolve-skills.js';
import type { LoadResult } from './types.js';

/** Where a repo keeps agents, in lookup order (DESIGN: "agents in a repo"). */
export const REPO_AGENT_DIRS = ['.claude/agents', '.opencode/agent', '.opencode/agents', '.github/bulwark/agents'] as const;

/** The agent used when the repo config names none. */
export const DEFAULT_AGENT_NAME = 'backend-specialist';

export interface LoadAgentContext {
  /** The repo's files (for the App: its base branch); skills are looked up here first. */
  repo?: AgentFileReader;
  /** The package's `agents/` folder. */
  bundled?: AgentFileReader;
  operatorDefaultModel: string;
  allowedModels?: string[];
  /** `model:` from the repo config; overrides the agent file's. */
  modelOverride?: string;
}

/** Parse, then resolve skills: the whole load of one agent file whose text the caller has read. */
export async function loadAgentFile(file: string, text: string, context: LoadAgentContext): Promise<LoadResult> {
  return withResolvedSkills(parseAgentFile(file, text, context), context);
}

export interface DiscoverAgentOptions {
  repo: AgentFileReader;
  bundled: AgentFileReader;
  /** `agent:` from the repo config. */
  name?: string;
  operatorDefaultModel: string;
  allowedModels?: string[];
  modelOverride?: string;
}

export type DiscoveredAgent = LoadResult & {
  /** Which agent was used: one of the repo's, a bundled one, or none found. */
  source: 'repo' | 'bundled' | 'none';
  /** What the search saw on the way (other agent files that failed to parse). */
  notes: string[];
};

/**
 * Picks the agent for a review. With a name (`agent:` in the repo config): the repo agent of that name in
 * `.claude/agents`, `.opencode/agent`, `.opencode/agents` or `.github/bulwark/agents`, else a bundled one of that
 * name. Without: the repo's `backend-specialist`, else the bundled one. A file matches by its file name first,
 * then by its frontmatter `name`; the first match in folder order wins. When no agent file matches, the `agent`
 * map of OpenCode's config (opencode.json, find-opencode-json-agent.ts) is looked at, before the bundled agents.
 * A repo agent that fails to load is returned as the failure it is — the caller decides whether to fall back to
 * `loadBundledAgent` and says so — never silently swapped.
 */
export async function discoverAgent(options: DiscoverAgentOptions): Promise<DiscoveredAgent> {
  const target = options.name?.trim() || DEFAULT_AGENT_NAME;
  const context: LoadAgentContext = {
    repo: options.repo,
    bundled: options.bundled,
    operatorDefaultModel: options.operatorDefaultModel,
    ...(options.allowedModels ? { allowedModels: options.allowedModels } : {}),
    ...(options.modelOverride ? { modelOverride: options.modelOverride } : {}),
  };
  const notes: string[] = [];

  const repoFiles = await listAgentFiles(options.repo, REPO_AGENT_DIRS);
  const fromRepo = await findByName(repoFiles, target, options.repo, (path) => path, context, notes);
  if (fromRepo) return { ...fromRepo, source: 'repo', notes };
  // Then the `agent` map of OpenCode's config: in OpenCode an agent file overrides a JSON agent of the same name.
  const fromJson = await findOpenCodeJsonAgent(options.repo, target, context, notes);
  if (fromJson) return { ...fromJson, source: 'repo', notes };

  const bundledFiles = await listAgentFiles(options.bundled, ['']);
  const fromBundle = await findByName(bundledFiles, target, options.bundled, (path) => `${BUNDLED_PREFIX}${path}`, context, notes);
  if (fromBundle) return { ...fromBundle, source: 'bundled', notes };

  const searched = `${REPO_AGENT_DIRS.join(', ')}, the agent map of opencode.json(c)`;
  return {
    ok: false,
    file: target,
    errors: [`no agent named '${target}' in ${searched} or among the bundled agents`],
    source: 'none',
    notes,
  };
}

async function listAgentFiles(reader: AgentFileReader, dirs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const dir of dirs) {
    const names = (await reader.list(dir)).filter((name) => /\.md$/i.test(name)).sort();
    files.push(...names.map((name) => (dir ? `${dir}/${name}` : name)));
  }
  return files;
}

async function findByName(
  paths: string[],
  target: string,
  reader: AgentFileReader,
  label: (path: string) => string,
  context: LoadAgentContext,
  notes: string[],
): Promise<LoadResult | undefined> {
  const wanted = target.toLowerCase();
  const byStem = paths.filter((path) => fileStem(path).toLowerCase() === wanted);
  const others = paths.filter((path) => !byStem.includes(path));

  // Reads stop at the first match: for the App every read is an API call.
  for (const path of [...byStem, ...others]) {
    const text = await reader.read(path);
    if (text === undefined) continue;
    const stemMatches = byStem.includes(path);
    const parsed = parseAgentFile(label(path), text, { operatorDefaultModel: context.operatorDefaultModel });
    if (!parsed.ok) {
      // A file named after the agent is the agent, broken or not; other broken files are only noted.
      if (stemMatches) return parsed;
      notes.push(`${label(path)} was skipped: ${parsed.errors.join('; ')}`);
      continue;
    }
    if (stemMatches || parsed.agent.name.toLowerCase() === wanted) return loadAgentFile(label(path), text, context);
  }
  return undefined;
}
