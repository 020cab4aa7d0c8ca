import { SEVERITIES } from './types.js';
import type { Finding, Severity } from './types.js';

export interface ConclusionPolicy {
  /** Whether a finding at or above `failOn` fails the check run (and so can block merging). */
  blocking: boolean;
  failOn: Severity;
  /**
   * Files worth reviewing were left out (over budget, over the file limit, a failed call, no usable diff): "no
   * issue found" then speaks for part of the change only, so the check must not pass as if it spoke for all.
   */
  partial?: boolean;
}

/** Whether severity `a` is at least as severe as `b` (SEVERITIES is ordered from most to least severe). */
export function severityAtLeast(a: Severity, b: Severity): boolean {
  return SEVERITIES.indexOf(a) <= SEVERITIES.indexOf(b);
}

/**
 * Whether a finding speaks about this change: anchored on a line the pull request added or deleted. A finding on
 * an unchanged context line, or one not on any line of the diff, is posted but does not fail the check: the
 * check judges the change, and a pull request must not be blocked for code it did not touch.
 */
export function isOnChangedLine(finding: Finding & { changed?: boolean | undefined; reason?: unknown }): boolean {
  if (finding.reason !== undefined) return false;
  // Anchoring sets `changed`; a finding that never went through it (none in the pipeline) counts.
  return finding.changed !== false;
}

/**
 * The check run's conclusion for the findings that were posted: 'success' when none on a changed line reaches
 * `failOn` and the review read every file it should have; otherwise 'failure' when the policy is blocking,
 * 'neutral' (visible, never blocks a merge) when it is not.
 */
export function decideConclusion(
  findings: readonly (Finding & { changed?: boolean | undefined; reason?: unknown })[],
  policy: ConclusionPolicy,
): 'success' | 'neutral' | 'failure' {
  const reachesFailOn = findings.some((finding) => isOnChangedLine(finding) && severityAtLeast(finding.severity, policy.failOn));
  if (!reachesFailOn && policy.partial !== true) return 'success';
  return policy.blocking ? 'failure' : 'neutral';
}
