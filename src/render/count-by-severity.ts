import { SEVERITIES } from '../review/types.js';
import type { Severity } from '../review/types.js';
import { SEVERITY_EMOJI } from './severity-badge.js';

export type SeverityCounts = Record<Severity, number>;

export function countBySeverity(findings: Iterable<{ severity: Severity }>): SeverityCounts {
  const counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

export function totalCount(counts: SeverityCounts): number {
  return SEVERITIES.reduce((sum, severity) => sum + counts[severity], 0);
}

/** Non-zero counts, most severe first: `1 critical, 2 high`; empty when there are none. */
export function formatSeverityCounts(counts: SeverityCounts, severities: readonly Severity[] = SEVERITIES): string {
  return severities
    .filter((severity) => counts[severity] > 0)
    .map((severity) => `${counts[severity]} ${severity}`)
    .join(', ');
}

/** Every severity with its badge, zeros included, for a summary line: `🔴 0 critical · 🟠 2 high · …`. */
export function severityCountLine(counts: SeverityCounts): string {
  return SEVERITIES.map((severity) => `${SEVERITY_EMOJI[severity]} ${counts[severity]} ${severity}`).join(' · ');
}

/** `1 finding` / `3 findings`. */
export function pluralise(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
