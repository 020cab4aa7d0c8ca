import picomatch from 'picomatch';
import { READ_ONLY_TOOLS, type ReadOnlyTool } from './types.js';

export interface ToolSelection {
  honoured: string[];
  ignored: string[];
}

/** Claude Code: a comma-separated string or a list; OpenCode: a map of tool name → enabled. */
export type ToolsField = string | string[] | Record<string, boolean>;

/**
 * Which of the requested tools Bulwark serves. Only Read, Grep and Glob are ever run (over the PR's head
 * snapshot); everything else requested (Edit, Write, Bash, MCP tools, …) is listed as ignored.
 *
 * An absent `tools` means "everything" in both formats, so all three read-only tools are honoured. In OpenCode a
 * map switches tools on or off over a default of on (keys may be globs such as `"*": false`; the last matching
 * key wins), so a read-only tool the map does not switch off stays honoured.
 */
export function normalizeTools(tools: ToolsField | undefined, disallowed: string[] = []): ToolSelection {
  const denied = new Set(disallowed.map(canonicalTool).filter((tool) => tool !== undefined));
  const keep = (list: ReadOnlyTool[]): string[] => READ_ONLY_TOOLS.filter((tool) => list.includes(tool) && !denied.has(tool));

  if (tools === undefined) return { honoured: keep([...READ_ONLY_TOOLS]), ignored: [] };

  if (typeof tools === 'object' && !Array.isArray(tools)) {
    const entries = Object.entries(tools);
    const enabled = READ_ONLY_TOOLS.filter((tool) => {
      let on = true;
      for (const [key, value] of entries) if (matchesToolKey(tool, key)) on = value;
      return on;
    });
    const ignored = entries.filter(([key, value]) => value && canonicalTool(key) === undefined).map(([key]) => key);
    return { honoured: keep(enabled), ignored: unique(ignored) };
  }

  const names = typeof tools === 'string' ? splitToolList(tools) : tools.map((tool) => tool.trim()).filter(Boolean);
  if (names.includes('*')) return { honoured: keep([...READ_ONLY_TOOLS]), ignored: unique(names.filter((name) => name !== '*' && canonicalTool(name) === undefined)) };
  const honoured = names.map(canonicalTool).filter((tool) => tool !== undefined);
  const ignored = names.filter((name) => canonicalTool(name) === undefined);
  return { honoured: keep(honoured), ignored: unique(ignored) };
}

/**
 * `Read, Grep, Glob` → three names. Commas and whitespace separate, except inside parentheses, where Claude Code
 * puts permission specifiers (`Bash(git diff:*)`).
 */
export function splitToolList(value: string): string[] {
  const names: string[] = [];
  let current = '';
  let depth = 0;
  for (const char of value) {
    if (char === '(') depth++;
    if (char === ')') depth = Math.max(0, depth - 1);
    if (depth === 0 && (char === ',' || /\s/.test(char))) {
      if (current) names.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  if (current) names.push(current);
  return names;
}

/** `Read`, `read`, `Read(src/**)` → Read; OpenCode's lowercase names map to the same three. */
function canonicalTool(name: string): ReadOnlyTool | undefined {
  const base = name.replace(/\(.*\)$/s, '').trim().toLowerCase();
  return READ_ONLY_TOOLS.find((tool) => tool.toLowerCase() === base);
}

function matchesToolKey(tool: ReadOnlyTool, key: string): boolean {
  const lowerKey = key.trim().toLowerCase();
  const lowerTool = tool.toLowerCase();
  if (lowerKey === lowerTool) return true;
  return /[*?[\]{}]/.test(lowerKey) && picomatch.isMatch(lowerTool, lowerKey);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
