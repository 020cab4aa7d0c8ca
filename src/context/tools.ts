import picomatch from 'picomatch';
import { RE2JS } from 're2js';
import { z } from 'zod';
import type { ReadOnlyTool } from '../agents/types.js';
import { countPlaceholders } from '../secrets/count-placeholders.js';
import { maskSecretsInText } from '../secrets/scan-secrets.js';
import { maskedFileLines } from './masked-file-lines.js';
import type { Snapshot } from './snapshot.js';
import { splitLines } from './split-lines.js';
import { unreadableReason } from './unreadable-reason.js';
import type { UnreadableReason } from './unreadable-reason.js';

/**
 * Read, Grep and Glob over the PR's head snapshot. Pure functions of the in-memory map: no file system, no
 * process, so a path can only ever name an entry of `snapshot.files`. Bad input is never thrown: it comes
 * back as `isError` with a message the model can act on.
 *
 * Nothing leaves here that the diff's rules would not let out (SECURITY.md, "Secrets never leave"): every file
 * shown is masked whole, by secretlint with the diff's placeholders, before lines are cut from it; the
 * assembled output is masked once more; files that hold secrets by nature, and files `paths.exclude`
 * excludes, are never read or searched (unreadable-reason.ts).
 */

/** The shape of an Anthropic `Tool` (name, description, input_schema), without depending on the SDK. */
export interface ToolDefinition {
  name: ReadOnlyTool;
  description: string;
  input_schema: {
    type: 'object';
    properties: Record<string, unknown>;
    required: string[];
    additionalProperties: false;
  };
}

export interface ToolResult {
  content: string;
  isError: boolean;
  /** How many secrets were masked in this result (0 when none). */
  masked: number;
}

export interface ToolOptions {
  /** Output longer than this is cut, with a note. */
  maxOutputChars?: number;
  /** Grep stops (with a note) once this much time has passed; checked between files and every few hundred lines. */
  grepTimeBudgetMs?: number;
  /** Clock for the Grep deadline (tests). */
  now?: () => number;
  /** The repository's `paths.exclude` globs: files matching one are not readable through the tools. */
  exclude?: string[];
  /** Characters of matched files one Grep call masks (TOOL_LIMITS.grepMaxMaskedChars). */
  grepMaxMaskedChars?: number;
}

export const TOOL_LIMITS = {
  maxOutputChars: 20_000,
  readDefaultLines: 400,
  readMaxLines: 2_000,
  /** Read shows at most this many characters of one line. */
  readMaxLineChars: 2_000,
  maxPatternChars: 500,
  grepMaxMatches: 200,
  grepTimeBudgetMs: 200,
  /** Characters of one line a Grep regex is run on (minified files have megabyte lines). */
  grepMaxLineChars: 1_000,
  /** Characters of one line a Grep match shows. */
  grepShownLineChars: 300,
  /** Characters scanned by one Grep call, all files together. */
  grepMaxScannedChars: 20_000_000,
  globMaxResults: 500,
  /**
   * Characters of matched files one Grep call masks (whole files; ~150 ms for 2 MB of code once secretlint is
   * loaded): files past it are not shown, so a call stays well inside the tool deadline (BULWARK_TOOL_TIMEOUT_MS).
   */
  grepMaxMaskedChars: 2_000_000,
} as const;

const pathField = z.string().min(1).max(1_000);
const patternField = z.string().min(1).max(TOOL_LIMITS.maxPatternChars);

const readInput = z.object({
  path: pathField,
  offset: z.number().int().min(1).optional(),
  limit: z.number().int().min(1).max(TOOL_LIMITS.readMaxLines).optional(),
});
const grepInput = z.object({
  pattern: patternField,
  path: pathField.optional(),
  glob: patternField.optional(),
  ignore_case: z.boolean().optional(),
});
const globInput = z.object({ pattern: patternField });

/** What the model is told about refused files and placeholders, in Read's and Grep's descriptions. */
const NOT_READABLE_NOTE =
  'Files that hold secrets by nature (.env files, private keys, certificates, credential files) and files the repository\'s configuration excludes are not readable or searched; ' +
  'secrets in other files are shown as placeholders such as [REDACTED secret: github].';

