import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAnthropicClient, createAnthropicModel } from '../../src/adapters/anthropic/anthropic-model.js';
import { buildUser, WALKTHROUGH_REQUEST } from '../../src/review/build-prompt.js';
import { readCheckpoint, toCheckpoint } from '../../src/review/chunk-checkpoint.js';
import { validateWalkthrough } from '../../src/review/findings-schema.js';
import { mergeChunkReviews } from '../../src/review/merge-chunk-reviews.js';
import { WALKTHROUGH_LINE_MAX } from '../../src/review/walkthrough.js';
import type { ModelReview } from '../../src/ports/review-model.js';
import { messageResponse } from '../helpers/model-stand-in.js';
import { ANTHROPIC, assertNockDone, setupNock } from '../helpers/test-app.js';

type Schema = { properties?: Record<string, Schema>; items?: Schema; description?: string; required?: string[] };

const model = () => createAnthropicModel(createAnthropicClient({ apiKey: 'test-key', baseUrl: ANTHROPIC, timeoutMs: 5_000, maxRetries: 0 }));
const request = { model: 'claude-sonnet-5-5', system: 'System.', user: 'User.', maxOutputTokens: 1000 };

function answered(walkthrough: unknown): { sent: { body?: Record<string, unknown> } } {
  const sent: { body?: Record<string, unknown> } = {};
  nock(ANTHROPIC)
    .post('/v1/messages', (body: Record<string, unknown>) => {
      sent.body = body;
      return true;
    })
    .reply(200, messageResponse(JSON.stringify({ summary: '', checklist: [], findings: [], walkthrough })));
  return { sent };
}

beforeEach(setupNock);
afterEach(assertNockDone);

describe('the walkthrough in the output schema', () => {
  it('is an optional object whose every field is described, the risk reason before the level', async () => {
    const { sent } = answered(undefined);
    await model().review(request);

    const schema = (sent.body?.output_config as { format: { schema: Schema } }).format.schema;
    expect(schema.required).not.toContain('walkthrough');
    expect(schema.properties?.walkthrough?.description).toMatch(/only when the request asks/i);
    const file = schema.properties?.walkthrough?.properties?.files?.items;
    const properties = file?.properties ?? {};
    expect(Object.keys(properties)).toEqual(['path', 'change', 'risk_reason', 'risk', 'test']);
    expect(Object.entries(properties).filter(([, value]) => !value.description).map(([name]) => name)).toEqual([]);
    expect(file?.required).toEqual(expect.arrayContaining(['path', 'change', 'risk']));
  });

  it('arrives validated file by file: a malformed file is dropped, texts too long are cut, not lost', async () => {
    answered({
      files: [
        { path: 'src/routes/users.ts', change: 'Adds pagination.', risk_reason: 'x'.repeat(5000), risk: 'high', test: 'Page past the end.' },
        { path: 'src/a.ts', change: 'No level.' },
        { path: 'src/b.ts', change: 'Odd level.', risk: 'critical' },
        'not an object',
      ],
    });

    const review = await model().review(request);

    expect(review.walkthrough).toHaveLength(1);
    expect(review.walkthrough?.[0]).toMatchObject({ path: 'src/routes/users.ts', change: 'Adds pagination.', risk: 'high', test: 'Page past the end.' });
    expect(review.walkthrough?.[0]?.riskReason).toHaveLength(WALKTHROUGH_LINE_MAX);
  });

  it('is absent when the answer has none, and a malformed one never costs the findings', async () => {
    answered({ files: 'nope' });

    const review = await model().review(request);

    expect(review.walkthrough).toBeUndefined();
    expect(review.findings).toEqual([]);
  });
});

describe('validateWalkthrough', () => {
  it.each([undefined, null, 'text', [], { files: null }])('is empty for %j', (raw) => {
    expect(validateWalkthrough(raw)).toEqual([]);
  });

  it('drops a file whose line is empty once put on one line', () => {
    expect(validateWalkthrough({ files: [{ path: 'a.ts', change: ' \n\t ', risk: 'low' }] })).toEqual([]);
  });
});

describe('the walkthrough request in the prompt', () => {
  const pr = { title: 'T', body: 'B' };

  it('is in the user turn only when the walkthrough is asked for, outside the data frame', () => {
    const asked = buildUser(pr, [], [], undefined, true);
    const notAsked = buildUser(pr, [], []);

    expect(asked.indexOf(WALKTHROUGH_REQUEST)).toBeGreaterThan(-1);
    expect(asked.indexOf(WALKTHROUGH_REQUEST)).toBeLessThan(asked.indexOf('<pull_request_data>'));
    expect(notAsked).not.toContain('walkthrough');
  });
});

describe('the walkthrough across chunks and attempts', () => {
  const answer = (walkthrough: ModelReview['walkthrough']): ModelReview => ({
    summary: '',
    checklist: [],
    findings: [],
    ...(walkthrough ? { walkthrough } : {}),
    usage: { inputTokens: 1, outputTokens: 1, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
    model: 'm',
    stopReason: 'end_turn',
  });

  it("joins every chunk's notes", () => {
    const merged = mergeChunkReviews([answer([{ path: 'a.ts', change: 'A.', risk: 'low' }]), answer(undefined), answer([{ path: 'b.ts', change: 'B.', risk: 'high' }])]);

    expect(merged.walkthrough.map((note) => note.path)).toEqual(['a.ts', 'b.ts']);
  });

  it("is kept in the checkpoint a retry reads, and a saved walkthrough that no longer reads loses only itself", () => {
    const notes = [{ path: 'a.ts', change: 'A.', risk: 'medium' as const, test: 'Try it.' }];
    const saved = JSON.parse(JSON.stringify(toCheckpoint('h', 'p', { answers: [answer(notes), answer(undefined)], final: [], errors: [undefined, undefined] }))) as { answers: Record<string, unknown>[] };

    expect(readCheckpoint(saved, 'h', 'p', 2)?.answers[0]?.walkthrough).toEqual(notes);

    saved.answers[0]!.walkthrough = [{ path: 'a.ts', risk: 'extreme' }];
    const read = readCheckpoint(saved, 'h', 'p', 2);
    expect(read?.answers[0]?.walkthrough).toBeUndefined();
    expect(read?.answers[0]?.summary).toBe('');
  });
});
