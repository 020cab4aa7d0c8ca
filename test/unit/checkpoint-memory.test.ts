import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCheckpointMemory } from '../../src/adapters/redis/bullmq-queue.js';

afterEach(() => {
  vi.useRealTimers();
});

describe("the BullMQ adapter's checkpoint memory", () => {
  it('gives back a copy of what was saved, per job', () => {
    const memory = createCheckpointMemory();
    const saved = { answers: ['a'] };
    memory.set('job-a', saved);
    saved.answers.push('changed after saving');
    expect(memory.get('job-a')).toEqual({ answers: ['a'] });
    expect(memory.get('job-b')).toBeUndefined();
    memory.delete('job-a');
    expect(memory.get('job-a')).toBeUndefined();
  });

  it('keeps at most 50 jobs, dropping the oldest first', () => {
    const memory = createCheckpointMemory();
    for (let index = 0; index < 51; index += 1) memory.set(`job-${index}`, index);
    expect(memory.get('job-0')).toBeUndefined();
    expect(memory.get('job-1')).toBe(1);
    expect(memory.get('job-50')).toBe(50);
  });

  it('forgets a checkpoint after two hours', () => {
    vi.useFakeTimers();
    const memory = createCheckpointMemory();
    memory.set('job-a', 1);
    vi.advanceTimersByTime(2 * 60 * 60 * 1000);
    expect(memory.get('job-a')).toBe(1);
    vi.advanceTimersByTime(1);
    expect(memory.get('job-a')).toBeUndefined();
  });
});