const DEFINITIONS: Record<ReadOnlyTool, ToolDefinition> = {
  Read: {
    name: 'Read',
    description:
      "Read a text file of the repository at the pull request's head commit. Returns numbered lines (`line<TAB>text`). " +
      `Paths are relative to the repository root (e.g. "src/db/users.ts"); absolute paths and ".." are rejected. ` +
      `Reads ${TOOL_LIMITS.readDefaultLines} lines from \`offset\` (1-based, default 1) unless \`limit\` says otherwise (at most ${TOOL_LIMITS.readMaxLines}). ` +
      'Binary files, very large files and symbolic links are not readable. ' +
      NOT_READABLE_NOTE,
    input_schema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Repository-relative file path.' },
        offset: { type: 'integer', minimum: 1, description: 'First line to return, 1-based.' },
        limit: { type: 'integer', minimum: 1, maximum: TOOL_LIMITS.readMaxLines, description: 'Number of lines to return.' },
      },
      required: ['path'],
      additionalProperties: false,
    },
  },
  Grep: {
    name: 'Grep',
    description:
      "Search the text files of the repository at the pull request's head commit with a regular expression (RE2 syntax: no backreferences, no lookahead or lookbehind), line by line. " +
      `Returns \`path:line: text\` for each matching line, at most ${TOOL_LIMITS.grepMaxMatches}. ` +
      'Narrow the search with `path` (a folder or file, repository-relative) and/or `glob` (e.g. "*.sql" matches at any depth, "src/**/*.ts"). ' +
      `Patterns are limited to ${TOOL_LIMITS.maxPatternChars} characters; nested unbounded quantifiers such as (a+)+ are rejected; the search stops after a short time budget, and a call that runs out of time is stopped with an error.`,
    input_schema: {
      type: 'object',
      properties: {
        pattern: { type: 'string', description: 'RE2 regular expression (no slashes, no flags; no backreferences or lookaround).' },
        path: { type: 'string', description: 'Only search under this repository-relative folder, or this file.' },
        glob: { type: 'string', description: 'Only search files matching this glob; without a slash it matches the file name at any depth.' },
        ignore_case: { type: 'boolean', description: 'Case-insensitive match.' },
      },
      required: ['pattern'],
      additionalProperties: false,
    },
  },
  Glob: {
    name: 'Glob',
    description:
      "List the files of the repository at the pull request's head commit whose repository-relative path matches a glob " +
      `(e.g. "src/**/*.ts", "**/migrations/*.sql", "*.json" for the root only). Returns sorted paths, at most ${TOOL_LIMITS.globMaxResults}.`,
    input_schema: {
      type: 'object',
      properties: {
        pattern: { type: 'string', description: 'Glob matched against repository-relative paths (dotfiles included).' },
      },
      required: ['pattern'],
      additionalProperties: false,
    },
  },
};

const TOOL_NAMES = Object.keys(DEFINITIONS) as ReadOnlyTool[];

/** Definitions for the tools the agent honours (a subset of READ_ONLY_TOOLS), in a stable order. */
export function toolDefinitions(honoured: readonly string[]): ToolDefinition[] {
  return TOOL_NAMES.filter((name) => honoured.includes(name)).map((name) => DEFINITIONS[name]);
}

/** An executor that only runs the tools the agent honours; anything else is an error result. */
export function createToolExecutor(
  snapshot: Snapshot,
  honoured: readonly string[],
  options: ToolOptions = {},
): (name: string, input: unknown) => Promise<ToolResult> {
  const allowed = new Set(toolDefinitions(honoured).map((tool) => tool.name as string));
  return async (name, input) => {
    if (!allowed.has(name)) {
      return error(`Unknown tool "${name}". Available tools: ${[...allowed].join(', ') || 'none'}.`);
    }
    return executeTool(snapshot, name, input, options);
  };
}

