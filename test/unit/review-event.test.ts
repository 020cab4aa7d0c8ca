import { describe, expect, it } from 'vitest';
import { reviewEvent } from '../../src/review/review-event.js';

describe('reviewEvent', () => {
  it('requests changes only when the repo asks for it and the check fails', () => {
    expect(reviewEvent(true, 'failure')).toBe('REQUEST_CHANGES');
    expect(reviewEvent(false, 'failure')).toBe('COMMENT');
    expect(reviewEvent(true, 'success')).toBe('COMMENT');
    expect(reviewEvent(true, 'neutral')).toBe('COMMENT');
  });
});
