import { isEscaped, openFenceAtEnd, splitCodeSpans, splitFences } from './markdown-segments.js';

export const TRUNCATION_NOTE = '\n\n_… (truncated)_';

/**
 * Shortens Markdown to at most `max` characters (UTF-16 code units, which never undercounts GitHub's characters),
 * ending with `note` (also when `force` says the text was already shortened upstream). The cut is safe for sanitized text: a code fence left open is closed, so the cut cannot turn
 * whatever the caller appends next (for example a hidden marker) into code; and a code span cut in half is dropped
 * whole, so its literal content (an `@name`, a `<tag>`) cannot become live prose.
 */
export function truncateMarkdown(markdown: string, max: number, options: { note?: string; force?: boolean } = {}): string {
  const { note = TRUNCATION_NOTE, force = false } = options;
  if (markdown.length <= max && !force) return markdown;
  if (note.length >= max) return safeSlice(note.trimStart(), max);

  let budget = max - note.length;
  while (budget > 0) {
    const cut = cutMarkdown(markdown, budget).trimEnd();
    const fence = openFenceAtEnd(cut);
    const closing = fence === undefined ? '' : `\n${fence}`;
    if (cut.length + closing.length + note.length <= max) return cut + closing + note;
    budget = Math.min(budget - 1, max - note.length - closing.length);
  }
  return safeSlice(note.trimStart(), max);
}

/**
 * The first `length` characters of Markdown, shortened further so the cut does not leave a code span open: the
 * end of the last paragraph is dropped from the first backtick that no longer has its closing partner. Sanitized
 * prose has every literal backtick escaped, so an unescaped, unpaired one can only be a span the cut broke.
 */
export function cutMarkdown(markdown: string, length: number): string {
  const cut = safeSlice(markdown, length);
  const last = splitFences(cut).at(-1);
  if (last?.kind !== 'prose') return cut;

  const paragraphStart = lastBlankLineEnd(last.text);
  const paragraph = last.text.slice(paragraphStart);
  const offset = cut.length - last.text.length + paragraphStart;
  let position = 0;
  for (const segment of splitCodeSpans(paragraph)) {
    if (segment.kind === 'text') {
      const broken = firstUnescapedBacktick(segment.text);
      if (broken !== undefined) return cut.slice(0, offset + position + broken);
    }
    position += segment.text.length;
  }
  return cut;
}

/**
 * `text.slice(0, length)` that does not split a surrogate pair or leave half an HTML entity such as `&l`
 * (which would render as stray text).
 */
export function safeSlice(text: string, length: number): string {
  if (text.length <= length) return text;
  let cut = text.slice(0, Math.max(0, length));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut.replace(/&#?[A-Za-z0-9]{0,8}$/, '');
}

function lastBlankLineEnd(text: string): number {
  let end = 0;
  for (const match of text.matchAll(/\n[ \t]*\n/g)) end = match.index + match[0].length;
  return end;
}

function firstUnescapedBacktick(text: string): number | undefined {
  for (let at = text.indexOf('`'); at !== -1; at = text.indexOf('`', at + 1)) {
    if (!isEscaped(text, at)) return at;
  }
  return undefined;
}