export async function executeTool(snapshot: Snapshot, name: string, input: unknown, options: ToolOptions = {}): Promise<ToolResult> {
  const maxChars = options.maxOutputChars ?? TOOL_LIMITS.maxOutputChars;
  const reasonOf = unreadableReason(options.exclude);
  let result: ToolResult;
  try {
    switch (name) {
      case 'Read':
        result = await withParsed(readInput, name, input, (parsed) => read(snapshot, parsed, reasonOf));
        break;
      case 'Grep':
        result = await withParsed(grepInput, name, input, (parsed) => grep(snapshot, parsed, options, reasonOf));
        break;
      case 'Glob':
        result = await withParsed(globInput, name, input, (parsed) => glob(snapshot, parsed, reasonOf));
        break;
      default:
        result = error(`Unknown tool "${name}". Available tools: ${TOOL_NAMES.join(', ')}.`);
    }
  } catch (cause) {
    // A bug here must not end the review: the model is told and can go on without this call.
    result =
      cause instanceof SecretScanFailed
        ? error(`The ${name} tool could not check the files for secrets, so it shows nothing of them. Go on without it.`)
        : error(`The ${name} tool failed unexpectedly (${cause instanceof Error ? cause.message : 'unknown error'}).`);
  }
  // Defence in depth: the output as assembled is scanned once more (a secret in a file name, or one that only a
  // whole output shows). After the cut: the files in it were masked whole already, and scanning only what is sent
  // (at most maxOutputChars: ~5 ms) keeps the cost of this pass bounded whatever a call assembled (a Read of 2,000
  // long lines is 4 MB). A failed scan lets nothing out.
  let final: { text: string; count: number };
  try {
    final = await maskSecretsInText(truncateOutput(result.content, maxChars));
  } catch {
    return error(`The ${name} tool could not check its output for secrets, so it shows nothing. Go on without it.`);
  }
  return { content: final.text, isError: result.isError, masked: result.masked + final.count };
}

/** secretlint failed on the files a call needed: nothing of them is shown (fail closed, as for the diff). */
class SecretScanFailed extends Error {}

/** The masked lines of `paths`; a secretlint failure becomes SecretScanFailed, without its message. */
async function masked(snapshot: Snapshot, paths: readonly string[]): ReturnType<typeof maskedFileLines> {
  try {
    return await maskedFileLines(snapshot, paths);
  } catch {
    throw new SecretScanFailed();
  }
}

/** What masking added to shown lines: placeholders in each shown line that masking changed, less any already there. */
function maskedIn(shown: Iterable<{ masked: string; raw: string | undefined }>): number {
  let count = 0;
  for (const line of shown) {
    if (line.raw !== undefined && line.masked !== line.raw) count += Math.max(0, countPlaceholders(line.masked) - countPlaceholders(line.raw));
  }
  return count;
}

/** Why the model may not read `path`, as a tool error it can act on. */
function unreadableMessage(path: string, reason: UnreadableReason): string {
  return reason === 'secret-file'
    ? `${path} is not readable: it is a file that holds secrets by nature (keys, certificates, credentials, environment files).`
    : `${path} is not readable: the repository's configuration excludes it from review (paths.exclude).`;
}

type ReasonOf = (path: string) => UnreadableReason | undefined;

