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
  ];
  return ['| Ledger | |', '|---|---|', ...rows.map(([key, value]) => `| ${key} | ${value} |`)].join('\n');
}

function format(value: number): string {
  return value.toLocaleString('en-US');
}
