import type { Severity } from '../review/types.js';

/** Colour first, word second: the emoji scans quickly and the word keeps it readable for screen readers. */
export const SEVERITY_EMOJI = {
  critical: '🔴',
  high: '🟠',
  medium: '🟡',
  low: '🔵',
} as const satisfies Record<Severity, string>;

/** E.g. `🔴 critical`. */
export function severityBadge(severity: Severity): string {
  return `${SEVERITY_EMOJI[severity]} ${severity}`;
}
