import { describe, expect, it } from 'vitest';
import { renderNotes } from '../../src/render/render-notes.js';
import type { ReviewNotes } from '../../src/render/render-notes.js';

const quiet: ReviewNotes = {
  scope: { kind: 'first' }, changedFiles: 2, listed: 2, failedFiles: 0, firstError: undefined, countNote: undefined, kept: 0, asked: 1,
  contextTooLargeBytes: undefined, clipped: [], repeats: 0, resolved: 0, secretsMasked: 0, agent: [],
};

describe('renderNotes', () => {
  it('says nothing when nothing happened besides the review', () => {
    expect(renderNotes(quiet)).toEqual([]);
  });

  it('words every fact, in the order a reader needs them', () => {
    const notes = renderNotes({
      ...quiet,
      scope: { kind: 'rewritten' },
      changedFiles: 3_100,
      listed: 3_000,
      failedFiles: 4,
      firstError: 'overloaded',
      kept: 2,
      asked: 1,
      repeats: 2,
      resolved: 1,
      secretsMasked: 3,
      agent: ['Skill `x` not found.'],
    });
    expect(notes).toEqual([
      'Full review: the history since the last review was rewritten (force-push) or is gone.',
      'Partial review: this pull request changes 3100 files, but GitHub lists only the first 3000; the other 100 file(s) were not reviewed.',
      'Partial review: 4 file(s) could not be reviewed because a model call failed (overloaded). Use Re-run to try again.',
      '2 chunk(s) the model answered in an earlier attempt were kept; it was asked again only for the 1 whose call had failed.',
      '2 finding(s) already reported in open review threads were not repeated.',
      'Resolved 1 earlier thread(s) whose finding is gone.',
      '3 secret(s) were masked before the diff was sent to the model.',
      'Skill `x` not found.',
    ]);
  });

  it('says answers from an earlier attempt were published without asking again when nothing was asked', () => {
    expect(renderNotes({ ...quiet, kept: 3, asked: 0 })[0]).toMatch(/^The model answered an earlier attempt of this run, which could not publish/);
  });
});
