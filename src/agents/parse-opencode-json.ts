import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Node, ParseError } from 'jsonc-parser';
import { posix } from 'node:path';
import { z } from 'zod';
import { unreadableReason } from '../context/unreadable-reason.js';
import type { AgentFileReader } from '../ports/agent-file-reader.js';
import { normalizeTools } from './normalize-tools.js';
import { chooseModel, toNames } from './parse-agent-file.js';
import type { ParseAgentOptions } from './parse-agent-file.js';
import { isPlainObject } from './read-frontmatter.js';
import type { LoadResult } from './types.js';

/**
 * OpenCode's project config files, in the order Bulwark looks an agent up: OpenCode reads `opencode.jsonc`, then
 * `opencode.json`, then the same two in `.opencode/`, each overriding the one before, so the last is looked at first.
 */
export const OPENCODE_CONFIG_FILES = ['.opencode/opencode.json', '.opencode/opencode.jsonc', 'opencode.json', 'opencode.jsonc'] as const;

/** Keys of an agent entry Bulwark acts on; the others (mode, temperature, top_p, permission, color, steps, …) are kept and ignored. */
export const HONOURED_JSON_FIELDS = ['description', 'prompt', 'model', 'tools', 'skills', 'disable'] as const;

/** OpenCode's own tools (https://opencode.ai/docs/tools): a `tools` key that is none of these nor a glob is an MCP tool or a typo. */
const OPENCODE_TOOLS = new Set(['bash', 'edit', 'write', 'read', 'grep', 'glob', 'list', 'patch', 'multiedit', 'todowrite', 'todoread', 'webfetch', 'websearch', 'codesearch', 'task', 'skill', 'lsp', 'question']);

/** One entry of the `agent` map, as written: its name (the key), its value and the line it starts on. */
export interface OpenCodeAgentEntry {
  name: string;
  value: unknown;
  line: number;
  /** Lines of the entry's own keys (`prompt` → 12), for messages. */
  keyLines: Record<string, number>;
}

export type OpenCodeConfigResult = { ok: true; file: string; agents: OpenCodeAgentEntry[] } | { ok: false; file: string; errors: string[]; agents: OpenCodeAgentEntry[] };

/**
 * Reads an OpenCode config file (JSON with comments and trailing commas, as OpenCode reads it with jsonc-parser)
 * and lists the entries of its `agent` map. Pure. A file that does not parse is a failure naming each error's line
 * and column; its `agents` are what could still be read, so a caller can tell whether the broken file holds the
 * agent it looks for. A file without an `agent` map has no agents.
 */
export function parseOpenCodeConfig(file: string, text: string): OpenCodeConfigResult {
  const source = text.replace(/^\uFEFF/, '');
  const lines = lineStarts(source);
  const parseErrors: ParseError[] = [];
  const tree = parseTree(source, parseErrors, { allowTrailingComma: true, disallowComments: false });
  const agentsNode = tree && findNodeAtLocation(tree, ['agent']);
  const agents = agentsNode?.type === 'object' ? entriesOf(agentsNode, lines) : [];
  const errors = parseErrors.map((error) => {
    const { line, column } = position(lines, error.offset);
    return `${file}:${line}:${column}: ${describeParseError(printParseErrorCode(error.error))}`;
  });
  if (errors.length === 0 && tree?.type !== 'object') errors.push(`${file}:1: not a JSON object; OpenCode's config is an object with an \`agent\` map`);
  if (errors.length === 0 && agentsNode && agentsNode.type !== 'object') {
    errors.push(`${file}:${position(lines, agentsNode.offset).line}: \`agent\` must be an object mapping agent names to their settings`);
  }
  return errors.length > 0 ? { ok: false, file, errors, agents } : { ok: true, file, agents };
}

/** How an agent entry is named in messages and the check summary: `opencode.json#agent.reviewer`. */
export function openCodeAgentLabel(file: string, name: string): string {
  return `${file}#agent.${name}`;
}

