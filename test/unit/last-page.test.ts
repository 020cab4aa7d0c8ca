import { describe, expect, it } from 'vitest';
import { lastPage } from '../../src/adapters/github/github-host.js';

describe('lastPage', () => {
  it.each([
    ['<https://api.github.com/repositories/1/pulls/2/files?per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/pulls/2/files?per_page=100&page=30>; rel="last"', 30],
    ['<https://api.github.com/x?page=3>; rel="prev", <https://api.github.com/x?page=1>; rel="first"', 1],
    ['<https://api.github.com/x?page=2>; rel="next"', 1],
    [undefined, 1],
  ])('reads the last page of %s', (link, page) => {
    expect(lastPage(link)).toBe(page);
  });
});
