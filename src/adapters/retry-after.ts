/**
 * A `Retry-After` header as milliseconds: delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent
 * or unreadable. GitHub and Anthropic both send it on rate limits.
 */
export function retryAfterMs(value: string | number | null | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(String(value));
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
