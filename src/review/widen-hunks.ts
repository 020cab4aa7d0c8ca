import type { DiffFile, DiffLine, Hunk } from './types.js';

/**
 * How far a hunk is widened with unchanged lines of the head file. GitHub's patch carries three lines of context
 * around each change; a finding often depends on what is above them (the function's parameters, a guard, the
 * route it serves).
 */
export interface WidenBounds {
  /** Lines added above a hunk when no function start is found within `beforeToStart` (or the hunk shows none). */
  before: number;
  /** Lines added above a hunk at most, when they reach the start of the enclosing function, class or route. */
  beforeToStart: number;
  /** Lines added below a hunk. */
  after: number;
}

export const DEFAULT_WIDEN_BOUNDS: WidenBounds = { before: 8, beforeToStart: 30, after: 3 };

/** The head version of a file: `shown` is what the prompt may show (secrets masked), `raw` what the commit holds. */
export interface HeadText {
  shown: readonly string[];
  raw: readonly string[];
}

/**
 * The prompt copy of `file` with each hunk widened from the head file: upward to the start of the enclosing
 * function, class, method or route when one is found within `beforeToStart` lines (decorators and annotations
 * right above it included), otherwise by `before` lines, and by `after` lines below. A hunk whose own leading
 * context already shows the enclosing start gets nothing above.
 *
 * Decisions:
 * - The added lines are unchanged lines (`context`), flagged `widened`. Their R number is their line in the head;
 *   their L number follows from the hunk's offsets (the lines between two hunks are the same on both sides).
 * - Never into another hunk: the lines between two hunks go first to the lower hunk's leading context (the more
 *   useful), then to the upper one's trailing lines; two hunks may come to touch, they are never merged.
 * - The header stays GitHub's: the lines outside the range it counts are the widened ones.
 * - Only when the head file is the patch's head: every added and context line of every hunk must read the same in
 *   it (raw, or as masked); otherwise the file is returned as it came. An added file (its hunk is the whole file)
 *   and a file without hunks are returned as they came too.
 *
 * The result is a prompt copy like compressHunks' (anchor against the original files); the input is not changed.
 */
export function widenHunks(file: DiffFile, head: HeadText, bounds: WidenBounds = DEFAULT_WIDEN_BOUNDS): DiffFile {
  if (file.hunks.length === 0 || file.status === 'added' || head.shown.length !== head.raw.length) return file;
  if (!file.hunks.every((hunk) => agreesWithHead(hunk, head))) return file;
  const language = languageOf(file.path);
  const spans = file.hunks.map(newSpan);
  // Leading lines first, each within the gap above its hunk; then trailing lines within what the next one left.
  const leading = file.hunks.map((hunk, index) => {
    const gapStart = index === 0 ? 1 : (spans[index - 1]?.last ?? 0) + 1;
    return leadingCount(hunk, spans[index]?.first ?? 1, gapStart, head.raw, language, bounds);
  });
  const trailing = file.hunks.map((_, index) => {
    const after = (spans[index]?.last ?? 0) + 1;
    const next = spans[index + 1];
    const gapEnd = next === undefined ? head.raw.length : next.first - 1 - (leading[index + 1] ?? 0);
    return Math.max(0, Math.min(bounds.after, gapEnd - after + 1));
  });
  if (leading.every((count) => count === 0) && trailing.every((count) => count === 0)) return file;
  const hunks = file.hunks.map((hunk, index): Hunk => {
    const span = spans[index];
    const above = leading[index] ?? 0;
    const below = trailing[index] ?? 0;
    if (span === undefined || (above === 0 && below === 0)) return hunk;
    const before = contextLines(head.shown, span.first - above, span.first - 1, span.oldFirst - span.first);
    const after = contextLines(head.shown, span.last + 1, span.last + below, span.oldLast - span.last);
    return { ...hunk, lines: [...before, ...hunk.lines, ...after] };
  });
  return { ...file, hunks };
}

/** The prompt copy without its widened lines: the file as GitHub's patch has it (masking and compression kept). */
export function narrowHunks(file: DiffFile): DiffFile {
  if (!isWidened(file)) return file;
  return { ...file, hunks: file.hunks.map((hunk) => (hunk.lines.some(isWidenedLine) ? { ...hunk, lines: hunk.lines.filter((line) => !isWidenedLine(line)) } : hunk)) };
}

/** Whether any line of the file was added by widenHunks. */
export function isWidened(file: DiffFile): boolean {
  return file.hunks.some((hunk) => hunk.lines.some(isWidenedLine));
}

function isWidenedLine(line: DiffLine): boolean {
  return line.widened === true;
}

/**
 * The new-side lines a hunk covers (`first`..`last`; an empty range when it has none) and the old-side numbers
 * of the lines right above and right below it.
 */
