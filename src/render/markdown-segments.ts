/**
 * Splits Markdown into the pieces GitHub renders differently: fenced code blocks and inline code spans are shown
 * literally, while in prose raw HTML, @-mentions and emphasis are live. The rules follow GitHub Flavored Markdown:
 * https://github.github.com/gfm/#fenced-code-blocks and https://github.github.com/gfm/#code-spans
 *
 * Joining the `text` of the segments gives back the input exactly.
 */

export type BlockSegment =
  | { kind: 'prose'; text: string }
  /** `fence` is the opening run (e.g. "````"); `closed` is false when the block runs to the end of the text. */
  | { kind: 'fence'; text: string; fence: string; info: string; closed: boolean };

export interface InlineSegment {
  kind: 'text' | 'code';
  text: string;
}

// Up to three spaces of indentation; a backtick fence's info string may not contain a backtick.
const OPENING_FENCE = /^ {0,3}(?:(`{3,})([^`]*)|(~{3,})(.*))$/;

export function splitFences(markdown: string): BlockSegment[] {
  const segments: BlockSegment[] = [];
  let prose = '';
  let open: { fence: string; info: string; text: string } | undefined;

  for (const line of markdown.split(/(?<=\n)/)) {
    const content = line.replace(/\r?\n$/, '');
    if (open) {
      open.text += line;
      if (closesFence(content, open.fence)) {
        segments.push({ kind: 'fence', text: open.text, fence: open.fence, info: open.info, closed: true });
        open = undefined;
      }
      continue;
    }
    const match = OPENING_FENCE.exec(content);
    if (!match) {
      prose += line;
      continue;
    }
    if (prose) segments.push({ kind: 'prose', text: prose });
    prose = '';
    open = { fence: match[1] ?? match[3] ?? '```', info: (match[2] ?? match[4] ?? '').trim(), text: line };
  }
  if (open) segments.push({ kind: 'fence', text: open.text, fence: open.fence, info: open.info, closed: false });
  if (prose) segments.push({ kind: 'prose', text: prose });
  return segments;
}

/** A closing fence: the same character, at least as long as the opening, nothing after it but spaces. */
function closesFence(line: string, fence: string): boolean {
  const match = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
  const run = match?.[1];
  return run !== undefined && run[0] === fence[0] && run.length >= fence.length;
}

/** The opening fence of the block the text ends inside of, or undefined when the text ends outside any fence. */
export function openFenceAtEnd(markdown: string): string | undefined {
  const last = splitFences(markdown).at(-1);
  return last?.kind === 'fence' && !last.closed ? last.fence : undefined;
}

/**
 * Splits prose (no fenced blocks) into code spans and the text between them. A backtick run opens a span only if
 * the next run of the same length closes it within the paragraph; a backslash-escaped backtick opens nothing.
 */
export function splitCodeSpans(prose: string): InlineSegment[] {
  const segments: InlineSegment[] = [];
  const runs = [...prose.matchAll(/`+/g)].map((match) => ({ start: match.index, length: match[0].length }));
  const nextCloser = closerFinder(runs);
  let position = 0;
  let index = 0;

  while (index < runs.length) {
    const run = runs[index];
    index += 1;
    if (!run) break;
    let { start, length } = run;
    if (isEscaped(prose, start, position)) {
      start += 1;
      length -= 1;
      if (length === 0) continue;
    }
    const closer = nextCloser(length, index);
    const closing = runs[closer];
    if (!closing || /\n[ \t]*\r?\n/.test(prose.slice(start, closing.start))) continue;
    if (start > position) segments.push({ kind: 'text', text: prose.slice(position, start) });
    position = closing.start + closing.length;
    segments.push({ kind: 'code', text: prose.slice(start, position) });
    index = closer + 1;
  }
  if (position < prose.length) segments.push({ kind: 'text', text: prose.slice(position) });
  return segments;
}

/**
 * Finds the first run of a given length at or after an index. Lookups only move forward, so a cursor per length
 * keeps the whole scan linear even for text made of thousands of unmatched backticks.
 */
function closerFinder(runs: readonly { length: number }[]): (length: number, from: number) => number {
  const byLength = new Map<number, number[]>();
  runs.forEach((run, at) => {
    const indices = byLength.get(run.length);
    if (indices) indices.push(at);
    else byLength.set(run.length, [at]);
  });
  const cursors = new Map<number, number>();
  return (length, from) => {
    const indices = byLength.get(length) ?? [];
    let cursor = cursors.get(length) ?? 0;
    while (cursor < indices.length && (indices[cursor] ?? Infinity) < from) cursor += 1;
    cursors.set(length, cursor);
    return indices[cursor] ?? -1;
  };
}

/** True when the character at `at` follows an odd number of backslashes (counted no further back than `from`). */
export function isEscaped(text: string, at: number, from = 0): boolean {
  let backslashes = 0;
  for (let i = at - 1; i >= from && text[i] === '\\'; i -= 1) backslashes += 1;
  return backslashes % 2 === 1;
}
