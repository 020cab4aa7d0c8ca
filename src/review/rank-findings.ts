import { severityAtLeast } from './decide-conclusion.js';
import { fingerprint } from './fingerprint.js';
import { CATEGORIES, SEVERITIES } from './types.js';
import type { AnchoredFinding, Finding, Severity } from './types.js';

/**
 * Most important first: by category in CATEGORIES order (reliability, security, performance, then the rest), then
 * severity from critical to low, then path and line so the order is the same on every run. Returns a new array.
 */
export function rankFindings<T extends Finding>(findings: readonly T[]): T[] {
  return [...findings].sort(compareFindings);
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category) ||
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    // Code-unit order, not localeCompare: the same order whatever the machine's locale.
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
    a.line - b.line
  );
}

/** Keeps findings at or above `minSeverity`; the rest are only counted. */
export function applyThreshold<T extends Finding>(
  findings: readonly T[],
  minSeverity: Severity,
): { kept: T[]; below: number } {
  const kept = findings.filter((finding) => severityAtLeast(finding.severity, minSeverity));
  return { kept, below: findings.length - kept.length };
}

/**
 * Which findings go inline is decided by severity first (then the category priority), so a critical security
 * finding is never pushed into the body by low-severity reliability notes; the chosen ones keep the ranked order.
 * Findings below `inlineMinSeverity` (review.inline_min_severity) never go inline: they are overflow marked
 * `belowInline`, which the review body lists collapsed.
 */
export function capComments(
  anchored: readonly AnchoredFinding[],
  max: number,
  inlineMinSeverity: Severity = 'low',
): { inline: AnchoredFinding[]; overflow: AnchoredFinding[] } {
  // A negative or NaN cap means no inline comments at all, never "all of them".
  const limit = max > 0 ? Math.floor(max) : 0;
  const eligible = anchored.filter((finding) => severityAtLeast(finding.severity, inlineMinSeverity));
  const chosen = new Set([...eligible].sort(bySeverityFirst).slice(0, limit));
  const ranked = rankFindings(anchored);
  return {
    inline: ranked.filter((finding) => chosen.has(finding)),
    overflow: ranked
      .filter((finding) => !chosen.has(finding))
      .map((finding) => (severityAtLeast(finding.severity, inlineMinSeverity) ? finding : { ...finding, belowInline: true })),
  };
}

function bySeverityFirst(a: Finding, b: Finding): number {
  return SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || compareFindings(a, b);
}

/**
 * Removes findings the model reported more than once in a run. Two findings are the same when their fingerprint
 * (path, code of the line, rule or category, title) and their line and side agree: within one run the line number
 * is reliable, and it keeps apart the same issue on two lines of identical code. Of duplicates, the most severe
 * is kept, at the place of the first one.
 */
export function dedupeFindings<T extends Finding>(
  findings: readonly T[],
  lineTextOf: (finding: T) => string | undefined = () => undefined,
): T[] {
  const byKey = new Map<string, T>();
  for (const finding of findings) {
    const key = `${fingerprint(finding, lineTextOf(finding))}:${finding.side ?? 'RIGHT'}:${finding.line}`;
    const seen = byKey.get(key);
    if (seen === undefined || !severityAtLeast(seen.severity, finding.severity)) byKey.set(key, finding);
  }
  return [...byKey.values()];
}
