import { neutralise, renderFile } from './build-prompt.js';
import type { DiffFile } from './types.js';

/**
 * Characters of ASCII text per token, on the conservative side.
 *
 * Claude's tokenizer is not public; the numbers below are measurements against the count_tokens endpoint.
 * The tokenizer introduced with Opus 4.7 (later models appear to share it; not confirmed for the 5.5 family)
 * splits code into smaller pieces than the one before it: TypeScript went from about 3.66 to 2.69 characters per token and English prose
 * from 4.33 to 3.60 (Claude Code Camp, "Measuring Claude 4.7's tokenizer costs", April 2026; Anthropic's
 * Opus 4.7 release notes say the same text can take 1.0–1.35× the tokens). So the 3–3.5 characters per
 * token that held for older models now *under*-counts code. 2.5 puts the estimate about 8% above the
 * measured 2.69 for TypeScript (other languages' ratios differ by a few percent): the budget is a promise
 * to the operator, so the estimate should run high, not low. Where it pays (the estimate left a file out or
 * came near the budget), calibrate-plan counts a sample with count_tokens and plans again with the estimate scaled.
 *
 * Whitespace runs (indentation, the padded L/R columns) tokenise far better than 2.5 characters per token,
 * which pushes the estimate further up for deeply indented code; that error is on the safe side.
 */
export const CHARS_PER_TOKEN = 2.5;

/**
 * Tokens per non-ASCII UTF-16 code unit. CJK runs at roughly one token per character and did not change
 * with the newer tokenizer (same sources); accented Latin and Cyrillic do better, emoji (two code units)
 * cost about two tokens. One per code unit is a ceiling for the common cases, so it errs high as well.
 */
export const TOKENS_PER_NON_ASCII = 1;

// One V8 regex scan is much cheaper than a per-character loop; the loop only runs when there is something to count.
const NON_ASCII = /[\u0080-\uffff]/;

/** A fast, conservative estimate of the tokens `text` costs in a prompt: O(n), no allocation for ASCII text. */
export function estimateTokens(text: string): number {
  return toTokens(text.length, countNonAscii(text));
}

/**
 * What one file costs in the user turn: the estimate of exactly the text build-prompt's renderFile produces
 * (its L/R number columns, marks and neutralised text), plus the newline that joins it to the next part.
 *
 * It does not build that text: rendering 100 000 lines costs ~60 ms, counting them ~10 ms. The frame (file
 * tag) is measured on renderFile itself; the lines are counted with the line layout below, and a test
 * holds the two to `estimateTokens(renderFile(file) + '\n')` so the layout cannot drift unnoticed.
 */
export function estimateFileTokens(file: DiffFile): number {
  // renderFile with no hunks is the frame: `<file …>\n` + `\n</file>`.
  const frame = renderFile({ ...file, hunks: [] });
  let chars = frame.length + 1;
  let nonAscii = countNonAscii(frame);
  for (const hunk of file.hunks) {
    const header = neutralise(hunk.header);
    chars += header.length;
    nonAscii += countNonAscii(header);
    for (const line of hunk.lines) {
      // `\n` + left column + right column + mark + space + text.
      const left = line.oldLine !== undefined && line.kind !== 'add' ? columnWidth(line.oldLine) : COLUMN_WIDTH;
      const right = line.newLine !== undefined && line.kind !== 'del' ? columnWidth(line.newLine) : COLUMN_WIDTH;
      // neutralise only ever rewrites text that contains '<'.
      const text = line.text.includes('<') ? neutralise(line.text) : line.text;
      chars += 1 + left + right + 2 + text.length;
      nonAscii += countNonAscii(text);
    }
  }
  // Hunks are joined by one newline each.
  if (file.hunks.length > 1) chars += file.hunks.length - 1;
  return toTokens(chars, nonAscii);
}

/** build-prompt pads `L<n>` and `R<n>` to 7 characters; a longer label is not cut. */
const COLUMN_WIDTH = 7;

function columnWidth(lineNumber: number): number {
  return lineNumber >= 0 && lineNumber < 1_000_000 ? COLUMN_WIDTH : Math.max(COLUMN_WIDTH, 1 + String(lineNumber).length);
}

/** Counts are summed as integers and rounded once, so a file's estimate equals that of its rendered text. */
function toTokens(chars: number, nonAscii: number): number {
  return Math.ceil((chars - nonAscii) / CHARS_PER_TOKEN + nonAscii * TOKENS_PER_NON_ASCII);
}

function countNonAscii(text: string): number {
  if (!NON_ASCII.test(text)) return 0;
  let count = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) count++;
  return count;
}