/** Whether an entry switches its agent off (`disable: true`): OpenCode does not offer it, and Bulwark does not use it. */
export function isDisabled(entry: OpenCodeAgentEntry): boolean {
  return isPlainObject(entry.value) && entry.value.disable === true;
}

const nameList = z.union([z.string(), z.array(z.union([z.string(), z.number()]).transform(String))], {
  error: 'must be a comma-separated string or a list of names',
});

const EntrySchema = z.object({
  description: z.string({ error: 'must be a string' }).optional(),
  prompt: z.string({ error: 'must be a string: the instructions, or a {file:./path} reference' }).optional(),
  model: z.string({ error: 'must be a string: a provider/model id or an alias (opus, sonnet, haiku)' }).optional(),
  tools: z.record(z.string(), z.boolean(), { error: 'must be a map of tool names to true or false' }).optional(),
  skills: nameList.optional(),
  disable: z.boolean({ error: 'must be true or false' }).optional(),
});

export interface OpenCodeAgentSource {
  /** The config file as messages name it (a CLI label or the repository path). */
  file: string;
  /** The config file's path in the repository `repo` reads, for `{file:…}` references (relative to its folder). */
  path: string;
  /** The repository's files: prompt files are read here, never outside it. */
  repo: AgentFileReader | undefined;
}

/**
 * One agent of the `agent` map, loaded like a markdown agent: description and instructions (`prompt`, whose
 * `{file:./path}` references are read from the repository, relative to the config file's folder), model (resolved
 * as any agent's), `tools` (a map of booleans over a default of on, as in an OpenCode markdown agent) and `skills`
 * (listed, resolved by the caller). `{env:…}` is left as written: the App's environment is not the repository's.
 */
export async function loadOpenCodeAgent(source: OpenCodeAgentSource, entry: OpenCodeAgentEntry, options: ParseAgentOptions = {}): Promise<LoadResult> {
  const label = openCodeAgentLabel(source.file, entry.name);
  const at = (key?: string) => `${source.file}:${(key && entry.keyLines[key]) || entry.line}: agent \`${entry.name}\``;
  if (!isPlainObject(entry.value)) return { ok: false, file: label, errors: [`${at()} must be an object (description, prompt, model, tools, …)`] };

  const data = entry.value;
  const known = Object.fromEntries(Object.entries(data).filter(([key, value]) => (HONOURED_JSON_FIELDS as readonly string[]).includes(key) && value !== null));
  const parsed = EntrySchema.safeParse(known);
  if (!parsed.success) {
    return { ok: false, file: label, errors: parsed.error.issues.map((issue) => `${at(String(issue.path[0]))}: \`${String(issue.path[0])}\` ${issue.message}`) };
  }
  const fields = parsed.data;
  const errors: string[] = [];
  const warnings: string[] = [];

  const description = fields.description?.trim();
  if (!description) errors.push(`${at('description')}: \`description\` is missing or empty`);
  const prompt = await substituteFiles(fields.prompt ?? '', source, (problem) => errors.push(`${at('prompt')}: \`prompt\` ${problem}`));
  const instructions = prompt.trim();
  if (!instructions && errors.length === 0) errors.push(`${at('prompt')}: \`prompt\` is missing or empty; it holds the agent's instructions (text, or {file:./path})`);
  if (errors.length > 0) return { ok: false, file: label, errors };

  for (const key of ['prompt', 'model', 'description'] as const) {
    const value = key === 'prompt' ? prompt : fields[key];
    for (const match of (value ?? '').matchAll(/\{env:([^}]*)\}/g)) {
      warnings.push(`${at(key)}: \`{env:${match[1]}}\` in \`${key}\` is left as written: Bulwark does not put its own environment into an agent`);
    }
  }
  for (const tool of Object.keys(fields.tools ?? {})) {
    if (!OPENCODE_TOOLS.has(tool.toLowerCase()) && !/[*?[\]{}]/.test(tool)) {
      warnings.push(`${at('tools')}: tool \`${tool}\` is not one of OpenCode's own tools (an MCP tool, or a typo?); Bulwark never runs it`);
    }
  }
  if (fields.disable) warnings.push(`${at('disable')}: the agent is disabled (\`disable: true\`); a review does not use it`);

  const keys = Object.keys(data);
  const ignored = keys.filter((key) => !(HONOURED_JSON_FIELDS as readonly string[]).includes(key));
  return {
    ok: true,
    agent: {
      file: label,
      format: 'opencode',
      name: entry.name,
      description: description ?? '',
      instructions,
      model: chooseModel(fields.model, options),
      tools: normalizeTools(fields.tools),
      skills: { requested: toNames(fields.skills), found: [], missing: [] },
      fields: { honoured: keys.filter((key) => !ignored.includes(key)), ignored },
      extra: Object.fromEntries(ignored.map((key) => [key, data[key]])),
      warnings,
    },
  };
}

