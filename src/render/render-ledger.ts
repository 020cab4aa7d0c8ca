import type { ModelUsage } from '../ports/review-model.js';
import { codeSpan } from './sanitize-text.js';

export interface Ledger {
  model: string;
  usage: ModelUsage;
  filesReviewed: number;
  filesSkipped: number;
  durationMs: number;
  chunks: number;
  /** Estimated from the price table; undefined when the model has no price. */
  usd: number | undefined;
  /** Secrets masked in what Read, Grep and Glob returned to the model (SECURITY.md); absent or 0: no row. */
  toolSecretsMasked?: number | undefined;
  /** The verification pass's own spend, apart from the review calls above; absent: no row. */
  verification?: { usage: ModelUsage; usd: number | undefined; calls: number; scored: number; dropped: number; failed: boolean } | undefined;
}

/** The end of the check summary: what this review consumed. */
export function renderLedger(ledger: Ledger): string {
  const { usage } = ledger;
  const rows = [
    ['Model', codeSpan(ledger.model.slice(0, 100), { table: true })],
    ['Input tokens', format(usage.inputTokens)],
    ['Output tokens', format(usage.outputTokens)],
    ['Cache writes / reads', `${format(usage.cacheCreationInputTokens)} / ${format(usage.cacheReadInputTokens)}`],
    ['Estimated cost', ledger.usd === undefined ? 'no price for this model' : `$${ledger.usd.toFixed(4)}`],
    ['Files reviewed / skipped', `${ledger.filesReviewed} / ${ledger.filesSkipped}`],
    ['Model calls (chunks)', String(ledger.chunks)],
    ['Duration', `${(ledger.durationMs / 1000).toFixed(1)} s`],
    ...(ledger.toolSecretsMasked ? [['Secrets masked in repository tool results', format(ledger.toolSecretsMasked)]] : []),
    ...(ledger.verification ? verificationRows(ledger.verification) : []),
  ];
  return ['| Ledger | |', '|---|---|', ...rows.map(([key, value]) => `| ${key} | ${value} |`)].join('\n');
}

function verificationRows(verification: NonNullable<Ledger['verification']>): string[][] {
  const { usage } = verification;
  const input = usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
  return [
    ['Verification', verification.failed ? `failed: ${format(verification.scored)} finding(s) posted unverified` : `${format(verification.scored)} scored, ${format(verification.dropped)} dropped`],
    ['Verification tokens (input / output)', `${format(input)} / ${format(usage.outputTokens)} in ${format(verification.calls)} call(s)`],
    ['Verification cost', verification.usd === undefined ? 'no price for this model' : `$${verification.usd.toFixed(4)}`],
  ];
}

function format(value: number): string {
  return value.toLocaleString('en-US');
}
