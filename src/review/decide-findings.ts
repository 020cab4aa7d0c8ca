import type { RepoConfig } from '../config/repo-config.js';
import type { ReviewThread } from '../ports/pull-request-host.js';
import { parseMarkers } from '../render/markers.js';
import { anchorFindings } from './anchor-findings.js';
import { fingerprint } from './fingerprint.js';
import { lineText } from './line-text.js';
import { mergeRootCauses } from './merge-root-causes.js';
import { applyThreshold, capComments, dedupeFindings, rankFindings } from './rank-findings.js';
import type { AnchoredFinding, DiffFile, Finding, ReviewResult } from './types.js';

export interface DecidedFindings {
  inline: AnchoredFinding[];
  overflow: AnchoredFinding[];
  unanchored: ReviewResult['unanchored'];
  below: number;
  repeats: number;
  /**
   * Found again while the open thread that reported them stands: not posted again, but still in the code, so the
   * conclusion counts them (a re-review must not pass while an open thread names a high finding it found again).
   */
  repeated: AnchoredFinding[];
  fingerprints: Map<AnchoredFinding, string>;
  /** Threads of ours to resolve: their finding is gone. */
  stale: ReviewThread[];
}

/**
 * Threshold, anchor against the PR's own base...head diff, drop what open threads already say, cap. A thread of
 * ours on a reviewed file whose line changed and whose finding is gone is stale: it gets resolved. `shown`: the
 * prompt copies the model read (context widened around hunks is found there, never anchored).
 */
export function decideFindings(found: Finding[], files: DiffFile[], config: Pick<RepoConfig, 'review'>, threads: ReviewThread[], shown: readonly DiffFile[] = []): DecidedFindings {
  const textOf = (finding: Finding) => lineText(files, finding.path, finding.line, finding.side ?? 'RIGHT');
  const ranked = rankFindings(dedupeFindings(found, textOf));
  const { kept, below } = applyThreshold(ranked, config.review.min_severity);
  const anchoredFindings = anchorFindings(kept, files, shown);
  // One comment per root cause: chunks report the same problem under different titles (merge-root-causes.ts).
  const anchored = mergeRootCauses(anchoredFindings.anchored).findings;
  const { unanchored } = anchoredFindings;
  const fingerprints = new Map(anchored.map((finding) => [finding, fingerprint(finding, lineText(files, finding.path, finding.line, finding.side))]));
  const open = new Set(threads.filter((thread) => !thread.isResolved).flatMap(threadFingerprints));
  const isRepeat = (finding: AnchoredFinding) => open.has(fingerprints.get(finding) ?? '');
  const fresh = anchored.filter((finding) => !isRepeat(finding));
  const repeated = anchored.filter(isRepeat);
  const current = new Set(fingerprints.values());
  const reviewed = new Set(files.map((file) => file.path));
  const stale = threads.filter(
    (thread) => !thread.isResolved && thread.isOutdated && reviewed.has(thread.path) && !threadFingerprints(thread).some((fp) => current.has(fp)),
  );
  const { inline, overflow } = capComments(fresh, config.review.max_comments, config.review.inline_min_severity);
  return { inline, overflow, unanchored, below, repeats: repeated.length, repeated, fingerprints, stale };
}

function threadFingerprints(thread: ReviewThread): string[] {
  return parseMarkers(thread.body).flatMap((marker) => (marker.kind === 'finding' ? [marker.data.fp] : []));
}
