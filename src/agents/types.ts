/**
 * What loading an agent file produces. Plain data: the prompt builder, the check-run summary and the CLI all
 * read these shapes; nothing here does I/O.
 */

export type AgentFormat = 'claude-code' | 'opencode';

/** The only tools Bulwark ever serves to the model (read-only, from the PR's head snapshot). */
export const READ_ONLY_TOOLS = ['Read', 'Grep', 'Glob'] as const;
export type ReadOnlyTool = (typeof READ_ONLY_TOOLS)[number];

export interface ChecklistItem {
  id: string;
  title: string;
}

export interface LoadedSkill {
  name: string;
  description: string;
  /** Where it was found: a repo path (`.claude/skills/x/SKILL.md`) or `bundled:agents/skills/x.md`. */
  source: string;
  body: string;
  /** Items a skill declares in its frontmatter (`checklist:`); the review reports a status for each. */
  checklist?: ChecklistItem[];
}

export interface ResolvedModel {
  /** What the file (or the repo config) asked for, verbatim; absent when nothing was asked. */
  requested?: string;
  /** The Anthropic model id Bulwark will call. */
  resolved: string;
  /** Why `resolved` differs from `requested` (older generation, unknown id, not allowed, …). */
  warning?: string;
}

export interface LoadedAgent {
  file: string;
  format: AgentFormat;
  name: string;
  description: string;
  /** The markdown body, trimmed: the agent's instructions. */
  instructions: string;
  model: ResolvedModel;
  /** honoured ⊆ Read, Grep, Glob. Edit, Write, Bash and unknown tools are ignored: never run. */
  tools: { honoured: string[]; ignored: string[] };
  skills: { requested: string[]; found: LoadedSkill[]; missing: string[] };
  /** Frontmatter keys Bulwark acts on, and keys it keeps but ignores (mode, temperature, color, …). */
  fields: { honoured: string[]; ignored: string[] };
  /** Values of the ignored keys, kept as parsed. */
  extra?: Record<string, unknown>;
  /** Problems that did not stop loading (a skill file that failed to parse, an invalid checklist, …). */
  warnings?: string[];
}

export type LoadResult = { ok: true; agent: LoadedAgent } | { ok: false; file: string; errors: string[] };
