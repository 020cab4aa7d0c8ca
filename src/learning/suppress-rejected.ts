import { anchorFindings } from '../review/anchor-findings.js';
import { fingerprint } from '../review/fingerprint.js';
import { lineText } from '../review/line-text.js';
import type { DiffFile, Finding } from '../review/types.js';
import type { RejectedFinding, RejectedRule, Rejections } from './rejected-findings.js';

/** A finding left out because the team rejected it (or its rule) before, and which verdicts say so. */
export type SuppressedFinding =
  | { finding: Finding; why: { kind: 'fingerprint'; rejected: RejectedFinding } }
  | { finding: Finding; why: { kind: 'rule'; rejected: RejectedRule } };

/**
 * Findings of this review whose fingerprint the team rejected, or whose rule it rejected, are not posted in this
 * repository again; the rest are kept, in order. The fingerprint is the one the finding's comment would carry
 * (src/review/decide-findings.ts): its path, the code of the line it is anchored to, its rule or category, its title.
 * A critical finding is never left out for its rule alone: only its own rejection silences it.
 */
export function suppressRejected(findings: readonly Finding[], files: readonly DiffFile[], rejections: Rejections): { kept: Finding[]; suppressed: SuppressedFinding[] } {
  const kept: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  if (rejections.fingerprints.size === 0 && rejections.rules.size === 0) return { kept: [...findings], suppressed };
  for (const finding of findings) {
    const byFingerprint = rejections.fingerprints.get(postedFingerprint(finding, files));
    const rule = finding.rule === undefined || finding.severity === 'critical' ? undefined : rejections.rules.get(finding.rule);
    if (byFingerprint) suppressed.push({ finding, why: { kind: 'fingerprint', rejected: byFingerprint } });
    else if (rule) suppressed.push({ finding, why: { kind: 'rule', rejected: rule } });
    else kept.push(finding);
  }
  return { kept, suppressed };
}

/** The fingerprint the finding's inline comment would carry: on the lines it is anchored to (moved by its quote, if need be). */
function postedFingerprint(finding: Finding, files: readonly DiffFile[]): string {
  // Only the finding's own file: anchoring indexes the files it is given, and a review may have 3,000.
  const path = finding.path.replace(/^(?:\.?\/)+/, '');
  const diff = files.filter((file) => file.path === path);
  const at = anchorFindings([finding], diff).anchored[0] ?? { ...finding, side: finding.side ?? 'RIGHT' };
  return fingerprint(at, lineText(diff, at.path, at.line, at.side));
}
