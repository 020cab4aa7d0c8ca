import type { CommandKind } from '../ports/job-queue.js';

/** A command found in a comment: what it asks for, and the text that goes with it (`''` for commands without). */
export interface ParsedCommand {
  kind: CommandKind;
  /**
   * For `/review ask`, `/review learn`, `/review forget` and `/ask`: the rest of the command's line and every line
   * after it, trimmed (a question may span lines). Untrusted text: never put in a job (Redis holds jobs).
   */
  argument: string;
}

/** `/review <word>` commands that take nothing after them. */
const BARE: Readonly<Record<string, CommandKind>> = { '': 'review', full: 'full', help: 'help', describe: 'describe', pause: 'pause', resume: 'resume', learnings: 'learnings' };

/** `/review <word> <text>` commands; the text may be empty, and the command's handler says what it needs. */
const WITH_TEXT: Readonly<Record<string, CommandKind>> = { ask: 'ask', learn: 'learn', forget: 'forget' };

const REVIEW_LINE = /^\/review(?:\s+([a-z]+))?(?:\s+(.*))?$/i;
const ASK_LINE = /^\/ask(?:\s+(.*))?$/i;

/**
 * The first command of a comment: `/review` (alone, or with `full`, `help`, `describe`, `pause`, `resume`,
 * `learnings`), `/review ask|learn|forget <text>`, or `/ask <question>` (kind `answer`: a question in one of
 * Bulwark's review threads). It must start a line of its own (leading and trailing blanks allowed); quoted lines
 * (`> /review`) and lines inside code blocks do not count, so quoting an old comment does not re-trigger. A
 * `/review` followed by a word it does not know is no command.
 */
export function parseCommand(body: string): ParsedCommand | undefined {
  const lines = body.split(/\r?\n/);
  let inFence = false;
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const rest = () => lines.slice(index + 1).join('\n');
    const review = REVIEW_LINE.exec(line);
    if (review) {
      const word = (review[1] ?? '').toLowerCase();
      const text = review[2]?.trim() ?? '';
      const bare = BARE[word];
      if (bare && text === '') return { kind: bare, argument: '' };
      const withText = WITH_TEXT[word];
      if (withText) return { kind: withText, argument: joined(text, rest()) };
      continue;
    }
    const ask = ASK_LINE.exec(line);
    if (ask) return { kind: 'answer', argument: joined(ask[1]?.trim() ?? '', rest()) };
  }
  return undefined;
}

function joined(first: string, after: string): string {
  return `${first}\n${after}`.trim();
}
