import { SEVERITIES } from './types.js';
import type { AnchoredFinding } from './types.js';

/**
 * One comment per root cause. Chunks (and one chunk, from two angles) report the same problem as differently
 * titled findings; identical-title dedupe misses them. Two anchored findings are the same root cause when they
 * are on the same file and side, their lines overlap or touch, and they share the rule or the category. Of a
 * group, the most severe is kept (then the more confident, then the first), on its own anchor: that is where its
 * suggestion, if any, applies.
 */
export function mergeRootCauses(findings: readonly AnchoredFinding[]): { findings: AnchoredFinding[]; merged: number } {
  const kept: AnchoredFinding[] = [];
  for (const finding of findings) {
    const twin = kept.findIndex((other) => sameRootCause(other, finding));
    const existing = twin === -1 ? undefined : kept[twin];
    if (existing === undefined) kept.push(finding);
    else if (outranks(finding, existing)) kept[twin] = finding;
  }
  return { findings: kept, merged: findings.length - kept.length };
}

function sameRootCause(a: AnchoredFinding, b: AnchoredFinding): boolean {
  if (a.path !== b.path || a.side !== b.side) return false;
  const sameKind = a.category === b.category || (a.rule !== undefined && a.rule === b.rule);
  if (!sameKind) return false;
  const [aFirst, aLast] = [a.startLine ?? a.line, a.line];
  const [bFirst, bLast] = [b.startLine ?? b.line, b.line];
  // Overlapping or adjacent: no line of code between them.
  return bFirst <= aLast + 1 && aFirst <= bLast + 1;
}

function outranks(a: AnchoredFinding, b: AnchoredFinding): boolean {
  const bySeverity = SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity);
  if (bySeverity !== 0) return bySeverity < 0;
  return (a.confidence ?? 0) > (b.confidence ?? 0);
}