async function withParsed<T>(schema: z.ZodType<T>, name: string, input: unknown, run: (parsed: T) => ToolResult | Promise<ToolResult>): Promise<ToolResult> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'input'}: ${issue.message}`);
    return error(`Invalid input for ${name}: ${problems.join('; ')}.`);
  }
  return run(parsed.data);
}

// ---------------------------------------------------------------------------------------------- Read

async function read(snapshot: Snapshot, input: z.infer<typeof readInput>, reasonOf: ReasonOf): Promise<ToolResult> {
  const checked = checkPath(input.path);
  if (!checked.ok) return error(checked.message);
  const path = checked.path;
  if (path === '') return error('Read needs a file path; use Glob to list files.');
  const reason = reasonOf(path);
  if (reason) return error(unreadableMessage(path, reason));

  const file = snapshot.files.get(path);
  if (!file) return error(notFound(snapshot, path));
  if (file.binary) return error(`${path} is a binary file (${file.size} bytes) and cannot be read as text.`);
  if (file.text === undefined) return error(`${path} is too large to read (${file.size} bytes). Use Grep with path "${path}" to find the relevant lines.`);

  // The whole file is masked, then lines are cut from it: a private key is seen whole even when one line is read.
  const shown = (await masked(snapshot, [path])).get(path);
  const lines = shown?.lines ?? [];
  if (lines.length === 0) return ok(`(${path} is empty)`);
  const offset = input.offset ?? 1;
  if (offset > lines.length) return error(`offset ${offset} is past the end of ${path} (${lines.length} lines).`);
  const limit = input.limit ?? TOOL_LIMITS.readDefaultLines;
  const last = Math.min(lines.length, offset + limit - 1);
  const width = String(last).length;
  const out: string[] = [];
  for (let n = offset; n <= last; n += 1) {
    out.push(`${String(n).padStart(width, ' ')}\t${cutLine(lines[n - 1] ?? '', TOOL_LIMITS.readMaxLineChars)}`);
  }
  if (offset > 1 || last < lines.length) {
    const more = last < lines.length ? `; call Read with offset ${last + 1} to continue` : '';
    out.push(`[lines ${offset}-${last} of ${lines.length}${more}]`);
  }
  const range = Array.from({ length: last - offset + 1 }, (_, i) => ({ masked: lines[offset - 1 + i] ?? '', raw: shown?.raw[offset - 1 + i] }));
  return { ...ok(out.join('\n')), masked: maskedIn(range) };
}

/** A message when `path` is, or goes through, an entry the snapshot refused (a symbolic link, a device, …). */
function refusedAt(snapshot: Snapshot, path: string): string | undefined {
  if (path === '') return undefined;
  const link = snapshot.refused.find((entry) => entry.path === path || path.startsWith(`${entry.path}/`));
  if (!link) return undefined;
  return link.path === path
    ? `${path} is not readable: ${link.reason}.`
    : `${path} goes through ${link.path}, which is not readable: ${link.reason}.`;
}

function notFound(snapshot: Snapshot, path: string): string {
  const link = refusedAt(snapshot, path);
  if (link) return link;
  const prefix = `${path}/`;
  for (const key of snapshot.files.keys()) {
    if (key.startsWith(prefix)) return `${path} is a folder. Use Glob with pattern "${path}/*" to list it.`;
  }
  const base = path.slice(path.lastIndexOf('/') + 1);
  const similar = sortedPaths(snapshot)
    .filter((key) => key.slice(key.lastIndexOf('/') + 1) === base)
    .slice(0, 5);
  const hint = similar.length > 0 ? ` Files with the same name: ${similar.join(', ')}.` : ' Use Glob to find files.';
  const partial = snapshot.truncated ? ' The snapshot is incomplete (the repository exceeded the size caps), so the file may exist but was not loaded.' : '';
  return `No file ${path} in the pull request's head commit.${hint}${partial}`;
}

// ---------------------------------------------------------------------------------------------- Grep

/** A matching line: its 1-based number and its text, whole. */
interface Hit {
  path: string;
  line: number;
  text: string;
}

/** One pass of Grep over a snapshot: what matched, and what the notes say about the rest. */
interface Search {
  matches: Hit[];
  searched: number;
  skippedUnreadable: number;
  /** Files in scope left out because they are not readable (unreadable-reason.ts). */
  hidden: number;
  stop: string | undefined;
  scopeLabel: string;
}

/**
 * Grep matches the raw files to find the few that match, masks those (cached per file), and matches them again
 * on their masked text: the lines shown come from the masked text, and a pattern that matched only a secret
 * matches nothing, so a search cannot probe a secret character by character.
 */
