import type { CommandKind } from '../ports/job-queue.js';

/**
 * `/review`, `/review full` or `/review help` on a line of its own (leading and trailing blanks allowed); quoted
 * lines (`> /review`) and commands inside code blocks do not count, so quoting an old comment does not re-trigger.
 */
export function parseCommand(body: string): CommandKind | undefined {
  let inFence = false;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const match = /^\/review(?:\s+(full|help))?$/i.exec(line);
    if (match) return (match[1]?.toLowerCase() as CommandKind | undefined) ?? 'review';
  }
  return undefined;
}
