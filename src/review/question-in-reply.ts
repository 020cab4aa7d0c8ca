import { parseCommand } from '../handlers/parse-command.js';

/**
 * The question a reply in a review thread asks Bulwark, or undefined when it asks nothing of it: a reply is for
 * Bulwark when a line of it starts with `/ask` (parse-command.ts), or when it mentions the App (`@<slug>`, or
 * `@<slug>[bot]`) outside quoted lines and code. The question is the reply without that mention. `slug`
 * undefined (not known yet): any mention counts, and the job decides once it knows the App.
 */
export function questionInReply(body: string, slug: string | undefined): string | undefined {
  const command = parseCommand(body);
  if (command?.kind === 'answer') return command.argument;
  const mention = slug === undefined ? ANY_MENTION : mentionOf(slug);
  const mentioned = new RegExp(mention.source, 'i');
  if (!proseLines(body).some((line) => mentioned.test(line))) return undefined;
  return body.replace(new RegExp(mention.source, 'gi'), ' ').replace(/[ \t]{2,}/g, ' ').trim();
}

/** A GitHub login's characters; a mention ends where they do. */
const ANY_MENTION = /(?<![\w@/.`-])@[A-Za-z0-9][A-Za-z0-9-]*(?:\[bot\])?(?![\w-])/;

function mentionOf(slug: string): RegExp {
  const escaped = slug.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![\\w@/.\`-])@${escaped}(?:\\[bot\\])?(?![\\w-])`);
}

/** Lines outside fenced code and quotes, with inline code removed: a mention there is quoted, not addressed. */
function proseLines(body: string): string[] {
  const lines: string[] = [];
  let inFence = false;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^(```|~~~)/.test(line)) {
      inFence = !inFence;
      continue;
    }
    if (inFence || line.startsWith('>')) continue;
    lines.push(line.replace(/`[^`]*`/g, ''));
  }
  return lines;
}
