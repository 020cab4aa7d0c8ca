import { splitCodeSpans, splitFences } from './markdown-segments.js';
import type { BlockSegment } from './markdown-segments.js';
import { stripMarkers } from './markers.js';
import { splitAddresses } from './split-addresses.js';
import { cutMarkdown, safeSlice, truncateMarkdown } from './truncate-markdown.js';

/**
 * Model-written text is untrusted: the pull request it read may carry prompt injection. Before it reaches a
 * GitHub body it must not be able to notify people, inject HTML, forge Bulwark's hidden markers, swallow the
 * rest of the body in an unclosed code fence, or grow without bound.
 */

export const DEFAULT_MARKDOWN_MAX = 20_000;
export const DEFAULT_INLINE_MAX = 300;

const ZERO_WIDTH_JOINER = '\u200D';
// C0 controls other than tab and newline, and the bidirectional overrides that can disguise text ("Trojan Source").
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE_CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F\u202A-\u202E\u2066-\u2069]/g;

/** Sanitizes a Markdown block (summary, explanation); fenced code and code spans are kept verbatim. */
export function sanitizeMarkdown(text: string, maxLength = DEFAULT_MARKDOWN_MAX): string {
  const input = stripMarkers(normalise(text));
  // Escaping only lengthens text, so anything past maxLength would be cut anyway: cutting first bounds the work.
  const cut = input.length > maxLength;
  const safe = splitFences(safeSlice(input, maxLength))
    .map((segment) => (segment.kind === 'fence' ? safeFence(segment) : sanitizeProse(segment.text)))
    .join('')
    .replace(/^(?:[ \t]*\n)+/, '')
    .trimEnd();
  return truncateMarkdown(safe, maxLength, { force: cut });
}

/**
 * Sanitizes text that must stay on one line: titles, list items, table cells. With `table`, pipes are escaped
 * everywhere, including in code spans, as GFM tables require (https://github.github.com/gfm/#tables-extension-).
 */
export function sanitizeInline(text: string, maxLength = DEFAULT_INLINE_MAX, options: { table?: boolean } = {}): string {
  const oneLine = stripMarkers(normalise(text).replace(/\s+/g, ' ')).trim();
  let safe = sanitizeProse(safeSlice(oneLine, maxLength));
  if (options.table) safe = safe.replace(/(?<!\\)((?:\\\\)*)\|/g, '$1\\|');
  if (safe.length > maxLength || oneLine.length > maxLength) safe = `${cutMarkdown(safe, maxLength - 1).trimEnd()}…`;
  // A trailing backslash would escape whatever the caller writes next (for example the closing `**`).
  return safe.replace(/(?<!\\)((?:\\\\)*)\\$/, '$1');
}

/**
 * Plain text as a one-line code span, whatever it contains: paths and rule ids from the model may hold
 * backticks or pipes. The delimiter is longer than any backtick run inside (https://github.github.com/gfm/#code-spans).
 */
export function codeSpan(text: string, options: { table?: boolean } = {}): string {
  let content = stripMarkers(normalise(text)).replace(/\s+/g, ' ').trim();
  if (content === '') return '` `';
  if (options.table) content = content.replaceAll('|', '\\|');
  const delimiter = '`'.repeat(longestRun(content, '`') + 1);
  const padding = content.startsWith('`') || content.endsWith('`') ? ' ' : '';
  return `${delimiter}${padding}${content}${padding}${delimiter}`;
}

/**
 * A fenced code block whose backtick fence is longer than any backtick run in `code`, so the code cannot close
 * it early (https://github.github.com/gfm/#fenced-code-blocks). `code` is kept verbatim but for one trailing
 * newline, which the fence supplies.
 */
export function fence(code: string, info = ''): string {
  const marker = '`'.repeat(Math.max(3, longestRun(code, '`') + 1));
  const infoLine = info.replace(/[`\r\n]/g, '').trim();
  const body = code.replace(/\r?\n$/, '');
  return body === '' && code === '' ? `${marker}${infoLine}\n${marker}` : `${marker}${infoLine}\n${body}\n${marker}`;
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let current = 0;
  for (const c of text) {
    current = c === char ? current + 1 : 0;
    if (current > longest) longest = current;
  }
  return longest;
}

/** Unix newlines; no control characters (but tab and newline) and no bidirectional overrides. */
export function normalise(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(INVISIBLE_CONTROLS, '');
}

/**
 * Fenced code stays verbatim (GitHub renders it literally), but an unclosed fence is closed so it cannot swallow
 * what follows, and a fence labelled `suggestion` loses the label: only a finding's validated `suggestion`
 * field, placed by Bulwark on the lines it belongs to, may become a one-click change.
 */
function safeFence(segment: Extract<BlockSegment, { kind: 'fence' }>): string {
  let text = segment.text;
  if (/^suggestion\b/i.test(segment.info)) text = text.replace(/^( {0,3}[`~]{3,})[^\n]*/, '$1');
  if (!segment.closed) text = `${text}${text.endsWith('\n') ? '' : '\n'}${segment.fence}\n`;
  return text;
}

/** Prose outside code spans: HTML escaped, mentions neutralised, stray backticks escaped. */
function sanitizeProse(prose: string): string {
  return splitCodeSpans(prose)
    .map((segment) => (segment.kind === 'code' ? segment.text : sanitizeText(segment.text)))
    .join('');
}

/**
 * Text outside code. Addresses (links, URLs, e-mail) are shown as code spans: readable and copyable, but no
 * model-written text becomes a clickable link. The rest is escaped so that it renders as the characters it is.
 */
function sanitizeText(text: string): string {
  const segments = splitAddresses(text);
  return segments
    .map((segment, index) => {
      if (segment.kind === 'address') return codeSpan(segment.text);
      const escaped = escapeText(segment.text);
      // A backslash left odd before a code span would escape its opening backtick and expose the address.
      return segments[index + 1]?.kind === 'address' && /(?<!\\)(?:\\\\)*\\$/.test(escaped) ? `${escaped}\\` : escaped;
    })
    .join('');
}

function escapeText(text: string): string {
  return (
    text
      // An entity GitHub would decode could spell a mention, a tag or a URL: shown literally instead.
      .replace(/&(?=#|[A-Za-z][A-Za-z0-9]*;)/g, '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      // `@user`, `@org/team` and `owner@sha` / `owner/repo@sha` (https://docs.github.com/en/get-started/writing-on-github/working-with-advanced-formatting/autolinked-references-and-urls).
      // A zero-width joiner after the `@` keeps the text readable but no longer a mention or a reference;
      // e-mail addresses never get here (they are addresses, shown as code spans).
      .replace(/@(?=[A-Za-z0-9])/g, `@${ZERO_WIDTH_JOINER}`)
      // `owner/repo#123` references (and notifies) another repository; `#123` and `GH-123` stay: they only point
      // inside the repository the reader is already in.
      .replace(/(?<=[\p{L}\p{N}_.-])#(?=\d)/gu, `#${ZERO_WIDTH_JOINER}`)
      // Brackets that open no link: escaped so no link, image or reference definition can form from them.
      // A backtick that opens no code span here is literal; escaping it keeps it literal next to other text.
      .replace(/(?<!\\)((?:\\\\)*)([`[\]])/g, '$1\\$2')
  );
}