async function grep(snapshot: Snapshot, input: z.infer<typeof grepInput>, options: ToolOptions, reasonOf: ReasonOf): Promise<ToolResult> {
  if (input.path !== undefined) {
    const checked = checkPath(input.path);
    const reason = checked.ok && snapshot.files.has(checked.path) ? reasonOf(checked.path) : undefined;
    if (checked.ok && reason) return error(unreadableMessage(checked.path, reason));
  }
  const searched = search(snapshot, input, options, reasonOf);
  if (!('matches' in searched)) return searched;
  const { shown, unshown } = withinMaskBudget(snapshot, searched.matches, options.grepMaxMaskedChars ?? TOOL_LIMITS.grepMaxMaskedChars);
  const first = { ...searched, matches: searched.matches.filter((hit) => shown.has(hit.path)) };
  const files = await masked(snapshot, [...shown]);
  let found = first;
  if ([...files.values()].some((file) => file.lines !== file.raw)) {
    const view: Snapshot = {
      files: new Map([...files].map(([path, file]) => [path, { size: 0, binary: false, text: file.lines.join('\n') }])),
      truncated: false,
      refused: [],
    };
    const second = search(view, input, options, reasonOf);
    if (!('matches' in second)) return second;
    found = { ...first, matches: second.matches, stop: first.stop ?? second.stop };
  }
  const notes: string[] = [];
  if (found.stop) notes.push(`[search stopped early (${found.stop}); narrow it with path or glob for complete results]`);
  if (found.skippedUnreadable > 0) notes.push(`[${found.skippedUnreadable} binary or oversized file(s) not searched]`);
  if (unshown > 0) notes.push(`[matches in ${unshown} more file(s) not shown (too much to check for secrets in one call); narrow the search with path or glob]`);
  if (found.hidden > 0) notes.push(`[${found.hidden} file(s) not searched: they hold secrets by nature or paths.exclude excludes them]`);
  if (snapshot.truncated) notes.push('[the snapshot is incomplete: the repository exceeded the size caps, so some files are missing]');
  const body =
    found.matches.length > 0
      ? found.matches.map((hit) => `${hit.path}:${hit.line}: ${cutLine(hit.text.trimEnd(), TOOL_LIMITS.grepShownLineChars)}`).join('\n')
      : `No matches in ${found.searched} file(s)${found.scopeLabel}.`;
  const lines = found.matches.map((hit) => ({ masked: hit.text, raw: files.get(hit.path)?.raw[hit.line - 1] }));
  return { ...ok([body, ...notes].join('\n')), masked: maskedIn(lines) };
}

/** The matched files masked in one call, in match order, up to grepMaxMaskedChars (the first always); how many are left. */
function withinMaskBudget(snapshot: Snapshot, matches: readonly Hit[], budget: number): { shown: Set<string>; unshown: number } {
  const paths = [...new Set(matches.map((hit) => hit.path))];
  const shown = new Set<string>();
  let left = budget;
  for (const path of paths) {
    const size = snapshot.files.get(path)?.text?.length ?? 0;
    if (shown.size > 0 && size > left) break;
    shown.add(path);
    left -= size;
  }
  return { shown, unshown: paths.length - shown.size };
}

