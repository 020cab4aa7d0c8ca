import matter from 'gray-matter';

/** Agent and skill files are prompts, not documents: anything bigger is a mistake or an attack on the budget. */
export const MAX_AGENT_FILE_CHARS = 256 * 1024;

export type Frontmatter =
  | {
      ok: true;
      /** False when the file has no `---` block: data is {} and the whole text is the body. */
      present: boolean;
      data: Record<string, unknown>;
      /** The raw YAML between the delimiters, LF line endings. */
      yaml: string;
      /** 1-based file line of the first YAML line (the line after the opening `---`). */
      yamlLine: number;
      body: string;
      /** 1-based file line where the body starts. */
      bodyLine: number;
      /** Problems tolerated while reading (`file:line: what and how to fix it`), for the check summary and `agents check`. */
      warnings: string[];
    }
  | { ok: false; errors: string[] };

/**
 * Splits a markdown file into YAML frontmatter and body, tolerating what real files carry (a UTF-8 BOM, CRLF
 * or CR line endings, blank lines before the opening `---`) and failing with `file:line: reason`.
 *
 * gray-matter is always called with options: without them it caches every input in a module-level map
 * (unbounded memory in a long-running App, and a failed parse stays cached as a success). Its JavaScript and
 * CoffeeScript engines (`---js`) evaluate the frontmatter as code; repo files are untrusted, so only YAML is
 * accepted.
 */
export function readFrontmatter(file: string, text: string): Frontmatter {
  const normalized = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  if (normalized.length > MAX_AGENT_FILE_CHARS) {
    return fail(`${file}: file is ${normalized.length} characters; the limit is ${MAX_AGENT_FILE_CHARS}`);
  }
  const leading = /^(?:[ \t]*\n)*/.exec(normalized)?.[0] ?? '';
  const offset = countLines(leading);
  const source = normalized.slice(leading.length);
  const firstLine = source.split('\n', 1)[0] ?? '';

  if (!firstLine.startsWith('---') || /^----/.test(firstLine)) {
    return { ok: true, present: false, data: {}, yaml: '', yamlLine: 1, body: normalized, bodyLine: 1, warnings: [] };
  }
  if (firstLine.trimEnd() !== '---') {
    const language = firstLine.slice(3).trim();
    return fail(`${file}:${offset + 1}: frontmatter must be YAML between two '---' lines; '---${language}' is not supported`);
  }
  if (!/\n---/.test(source)) {
    return fail(`${file}:${offset + 1}: frontmatter opened with '---' is never closed (add a '---' line after the YAML)`);
  }

  let parsed: matter.GrayMatterFile<string>;
  const warnings: string[] = [];
  try {
    parsed = matter(source, { language: 'yaml', engines: ONLY_YAML });
  } catch (error) {
    const lenient = readQuotingColonValues(source);
    if (!lenient) return fail(describeYamlError(file, offset, error));
    parsed = lenient.parsed;
    for (const { key, line, value } of lenient.quoted) {
      warnings.push(
        `${file}:${offset + line}: \`${key}\` holds ': ', which strict YAML reads as a nested mapping; it was read as text. ` +
          `Quote the value to fix the file: ${key}: ${JSON.stringify(value)}`,
      );
    }
  }

  // gray-matter's `matter` starts with the newline that ends the opening `---` line.
  const yaml = parsed.matter.replace(/^\n/, '');
  const yamlLine = offset + 2;
  const bodyLine = offset + 1 + countLines(parsed.matter) + 1 + 1;
  const data: unknown = parsed.data;
  if (!isPlainObject(data)) {
    return fail(`${file}:${yamlLine}: frontmatter must be a YAML mapping of keys to values, not ${describe(data)}`);
  }
  return { ok: true, present: true, data, yaml, yamlLine, body: parsed.content, bodyLine, warnings };
}

/** A top-level `key: value` on one line whose plain (unquoted) value holds `: `. */
const COLON_VALUE = /^([A-Za-z_][\w-]*):[ \t]+([^'"[{|>&*!%@`#\s].*: .*?)[ \t]*$/;

/**
 * Agent files from public collections often write `description: … Triggers on: 'GDPR', …` on one line, which
 * strict YAML rejects ("bad indentation of a mapping entry"). Each such top-level line is quoted and the YAML read
 * again; if it still fails, the original error stands (the caller reports it with its line). `line` is 1-based
 * within `source`, whose first line is the opening `---`.
 */
function readQuotingColonValues(source: string): { parsed: matter.GrayMatterFile<string>; quoted: { key: string; line: number; value: string }[] } | undefined {
  const lines = source.split('\n');
  const close = lines.findIndex((line, index) => index > 0 && /^---\s*$/.test(line));
  const quoted: { key: string; line: number; value: string }[] = [];
  for (let index = 1; index < close; index++) {
    const match = COLON_VALUE.exec(lines[index] ?? '');
    if (!match?.[1] || !match[2]) continue;
    quoted.push({ key: match[1], line: index + 1, value: match[2] });
    lines[index] = `${match[1]}: ${JSON.stringify(match[2])}`;
  }
  if (quoted.length === 0) return undefined;
  try {
    return { parsed: matter(lines.join('\n'), { language: 'yaml', engines: ONLY_YAML }), quoted };
  } catch {
    return undefined;
  }
}

/** 1-based file line of `key:` at the top level of the YAML, for error messages; the YAML's first line if absent. */
export function lineOfKey(yaml: string, yamlLine: number, key: string): number {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^(?:${escaped}|"${escaped}"|'${escaped}')\\s*:`);
  const index = yaml.split('\n').findIndex((line) => pattern.test(line));
  return index === -1 ? yamlLine : yamlLine + index;
}

function rejectEngine(): object {
  throw new Error('only YAML frontmatter is supported');
}

/** gray-matter merges these over its defaults: YAML keeps js-yaml's safeLoad, the code-evaluating engines throw. */
const ONLY_YAML = {
  javascript: rejectEngine,
  js: rejectEngine,
  coffee: rejectEngine,
  coffeescript: rejectEngine,
  cson: rejectEngine,
};

interface YamlMark {
  line: number;
  column: number;
}

function describeYamlError(file: string, offset: number, error: unknown): string {
  const { reason, mark } = (error ?? {}) as { reason?: unknown; mark?: Partial<YamlMark> };
  const message = typeof reason === 'string' ? reason : error instanceof Error ? error.message : String(error);
  if (mark && typeof mark.line === 'number') {
    // js-yaml's mark.line is 0-based within gray-matter's `matter`, whose line 0 is the opening `---` line.
    const line = offset + mark.line + 1;
    const column = typeof mark.column === 'number' ? `:${mark.column + 1}` : '';
    return `${file}:${line}${column}: invalid YAML frontmatter: ${message}`;
  }
  return `${file}:${offset + 1}: invalid frontmatter: ${message}`;
}

function countLines(text: string): number {
  let count = 0;
  for (const char of text) if (char === '\n') count++;
  return count;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return `a ${typeof value}`;
}

function fail(message: string): Frontmatter {
  return { ok: false, errors: [message] };
}
