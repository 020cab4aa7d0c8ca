import { describe, expect, it } from 'vitest';
import { verifyFindingsStep } from '../../src/jobs/verify-findings-step.js';
import { VERIFY_MAX_TURNS } from '../../src/review/verify-findings.js';
import type { ModelRequest, ModelTools, ReviewModel } from '../../src/ports/review-model.js';
import { ServiceError } from '../../src/ports/service-error.js';
import type { Finding } from '../../src/review/types.js';

const usage = { inputTokens: 100, outputTokens: 20, cacheCreationInputTokens: 0, cacheReadInputTokens: 500 };

const finding = (title: string, line: number): Finding => ({
  path: 'src/a.ts', line, side: 'RIGHT', existing_code: 'x();', failure: 'f', confidence: 0.5, severity: 'high', category: 'reliability', title, body: 'b',
});

/** A scripted verifier: scores each finding by its title. */
function scripted(score: (title: string) => number, calls: ModelRequest[] = []): ReviewModel {
  return {
    review: () => Promise.reject(new Error('not used')),
    verify: async (request) => {
      calls.push(request);
      const titles = [...request.user.matchAll(/title: (.*)/g)].map((match) => match[1] ?? '');
      return { output: { scores: titles.map((title, index) => ({ id: index + 1, reason: `scored ${title}`, score: score(title) })) }, usage, model: 'claude-sonnet-5-5' };
    },
  };
}

const base = { modelId: 'claude-sonnet-5-5', system: 'SYSTEM', files: [], minScore: 6, maxOutputTokens: 2000 };

describe('the verification step', () => {
  it('drops a planted wrong finding and keeps the real ones, in one call with the review system prompt', async () => {
    const calls: ModelRequest[] = [];
    const result = await verifyFindingsStep({ ...base, model: scripted((title) => (title === 'Planted' ? 1 : 8), calls), findings: [finding('Real', 1), finding('Planted', 2)] });

    expect(result.kept.map((kept) => kept.title)).toEqual(['Real']);
    expect(result.summary?.dropped).toEqual([{ finding: finding('Planted', 2), score: 1, reason: 'scored Planted' }]);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.system).toBe('SYSTEM');
    expect(result.usage.inputTokens).toBe(100);
  });

  it('posts every finding unverified when the call fails, and says why', async () => {
    const failing: ReviewModel = { review: () => Promise.reject(new Error('x')), verify: () => Promise.reject(new ServiceError('anthropic', 'Overloaded', { retryable: true })) };
    const result = await verifyFindingsStep({ ...base, model: failing, findings: [finding('Real', 1), finding('Planted', 2)] });

    expect(result.kept).toHaveLength(2);
    expect(result.summary?.failed).toBe('Overloaded');
    expect(result.summary?.dropped).toEqual([]);
  });

  it('sends batches at once: 20 findings make two calls started together', async () => {
    let inFlight = 0;
    let peak = 0;
    const model: ReviewModel = {
      review: () => Promise.reject(new Error('x')),
      verify: async () => {
        inFlight += 1;
        peak = Math.max(peak, inFlight);
        await new Promise((resolve) => setImmediate(resolve));
        inFlight -= 1;
        return { output: { scores: [] }, usage, model: 'm' };
      },
    };
    const result = await verifyFindingsStep({ ...base, model, findings: Array.from({ length: 20 }, (_, index) => finding(`F${index}`, index + 1)) });
    expect(result.calls).toBe(2);
    expect(peak).toBe(2);
    expect(result.kept).toHaveLength(20);
  });

  it('makes no call when there is nothing to verify', async () => {
    const calls: ModelRequest[] = [];
    const result = await verifyFindingsStep({ ...base, model: scripted(() => 0, calls), findings: [] });
    expect(calls).toHaveLength(0);
    expect(result.summary).toBeUndefined();
  });

  it('passes the chunks\' tool definitions and executor on, under the verification turn cap, and no tools when the agent has none', async () => {
    const execute: ModelTools['execute'] = () => ({ content: '1\tx();', isError: false });
    const tools: ModelTools = { definitions: [{ name: 'Read', description: 'Reads a file.', input_schema: { type: 'object' } }], execute, maxTurns: 8, maxInputTokens: 400_000, maxTurnInputTokens: 5_000 };
    const calls: ModelRequest[] = [];
    await verifyFindingsStep({ ...base, model: scripted(() => 8, calls), findings: [finding('Real', 1)], tools });
    await verifyFindingsStep({ ...base, model: scripted(() => 8, calls), findings: [finding('Real', 1)] });

    expect(calls[0]?.tools).toEqual({ ...tools, maxTurns: VERIFY_MAX_TURNS });
    expect(calls[0]?.tools?.definitions).toBe(tools.definitions);
    expect(calls[0]?.tools?.execute).toBe(execute);
    expect(VERIFY_MAX_TURNS).toBeLessThan(tools.maxTurns);
    expect(calls[1]).not.toHaveProperty('tools');
  });
});
