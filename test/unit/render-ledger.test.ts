import { describe, expect, it } from 'vitest';
import { renderLedger } from '../../src/render/render-ledger.js';
import type { Ledger } from '../../src/render/render-ledger.js';

const ledger: Ledger = {
  model: 'claude-sonnet-4-5',
  usage: { inputTokens: 12_345, outputTokens: 678, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
  filesReviewed: 3,
  filesSkipped: 1,
  durationMs: 4_200,
  chunks: 2,
  usd: 0.05,
};

describe('renderLedger', () => {
  it('counts the secrets masked in repository tool results', () => {
    expect(renderLedger({ ...ledger, toolSecretsMasked: 7 })).toContain('| Secrets masked in repository tool results | 7 |');
  });

  it('leaves the row out when the tools masked nothing', () => {
    expect(renderLedger({ ...ledger, toolSecretsMasked: 0 })).not.toContain('repository tool results');
    expect(renderLedger(ledger)).not.toContain('repository tool results');
  });
});

describe('renderLedger model name', () => {
  it('is a code span in its table cell, whatever it holds', () => {
    const table = renderLedger({ ...ledger, model: 'x`@team|y' });
    expect(table).toContain('| Model | ``x`@team\\|y`` |');
  });
});
