import { describe, expect, it } from 'vitest';
import { renderCheckOutput } from '../../src/render/render-check.js';
import { renderLedger } from '../../src/render/render-ledger.js';
import { renderReview } from '../../src/render/render-review.js';
import type { AnchoredFinding, ReviewResult } from '../../src/review/types.js';

const posted: AnchoredFinding = { path: 'src/a.ts', line: 3, side: 'RIGHT', severity: 'high', category: 'security', title: 'Real problem', body: 'B.' };
const wrong = { path: 'src/a.ts', line: 9, severity: 'medium' as const, category: 'reliability' as const, title: 'Planted wrong finding', body: 'B.' };

function result(overrides: Partial<ReviewResult>): ReviewResult {
  return {
    headSha: 'a'.repeat(40),
    summary: '',
    checklist: [],
    inline: [posted],
    overflow: [],
    unanchored: [],
    belowThreshold: 0,
    invalidFindings: 0,
    reviewedFiles: ['src/a.ts'],
    skipped: [],
    agent: { name: 'backend-specialist', source: 'bundled' },
    model: 'claude-sonnet-5-5',
    ...overrides,
  };
}

describe('what the check run says about verification', () => {
  it('lists the dropped findings collapsed in the details, with score and reason, and never in the review', () => {
    const dropped = result({ verification: { scored: 2, minScore: 6, dropped: [{ finding: wrong, score: 1, reason: 'The premise is not in the code.' }] } });
    const output = renderCheckOutput(dropped, 'neutral');

    expect(output.summary).toContain('1 finding dropped by verification (scored below 6 of 10); listed in the details.');
    expect(output.text).toContain('<details><summary>1 finding dropped by verification (not posted)</summary>');
    expect(output.text).toMatch(/- 1\/10 · .* · `src\/a\.ts:9` — Planted wrong finding: The premise is not in the code\./);
    const review = renderReview(dropped, { fingerprints: () => 'fp' });
    expect(JSON.stringify(review)).not.toContain('Planted wrong finding');
  });

  it('says when verification failed and the findings are posted unverified', () => {
    const output = renderCheckOutput(result({ verification: { scored: 1, minScore: 6, dropped: [], failed: 'model API overloaded' } }), 'neutral');
    expect(output.summary).toContain('Verification failed (model API overloaded): the findings are posted unverified.');
  });

  it('the ledger counts verification apart: findings scored and dropped, tokens and cost', () => {
    const ledger = renderLedger({
      model: 'claude-sonnet-5-5',
      usage: { inputTokens: 1000, outputTokens: 200, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
      filesReviewed: 1,
      filesSkipped: 0,
      durationMs: 1000,
      chunks: 1,
      usd: 0.01,
      verification: { usage: { inputTokens: 300, outputTokens: 40, cacheCreationInputTokens: 0, cacheReadInputTokens: 900 }, usd: 0.0021, calls: 1, scored: 2, dropped: 1, failed: false },
    });
    expect(ledger).toContain('| Verification | 2 scored, 1 dropped |');
    expect(ledger).toContain('| Verification tokens (input / output) | 1,200 / 40 in 1 call(s) |');
    expect(ledger).toContain('| Verification cost | $0.0021 |');
  });
});
