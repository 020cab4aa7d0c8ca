import { describe, expect, it } from 'vitest';
import type { PullRequestHost, PullRequestInfo, PullRequestRef } from '../../src/ports/pull-request-host.js';
import { ServiceError } from '../../src/ports/service-error.js';
import type { ChangedFile } from '../../src/review/types.js';
import { fixturePullRequest, usersFile } from '../helpers/build-runner.js';
import { DEFAULT_BRANCH, HEAD, OWNER, PR, REPO } from '../helpers/github-stand-in.js';

/** What a host under test must hold; each adapter's test file builds it its own way (memory state, or GitHub over nock). */
export interface HostWorld {
  pullRequest: PullRequestInfo;
  files: ChangedFile[];
  /** `.github/bulwark.yml` of the default branch, parsed; absent: none. */
  config?: Record<string, unknown>;
  /** Files of the default branch. */
  repoFiles: Record<string, string>;
  /** Reviews already on the pull request. */
  reviews: { body: string; author: { login: string; isBot: boolean } }[];
}

export const REF: PullRequestRef = { installationId: 1, owner: OWNER, repo: REPO, pullNumber: PR };
const MARKED = (text: string) => `${text}\n\n<!-- bulwark:review {"head":"${HEAD}","run":"auto"} -->`;

/** 250 files: more than two pages of GitHub's files listing. */
function manyFiles(): ChangedFile[] {
  return Array.from({ length: 250 }, (_, index) => usersFile({ path: `src/module-${String(index).padStart(3, '0')}.ts` }));
}

export function defaultWorld(overrides: Partial<HostWorld> = {}): HostWorld {
  const files = overrides.files ?? [usersFile()];
  return {
    pullRequest: fixturePullRequest({ changedFiles: files.length }),
    files,
    repoFiles: { 'README.md': '# Hello\n', '.claude/agents/reviewer.md': '---\nname: reviewer\n---\nReview.\n' },
    reviews: [],
    ...overrides,
  };
}

/**
 * One PullRequestHost contract: every adapter of the port answers these the same way (the memory host used by
 * runner tests, and the GitHub adapter over GitHub's REST and GraphQL shapes). `build` gets a fresh world per test.
 */