/**
 * `{file:./prompts/review.md}` → the file's text, trimmed, as OpenCode substitutes it. The path is relative to the
 * config file's folder and must stay inside the repository; files that hold secrets by nature (`.env`, keys, …)
 * are refused, as the repository tools refuse them.
 */
async function substituteFiles(text: string, source: OpenCodeAgentSource, problem: (message: string) => void): Promise<string> {
  let out = '';
  let cursor = 0;
  for (const match of text.matchAll(/\{file:([^}]+)\}/g)) {
    out += text.slice(cursor, match.index);
    cursor = match.index + match[0].length;
    const content = await readReference(match[0], (match[1] ?? '').trim(), source, problem);
    out += content ?? '';
  }
  return out + text.slice(cursor);
}

async function readReference(token: string, raw: string, source: OpenCodeAgentSource, problem: (message: string) => void): Promise<string | undefined> {
  if (raw.startsWith('~') || posix.isAbsolute(raw) || /^[A-Za-z]:[\\/]/.test(raw)) {
    problem(`refers to ${token}, outside the repository: a prompt file's path is relative to ${source.file}'s folder`);
    return undefined;
  }
  const path = posix.normalize(posix.join(posix.dirname(source.path), raw.replace(/\\/g, '/')));
  if (path === '..' || path.startsWith('../')) {
    problem(`refers to ${token}, outside the repository`);
    return undefined;
  }
  if (unreadableReason()(path) === 'secret-file') {
    problem(`refers to ${token} (${path}), a file that holds secrets by nature; Bulwark never reads it into a prompt`);
    return undefined;
  }
  const text = source.repo ? await source.repo.read(path) : undefined;
  if (text === undefined) {
    problem(`refers to ${token}, but ${path} does not exist`);
    return undefined;
  }
  return text.replace(/^\uFEFF/, '').trim();
}

function entriesOf(agents: Node, lines: number[]): OpenCodeAgentEntry[] {
  return (agents.children ?? []).flatMap((property) => {
    const [keyNode, valueNode] = property.children ?? [];
    if (!keyNode || typeof keyNode.value !== 'string') return [];
    const keyLines = Object.fromEntries(
      (valueNode?.type === 'object' ? (valueNode.children ?? []) : []).flatMap((child) => {
        const key = child.children?.[0];
        return key && typeof key.value === 'string' ? [[key.value, position(lines, key.offset).line]] : [];
      }),
    );
    return [{ name: keyNode.value, value: valueNode ? (getNodeValue(valueNode) as unknown) : undefined, line: position(lines, keyNode.offset).line, keyLines }];
  });
}

/** Offsets where each line starts, for 1-based line and column numbers. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = 0; index < text.length; index++) if (text[index] === '\n') starts.push(index + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; column: number } {
  let line = 0;
  while (line + 1 < starts.length && (starts[line + 1] ?? Infinity) <= offset) line++;
  return { line: line + 1, column: offset - (starts[line] ?? 0) + 1 };
}

/** jsonc-parser's error codes (`CommaExpected`) in words. */
function describeParseError(code: string): string {
  const words = code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return `invalid JSON: ${words}`;
}
