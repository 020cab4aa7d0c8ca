import { describe, expect, it } from 'vitest';
import { MODEL_PRICES } from '../../src/agents/resolve-model.js';
import { estimateCost, estimateTotalCost, parsePriceOverrides, PriceOverridesError } from '../../src/review/estimate-cost.js';
import type { ModelUsage } from '../../src/ports/review-model.js';

const usage = (inputTokens: number, outputTokens: number, cacheCreationInputTokens = 0, cacheReadInputTokens = 0): ModelUsage => ({
  inputTokens,
  outputTokens,
  cacheCreationInputTokens,
  cacheReadInputTokens,
});

describe('estimateCost', () => {
  it.each<[string, ModelUsage, string, number]>([
    // Sonnet 5.5: $2 in, $10 out, $2.50 5-minute cache write, $0.10 cache read per MTok.
    ['sonnet input and output', usage(1_000_000, 100_000), 'claude-sonnet-5-5', 2 + 1],
    ['sonnet cache write and read', usage(0, 0, 1_000_000, 1_000_000), 'claude-sonnet-5-5', 2.5 + 0.1],
    ['opus, every kind', usage(10_000, 2_000, 8_000, 140_000), 'claude-opus-5-5', (10_000 * 4 + 2_000 * 20 + 8_000 * 5 + 140_000 * 0.2) / 1e6],
    ['fable', usage(1_000, 1_000), 'claude-fable-5-1', (1_000 * 10 + 1_000 * 50) / 1e6],
    // Haiku 5.5: base band up to a 100,000-token prompt (input + cache writes + cache reads) ...
    ['haiku at the threshold', usage(50_000, 10_000, 20_000, 30_000), 'claude-haiku-5-5', (50_000 * 0.1 + 10_000 * 0.5 + 20_000 * 0.125 + 30_000 * 0.01) / 1e6],
    // ... and the whole request, output included, at the long-prompt band above it.
    ['haiku over the threshold', usage(50_001, 10_000, 20_000, 30_000), 'claude-haiku-5-5', (50_001 * 0.5 + 10_000 * 2.5 + 20_000 * 0.625 + 30_000 * 0.05) / 1e6],
    ['a provider spelling of a priced id', usage(1_000_000, 0), 'claude-sonnet-5-5@20261007', 2],
    ['zero usage', usage(0, 0), 'claude-sonnet-5-5', 0],
    // One-hour writes ($4 for Sonnet 5.5) priced apart from five-minute ones ($2.50).
    ['sonnet, some writes for an hour', { ...usage(0, 0, 1_000_000), cacheCreation1hInputTokens: 400_000 }, 'claude-sonnet-5-5', 0.6 * 2.5 + 0.4 * 4],
    ['haiku over the threshold, writes for an hour', { ...usage(90_000, 0, 20_000), cacheCreation1hInputTokens: 20_000 }, 'claude-haiku-5-5', (90_000 * 0.5 + 20_000 * 1) / 1e6],
    ['more one-hour writes than writes: capped at the writes', { ...usage(0, 0, 1_000_000), cacheCreation1hInputTokens: 5_000_000 }, 'claude-sonnet-5-5', 4],
  ])('%s', (_, used, model, usd) => {
    expect(estimateCost(used, model).usd).toBeCloseTo(usd, 10);
  });

  it.each(['my-proxy-model', 'gpt-5', 'constructor', '__proto__', 'toString'])('has no price for %s', (model) => {
    expect(estimateCost(usage(1_000, 1_000), model)).toEqual({ usd: undefined });
  });

  it('uses the table it is given', () => {
    const prices = { 'my-proxy-model': { inputPerMTok: 1, outputPerMTok: 2, cacheWrite5mPerMTok: 3, cacheWrite1hPerMTok: 4, cacheReadPerMTok: 5 } };
    expect(estimateCost(usage(1e6, 1e6, 1e6, 1e6), 'my-proxy-model', prices).usd).toBeCloseTo(1 + 2 + 3 + 5, 10);
    expect(estimateCost(usage(1e6, 0), 'claude-sonnet-5-5', prices).usd).toBeUndefined();
  });
});

describe('estimateTotalCost', () => {
  it('prices each request on its own, so two short Haiku prompts stay in the base band', () => {
    const calls = [usage(60_000, 1_000), usage(60_000, 1_000)];
    expect(estimateTotalCost(calls, 'claude-haiku-5-5').usd).toBeCloseTo((120_000 * 0.1 + 2_000 * 0.5) / 1e6, 10);
    // Summing first would wrongly cross the 100,000-token threshold.
    expect(estimateCost(usage(120_000, 2_000), 'claude-haiku-5-5').usd).toBeCloseTo((120_000 * 0.5 + 2_000 * 2.5) / 1e6, 10);
  });

  it('is undefined for an unpriced model and zero for no calls', () => {
    expect(estimateTotalCost([usage(1, 1)], 'my-proxy-model').usd).toBeUndefined();
    expect(estimateTotalCost([], 'claude-opus-5-5').usd).toBe(0);
  });
});

