import type { ModelUsage } from '../ports/review-model.js';

export interface Ledger {
  model: string;
  usage: ModelUsage;
  filesReviewed: number;
  filesSkipped: number;
  durationMs: number;
}

/** The cost line at the end of the check summary: what this review consumed. */
export function renderLedger(ledger: Ledger): string {
  const { usage } = ledger;
  const rows = [
    ['Model', `\`${ledger.model}\``],
    ['Input tokens', format(usage.inputTokens)],
    ['Output tokens', format(usage.outputTokens)],
    ['Cache writes / reads', `${format(usage.cacheCreationInputTokens)} / ${format(usage.cacheReadInputTokens)}`],
    ['Files reviewed / skipped', `${ledger.filesReviewed} / ${ledger.filesSkipped}`],
    ['Duration', `${(ledger.durationMs / 1000).toFixed(1)} s`],
  ];
  return ['| Ledger | |', '|---|---|', ...rows.map(([key, value]) => `| ${key} | ${value} |`)].join('\n');
}

function format(value: number): string {
  return value.toLocaleString('en-US');
}
