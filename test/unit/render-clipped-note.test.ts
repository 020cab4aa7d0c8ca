import { describe, expect, it } from 'vitest';
import { clippedNote } from '../../src/render/clipped-note.js';

describe('clippedNote', () => {
  it('names each clipped file in a code span, even one whose name holds a backtick', () => {
    expect(clippedNote([{ path: 'src/a`@x.ts', keptHunks: 2, totalHunks: 9 }])).toBe('Clipped to fit the budget: ``src/a`@x.ts`` (2/9 hunks).');
  });

  it('lists at most 20 files, then says how many more', () => {
    const clipped = Array.from({ length: 23 }, (_, index) => ({ path: `f${index}.ts`, keptHunks: 1, totalHunks: 2 }));
    const note = clippedNote(clipped);
    expect(note).toContain('`f19.ts` (1/2 hunks) and 3 more.');
    expect(note).not.toContain('f20.ts');
  });
});
