import { describe, expect, it } from 'vitest';
import { alignChecklist } from '../../src/review/align-checklist.js';

const items = [
  { id: 'authentication', title: 'Authentication and authorisation' },
  { id: 'input-validation', title: 'Input validation and sanitisation' },
];

describe('alignChecklist', () => {
  it('lists the loaded items in order, under their titles, with the reported status', () => {
    const aligned = alignChecklist(items, [
      { item: 'Input-Validation', status: 'concern', note: 'id reaches SQL' },
      { item: 'authentication', status: 'ok', note: '' },
    ]);

    expect(aligned).toEqual([
      { item: 'Authentication and authorisation', status: 'ok', note: '' },
      { item: 'Input validation and sanitisation', status: 'concern', note: 'id reaches SQL' },
    ]);
  });

  it('shows an item the model skipped as not assessed and keeps items it added', () => {
    const aligned = alignChecklist(items, [{ item: 'rate-limits', status: 'concern', note: 'no limit on login' }]);

    expect(aligned.map((entry) => [entry.item, entry.status])).toEqual([
      ['Authentication and authorisation', 'not-applicable'],
      ['Input validation and sanitisation', 'not-applicable'],
      ['rate-limits', 'concern'],
    ]);
    expect(aligned[0]!.note).toMatch(/not assessed/i);
  });

  it('keeps the model entries when no checklist is loaded', () => {
    const reported = [{ item: 'custom', status: 'ok' as const, note: 'fine' }];

    expect(alignChecklist([], reported)).toEqual(reported);
  });
});
