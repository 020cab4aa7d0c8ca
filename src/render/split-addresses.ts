/**
 * Finds, in prose outside code, every address GitHub would make clickable: inline links and images
 * (https://github.github.com/gfm/#links, #images), URLs and `www.` hosts it autolinks, and e-mail addresses
 * (https://github.github.com/gfm/#autolinks-extension-). Angle-bracket autolinks and HTML attributes are found as
 * bare URLs: their `<` is escaped afterwards, which leaves the URL inside bare.
 *
 * A link becomes its label, then its destination as an address; an image becomes its alt text only. The caller
 * decides how to show an address (Bulwark: as a code span, never as a link).
 */

export type AddressSegment = { kind: 'text'; text: string } | { kind: 'address'; text: string };

/** A link's `(destination "title")`; the destination may hold one level of balanced parentheses. */
function destination(angle: string, bare: string): string {
  return String.raw`\(\s*(?:<${angle}[^<>\n]*)>|${bare}[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*))(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?\s*\)`;
}

// Not after an odd run of backslashes, which escapes the bracket; a label may hold escaped brackets.
const UNESCAPED = String.raw`(?<!(?<!\\)(?:\\\\)*\\)`;
const LABEL = String.raw`((?:[^[\]\n\\]|\\.)*)`;

const IMAGE = new RegExp(String.raw`${UNESCAPED}!\[${LABEL}\]${destination('(?:', '(?:')}`, 'g');

// Each alternative starts only where no character of its own kind precedes it, so a long run that is not an
// address is scanned once, not once per position.
const ADDRESS = new RegExp(
  [
    String.raw`${UNESCAPED}\[${LABEL.replace('(', '(?<label>')}\]${destination('(?<angle>', '(?<dest>')}`,
    String.raw`(?<url>(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s<>"\x60]+|(?<![\p{L}\p{N}])www\.[^\s<>"\x60]+)`,
    String.raw`(?<email>(?<![A-Za-z0-9._+-])(?:(?:mailto|xmpp):)?[A-Za-z0-9._+-]+@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+)`,
  ].join('|'),
  'gu',
);

// GitHub leaves these out of the end of an autolinked URL (https://github.github.com/gfm/#extended-autolink-path-validation).
const TRAILING_PUNCTUATION = /[?!.,:;*_~'"]+$/;

export function splitAddresses(prose: string): AddressSegment[] {
  const text = prose.replace(IMAGE, '$1');
  const segments: AddressSegment[] = [];
  let position = 0;
  for (const match of text.matchAll(ADDRESS)) {
    const groups = match.groups ?? {};
    if (match.index > position) segments.push({ kind: 'text', text: text.slice(position, match.index) });
    position = match.index + match[0].length;
    if (groups['label'] !== undefined) {
      const destination = groups['angle'] ?? groups['dest'] ?? '';
      segments.push(...splitAddresses(groups['label']));
      if (destination === '') continue;
      if (groups['label'] === '') segments.push({ kind: 'address', text: destination });
      else segments.push({ kind: 'text', text: ' (' }, { kind: 'address', text: destination }, { kind: 'text', text: ')' });
    } else if (groups['url'] !== undefined) {
      const [url, rest] = trimUrl(groups['url']);
      segments.push(/^www\.?$/i.test(url) ? { kind: 'text', text: url } : { kind: 'address', text: url });
      if (rest) segments.push({ kind: 'text', text: rest });
    } else {
      segments.push({ kind: 'address', text: match[0] });
    }
  }
  if (position < text.length) segments.push({ kind: 'text', text: text.slice(position) });
  return segments.filter((segment) => segment.text !== '');
}

/** The URL without the sentence punctuation after it, and without a closing parenthesis it did not open. */
function trimUrl(candidate: string): [string, string] {
  let url = candidate;
  for (;;) {
    const trimmed = url.replace(TRAILING_PUNCTUATION, '');
    const unbalanced = trimmed.endsWith(')') && count(trimmed, ')') > count(trimmed, '(');
    const next = unbalanced ? trimmed.slice(0, -1) : trimmed;
    if (next === url) break;
    url = next;
  }
  return [url, candidate.slice(url.length)];
}

function count(text: string, char: string): number {
  let n = 0;
  for (const c of text) if (c === char) n += 1;
  return n;
}
