import type { SpendLimit } from '../review/spend-limit.js';
import { answerMarker, askMarker } from './markers.js';
import { renderSpendLimitOutput } from './render-limit.js';
import { sanitizeMarkdown } from './sanitize-text.js';

/** Longest answer posted; the model is asked for about 200 words. */
const ANSWER_MAX = 6_000;

/** What the thread's answer marker records: the reply answered and the finding it is about. */
export interface AnswerTarget {
  reply: number;
  fingerprint: string;
}

/**
 * Bulwark's answer in one of its review threads. The model's text is untrusted: sanitised (no mentions, HTML,
 * markers or runaway fences) after its secrets were masked. The marker makes it the one answer to that reply.
 */
export function renderThreadAnswer(target: AnswerTarget, answer: { answer: string; concede: boolean }): string {
  const text = sanitizeMarkdown(answer.answer, ANSWER_MAX) || 'Bulwark has no answer to add.';
  const conceded = answer.concede ? '\n\n_Conceded: Bulwark resolves this thread._' : '';
  return `${text}${conceded}\n\n${answerMarker({ reply: target.reply, fingerprint: target.fingerprint, conceded: answer.concede })}`;
}

/** The one reply to a reply Bulwark could not answer (the model failed for good): said, so it is not silent. */
export function renderThreadAnswerFailed(target: AnswerTarget, why: string): string {
  return `Bulwark could not answer this reply: ${sanitizeMarkdown(why, 500)} Reply again to ask once more.\n\n${answerMarker({ reply: target.reply, fingerprint: target.fingerprint, conceded: false })}`;
}

/** The one reply to a reply asked when the installation's daily budget is spent. */
export function renderThreadAnswerOverBudget(target: AnswerTarget, limit: SpendLimit): string {
  return `${overBudget(limit)}\n\n${answerMarker({ reply: target.reply, fingerprint: target.fingerprint, conceded: false })}`;
}

/** Bulwark's answer to `/review ask`, sanitised like any model text, marked with the command's comment. */
export function renderQuestionAnswer(comment: number, answer: string, omitted: number): string {
  const text = sanitizeMarkdown(answer, ANSWER_MAX) || 'Bulwark has no answer to add.';
  const note = omitted > 0 ? `\n\n_${omitted} files of the pull request did not fit in the answer's budget and were not read._` : '';
  return `${text}${note}\n\n${askMarker({ comment })}`;
}

export function renderQuestionFailed(comment: number, why: string): string {
  return `Bulwark could not answer \`/review ask\`: ${sanitizeMarkdown(why, 500)} Comment it again to ask once more.\n\n${askMarker({ comment })}`;
}

export function renderQuestionOverBudget(comment: number, limit: SpendLimit): string {
  return `${overBudget(limit)}\n\n${askMarker({ comment })}`;
}

/** `/review ask` with nothing after it. */
export function renderQuestionMissing(comment: number): string {
  return `\`/review ask\` needs a question after it, e.g. \`/review ask can this query run without an index?\`.\n\n${askMarker({ comment })}`;
}

function overBudget(limit: SpendLimit): string {
  return `Bulwark did not answer: ${renderSpendLimitOutput(limit).title.replace(/^Review skipped: /, '').replace(/^./, (first) => first.toLowerCase())}. It resets at midnight UTC.`;
}
