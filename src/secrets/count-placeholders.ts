/** A placeholder as secret-kinds' `placeholder` writes it (`[REDACTED secret: github]`). */
const PLACEHOLDER = /\[REDACTED secret: [a-z0-9._-]+\]/gi;

/** How many secret placeholders a text holds: what a masking step added is the count after minus the count before. */
export function countPlaceholders(text: string): number {
  if (!text.includes('[REDACTED secret: ')) return 0;
  return text.match(PLACEHOLDER)?.length ?? 0;
}