function search(snapshot: Snapshot, input: z.infer<typeof grepInput>, options: ToolOptions, reasonOf: ReasonOf): ToolResult | Search {
  if (hasNestedQuantifier(input.pattern)) {
    return error('The pattern nests unbounded quantifiers (like (a+)+ or (\\w+\\s*)*), which can take exponential time. Simplify it.');
  }
  // RE2 (re2js) matches in time linear in the line: no pattern can make Grep backtrack for seconds on one long
  // line as V8's engine does with (a|a)*b. It has no backreferences or lookaround (the description says so).
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(input.pattern, input.ignore_case ? RE2JS.CASE_INSENSITIVE : 0);
  } catch (cause) {
    return error(`Invalid regular expression: ${cause instanceof Error ? cause.message : String(cause)}.`);
  }

  let scope: (path: string) => boolean = () => true;
  let scopeLabel = '';
  if (input.path !== undefined) {
    const checked = checkPath(input.path);
    if (!checked.ok) return error(checked.message);
    const base = checked.path;
    if (base !== '') {
      scope = (path) => path === base || path.startsWith(`${base}/`);
      scopeLabel = ` under ${base}`;
    }
  }
  let matchesGlob: (path: string) => boolean = () => true;
  if (input.glob !== undefined) {
    const compiled = compileGlob(input.glob, true);
    if (!compiled.ok) return error(compiled.message);
    matchesGlob = compiled.match;
  }

  const now = options.now ?? Date.now;
  const deadline = now() + (options.grepTimeBudgetMs ?? TOOL_LIMITS.grepTimeBudgetMs);
  const matches: Hit[] = [];
  let hidden = 0;
  let candidates = 0;
  let searched = 0;
  let skippedUnreadable = 0;
  let scanned = 0;
  let stop: string | undefined;

  outer: for (const path of sortedPaths(snapshot)) {
    if (!scope(path) || !matchesGlob(path)) continue;
    if (reasonOf(path)) {
      hidden += 1;
      continue;
    }
    candidates += 1;
    const file = snapshot.files.get(path);
    if (!file || file.text === undefined) {
      skippedUnreadable += 1;
      continue;
    }
    if (now() > deadline) {
      stop = `time budget of ${options.grepTimeBudgetMs ?? TOOL_LIMITS.grepTimeBudgetMs} ms used up`;
      break;
    }
    searched += 1;
    const lines = splitLines(file.text);
    for (let i = 0; i < lines.length; i += 1) {
      const line = lines[i] ?? '';
      const probe = line.length > TOOL_LIMITS.grepMaxLineChars ? line.slice(0, TOOL_LIMITS.grepMaxLineChars) : line;
      scanned += probe.length + 1;
      if (regex.test(probe)) {
        if (matches.length === TOOL_LIMITS.grepMaxMatches) {
          stop = `more than ${TOOL_LIMITS.grepMaxMatches} matches`;
          break outer;
        }
        matches.push({ path, line: i + 1, text: line });
      }
      if (scanned > TOOL_LIMITS.grepMaxScannedChars) {
        stop = `${TOOL_LIMITS.grepMaxScannedChars} characters scanned`;
        break outer;
      }
      if ((i & 255) === 255 && now() > deadline) {
        stop = `time budget of ${options.grepTimeBudgetMs ?? TOOL_LIMITS.grepTimeBudgetMs} ms used up`;
        break outer;
      }
    }
  }

  if (input.path !== undefined && candidates === 0) {
    const base = checkPath(input.path);
    const link = base.ok ? refusedAt(snapshot, base.path) : undefined;
    if (link) return error(link);
    if (hidden > 0) return error(`No readable files${scopeLabel}: ${hidden} file(s) there hold secrets by nature or are excluded by paths.exclude.`);
    return error(`No files${scopeLabel || ' in the snapshot'}${input.glob !== undefined ? ` matching ${input.glob}` : ''}. Use Glob to find files.`);
  }
  return { matches, searched, skippedUnreadable, hidden, stop, scopeLabel };
}

