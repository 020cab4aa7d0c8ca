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
 * The check run's conclusion for the findings that were posted: 'success' when none reaches `failOn` and the
 * review read every file it should have; otherwise 'failure' when the policy is blocking, 'neutral' (visible,
 * never blocks a merge) when it is not.
 */
export function decideConclusion(
  findings: readonly Finding[],
  policy: ConclusionPolicy,
): 'success' | 'neutral' | 'failure' {
  const reachesFailOn = findings.some((finding) => severityAtLeast(finding.severity, policy.failOn));
  if (!reachesFailOn && policy.partial !== true) return 'success';
  return policy.blocking ? 'failure' : 'neutral';
}
