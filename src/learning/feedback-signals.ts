import type { CommentReaction, OwnReviewComment, ResolvedThread } from '../ports/learning-host.js';
import { parseMarkers } from '../render/markers.js';
import type { FeedbackSignal } from './learning-snapshot.js';

export interface FeedbackInput {
  /** Bulwark's own review comments (the host checked the author). */
  comments: readonly OwnReviewComment[];
  /** Reactions by comment id, for the comments that have any. */
  reactions: ReadonlyMap<number, readonly CommentReaction[]>;
  threads: readonly ResolvedThread[];
  /** Logins (lower case) with write, maintain or admin permission on the repository. */
  writers: ReadonlySet<string>;
}

/**
 * The team's verdicts on the findings Bulwark posted, from what GitHub holds: a 👎 or 👍 on a finding's comment,
 * a Bulwark thread resolved by a person while its line stayed as it was (not outdated), and a reply in which
 * Bulwark conceded (its answer's marker). Only people with write access count: on a public repository anyone can
 * react, and a stranger's 👎 must not silence a finding. The finding is known by the marker of Bulwark's comment;
 * a body without one (or a marker in someone else's comment, which the host never lists) gives nothing.
 */
export function feedbackSignals(input: FeedbackInput): FeedbackSignal[] {
  const signals: FeedbackSignal[] = [];
  const ruleOf = new Map<string, string>();
  for (const comment of input.comments) {
    const finding = findingOf(comment.body);
    if (!finding) continue;
    if (finding.rule) ruleOf.set(finding.fp, finding.rule);
    for (const reaction of input.reactions.get(comment.id) ?? []) {
      const verdict = reaction.content === '-1' ? 'rejected' : reaction.content === '+1' ? 'accepted' : undefined;
      if (!verdict || reaction.isBot || !input.writers.has(reaction.login.toLowerCase())) continue;
      signals.push({ ...finding, verdict, kind: verdict === 'rejected' ? 'thumbs-down' : 'thumbs-up', by: reaction.login, url: comment.url });
    }
  }
  for (const thread of input.threads) {
    const finding = findingOf(thread.body);
    const by = thread.resolvedBy;
    // Resolved once its line changed (outdated), the finding may have been fixed; by Bulwark, it is not a verdict.
    if (!finding || !by || by.own || by.isBot || thread.isOutdated || !input.writers.has(by.login.toLowerCase())) continue;
    signals.push({ ...finding, verdict: 'rejected', kind: 'resolved', by: by.login, url: thread.url });
  }
  for (const comment of input.comments) {
    const conceded = concededFingerprint(comment.body);
    if (conceded === undefined) continue;
    const rule = ruleOf.get(conceded);
    signals.push({ fp: conceded, ...(rule ? { rule } : {}), verdict: 'rejected', kind: 'conceded', url: comment.url });
  }
  return signals;
}

/** The logins whose permission decides whether their reactions and resolutions count. */
export function peopleToCheck(reactions: ReadonlyMap<number, readonly CommentReaction[]>, threads: readonly ResolvedThread[]): string[] {
  const logins = new Map<string, string>();
  for (const list of reactions.values()) {
    for (const reaction of list) if (!reaction.isBot && (reaction.content === '-1' || reaction.content === '+1')) logins.set(reaction.login.toLowerCase(), reaction.login);
  }
  for (const thread of threads) {
    const by = thread.resolvedBy;
    if (by && !by.own && !by.isBot && !thread.isOutdated) logins.set(by.login.toLowerCase(), by.login);
  }
  return [...logins.values()];
}

/** Whether a comment is a finding that people reacted to (worth listing who did). */
export function hasFindingReactions(comment: OwnReviewComment): boolean {
  return comment.reactions.up + comment.reactions.down > 0 && findingOf(comment.body) !== undefined;
}

type FindingRef = Pick<FeedbackSignal, 'fp' | 'rule' | 'title'>;

function findingOf(body: string): FindingRef | undefined {
  const marker = parseMarkers(body).find((found) => found.kind === 'finding');
  if (marker?.kind !== 'finding') return undefined;
  const rule = marker.data.rule ?? headlineRule(body);
  const title = plainTitle(body);
  return { fp: marker.data.fp, ...(rule ? { rule } : {}), ...(title ? { title } : {}) };
}

/**
 * A comment written before finding markers carried the rule names it in its first line, as
 * src/render/render-comment.ts writes it: **🟠 high · security** · `SEC-INPUT-1`.
 */
function headlineRule(body: string): string | undefined {
  const first = body.split('\n', 1)[0] ?? '';
  return /^\*\*[^*\n]{1,80}\*\* · `([^`\n]{1,80})`$/.exec(first)?.[1];
}

/**
 * The finding's title (the comment's second paragraph, **in bold**) back as plain text: the escapes the renderer
 * added are undone, so it can be sanitised again wherever it is shown.
 */
function plainTitle(body: string): string | undefined {
  const second = body.split('\n\n', 2)[1] ?? '';
  const bold = /^\*\*(.{1,400})\*\*$/.exec(second)?.[1];
  if (!bold) return undefined;
  return bold
    .replace(/\\([\\`[\]])/g, '$1')
    .replaceAll('\u200D', '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .slice(0, 300);
}

/**
 * The fingerprint a conceded answer of Bulwark's names (its `bulwark:answer` marker, src/conversation); undefined
 * for any other comment, and for an answer that held its ground.
 */
function concededFingerprint(body: string): string | undefined {
  for (const marker of parseMarkers(body)) if (marker.kind === 'answer' && marker.data.conceded && marker.data.fp !== '') return marker.data.fp;
  return undefined;
}
