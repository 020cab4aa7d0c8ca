import { describe, expect, it } from 'vitest';
import type { ExistingCheckRun } from '../../src/ports/pull-request-host.js';
import { staleRunsIn } from '../../src/review/stale-runs-in.js';

const runOf = (id: number, externalId: string | null, status: string): ExistingCheckRun => ({ id, externalId, status, conclusion: null, appSlug: 'bulwark' });

describe('staleRunsIn', () => {
  it('keeps the runs still open whose job was found stale', () => {
    const open = runOf(1, 'review/x', 'in_progress');
    const current = [open, runOf(2, 'review/x', 'completed'), runOf(3, 'review/y', 'in_progress'), runOf(4, null, 'queued')];
    expect(staleRunsIn(current, new Set(['review/x']))).toEqual([open]);
    expect(staleRunsIn(current, new Set())).toEqual([]);
  });
});
