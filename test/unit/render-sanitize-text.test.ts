import { describe, expect, it } from 'vitest';
import { parseMarkers } from '../../src/render/markers.js';
import { codeSpan, fence, sanitizeInline, sanitizeMarkdown } from '../../src/render/sanitize-text.js';
import { truncateMarkdown } from '../../src/render/truncate-markdown.js';

/** A mention GitHub would notify: `@name` not preceded by a word character. */
const LIVE_MENTION = /(?<![\p{L}\p{N}_])@[A-Za-z0-9]/u;

describe('sanitizeMarkdown', () => {
  it('neutralises user and team mentions but leaves e-mail addresses alone', () => {
    const safe = sanitizeMarkdown('Ask @octocat or @acme/backend-team (cc:@bob), or mail a@b.com.');
    expect(safe).not.toMatch(LIVE_MENTION);
    expect(safe).toContain('@\u200Doctocat');
    expect(safe).toContain('@\u200Dacme/backend-team');
    expect(safe).toContain('a@b.com');
  });

  it('escapes raw HTML in prose', () => {
    const safe = sanitizeMarkdown('Hello <script>alert(1)</script> and <img src=x onerror=alert(1)>');
    expect(safe).not.toContain('<');
    expect(safe).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('keeps fenced code and code spans verbatim', () => {
    const text = 'Use `List<String>` and `@Transactional`:\n\n```java\n@Override\nif (a < b) {}\n```\n\nDone.';
    expect(sanitizeMarkdown(text)).toBe(text);
  });

  it('removes a forged Bulwark marker from prose and from code', () => {
    const text = 'Fine.\n<!-- bulwark:review {"head":"evil"} -->\n```\n<!-- bulwark:finding {"fp":"x"} -->\n```';
    const safe = sanitizeMarkdown(text);
    expect(safe).not.toMatch(/bulwark:/);
    expect(parseMarkers(safe)).toEqual([]);
  });

  it('closes an unclosed fence so it cannot swallow what follows', () => {
    const safe = sanitizeMarkdown('Look:\n````ts\nconst a = 1;');
    expect(safe).toBe('Look:\n````ts\nconst a = 1;\n````');
  });

  it('drops the suggestion label from fences in free text', () => {
    const safe = sanitizeMarkdown('Try:\n```suggestion\nfoo()\n```');
    expect(safe).toBe('Try:\n```\nfoo()\n```');
  });

  it('escapes a backtick that opens no code span, so it cannot pair with text appended later', () => {
    expect(sanitizeMarkdown('a ` b')).toBe('a \\` b');
  });

  it('does not treat a backslash-escaped backtick as a code span opener', () => {
    const safe = sanitizeMarkdown('\\`<b>@x`');
    expect(safe).not.toContain('<b>');
    expect(safe).not.toMatch(LIVE_MENTION);
  });

  it('caps the length and says so', () => {
    const safe = sanitizeMarkdown('word '.repeat(10_000), 500);
    expect(safe.length).toBeLessThanOrEqual(500);
    expect(safe).toMatch(/truncated/);
  });

  it('caps text that grows when escaped', () => {
    const safe = sanitizeMarkdown('<'.repeat(1_000), 300);
    expect(safe.length).toBeLessThanOrEqual(300);
    expect(safe).not.toMatch(/&l$|&lt$/);
  });

  it('strips control and bidirectional override characters', () => {
    expect(sanitizeMarkdown('a\u0000b\u202Ec')).toBe('abc');
  });
});

describe('truncateMarkdown', () => {
  it('drops a code span cut in half instead of exposing its content as prose', () => {
    const cut = truncateMarkdown('hello `@admin please` world', 14, { note: '…' });
    expect(cut).toBe('hello…');
  });

  it('closes a fence the cut leaves open', () => {
    const cut = truncateMarkdown(`intro\n\n\`\`\`\n${'x\n'.repeat(100)}\`\`\`\n\nafter`, 60, { note: '\n\n(cut)' });
    expect(cut.length).toBeLessThanOrEqual(60);
    expect(cut).toMatch(/\n```\n\n\(cut\)$/);
  });
});

describe('sanitizeInline', () => {
  it('keeps text on one line and escapes pipes for table cells, also in code spans', () => {
    expect(sanitizeInline('a | b\n`c|d`', 100, { table: true })).toBe('a \\| b `c\\|d`');
  });

  it('caps with an ellipsis and neutralises mentions', () => {
    const safe = sanitizeInline(`@team ${'x'.repeat(500)}`, 50);
    expect(safe.length).toBeLessThanOrEqual(50);
    expect(safe.endsWith('…')).toBe(true);
    expect(safe).not.toMatch(LIVE_MENTION);
  });

  it('marks text cut before sanitizing with an ellipsis too', () => {
    const safe = sanitizeInline('x'.repeat(100), 50);
    expect(safe).toBe(`${'x'.repeat(49)}…`);
  });

  it('does not end in a backslash that would escape the caller’s next character', () => {
    expect(sanitizeInline('path\\')).toBe('path');
  });
});

describe('fence', () => {
  it('uses a fence longer than any backtick run in the code', () => {
    const code = 'const md = "```js\\n````";\n';
    const block = fence(code, 'suggestion');
    expect(block).toBe('`````suggestion\nconst md = "```js\\n````";\n`````');
  });

  it('uses three backticks for plain code and keeps an empty block empty', () => {
    expect(fence('a()')).toBe('```\na()\n```');
    expect(fence('', 'suggestion')).toBe('```suggestion\n```');
  });
});

describe('codeSpan', () => {
  it('wraps text with backticks in a longer delimiter', () => {
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
    expect(codeSpan('a|b', { table: true })).toBe('`a\\|b`');
  });
});