/**
 * Shapes that backtrack exponentially in a JavaScript regex are refused up front, with a message that says why:
 * a group with an unbounded quantifier inside, itself repeated without bound ((a+)+, (a|b*)*, (x+){2,}). Grep
 * matches with RE2, which does not backtrack, and runs in a worker under a deadline (tool-sandbox.ts); this
 * refusal keeps the answer the model already knows.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  const stack: { unbounded: boolean }[] = [{ unbounded: false }];
  let i = 0;
  const unboundedAt = (at: number): { unbounded: boolean; length: number } => {
    const c = pattern[at];
    if (c === '*' || c === '+') return { unbounded: true, length: 1 };
    if (c === '?') return { unbounded: false, length: 1 };
    if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
      if (m) {
        const upper = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
        return { unbounded: upper > 16, length: m[0].length };
      }
    }
    return { unbounded: false, length: 0 };
  };
  while (i < pattern.length) {
    const c = pattern[i];
    const top = stack[stack.length - 1];
    if (!top) return false;
    if (c === '\\') {
      i += 2;
      continue;
    }
    if (c === '[') {
      i += 1;
      if (pattern[i] === '^') i += 1;
      if (pattern[i] === ']') i += 1;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      i += 1;
      continue;
    }
    if (c === '(') {
      stack.push({ unbounded: false });
      i += 1;
      continue;
    }
    if (c === ')') {
      const group = stack.pop();
      const parent = stack[stack.length - 1];
      if (!group || !parent) return false;
      const quantifier = unboundedAt(i + 1);
      if (quantifier.unbounded && group.unbounded) return true;
      parent.unbounded ||= group.unbounded || quantifier.unbounded;
      i += 1 + quantifier.length;
      continue;
    }
    const quantifier = unboundedAt(i);
    if (quantifier.length > 0) {
      top.unbounded ||= quantifier.unbounded;
      i += quantifier.length;
      continue;
    }
    i += 1;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------- Glob

function glob(snapshot: Snapshot, input: z.infer<typeof globInput>, reasonOf: ReasonOf): ToolResult {
  const compiled = compileGlob(input.pattern, false);
  if (!compiled.ok) return error(compiled.message);
  const all = sortedPaths(snapshot).filter((path) => compiled.match(path));
  const notes: string[] = [];
  if (all.length > TOOL_LIMITS.globMaxResults) {
    notes.push(`[${all.length - TOOL_LIMITS.globMaxResults} more paths not shown; narrow the pattern]`);
  }
  if (snapshot.truncated) notes.push('[the snapshot is incomplete: the repository exceeded the size caps, so some files are missing]');
  // Refused files are listed (the model may ask why a file it knows of is missing) and marked, so it does not try them.
  const listed = all.slice(0, TOOL_LIMITS.globMaxResults).map((path) => {
    const reason = reasonOf(path);
    if (!reason) return path;
    return `${path} (not readable: ${reason === 'secret-file' ? 'holds secrets by nature' : 'excluded by paths.exclude'})`;
  });
  const body = all.length > 0 ? listed.join('\n') : `No files match ${input.pattern}.`;
  return ok([body, ...notes].join('\n'));
}

function compileGlob(pattern: string, anyDepth: boolean): { ok: true; match: (path: string) => boolean } | { ok: false; message: string } {
  if (pattern.includes('\0')) return { ok: false, message: 'The glob contains a NUL byte.' };
  if (pattern.startsWith('/') || /^[A-Za-z]:[\\/]/.test(pattern)) {
    return { ok: false, message: `Globs are relative to the repository root: drop the leading "/" from ${pattern}.` };
  }
  if (pattern.split('/').includes('..')) return { ok: false, message: 'Globs may not contain ".." segments.' };
  const cleaned = pattern.replace(/^(\.\/)+/, '');
  try {
    const match = picomatch(cleaned, { dot: true, windows: false, basename: anyDepth && !cleaned.includes('/') });
    return { ok: true, match };
  } catch (cause) {
    return { ok: false, message: `Invalid glob ${pattern}: ${cause instanceof Error ? cause.message : String(cause)}.` };
  }
}

// ---------------------------------------------------------------------------------------------- shared

type CheckedPath = { ok: true; path: string } | { ok: false; message: string };

/** Repository-relative, posix, no NUL, not absolute, no "..": the only paths a tool looks up. '' is the root. */
export function checkPath(raw: string): CheckedPath {
  if (raw.includes('\0')) return { ok: false, message: 'The path contains a NUL byte.' };
  if (raw.startsWith('/') || raw.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(raw) || raw === '~' || raw.startsWith('~/')) {
    return { ok: false, message: `Paths are relative to the repository root (e.g. "src/app.ts"); ${raw} is absolute.` };
  }
  const segments = raw.split('/');
  if (segments.includes('..')) return { ok: false, message: `Paths may not contain ".." segments (${raw}); every file is inside the repository.` };
  const path = segments.filter((segment) => segment !== '' && segment !== '.').join('/');
  return { ok: true, path };
}

const sortedCache = new WeakMap<Snapshot, { size: number; paths: string[] }>();

function sortedPaths(snapshot: Snapshot): string[] {
  const cached = sortedCache.get(snapshot);
  if (cached && cached.size === snapshot.files.size) return cached.paths;
  const paths = [...snapshot.files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  sortedCache.set(snapshot, { size: snapshot.files.size, paths });
  return paths;
}

function cutLine(line: string, max: number): string {
  return line.length > max ? `${line.slice(0, max)}… [line cut at ${max} characters]` : line;
}

function truncateOutput(content: string, max: number): string {
  if (content.length <= max) return content;
  const cut = content.lastIndexOf('\n', max);
  const head = content.slice(0, cut > max * 0.5 ? cut : max);
  return `${head}\n[output truncated at ${max} characters; ask for less (a smaller limit, a narrower path or pattern)]`;
}

function ok(content: string): ToolResult {
  return { content, isError: false, masked: 0 };
}

function error(content: string): ToolResult {
  return { content, isError: true, masked: 0 };
}
