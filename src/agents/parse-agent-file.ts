import { z } from 'zod';
import { normalizeTools, splitToolList } from './normalize-tools.js';
import { isPlainObject, lineOfKey, readFrontmatter } from './read-frontmatter.js';
import { DEFAULT_OPERATOR_MODEL, resolveModel } from './resolve-model.js';
import type { AgentFormat, LoadResult, ResolvedModel } from './types.js';

/** Frontmatter keys Bulwark acts on; every other key is kept in `extra` and reported as ignored. */
export const HONOURED_FIELDS = ['name', 'description', 'model', 'tools', 'disallowedTools', 'skills'] as const;

const nameList = z.union([z.string(), z.array(z.union([z.string(), z.number()]).transform(String))], {
  error: 'must be a comma-separated string or a list of names',
});

const AgentFrontmatterSchema = z.object({
  name: z.union([z.string(), z.number()], { error: 'must be a string' }).transform(String).optional(),
  description: z.string({ error: 'must be a string' }).optional(),
  model: z.string({ error: 'must be a string: an alias (opus, sonnet, haiku, inherit) or a model id' }).optional(),
  tools: z
    .union([z.string(), z.array(z.string()), z.record(z.string(), z.boolean())], {
      error: 'must be a comma-separated string, a list of tool names, or a map of tool names to true/false',
    })
    .optional(),
  disallowedTools: nameList.optional(),
  skills: nameList.optional(),
});

export interface ParseAgentOptions {
  /** The operator's default model (alias or id); `inherit` and an absent model resolve to it. */
  operatorDefaultModel?: string;
  allowedModels?: string[];
  /** A model set by the repo config, which overrides the agent file's. */
  modelOverride?: string;
}

/**
 * Parses one agent file in Claude Code or OpenCode format. Pure: the caller reads the file. The model is
 * resolved here; skills are only listed (`skills.requested`) and resolved in a second step (`resolveSkills`).
 */
export function parseAgentFile(file: string, text: string, options: ParseAgentOptions = {}): LoadResult {
  const frontmatter = readFrontmatter(file, text);
  if (!frontmatter.ok) return { ok: false, file, errors: frontmatter.errors };
  if (!frontmatter.present) {
    return {
      ok: false,
      file,
      errors: [`${file}:1: no YAML frontmatter; an agent file starts with a '---' block holding at least a description`],
    };
  }

  const { data, yaml, yamlLine, body, bodyLine } = frontmatter;
  const known = withoutNulls(pick(data, HONOURED_FIELDS));
  const parsed = AgentFrontmatterSchema.safeParse(known);
  const errors: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? '');
      errors.push(`${file}:${lineOfKey(yaml, yamlLine, key)}: \`${key}\` ${issue.message}`);
    }
  }

  const description = parsed.data?.description?.trim();
  if (parsed.success && !description) {
    errors.push(`${file}:${lineOfKey(yaml, yamlLine, 'description')}: \`description\` is missing or empty`);
  }
  const instructions = body.trim();
  if (!instructions) {
    errors.push(`${file}:${bodyLine}: the body is empty; it holds the agent's instructions`);
  }
  if (!parsed.success || errors.length > 0 || !description) return { ok: false, file, errors };

  const fields = parsed.data;
  const format = detectFormat(file, fields.tools, fields.model);
  const ignoredKeys = Object.keys(data).filter((key) => !(HONOURED_FIELDS as readonly string[]).includes(key));
  const honouredKeys = Object.keys(data).filter((key) => (HONOURED_FIELDS as readonly string[]).includes(key));
  const extra = Object.fromEntries(ignoredKeys.map((key) => [key, data[key]]));

  return {
    ok: true,
    agent: {
      file,
      format,
      name: fields.name?.trim() || fileStem(file),
      description,
      instructions,
      model: chooseModel(fields.model, options),
      tools: normalizeTools(fields.tools, toNames(fields.disallowedTools)),
      skills: { requested: toNames(fields.skills), found: [], missing: [] },
      fields: { honoured: honouredKeys, ignored: ignoredKeys },
      extra,
      warnings: frontmatter.warnings,
    },
  };
}

/**
 * OpenCode when the file lives under `.opencode/`, when `tools` is a map of booleans, or when the model is a
 * `provider/model` id; Claude Code otherwise. Content decides too, because files get copied around.
 */
export function detectFormat(file: string, tools: unknown, model: unknown): AgentFormat {
  const path = file.replace(/\\/g, '/');
  if (/(^|\/)\.opencode\//.test(path)) return 'opencode';
  if (isPlainObject(tools)) return 'opencode';
  if (typeof model === 'string' && model.includes('/')) return 'opencode';
  return 'claude-code';
}

/** `.claude/agents/backend-specialist.md` → `backend-specialist`. */
export function fileStem(file: string): string {
  const base = file.replace(/\\/g, '/').split('/').pop() ?? file;
  return base.replace(/\.md$/i, '');
}

/** The model an agent reviews with: the repo config's, else the file's, resolved (README "Agents"). */
export function chooseModel(fromFile: string | undefined, options: ParseAgentOptions): ResolvedModel {
  const requested = options.modelOverride?.trim() || fromFile?.trim() || undefined;
  const model = resolveModel(requested, {
    operatorDefault: options.operatorDefaultModel ?? DEFAULT_OPERATOR_MODEL,
    ...(options.allowedModels ? { allowed: options.allowedModels } : {}),
  });
  if (options.modelOverride?.trim() && fromFile?.trim() && fromFile.trim() !== options.modelOverride.trim()) {
    const note = `the repo config's model '${options.modelOverride.trim()}' overrides the agent's '${fromFile.trim()}'`;
    return { ...model, warning: model.warning ? `${note}; ${model.warning}` : note };
  }
  return model;
}

/** A list of names as written (`a, b` or a YAML/JSON list): trimmed, blanks and repeats dropped. */
export function toNames(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const names = typeof value === 'string' ? splitToolList(value) : value.map((name) => name.trim());
  return [...new Set(names.filter(Boolean))];
}

function pick(data: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([key]) => keys.includes(key)));
}

/** `model:` with nothing after it parses as null; treat it as absent. */
function withoutNulls(data: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(data).filter(([, value]) => value !== null && value !== undefined));
}
