import { describe, expect, it } from 'vitest';
import { defaultRepoConfig } from '../../src/config/repo-config.js';
import type { ReviewJob } from '../../src/ports/job-queue.js';
import type { PullRequestInfo } from '../../src/ports/pull-request-host.js';
import { gateReview } from '../../src/review/gate-review.js';
import { triggerEnabled } from '../../src/review/trigger-enabled.js';

const HEAD = 'a'.repeat(40);
const job = (trigger: ReviewJob['trigger']) => ({ headSha: HEAD, trigger });
const pr = (overrides: Partial<PullRequestInfo> = {}): PullRequestInfo => ({
  number: 5, state: 'open', merged: false, draft: false, title: 't', body: '', author: { login: 'dev', isBot: false, association: 'MEMBER' },
  headSha: HEAD, baseSha: 'b'.repeat(40), baseRef: 'main', defaultBranch: 'main', changedFiles: 1, ...overrides,
});
const config = defaultRepoConfig();

describe('gateReview', () => {
  it('reviews an open pull request at the job head', () => {
    expect(gateReview(job('opened'), pr(), config)).toBeUndefined();
  });

  it('skips closed pull requests and heads the pull request moved on from, whoever asked', () => {
    expect(gateReview(job('command'), pr({ state: 'closed', merged: true }), config)).toEqual({ kind: 'closed', number: 5, merged: true });
    expect(gateReview(job('rerequested'), pr({ headSha: 'c'.repeat(40) }), config)).toEqual({ kind: 'moved-on', headSha: 'c'.repeat(40) });
  });

  it('skips drafts, bots and unlisted authors automatically, but not when someone with write access asked', () => {
    const authors = { ...config, review: { ...config.review, authors: ['OWNER' as const] } };
    expect(gateReview(job('opened'), pr({ draft: true }), config)).toEqual({ kind: 'draft' });
    expect(gateReview(job('opened'), pr({ author: { login: 'bot[bot]', isBot: true, association: 'NONE' } }), config)).toEqual({ kind: 'bot', login: 'bot[bot]' });
    expect(gateReview(job('opened'), pr(), authors)).toEqual({ kind: 'author', association: 'MEMBER', authors: ['OWNER'] });
    expect(gateReview(job('command'), pr({ draft: true }), authors)).toBeUndefined();
  });
});

describe('gateReview while paused', () => {
  it('skips an automatic review of a paused pull request, naming who paused it', () => {
    expect(gateReview(job('synchronize'), pr(), config, 'maintainer')).toEqual({ kind: 'paused', by: 'maintainer' });
  });

  it('still reviews when someone with write access asks, and gives the other reasons first', () => {
    expect(gateReview(job('command'), pr(), config, 'maintainer')).toBeUndefined();
    expect(gateReview(job('rerequested'), pr(), config, 'maintainer')).toBeUndefined();
    expect(gateReview(job('opened'), pr({ draft: true }), config, 'maintainer')).toEqual({ kind: 'draft' });
    expect(gateReview(job('opened'), pr({ state: 'closed' }), config, 'maintainer')).toEqual({ kind: 'closed', number: 5, merged: false });
  });
});

describe('triggerEnabled', () => {
  it('follows review.on for automatic triggers, any listed trigger for a base change, and always for requests by hand', () => {
    const pushes = { ...config, review: { ...config.review, on: ['synchronize' as const] } };
    const none = { ...config, review: { ...config.review, on: [] } };
    expect(triggerEnabled(job('synchronize'), config)).toBe(config.review.on.includes('synchronize'));
    expect(triggerEnabled(job('synchronize'), pushes)).toBe(true);
    expect(triggerEnabled(job('base_changed'), pushes)).toBe(true);
    expect(triggerEnabled(job('base_changed'), none)).toBe(false);
    expect(triggerEnabled(job('command'), none)).toBe(true);
  });
});
