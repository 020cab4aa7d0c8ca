import type { FeedbackSignal, SignalKind } from './learning-snapshot.js';

/** A posted finding the team turned down often enough that Bulwark does not post it again. */
export interface RejectedFinding {
  fp: string;
  rule: string | undefined;
  title: string | undefined;
  rejections: number;
  approvals: number;
  /** The comments (and answers) the verdicts were given on, and how. */
  evidence: { url: string; kind: SignalKind; by: string | undefined }[];
}

/** A rule whose findings the team turned down often enough that Bulwark does not post it again. */
export interface RejectedRule {
  rule: string;
  /** The findings of the rule that were turned down (more rejections than approvals). */
  findings: RejectedFinding[];
}

export interface Rejections {
  rejectAfter: number;
  fingerprints: Map<string, RejectedFinding>;
  rules: Map<string, RejectedRule>;
}

/**
 * What the team rejected, from its verdicts, with `rejectAfter` (`learning.reject_after`) as the threshold:
 *
 * - a finding (its fingerprint) is rejected when at least `rejectAfter` verdicts turned it down and they outnumber
 *   the 👍 it got. A person counts once per comment, whether they gave a 👎, resolved the thread, or both; each
 *   concession of Bulwark's counts once.
 * - a rule is rejected when `rejectAfter` different findings of it were turned down (each by more verdicts than
 *   it got 👍), so one unpopular comment silences that comment, not its whole rule.
 */
export function rejectedFindings(signals: readonly FeedbackSignal[], rejectAfter: number): Rejections {
  const tallies = new Map<string, { finding: RejectedFinding; rejectedBy: Set<string>; acceptedBy: Set<string> }>();
  for (const signal of signals) {
    const tally = tallies.get(signal.fp) ?? { finding: { fp: signal.fp, rule: undefined, title: undefined, rejections: 0, approvals: 0, evidence: [] }, rejectedBy: new Set(), acceptedBy: new Set() };
    tallies.set(signal.fp, tally);
    tally.finding.rule ??= signal.rule;
    tally.finding.title ??= signal.title;
    // Both a 👎 and a resolution name the thread's first comment; a concession names its own answer.
    const who = `${signal.by?.toLowerCase() ?? signal.kind}\u0000${signal.url}`;
    const seen = signal.verdict === 'rejected' ? tally.rejectedBy : tally.acceptedBy;
    if (seen.has(who)) continue;
    seen.add(who);
    if (signal.verdict === 'rejected') tally.finding.evidence.push({ url: signal.url, kind: signal.kind, by: signal.by });
  }
  const fingerprints = new Map<string, RejectedFinding>();
  const rules = new Map<string, RejectedRule>();
  for (const { finding, rejectedBy, acceptedBy } of tallies.values()) {
    finding.rejections = rejectedBy.size;
    finding.approvals = acceptedBy.size;
    if (finding.rejections <= finding.approvals) continue;
    if (finding.rejections >= rejectAfter) fingerprints.set(finding.fp, finding);
    if (finding.rule === undefined) continue;
    const rule = rules.get(finding.rule) ?? { rule: finding.rule, findings: [] };
    rule.findings.push(finding);
    rules.set(finding.rule, rule);
  }
  for (const [id, rule] of rules) if (rule.findings.length < rejectAfter) rules.delete(id);
  return { rejectAfter, fingerprints, rules };
}