export function pullRequestHostContract(name: string, build: (world: HostWorld) => Promise<PullRequestHost> | PullRequestHost): void {
  describe(`PullRequestHost contract: ${name}`, () => {
    it('reads the pull request as GitHub describes it', async () => {
      const world = defaultWorld();
      const host = await build(world);

      expect(await host.getPullRequest(REF)).toEqual(world.pullRequest);
    });

    it('answers a pull request that does not exist with a 404 ServiceError that is not retried', async () => {
      const host = await build(defaultWorld());

      const failure = await host.getPullRequest({ ...REF, pullNumber: 404 }).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(ServiceError);
      expect(failure).toMatchObject({ service: 'github', status: 404, retryable: false });
    });

    it('lists every changed file, in order, over several pages', async () => {
      const world = defaultWorld({ files: manyFiles() });
      const host = await build(world);

      const files = await host.listFiles(REF);

      expect(files).toHaveLength(250);
      expect(files).toEqual(world.files);
    });

    it('reads the repository config of the default branch', async () => {
      const config = { review: { on: ['opened', 'synchronize'] }, check: { blocking: true } };

      expect(await (await build(defaultWorld({ config }))).readConfig(REF, 'bulwark.yml')).toEqual(config);
    });

    it('reads no config when the repository has none', async () => {
      expect(await (await build(defaultWorld())).readConfig(REF, 'bulwark.yml')).toBeUndefined();
    });

    it('reads files and folders of the default branch; an absent one is undefined or empty', async () => {
      const host = await build(defaultWorld());

      expect(await host.readFile(REF, 'README.md', DEFAULT_BRANCH)).toBe('# Hello\n');
      expect(await host.readFile(REF, 'missing.md', DEFAULT_BRANCH)).toBeUndefined();
      expect(await host.listDirectory(REF, '', DEFAULT_BRANCH)).toEqual(expect.arrayContaining([{ name: 'README.md', type: 'file' }, { name: '.claude', type: 'dir' }]));
      expect(await host.listDirectory(REF, '.claude/agents', DEFAULT_BRANCH)).toEqual([{ name: 'reviewer.md', type: 'file' }]);
      expect(await host.listDirectory(REF, 'nowhere', DEFAULT_BRANCH)).toEqual([]);
    });

    it('creates a check run in progress, lists it by head and name, and completes it', async () => {
      const host = await build(defaultWorld());

      const { id } = await host.createCheckRun(REF, { name: 'Bulwark', headSha: HEAD, externalId: 'review/1/x', output: { title: 'Review in progress', summary: 'Reviewing.' } });
      expect(await host.listCheckRuns(REF, HEAD, 'Bulwark')).toEqual([{ id, externalId: 'review/1/x', status: 'in_progress', conclusion: null, title: 'Review in progress', appSlug: 'bulwark' }]);
      expect(await host.listCheckRuns(REF, HEAD, 'Other')).toEqual([]);
      expect(await host.listCheckRuns(REF, 'another-sha', 'Bulwark')).toEqual([]);

      await host.updateCheckRun(REF, id, { title: 'Review in progress', summary: 'Still reviewing.' });
      await host.completeCheckRun(REF, id, { conclusion: 'neutral', output: { title: 'Done', summary: 'Done.' } });

      expect(await host.listCheckRuns(REF, HEAD, 'Bulwark')).toEqual([expect.objectContaining({ id, status: 'completed', conclusion: 'neutral', title: 'Done' })]);
    });

    it('gives check runs distinct ids', async () => {
      const host = await build(defaultWorld());

      const first = await host.createCheckRun(REF, { name: 'Bulwark', headSha: HEAD, externalId: 'a' });
      const second = await host.createCheckRun(REF, { name: 'Bulwark', headSha: HEAD, externalId: 'b' });

      expect(first.id).not.toBe(second.id);
      expect((await host.listCheckRuns(REF, HEAD, 'Bulwark')).map((run) => run.externalId).sort()).toEqual(['a', 'b']);
    });

    it("posts a review and lists it among its own; other people's and unmarked reviews are not", async () => {
      const host = await build(
        defaultWorld({
          reviews: [
            { body: MARKED('By a person, with a marker.'), author: { login: 'octocat', isBot: false } },
            { body: 'By the bot, without a marker.', author: { login: 'bulwark[bot]', isBot: true } },
          ],
        }),
      );

      const posted = await host.createReview(REF, { commitId: HEAD, body: MARKED('Bulwark review.'), event: 'COMMENT', comments: [] });

      expect(posted.id).toEqual(expect.any(Number));
      expect(await host.listOwnReviews(REF)).toEqual([MARKED('Bulwark review.')]);
    });

    it('keeps one comment of its own up to date: created once, then edited from its current body', async () => {
      const host = await build(defaultWorld());
      const marker = '<!-- bulwark:walkthrough {"v":1} -->';
      const seen: (string | undefined)[] = [];
      const comment = (text: string) => ({
        matches: (body: string) => body.includes('bulwark:walkthrough'),
        render: (previous: string | undefined) => {
          seen.push(previous);
          return `${text}\n\n${marker}`;
        },
      });
      await host.createComment(REF, 'Another comment of its own.\n\n<!-- bulwark:denied {"user":"octocat"} -->');

      await host.upsertOwnComment(REF, comment('First.'));
      await host.upsertOwnComment(REF, comment('Second.'));

      expect(seen).toEqual([undefined, `First.\n\n${marker}`]);
      expect(await host.listOwnComments(REF)).toEqual(['Another comment of its own.\n\n<!-- bulwark:denied {"user":"octocat"} -->', `Second.\n\n${marker}`]);
    });

    it('lists the threads its inline comments opened, as open and current', async () => {
      const host = await build(defaultWorld());
      const body = '**high** · SQL\n\n<!-- bulwark:finding {"fp":"abc"} -->';

      await host.createReview(REF, { commitId: HEAD, body: MARKED('Review.'), event: 'COMMENT', comments: [{ path: 'src/server/routes/users.ts', line: 12, side: 'RIGHT', body }] });

      expect(await host.listOwnReviewThreads(REF)).toEqual([{ id: expect.any(String), path: 'src/server/routes/users.ts', isResolved: false, isOutdated: false, body, rootCommentId: expect.any(Number) }]);
    });

    it('answers in a thread it opened: lists the thread with its replies, replies at its end, and resolves it by its first comment', async () => {
      const host = await build(defaultWorld());
      const body = '**high** · SQL\n\n<!-- bulwark:finding {"fp":"abc"} -->';
      await host.createReview(REF, { commitId: HEAD, body: MARKED('Review.'), event: 'COMMENT', comments: [{ path: 'src/server/routes/users.ts', line: 12, side: 'RIGHT', body }] });
      const [thread] = await host.listOwnReviewThreads(REF);
      const rootId = thread!.rootCommentId!;

      const { id } = await host.replyInThread(REF, rootId, 'An answer. <!-- bulwark:answer {"reply":1,"fp":"abc","conceded":true} -->');
      await host.resolveReviewThread(REF, thread!.id);

      const comments = await host.listThreadComments(REF, rootId);
      expect(comments.map((comment) => [comment.id, comment.inReplyTo, comment.own, comment.path])).toEqual([
        [rootId, undefined, true, 'src/server/routes/users.ts'],
        [id, rootId, true, 'src/server/routes/users.ts'],
      ]);
      expect(comments[0]!.body).toBe(body);
      expect(await host.listThreadComments(REF, 999_999)).toEqual([]);
      expect((await host.listOwnReviewThreads(REF))[0]!.isResolved).toBe(true);
    });
  });
}
