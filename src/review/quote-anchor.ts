import type { Side } from './types.js';

/** A run of consecutive lines of one hunk on one side, as a quote is searched in. */
export interface QuoteLines {
  side: Side;
  lines: { number: number; text: string }[];
}

export interface QuoteMatch {
  side: Side;
  first: number;
  last: number;
}

/**
 * A quote's lines as compared: whitespace collapsed (indentation and trailing spaces are not evidence), a leading
 * diff mark or L/R number column the model copied along removed, blank lines at either end dropped.
 */
export function quoteLines(quote: string): string[] {
  const lines = quote.split(/\r?\n/).map((line) => normaliseLine(line.replace(/^\s*(?:[LR]\d+\s+)*(?:[+-] )?/, '')));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function normaliseLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Whether the quote is the code of `lines` (consecutive lines of the diff): every quoted line is found, in order
 * and consecutively, among them; its first and last line may be a part of a line (a model quotes the expression
 * it means). A quote longer than the lines still matches when it starts at them: one line cited, three quoted.
 */
export function quoteMatches(quote: string, lines: readonly string[]): boolean {
  const wanted = quoteLines(quote);
  if (wanted.length === 0) return true;
  const have = lines.map(normaliseLine);
  for (let start = 0; start < have.length; start += 1) {
    if (matchesFrom(wanted, have, start, true)) return true;
  }
  return false;
}

/**
 * Where in the file's diff the quote is: the match nearest to `near` (the cited line), on `side` first when one
 * was given. Undefined when the quote is nowhere in the diff.
 */
export function findQuote(quote: string, runs: readonly QuoteLines[], near: number, side?: Side): QuoteMatch | undefined {
  const wanted = quoteLines(quote);
  if (wanted.length === 0) return undefined;
  let best: QuoteMatch | undefined;
  let bestCost = Number.POSITIVE_INFINITY;
  for (const run of runs) {
    const have = run.lines.map((line) => normaliseLine(line.text));
    for (let start = 0; start + wanted.length <= have.length; start += 1) {
      if (!matchesFrom(wanted, have, start, false)) continue;
      const first = run.lines[start]?.number ?? 0;
      const last = run.lines[start + wanted.length - 1]?.number ?? first;
      // Distance from the cited line; the other side only when nothing matches on the side the model named.
      const cost = Math.abs(first - near) + (side !== undefined && run.side !== side ? 1_000_000 : 0);
      if (cost < bestCost) {
        best = { side: run.side, first, last };
        bestCost = cost;
      }
    }
  }
  return best;
}

/** `wanted` matches `have` from `start`; with `partialTail`, a quote running past the end of `have` also counts. */
function matchesFrom(wanted: readonly string[], have: readonly string[], start: number, partialTail: boolean): boolean {
  for (let offset = 0; offset < wanted.length; offset += 1) {
    const line = have[start + offset];
    if (line === undefined) return partialTail && offset > 0;
    const quoted = wanted[offset] ?? '';
    const edge = offset === 0 || offset === wanted.length - 1;
    if (edge ? !line.includes(quoted) || (quoted === '' && line !== '') : line !== quoted) return false;
  }
  return true;
}