interface Span {
  first: number;
  last: number;
  /** The old number of the line at `first` (so `first - 1` has `oldFirst - 1`). */
  oldFirst: number;
  /** The old number of the line at `last` (so `last + 1` has `oldLast + 1`). */
  oldLast: number;
}

function newSpan(hunk: Hunk): Span {
  // A side with no lines starts after the line its header names (`@@ -5,2 +4,0 @@`: nothing new after line 4).
  const first = hunk.newLines > 0 ? hunk.newStart : hunk.newStart + 1;
  const oldFirst = hunk.oldLines > 0 ? hunk.oldStart : hunk.oldStart + 1;
  return { first, last: first + hunk.newLines - 1, oldFirst, oldLast: oldFirst + hunk.oldLines - 1 };
}

function contextLines(shown: readonly string[], from: number, to: number, oldOffset: number): DiffLine[] {
  const lines: DiffLine[] = [];
  for (let number = from; number <= to; number += 1) {
    lines.push({ kind: 'context', oldLine: number + oldOffset, newLine: number, text: shown[number - 1] ?? '', widened: true });
  }
  return lines;
}

function agreesWithHead(hunk: Hunk, head: HeadText): boolean {
  return hunk.lines.every((line) => {
    if (line.kind === 'del' || line.newLine === undefined) return true;
    const index = line.newLine - 1;
    return index >= 0 && index < head.raw.length && (head.raw[index] === line.text || head.shown[index] === line.text);
  });
}

/**
 * Lines to add above a hunk: up to the enclosing start when it is within reach (none when the hunk already shows
 * it), else the plain bound; never above `gapStart`.
 */
function leadingCount(hunk: Hunk, first: number, gapStart: number, raw: readonly string[], language: Language, bounds: WidenBounds): number {
  const room = Math.max(0, first - gapStart);
  if (room === 0) return 0;
  const changed = hunk.lines.findIndex((line) => line.kind !== 'context' && line.text.trim() !== '');
  // The hunk's own lines above its first change are searched first: when they hold the start, nothing is added.
  const own = (changed === -1 ? hunk.lines : hunk.lines.slice(0, changed)).filter((line) => line.kind === 'context').map((line) => line.text);
  const limit = changed === -1 ? Number.POSITIVE_INFINITY : indentOf(hunk.lines[changed]?.text ?? '');
  const above = raw.slice(Math.max(0, first - 1 - Math.min(room, bounds.beforeToStart)), first - 1);
  const start = enclosingStart([...above, ...own], limit, language, sectionOf(hunk.header));
  if (start === undefined) return Math.min(room, bounds.before);
  const distance = above.length - start;
  return distance <= 0 ? 0 : Math.min(distance, room, bounds.beforeToStart);
}

/**
 * The index in `lines` (ordered top to bottom, the change right below the last one) of the line that opens the
 * innermost function, class, method or route around the change, with the decorators or annotations right above it;
 * undefined when none does.
 *
 * Walking up from the change, only a line indented less than everything met so far can open a block around it;
 * the first such line that reads like a start (isFunctionStart, or the line git named in the hunk header as the
 * section) is the one. A line indented less that is not one (an `if`, a loop)
 * lowers the bar; lines that begin with a closing bracket (`}`, `)`, `]`: the end of a multi-line signature, an
 * `} else {`) and blank lines are passed over. Once the bar is at the margin and no start was found, nothing
 * encloses the change.
 */
export function enclosingStart(lines: readonly string[], changeIndent: number, language: Language = 'any', section = ''): number | undefined {
  let bar = changeIndent;
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const text = lines[index] ?? '';
    if (text.trim() === '' || CLOSING.test(text)) continue;
    const indent = indentOf(text);
    if (indent >= bar) continue;
    if (isFunctionStart(text, language) || (section !== '' && text.trim().startsWith(section))) return withDecorators(lines, index, indent);
    bar = indent;
    if (bar === 0) return undefined;
  }
  return undefined;
}

/** The text git put after a hunk header's second `@@`: the line it found opening the section (its own heuristic). */
function sectionOf(header: string): string {
  const match = /^@@ [^@]* @@ ?(.*)$/.exec(header);
  return match?.[1]?.trim() ?? '';
}

function withDecorators(lines: readonly string[], index: number, indent: number): number {
  let start = index;
  while (start > 0) {
    const above = lines[start - 1] ?? '';
    if (!DECORATOR.test(above) || indentOf(above) !== indent) break;
    start -= 1;
  }
  return start;
}

/** Width of the leading whitespace (a tab counts as one, like a space: files rarely mix them on one level). */
function indentOf(text: string): number {
  const match = /^[ \t]*/.exec(text);
  return match ? match[0].length : 0;
}

