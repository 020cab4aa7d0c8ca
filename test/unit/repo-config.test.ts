import { describe, expect, it } from 'vitest';
import { defaultRepoConfig, parseRepoConfig } from '../../src/config/repo-config.js';

describe('parseRepoConfig', () => {
  it('fills every default when the file is absent', () => {
    const result = parseRepoConfig(undefined);

    expect(result).toMatchObject({ ok: true, config: defaultRepoConfig() });
    expect(defaultRepoConfig()).toMatchObject({
      paths: { include: ['**/*'], exclude: [] },
      review: { on: ['opened', 'reopened', 'ready_for_review'], drafts: false, bots: false, max_comments: 10, min_severity: 'low', inline_min_severity: 'medium', verify: true, min_score: 6, authors: 'all' },
      check: { blocking: false, fail_on: 'high' },
      budget: { max_input_tokens: 200000 },
    });
  });

  it('keeps given values and defaults the rest of a section', () => {
    const result = parseRepoConfig({ review: { on: ['opened', 'synchronize'] }, check: { blocking: true } });

    expect(result.ok && result.config.review).toMatchObject({ on: ['opened', 'synchronize'], max_comments: 10 });
    expect(result.ok && result.config.check).toMatchObject({ blocking: true, fail_on: 'high' });
  });

  it.each([
    [{ review: { max_comments: 'thirty' } }, 'review.max_comments'],
    [{ review: { min_severity: 'urgent' } }, 'review.min_severity'],
    [{ review: { inline_min_severity: 'urgent' } }, 'review.inline_min_severity'],
    [{ review: { min_score: 11 } }, 'review.min_score'],
    [{ review: { verify: 'yes' } }, 'review.verify'],
    [{ paths: { include: 'src/**' } }, 'paths.include'],
    [{ check: { blocking: 'yes' } }, 'check.blocking'],
    [{ instructions: [{ path: 'src/**' }] }, 'instructions.0.text'],
    [{ review: { authors: ['MEMBER', 'FRIEND'] } }, 'review.authors'],
    [{ review: { authors: [] } }, 'review.authors'],
    [{ review: { authors: 'members' } }, 'review.authors'],
  ])('names the field of a wrong value: %j', (raw, field) => {
    const result = parseRepoConfig(raw);

    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems.join('\n')).toContain(`${field}:`);
  });

  it('takes review.authors as a list of GitHub author_association values', () => {
    const result = parseRepoConfig({ review: { authors: ['OWNER', 'MEMBER', 'COLLABORATOR'] } });

    expect(result.ok && result.config.review.authors).toEqual(['OWNER', 'MEMBER', 'COLLABORATOR']);
  });

  it('reports unknown top-level keys without failing', () => {
    const result = parseRepoConfig({ reveiw: { drafts: true } });

    expect(result).toMatchObject({ ok: true, unknownKeys: ['reveiw'] });
  });
});
