import { describe, expect, it } from 'vitest';
import { createMemoryPullRequestHost } from '../../src/adapters/memory/memory-pull-request-host.js';
import { loadSnapshot } from '../../src/context/snapshot.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { DEFAULT_BRANCH, HEAD } from '../helpers/github-stand-in.js';
import { defaultWorld, pullRequestHostContract, REF } from './pull-request-host-contract.js';
import type { HostWorld } from './pull-request-host-contract.js';

function memoryHost(world: HostWorld) {
  return createMemoryPullRequestHost({
    pullRequests: [{ info: world.pullRequest, files: world.files }],
    repoFiles: { [DEFAULT_BRANCH]: world.repoFiles },
    ...(world.config ? { config: { 'bulwark.yml': world.config } } : {}),
    reviews: world.reviews.map((review) => ({ pullNumber: world.pullRequest.number, ...review })),
  });
}

pullRequestHostContract('memory', memoryHost);

/** What only the memory host does: GitHub's rules the fake enforces, and what tests read and inject. */
describe('createMemoryPullRequestHost', () => {
  it('refuses a review whose inline comment is not on a line of the diff with 422, as GitHub does, and keeps the attempt', async () => {
    const host = memoryHost(defaultWorld());

    const outside = host.createReview(REF, { commitId: HEAD, body: 'Review.', event: 'COMMENT', comments: [{ path: 'src/server/routes/users.ts', line: 40, side: 'RIGHT', body: 'x' }] });

    await expect(outside).rejects.toMatchObject({ status: 422, retryable: false });
    expect(host.reviews).toEqual([]);
    expect(host.reviewAttempts).toHaveLength(1);
    // A removed line is on the LEFT side only.
    await expect(host.createReview(REF, { commitId: HEAD, body: 'Review.', event: 'COMMENT', comments: [{ path: 'src/server/routes/users.ts', line: 12, side: 'LEFT', body: 'x' }] })).resolves.toEqual({ id: 1 });
  });

  it('serves the repository at a commit as a gzipped tarball the snapshot reader opens, or too-large past the cap', async () => {
    const host = createMemoryPullRequestHost({ repoFiles: { [HEAD]: { 'src/a.ts': 'export const a = 1;\n', 'docs/b.md': '# B\n' } } });

    const download = await host.downloadTarball(REF, HEAD, 1_000_000);
    if (download.kind !== 'archive') throw new Error('expected an archive');
    const snapshot = await loadSnapshot(download.bytes);

    expect([...snapshot.files.keys()].sort()).toEqual(['docs/b.md', 'src/a.ts']);
    expect(snapshot.files.get('src/a.ts')?.text).toBe('export const a = 1;\n');
    expect(await host.downloadTarball(REF, HEAD, 10)).toEqual({ kind: 'too-large', maxBytes: 10 });
  });

  it('answers permissions, comparisons, comments and reactions from its state', async () => {
    const host = createMemoryPullRequestHost({ permissions: { maintainer: 'maintain' }, comparisons: { [`base...${HEAD}`]: { status: 'ahead', files: ['src/a.ts'] } } });

    expect(await host.getPermission(REF, 'maintainer')).toBe('maintain');
    expect(await host.getPermission(REF, 'stranger')).toBe('none');
    expect(await host.compareCommits(REF, 'base', HEAD)).toEqual({ status: 'ahead', files: ['src/a.ts'], truncated: false });
    expect(await host.compareCommits(REF, 'gone', HEAD)).toEqual({ status: 'missing', files: [], truncated: false });
    await host.createComment(REF, 'Only people with write access can ask. <!-- bulwark:reply -->');
    await host.addReaction(REF, 42, 'eyes');
    await host.addReaction(REF, 43, 'eyes', 'review-comment');
    expect(await host.listOwnComments(REF)).toEqual(['Only people with write access can ask. <!-- bulwark:reply -->']);
    expect(host.reactions).toEqual([
      { commentId: 42, content: 'eyes', on: 'issue-comment' },
      { commentId: 43, content: 'eyes', on: 'review-comment' },
    ]);
  });

  it('keeps a check run newest-wins: the completion replaces the output, and every output is kept in order', async () => {
    const host = memoryHost(defaultWorld());
    const { id } = await host.createCheckRun(REF, { name: 'Bulwark', headSha: HEAD, externalId: 'x', output: { title: 'Started', summary: 's' } });

    await host.updateCheckRun(REF, id, { title: 'Annotations', summary: 's' });
    await host.completeCheckRun(REF, id, { conclusion: 'success', output: { title: 'Done', summary: 'd' }, actions: [{ label: 'Re-review', description: 'Review again', identifier: 'rereview' }] });

    expect(host.check()).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: 'Done' }, actions: [expect.objectContaining({ identifier: 'rereview' })] });
    expect(host.check().outputs.map((output) => output.title)).toEqual(['Started', 'Annotations', 'Done']);
  });

  it('throws an injected fault the given number of times, after doing the work when it was applied', async () => {
    const host = memoryHost(defaultWorld());
    const fault = new ServiceError('github', 'GitHub answered 502', { retryable: true, status: 502 });
    host.fail('createReview', fault, { applied: true });

    await expect(host.createReview(REF, { commitId: HEAD, body: 'Review.', event: 'COMMENT', comments: [] })).rejects.toBe(fault);
    expect(host.reviews).toHaveLength(1);
    await expect(host.createReview(REF, { commitId: HEAD, body: 'Again.', event: 'COMMENT', comments: [] })).resolves.toEqual({ id: 2 });
    expect(host.calls.filter((call) => call === 'createReview')).toHaveLength(2);
  });

  it("tells its own bodies apart once it knows the App's slug: another bot's marker no longer counts", async () => {
    const host = createMemoryPullRequestHost({ comments: [{ pullNumber: 2, body: '<!-- bulwark:reply --> by a workflow', author: { login: 'github-actions[bot]', isBot: true } }] });

    expect(await host.listOwnComments(REF)).toHaveLength(1);
    host.learnOwnIdentity('bulwark');
    expect(await host.listOwnComments(REF)).toEqual([]);
  });
});
