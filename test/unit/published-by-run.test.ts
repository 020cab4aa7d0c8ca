import { describe, expect, it } from 'vitest';
import { reviewMarker } from '../../src/render/markers.js';
import { publishedByRun } from '../../src/review/published-by-run.js';

const HEAD = 'a'.repeat(40);

describe('publishedByRun', () => {
  it('recognises the review of this very head and run only', () => {
    const body = `Review.\n\n${reviewMarker({ headSha: HEAD, runId: 'auto' })}`;
    expect(publishedByRun(body, { headSha: HEAD, run: 'auto' })).toBe(true);
    expect(publishedByRun(body, { headSha: HEAD, run: 'comment-9' })).toBe(false);
    expect(publishedByRun(body, { headSha: 'b'.repeat(40), run: 'auto' })).toBe(false);
    expect(publishedByRun('A review without a marker.', { headSha: HEAD, run: 'auto' })).toBe(false);
  });
});