const CLOSING = /^\s*[)\]}]/;
/** `@app.get("/users")`, `@Override`, `@GetMapping(...)`, `#[get("/")]` (Rust attributes). */
const DECORATOR = /^\s*(@[\w$.]+|#\[)/;

/** A family of languages whose starts read alike; 'any' when the extension says nothing (every family's patterns). */
export type Language = 'python' | 'go' | 'ruby' | 'rust' | 'js' | 'c-family' | 'any';

const EXTENSIONS: Record<string, Language> = {
  py: 'python',
  pyi: 'python',
  go: 'go',
  rb: 'ruby',
  rake: 'ruby',
  rs: 'rust',
  js: 'js',
  jsx: 'js',
  mjs: 'js',
  cjs: 'js',
  ts: 'js',
  tsx: 'js',
  mts: 'js',
  cts: 'js',
  java: 'c-family',
  kt: 'c-family',
  kts: 'c-family',
  scala: 'c-family',
  cs: 'c-family',
  swift: 'c-family',
  php: 'c-family',
  c: 'c-family',
  h: 'c-family',
  cc: 'c-family',
  cpp: 'c-family',
  hpp: 'c-family',
  m: 'c-family',
  dart: 'c-family',
};

export function languageOf(path: string): Language {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? 'any' : (EXTENSIONS[name.slice(dot + 1).toLowerCase()] ?? 'any');
}

/** Words that open a statement, not a declaration: `if (…) {`, `return foo(…)`, `await bar(…)`. */
const STATEMENT = '(?!(?:if|else|for|foreach|while|do|switch|case|default|catch|try|finally|return|throw|new|await|yield|typeof|delete|void|in|of|instanceof|sizeof|goto|defer|go|assert|raise|del|not|and|or|lambda|with|using|lock|echo|print|elif|unless|until|when|select)\\b)';

/**
 * `router.get('/users/:id', async (req, res) => {`, `app.post(`, `r.HandleFunc("/", func(w, r) {`: a route that
 * opens its handler (the line does not end the call: `cache.get(key);` is no start).
 */
const ROUTE = /^\s*[\w$]+(?:\.[\w$]+)*\.(?:get|post|put|patch|delete|del|head|options|all|route|handle|handlefunc|handler|use)\s*\(.*[^;)\s]\s*$/i;
/** `describe(`, `it(`, `test(`: a test's start. */
const TEST_BLOCK = /^\s*(?:describe|it|test|context)(?:\.\w+)?\s*\(/;

const PATTERNS: Record<Exclude<Language, 'any'>, readonly RegExp[]> = {
  python: [/^\s*(?:async\s+)?def\s+\w/, /^\s*class\s+\w/],
  go: [/^\s*func\b/, /^\s*type\s+\w+\s+(?:struct|interface)\b/, /^\s*[\w.]+\s*:?=\s*func\s*\(/],
  ruby: [/^\s*(?:def|class|module)\s+\S/, /^\s*(?:get|post|put|patch|delete)\s+['"]/],
  rust: [/^\s*(?:pub(?:\([^)]*\))?\s+)?(?:(?:async|const|unsafe|extern(?:\s+"[^"]*")?)\s+)*fn\s+\w/, /^\s*(?:pub(?:\([^)]*\))?\s+)?(?:impl|trait|struct|enum|mod)\b/],
  js: [
    /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?function\b/,
    /^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\b/,
    /^\s*(?:export\s+)?(?:const|let|var)\s+[\w$]+\s*(?::[^=]+)?=\s*(?:async\s+)?(?:function\b|[^;]*=>|\(\s*$)/,
    new RegExp(`^\\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\\s+)*${STATEMENT}[\\w$#]+\\s*(?:<[^>]*>)?\\s*\\((?:[^;]*\\{)?\\s*$`),
    /^\s*(?:export\s+)?(?:interface|enum|namespace|module)\s+[\w$]/,
  ],
  'c-family': [
    /^\s*(?:(?:public|private|protected|internal|static|final|abstract|sealed|partial|open|data|inner|export)\s+)*(?:class|interface|enum|record|struct|object|trait|protocol|extension)\s+\w/,
    /^\s*(?:(?:public|private|protected|internal|static|final|abstract|override|open|suspend|inline)\s+)*(?:fun|func|function)\s+[\w$<`]/,
    new RegExp(`^\\s*${STATEMENT}[\\w<>\\[\\],.?*&:]+(?:\\s+[\\w<>\\[\\],.?*&:]+)*\\s+[*&]?[\\w$~]+\\s*\\([^;]*$`),
  ],
};

const ANY: readonly RegExp[] = Object.values(PATTERNS).flat();

/** Whether a line reads like the start of a function, method, class or route in `language` (every family's for 'any'). */
export function isFunctionStart(text: string, language: Language = 'any'): boolean {
  if (ROUTE.test(text) || TEST_BLOCK.test(text)) return true;
  const patterns = language === 'any' ? ANY : PATTERNS[language];
  return patterns.some((pattern) => pattern.test(text));
}
