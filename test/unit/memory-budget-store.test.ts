import { describe, expect, it } from 'vitest';
import { createMemoryBudgetStore } from '../../src/adapters/memory/memory-budget-store.js';
import { utcDay } from '../../src/ports/budget-store.js';

const noon = Date.parse('2025-03-14T12:00:00Z');
const lastMillisecond = Date.parse('2025-03-14T23:59:59.999Z');
const nextDay = Date.parse('2025-03-15T00:00:00Z');

describe('createMemoryBudgetStore', () => {
  it('adds usage per installation and returns the new total', async () => {
    const store = createMemoryBudgetStore();

    expect(await store.add(1, { tokens: 1000, usd: 0.1 }, noon)).toEqual({ tokens: 1000, usd: 0.1 });
    expect(await store.add(1, { tokens: 500, usd: 0.2 }, noon)).toEqual({ tokens: 1500, usd: 0.3 });
    await store.add(2, { tokens: 7, usd: 0.000001 }, noon);

    expect(await store.spent(1, noon)).toEqual({ tokens: 1500, usd: 0.3 });
    expect(await store.spent(2, noon)).toEqual({ tokens: 7, usd: 0.000001 });
    expect(await store.spent(3, noon)).toEqual({ tokens: 0, usd: 0 });
  });

  it('counts dollars in whole micro-dollars, so many small additions do not drift', async () => {
    const store = createMemoryBudgetStore();
    for (let index = 0; index < 1000; index += 1) await store.add(1, { tokens: 1, usd: 0.0001 }, noon);

    expect(await store.spent(1, noon)).toEqual({ tokens: 1000, usd: 0.1 });
  });

  it('starts from zero on the next UTC day and drops past days', async () => {
    const store = createMemoryBudgetStore();
    await store.add(1, { tokens: 100, usd: 1 }, lastMillisecond);

    expect(await store.spent(1, lastMillisecond)).toEqual({ tokens: 100, usd: 1 });
    expect(await store.spent(1, nextDay)).toEqual({ tokens: 0, usd: 0 });
    // The earlier day is gone once a later day was seen.
    expect(await store.spent(1, noon)).toEqual({ tokens: 0, usd: 0 });
  });

  it('names days in UTC', () => {
    expect(utcDay(lastMillisecond)).toBe('2025-03-14');
    expect(utcDay(nextDay)).toBe('2025-03-15');
  });
});