describe('parsePriceOverrides', () => {
  it.each([undefined, '', '   '])('returns the built-in table for %j', (json) => {
    expect(parsePriceOverrides(json)).toEqual(MODEL_PRICES);
  });

  it('changes only the fields an override gives', () => {
    const prices = parsePriceOverrides('{"claude-sonnet-5-5":{"cacheReadPerMTok":0.2}}');
    expect(prices['claude-sonnet-5-5']).toEqual({ ...MODEL_PRICES['claude-sonnet-5-5'], cacheReadPerMTok: 0.2 });
    expect(prices['claude-opus-5-5']).toEqual(MODEL_PRICES['claude-opus-5-5']);
    // The built-in table is not touched.
    expect(MODEL_PRICES['claude-sonnet-5-5']?.cacheReadPerMTok).toBe(0.1);
  });

  it('adds a model, filling cache prices from the usual multipliers', () => {
    const prices = parsePriceOverrides('{"my-proxy-model":{"inputPerMTok":4,"outputPerMTok":20}}');
    expect(prices['my-proxy-model']).toEqual({ inputPerMTok: 4, outputPerMTok: 20, cacheWrite5mPerMTok: 5, cacheWrite1hPerMTok: 8, cacheReadPerMTok: 0.4 });
    expect(estimateCost(usage(1e6, 0), 'my-proxy-model', prices).usd).toBe(4);
  });

  it('files an override of a provider spelling under the id lookups use', () => {
    const prices = parsePriceOverrides('{"claude-sonnet-5-5-20261007":{"inputPerMTok":3}}');
    expect(prices['claude-sonnet-5-5']?.inputPerMTok).toBe(3);
    expect(estimateCost(usage(1e6, 0), 'claude-sonnet-5-5', prices).usd).toBe(3);
  });

  it('replaces or removes the long-prompt band', () => {
    const band = { overPromptTokens: 50_000, inputPerMTok: 1, outputPerMTok: 5, cacheWrite5mPerMTok: 1.25, cacheWrite1hPerMTok: 2, cacheReadPerMTok: 0.1 };
    expect(parsePriceOverrides(JSON.stringify({ 'claude-haiku-5-5': { longPrompt: band } }))['claude-haiku-5-5']?.longPrompt).toEqual(band);
    const removed = parsePriceOverrides('{"claude-haiku-5-5":{"longPrompt":null}}')['claude-haiku-5-5'];
    expect(removed).not.toHaveProperty('longPrompt');
    expect(estimateCost(usage(200_000, 0), 'claude-haiku-5-5', { 'claude-haiku-5-5': removed! }).usd).toBeCloseTo(0.02, 10);
  });

  it('rejects a `__proto__` key rather than dropping it or touching a prototype', () => {
    expect(() => parsePriceOverrides('{"__proto__":{"inputPerMTok":1,"outputPerMTok":1}}')).toThrow(/__proto__: not a model id/);
    expect(({} as Record<string, unknown>)['inputPerMTok']).toBeUndefined();
  });

  it.each([
    ['not JSON', '{claude', /not valid JSON/],
    ['not an object', '[1, 2]', /\(root\)/],
    ['a negative price', '{"claude-opus-5-5":{"inputPerMTok":-1}}', /claude-opus-5-5\.inputPerMTok/],
    ['a price as a string', '{"claude-opus-5-5":{"outputPerMTok":"20"}}', /claude-opus-5-5\.outputPerMTok/],
    ['an unknown field', '{"claude-opus-5-5":{"inputPerMtok":4}}', /inputPerMtok/],
    ['an incomplete long-prompt band', '{"claude-haiku-5-5":{"longPrompt":{"overPromptTokens":1}}}', /longPrompt/],
    ['a new model without output price', '{"my-model":{"inputPerMTok":1}}', /my-model: a model not in the built-in price table needs/],
  ])('rejects %s with a clear message', (_, json, message) => {
    expect(() => parsePriceOverrides(json)).toThrow(PriceOverridesError);
    expect(() => parsePriceOverrides(json)).toThrow(message);
  });

  it('lists every problem at once', () => {
    try {
      parsePriceOverrides('{"a":{"inputPerMTok":1},"b":{"outputPerMTok":1}}');
      expect.unreachable();
    } catch (error) {
      expect((error as PriceOverridesError).problems).toHaveLength(2);
    }
  });
});
