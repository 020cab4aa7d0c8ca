import { describe, expect, it } from 'vitest';
import { classifyRepoConfig } from '../../src/config/classify-repo-config.js';
import { ServiceError } from '../../src/ports/service-error.js';

describe('classifyRepoConfig', () => {
  it('parses the file read, with defaults for what it leaves out', () => {
    const load = classifyRepoConfig({ raw: { review: { max_comments: 3 } } });
    expect(load.ok).toBe(true);
    if (load.ok) expect(load.config.review.max_comments).toBe(3);
    expect(classifyRepoConfig({ raw: undefined }).ok).toBe(true);
  });

  it('reports an invalid field as a problem', () => {
    expect(classifyRepoConfig({ raw: { review: { max_comments: -1 } } })).toMatchObject({ ok: false, problems: [expect.stringContaining('review.max_comments')] });
  });

  it('reports a file that does not parse as a problem', () => {
    const error = new ServiceError('config', 'bulwark.yml could not be parsed', { retryable: false });
    expect(classifyRepoConfig({ error })).toEqual({ ok: false, problems: ['bulwark.yml could not be parsed'] });
  });

  it('throws again any other failure to read it', () => {
    const outage = new ServiceError('github', 'Server Error', { retryable: true, status: 502 });
    expect(() => classifyRepoConfig({ error: outage })).toThrow(outage);
    const bug = new TypeError('boom');
    expect(() => classifyRepoConfig({ error: bug })).toThrow(bug);
  });
});
