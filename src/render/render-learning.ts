import type { Learning } from '../learning/learning-snapshot.js';
import type { RejectedFinding, Rejections } from '../learning/rejected-findings.js';
import type { ReviewResult } from '../review/types.js';
import { pluralise } from './count-by-severity.js';
import { LEARNING_TEXT_MAX, learningMarker } from './markers.js';
import { codeSpan, sanitizeInline } from './sanitize-text.js';
import { severityBadge } from './severity-badge.js';
import { truncateMarkdown } from './truncate-markdown.js';

/**
 * Every sentence about what Bulwark learned from a repository's team (src/learning): on the check run, in the
 * replies to `/review learn`, `/review learnings` and `/review forget`. Learnings and titles are people's and the
 * model's text: always sanitised; logins are shown so that they mention no one.
 */

const LISTED_MAX = 50;
const TEXT_SHOWN = 200;

/** A check-summary note when nothing could be read (the review went on without it). */
export function learningUnreadNote(): string {
  return 'What the team taught Bulwark (learnings and rejected findings) could not be read from GitHub: this review applied none of it. The next review tries again.';
}

/** Lines of the check summary: the learnings the review applied, and how many findings it left out because of them. */
export function learningSummaryLines(result: ReviewResult): string[] {
  const report = result.learning;
  if (!report) return [];
  const lines: string[] = [];
  if (report.applied.length > 0) {
    lines.push(`Learnings applied: ${report.applied.map((learning) => `${link(learning.id, learning.sourceUrl)} (${sanitizeInline(learning.text, 80)})`).join('; ')}.`);
  }
  if (report.suppressed.length > 0) {
    lines.push(`${pluralise(report.suppressed.length, 'finding')} not posted: the team rejected it, or its rule, in earlier reviews (\`learning.reject_after\`: ${report.rejectAfter}); listed in the details.`);
  }
  return lines;
}

/** The findings learning left out, folded in the check run's details with the verdicts that left each out. */
export function renderSuppressedByLearning(result: ReviewResult): string {
  const suppressed = result.learning?.suppressed ?? [];
  if (suppressed.length === 0) return '';
  const lines = suppressed.slice(0, LISTED_MAX).map(({ finding, why }) => {
    const where = codeSpan(`${finding.path.slice(0, 300)}:${finding.line}`);
    const reason = why.kind === 'fingerprint' ? `rejected ${timesText(why.rejected.rejections)}: ${evidenceLinks(why.rejected)}` : `its rule ${codeSpan(why.rejected.rule)} was rejected in ${pluralise(why.rejected.findings.length, 'finding')}: ${findingsOfRule(why.rejected.findings)}`;
    return `- ${severityBadge(finding.severity)} · ${where} — ${sanitizeInline(finding.title, 200)}: ${reason}`;
  });
  const more = suppressed.length > LISTED_MAX ? [`… and ${suppressed.length - LISTED_MAX} more.`] : [];
  return [
    `<details><summary>${pluralise(suppressed.length, 'finding')} not posted: rejected by the team before</summary>`,
    '',
    ...lines,
    ...more,
    '',
    'Comment `/review learnings` on a pull request to see everything Bulwark applies in this repository and how to undo it.',
    '',
    '</details>',
  ].join('\n');
}

/** Bulwark's reply to `/review learn`: what it keeps, under which id, and how to remove it. Its marker keeps the learning. */
export function renderLearningAck(input: { id: string; source: number; text: string; by: string; enabled: boolean }): string {
  const applied = input.enabled
    ? "Bulwark applies it to every review of this repository from now on, and lists it on each review's check run."
    : `Learning is off in this repository (${LEARNING_OFF}), so it is not applied until that changes.`;
  return [
    `Learned ${codeSpan(input.id)}, from ${login(input.by)}:`,
    '',
    `> ${sanitizeInline(input.text, 2_000)}`,
    '',
    `${applied} To remove it, delete the \`/review learn\` comment or comment \`/review forget ${input.id}\`.`,
    '',
    learningMarker({ id: input.id, source: input.source, text: input.text, by: input.by }),
  ].join('\n');
}

/** Bulwark's reply to `/review learn`, edited by `/review forget`: kept as a record, no longer applied. */
export function renderForgottenAck(input: { id: string; source: number; by: string }): string {
  return [`Learning ${codeSpan(input.id)} was forgotten by ${login(input.by)} and is no longer applied.`, '', learningMarker({ id: input.id, source: input.source, by: input.by, forgotten: true })].join('\n');
}

const LEARNING_OFF = '`learning.enabled: false` in `.github/bulwark.yml`';

/** The answer to `/review learnings` where the repository turned learning off. */
export function renderLearningOff(): string {
  return `Learning is off in this repository (${LEARNING_OFF}): Bulwark applies no learnings, and posts findings whatever the team said of them before.`;
}

export function renderLearnEmpty(): string {
  return 'Nothing to learn: write it after the command, e.g. `/review learn we validate request bodies in middleware, not in handlers`.';
}

export function renderLearnTooLong(length: number): string {
  return `A learning is at most ${LEARNING_TEXT_MAX} characters (this one has ${length}): shorten it and comment again.`;
}

