import { describe, expect, it } from 'vitest';
import { failedChunks, planKey, readCheckpoint, retryableChunks, toCheckpoint } from '../../src/review/chunk-checkpoint.js';
import type { ChunkOutcome } from '../../src/review/chunk-checkpoint.js';
import type { DiffFile } from '../../src/review/types.js';

const diff = (path: string, hunks = 1): DiffFile => ({
  path,
  status: 'modified',
  additions: hunks,
  deletions: 0,
  hunks: Array.from({ length: hunks }, (_, i) => ({ oldStart: i * 10 + 1, oldLines: 0, newStart: i * 10 + 1, newLines: 1, header: '@@', lines: [{ kind: 'add' as const, newLine: i * 10 + 1, text: 'x' }] })),
});

const chunks = [[diff('src/a.ts'), diff('src/b.ts')], [diff('test/c.test.ts')]];
const outcome: ChunkOutcome = {
  answers: [
    undefined,
    {
      summary: 'One issue.',
      checklist: [{ item: 'Input is validated', status: 'concern', note: 'see finding' }],
      findings: [{ path: 'src/a.ts', line: 1, title: 'Unchecked input' }],
      usage: { inputTokens: 1000, outputTokens: 50, cacheCreationInputTokens: 300, cacheReadInputTokens: 900, cacheCreation1hInputTokens: 250 },
      model: 'claude-sonnet-5-5',
      stopReason: 'end_turn',
    },
  ],
  final: [],
  errors: ['The model provider answered 500.', undefined],
};

describe('planKey', () => {
  it('is the same for the same plan and differs when a file, a hunk count or a chunk boundary differs', () => {
    expect(planKey(chunks)).toBe(planKey([[diff('src/a.ts'), diff('src/b.ts')], [diff('test/c.test.ts')]]));
    expect(planKey(chunks)).not.toBe(planKey([[diff('src/a.ts'), diff('src/x.ts')], [diff('test/c.test.ts')]]));
    expect(planKey(chunks)).not.toBe(planKey([[diff('src/a.ts', 2), diff('src/b.ts')], [diff('test/c.test.ts')]]));
    expect(planKey(chunks)).not.toBe(planKey([[diff('src/a.ts')], [diff('src/b.ts'), diff('test/c.test.ts')]]));
  });
});

describe('readCheckpoint', () => {
  const key = planKey(chunks);
  const saved = () => JSON.parse(JSON.stringify(toCheckpoint('abc123', key, outcome))) as unknown;

  it('gives back the saved outcome after a trip through JSON (as a queue stores it), failed chunks as undefined', () => {
    const read = readCheckpoint(saved(), 'abc123', key, 2);
    expect(read).toEqual(outcome);
    expect(read && failedChunks(read)).toEqual([0]);
  });

  it('ignores a checkpoint of another head, another plan, or one that does not account for every chunk', () => {
    expect(readCheckpoint(saved(), 'def456', key, 2)).toBeUndefined();
    expect(readCheckpoint(saved(), 'abc123', planKey([[diff('src/a.ts')]]), 2)).toBeUndefined();
    expect(readCheckpoint(saved(), 'abc123', key, 3)).toBeUndefined();
  });

  it('keeps the chunks that failed for good out of the ones to ask again', () => {
    const both: ChunkOutcome = { answers: [undefined, undefined, outcome.answers[1]], final: [1], errors: ['The model provider answered 529.', 'The model ran out of output tokens.', undefined] };
    const three = [[diff('a.ts')], [diff('b.ts')], [diff('c.ts')]];
    const read = readCheckpoint(JSON.parse(JSON.stringify(toCheckpoint('abc123', planKey(three), both))), 'abc123', planKey(three), 3)!;
    expect(failedChunks(read)).toEqual([0, 1]);
    expect(retryableChunks(read)).toEqual([0]);
    // A chunk cannot both have answered and have failed for good.
    const contradictory = { ...toCheckpoint('abc123', planKey(three), both), final: [2] };
    expect(readCheckpoint(contradictory, 'abc123', planKey(three), 3)).toBeUndefined();
  });

  it('ignores what is not a checkpoint, and keeps only valid checklist entries', () => {
    expect(readCheckpoint(undefined, 'abc123', key, 2)).toBeUndefined();
    expect(readCheckpoint({ v: 2 }, 'abc123', key, 2)).toBeUndefined();
    expect(readCheckpoint({ ...(saved() as object), answers: [{ summary: 1 }] }, 'abc123', key, 2)).toBeUndefined();
    const withBadItem = saved() as { answers: { checklist: unknown[] }[] };
    withBadItem.answers[1]!.checklist.push({ nonsense: true });
    expect(readCheckpoint(withBadItem, 'abc123', key, 2)?.answers[1]?.checklist).toEqual(outcome.answers[1]!.checklist);
  });
});
