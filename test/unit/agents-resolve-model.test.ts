import { describe, expect, it } from 'vitest';
import { CURRENT_MODELS, MODEL_PRICES, normalizeModelId, resolveModel } from '../../src/agents/resolve-model.js';

const opts = { operatorDefault: 'claude-sonnet-5-5' };

describe('resolveModel', () => {
  it.each([
    ['opus', 'claude-opus-5-5'],
    ['sonnet', 'claude-sonnet-5-5'],
    ['haiku', 'claude-haiku-5-5'],
    ['Sonnet', 'claude-sonnet-5-5'],
    ['sonnet[1m]', 'claude-sonnet-5-5'],
    ['claude-opus-5-5', 'claude-opus-5-5'],
    ['claude-haiku-5-5', 'claude-haiku-5-5'],
    ['claude-fable-5-1', 'claude-fable-5-1'],
    ['anthropic/claude-sonnet-5-5', 'claude-sonnet-5-5'],
    ['anthropic/claude-haiku-5.5', 'claude-haiku-5-5'],
  ])('%s → %s without a warning', (requested, resolved) => {
    expect(resolveModel(requested, opts)).toEqual({ requested, resolved });
  });

  it.each([
    ['claude-sonnet-4', 'claude-sonnet-5-5'],
    ['claude-sonnet-4-5', 'claude-sonnet-5-5'],
    ['claude-sonnet-5', 'claude-sonnet-5-5'],
    ['claude-sonnet-4-20250514', 'claude-sonnet-5-5'],
    ['claude-3-7-sonnet-20250219', 'claude-sonnet-5-5'],
    ['claude-3-5-sonnet-latest', 'claude-sonnet-5-5'],
    ['claude-opus-4-1', 'claude-opus-5-5'],
    ['claude-opus-5', 'claude-opus-5-5'],
    ['claude-3-opus-20240229', 'claude-opus-5-5'],
    ['claude-haiku-4-5', 'claude-haiku-5-5'],
    ['claude-3-5-haiku-20241022', 'claude-haiku-5-5'],
    ['claude-fable-5', 'claude-fable-5-1'],
    ['openrouter/anthropic/claude-sonnet-4', 'claude-sonnet-5-5'],
    ['openrouter/anthropic/claude-3.7-sonnet', 'claude-sonnet-5-5'],
    ['anthropic/claude-sonnet-4-5', 'claude-sonnet-5-5'],
    ['anthropic/claude-opus-4-1', 'claude-opus-5-5'],
    ['amazon-bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-5-5'],
    ['bedrock/anthropic.claude-3-haiku-20240307-v1:0', 'claude-haiku-5-5'],
    ['google-vertex-anthropic/claude-opus-4@20250514', 'claude-opus-5-5'],
  ])('%s is an older generation → %s, with a note', (requested, resolved) => {
    const result = resolveModel(requested, opts);

    expect(result.requested).toBe(requested);
    expect(result.resolved).toBe(resolved);
    expect(result.warning).toMatch(/older (opus|sonnet|haiku|fable) generation/);
  });

  it('passes an id it cannot place through, with a warning', () => {
    expect(resolveModel('claude-sonnet-7', opts)).toEqual({
      requested: 'claude-sonnet-7',
      resolved: 'claude-sonnet-7',
      warning: "unknown model id 'claude-sonnet-7', passed through as 'claude-sonnet-7'",
    });
    expect(resolveModel('my-proxy-model', opts)).toEqual({
      requested: 'my-proxy-model',
      resolved: 'my-proxy-model',
      warning: "unknown model id 'my-proxy-model', passed through as is",
    });
  });

  it("uses the operator default for another provider's model", () => {
    const result = resolveModel('openai/gpt-5', { operatorDefault: 'haiku' });

    expect(result.resolved).toBe('claude-haiku-5-5');
    expect(result.warning).toContain('not an Anthropic model');
  });

  it('resolves nothing requested, inherit and default to the operator default, itself an alias or an id', () => {
    expect(resolveModel(undefined, { operatorDefault: 'opus' })).toEqual({ resolved: 'claude-opus-5-5' });
    expect(resolveModel('inherit', { operatorDefault: 'claude-haiku-5-5' })).toEqual({ requested: 'inherit', resolved: 'claude-haiku-5-5' });
    expect(resolveModel('default', { operatorDefault: 'claude-sonnet-4' }).resolved).toBe('claude-sonnet-5-5');
    expect(resolveModel(undefined, { operatorDefault: 'inherit' }).resolved).toBe('claude-sonnet-5-5');
  });

  it('falls back to the operator default when the model is not allowed', () => {
    const result = resolveModel('opus', { operatorDefault: 'sonnet', allowed: ['sonnet', 'claude-haiku-5-5'] });

    expect(result.resolved).toBe('claude-sonnet-5-5');
    expect(result.warning).toContain("'claude-opus-5-5' is not among the operator's allowed models");
  });

  it('falls back to the first allowed model when the default is not allowed either', () => {
    expect(resolveModel('opus', { operatorDefault: 'sonnet', allowed: ['haiku'] }).resolved).toBe('claude-haiku-5-5');
  });

  it('accepts an allowed model, matching aliases against ids', () => {
    expect(resolveModel('claude-haiku-5-5', { operatorDefault: 'sonnet', allowed: ['haiku'] })).toEqual({
      requested: 'claude-haiku-5-5',
      resolved: 'claude-haiku-5-5',
    });
  });
});

describe('normalizeModelId', () => {
  it.each([
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'claude-sonnet-4-5'],
    ['global.anthropic.claude-haiku-5-5', 'claude-haiku-5-5'],
    ['claude-opus-4-1@20250805', 'claude-opus-4-1'],
    ['claude-3.5-haiku', 'claude-3-5-haiku'],
    ['claude-sonnet-4-5[1m]', 'claude-sonnet-4-5'],
  ])('%s → %s', (id, expected) => {
    expect(normalizeModelId(id)).toBe(expected);
  });
});

describe('MODEL_PRICES', () => {
  it('prices every current model', () => {
    for (const id of Object.values(CURRENT_MODELS)) expect(MODEL_PRICES[id], id).toBeDefined();
  });

  it('holds the published rates', () => {
    expect(MODEL_PRICES['claude-opus-5-5']).toMatchObject({ inputPerMTok: 4, outputPerMTok: 20, cacheWrite5mPerMTok: 5, cacheReadPerMTok: 0.2 });
    expect(MODEL_PRICES['claude-sonnet-5-5']).toMatchObject({ inputPerMTok: 2, outputPerMTok: 10, cacheWrite5mPerMTok: 2.5 });
    expect(MODEL_PRICES['claude-haiku-5-5']).toMatchObject({ inputPerMTok: 0.1, outputPerMTok: 0.5, longPrompt: { overPromptTokens: 100_000, inputPerMTok: 0.5 } });
  });

  it('keeps cache writes at 1.25× input for 5 minutes and 2× for an hour', () => {
    for (const [id, price] of Object.entries(MODEL_PRICES)) {
      expect(price.cacheWrite5mPerMTok, id).toBeCloseTo(price.inputPerMTok * 1.25);
      expect(price.cacheWrite1hPerMTok, id).toBeCloseTo(price.inputPerMTok * 2);
    }
  });
});