export function renderForgotten(id: string): string {
  return `Forgot ${codeSpan(id)}: reviews of this repository no longer apply it.`;
}

export function renderForgetUnknown(id: string): string {
  return `No learning ${codeSpan(id.slice(0, 40) || ' ')} is applied in this repository. \`/review learnings\` lists those that are, with their ids (such as \`L123\`).`;
}

/** The answer to `/review learnings`: everything Bulwark applies in the repository, where each came from, and how to undo it. */
export function renderLearningsList(input: { learnings: readonly Learning[]; inPrompt: number; rejections: Rejections }): string {
  const { learnings, rejections } = input;
  const fingerprints = [...rejections.fingerprints.values()];
  const rules = [...rejections.rules.values()];
  if (learnings.length === 0 && fingerprints.length === 0 && rules.length === 0) {
    return [
      '**What Bulwark applies in this repository:** nothing yet.',
      '',
      `Teach it with \`/review learn <text>\`; a finding ${timesText(rejections.rejectAfter)} turned down by people with write access (👎 on its comment, or its thread resolved while the code stayed as it was) is not posted again.`,
    ].join('\n');
  }
  const sections = ['**What Bulwark applies in this repository**'];
  if (learnings.length > 0) {
    const listed = learnings.slice(0, LISTED_MAX).map((learning, index) => {
      const unused = index >= input.inPrompt ? ' _(older: not in the reviews\' instructions, which keep the newest)_' : '';
      return `- ${codeSpan(learning.id)} — ${sanitizeInline(learning.text, TEXT_SHOWN)} (from ${learning.by ? login(learning.by) : 'someone'}, ${link('comment', learning.sourceUrl)})${unused}`;
    });
    sections.push(['### Learnings', '', ...listed, '', 'Remove one with `/review forget <id>`, or by deleting its `/review learn` comment.'].join('\n'));
  }
  if (fingerprints.length > 0) {
    const listed = fingerprints.slice(0, LISTED_MAX).map((finding) => `- ${findingName(finding)} — rejected ${timesText(finding.rejections)}: ${evidenceLinks(finding)}`);
    sections.push(['### Findings not posted again', '', ...listed].join('\n'));
  }
  if (rules.length > 0) {
    const listed = rules.slice(0, LISTED_MAX).map((rule) => `- ${codeSpan(rule.rule)} — ${pluralise(rule.findings.length, 'finding')} of it rejected: ${findingsOfRule(rule.findings)}`);
    sections.push(['### Rules not applied', '', ...listed, '', 'A critical finding is still posted whatever its rule.'].join('\n'));
  }
  if (fingerprints.length > 0 || rules.length > 0) {
    sections.push(`A finding counts as rejected once people with write access turned it down ${timesText(rejections.rejectAfter)} (\`learning.reject_after\`) more often than they gave it 👍. To undo one, remove the 👎, reopen the thread, or give the finding's comment a 👍.`);
  }
  // GitHub refuses a comment over 65,536 characters (https://docs.github.com/en/rest/issues/comments#create-an-issue-comment).
  return truncateMarkdown(sections.join('\n\n'), COMMENT_MAX);
}

const COMMENT_MAX = 60_000;

/** A rule's rejected findings, the first few with their verdicts. */
function findingsOfRule(findings: readonly RejectedFinding[]): string {
  const shown = findings.slice(0, EVIDENCE_MAX).map(evidenceLinks).join('; ');
  return findings.length > EVIDENCE_MAX ? `${shown}; and ${findings.length - EVIDENCE_MAX} more` : shown;
}

function findingName(finding: RejectedFinding): string {
  const title = finding.title ? sanitizeInline(finding.title, 120) : `finding ${codeSpan(finding.fp)}`;
  return finding.rule ? `${title} (${codeSpan(finding.rule)})` : title;
}

const EVIDENCE_MAX = 5;

function evidenceLinks(finding: RejectedFinding): string {
  const links = finding.evidence.slice(0, EVIDENCE_MAX).map((item) => {
    const what = item.kind === 'thumbs-down' ? `👎 ${item.by ? login(item.by) : ''}` : item.kind === 'resolved' ? `resolved by ${item.by ? login(item.by) : 'someone'}` : 'Bulwark conceded';
    return link(what.trim(), item.url);
  });
  const more = finding.evidence.length > EVIDENCE_MAX ? `, and ${finding.evidence.length - EVIDENCE_MAX} more` : '';
  return `${links.join(', ')}${more}`;
}

function timesText(count: number): string {
  return count === 1 ? 'once' : count === 2 ? 'twice' : `${count} times`;
}

/** A login as text that mentions no one (a zero-width joiner after the `@`). */
function login(name: string): string {
  return sanitizeInline(`@${name}`, 60);
}

/**
 * A link to a GitHub page by address. The address comes from GitHub (`html_url`) but is read back from a shared
 * cache, so only a plain https address becomes a link; anything else is shown as text.
 */
function link(text: string, url: string): string {
  const label = text.replaceAll('[', '\\[').replaceAll(']', '\\]');
  return /^https:\/\/[^\s()<>[\]"'`]+$/.test(url) ? `[${label}](${url})` : label;
}
