import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubHost } from '../../../src/adapters/github/github-host.js';
import { findingMarker, learningMarker } from '../../../src/render/markers.js';
import { OWNER, PR, REPO, REPO_PATH } from '../../helpers/github-stand-in.js';
import { assertNockDone, GITHUB, setupNock } from '../../helpers/test-app.js';

/** The GitHub adapter's repository-wide listings for learning, against GitHub's REST and GraphQL shapes. */

const REF = { installationId: 1, owner: OWNER, repo: REPO, pullNumber: PR };
const BOT = { login: 'bulwark[bot]', type: 'Bot' };
const OTHER_BOT = { login: 'echo[bot]', type: 'Bot' };
const PERSON = { login: 'mallory', type: 'User' };

beforeEach(() => setupNock());
afterEach(() => assertNockDone());

function host() {
  const github = createGitHubHost(new ProbotOctokit({ auth: { token: 'test-token' }, baseUrl: GITHUB, retry: { enabled: false }, throttle: { enabled: false } }));
  github.learnOwnIdentity('bulwark');
  return github;
}

const reviewComment = (id: number, user: { login: string; type: string }, body = findingMarker({ fingerprint: `fp-${id}` })) => ({
  id,
  user,
  body,
  html_url: `https://github.com/${OWNER}/${REPO}/pull/1#discussion_r${id}`,
  reactions: { total_count: 3, '+1': 1, '-1': 2 },
});

describe('the GitHub adapter\'s learning listings', () => {
  it('lists only the App\'s own review comments with a marker, most recently updated first, and stops after the pages allowed', async () => {
    const next = (page: number) => ({ link: `<${GITHUB}${REPO_PATH}/pulls/comments?sort=updated&direction=desc&per_page=100&page=${page}>; rel="next"` });
    nock(GITHUB)
      .get(`${REPO_PATH}/pulls/comments`)
      .query({ sort: 'updated', direction: 'desc', per_page: '100' })
      .reply(200, [reviewComment(1, BOT), reviewComment(2, PERSON), reviewComment(3, OTHER_BOT), reviewComment(4, BOT, 'no marker')], next(2))
      .get(`${REPO_PATH}/pulls/comments`)
      .query({ sort: 'updated', direction: 'desc', per_page: '100', page: '2' })
      .reply(200, [reviewComment(5, BOT)], next(3));

    const comments = await host().listOwnRepoReviewComments(REF, 2);

    expect(comments).toEqual([
      { id: 1, url: `https://github.com/${OWNER}/${REPO}/pull/1#discussion_r1`, body: findingMarker({ fingerprint: 'fp-1' }), reactions: { up: 1, down: 2 } },
      { id: 5, url: `https://github.com/${OWNER}/${REPO}/pull/1#discussion_r5`, body: findingMarker({ fingerprint: 'fp-5' }), reactions: { up: 1, down: 2 } },
    ]);
  });

  it('lists who reacted to a review comment', async () => {
    nock(GITHUB)
      .get(`${REPO_PATH}/pulls/comments/7/reactions`)
      .query({ per_page: '100' })
      .reply(200, [{ id: 1, user: { login: 'alice', type: 'User' }, content: '-1' }, { id: 2, user: OTHER_BOT, content: '-1' }, { id: 3, user: null, content: '+1' }]);

    expect(await host().listReviewCommentReactions(REF, 7)).toEqual([
      { login: 'alice', isBot: false, content: '-1' },
      { login: 'echo[bot]', isBot: true, content: '-1' },
    ]);
  });

  it('lists resolved threads the App started in the most recently updated pull requests, with who resolved them', async () => {
    const thread = (author: { __typename: string; login: string }, isResolved: boolean, resolvedBy: { __typename: string; login: string } | null, url: string) => ({
      isResolved,
      isOutdated: false,
      resolvedBy,
      comments: { nodes: [{ url, body: findingMarker({ fingerprint: 'fp' }), author }] },
    });
    let variables: Record<string, unknown> = {};
    nock(GITHUB)
      .post('/graphql', (body: { query: string; variables: Record<string, unknown> }) => {
        variables = body.variables;
        return body.query.includes('pullRequests(first: $count, orderBy: { field: UPDATED_AT, direction: DESC })');
      })
      .reply(200, {
        data: {
          repository: {
            pullRequests: {
              nodes: [
                {
                  reviewThreads: {
                    nodes: [
                      thread({ __typename: 'Bot', login: 'bulwark' }, true, { __typename: 'User', login: 'alice' }, 'u1'),
                      thread({ __typename: 'Bot', login: 'bulwark' }, false, null, 'u2'),
                      thread({ __typename: 'User', login: 'mallory' }, true, { __typename: 'User', login: 'alice' }, 'u3'),
                      thread({ __typename: 'Bot', login: 'echo' }, true, { __typename: 'User', login: 'alice' }, 'u4'),
                    ],
                  },
                },
                null,
              ],
            },
          },
        },
      });

    const threads = await host().listOwnResolvedThreads(REF, 20);

    expect(variables).toEqual({ owner: OWNER, repo: REPO, count: 20 });
    expect(threads).toEqual([{ url: 'u1', body: findingMarker({ fingerprint: 'fp' }), isOutdated: false, resolvedBy: { login: 'alice', isBot: false, own: false } }]);
  });

  it('lists the repository\'s conversation comments: the App\'s own with a marker, every id, and whether the listing was cut', async () => {
    const ack = learningMarker({ id: 'L10', source: 10, text: 'kept', by: 'alice' });
    const comment = (id: number, user: { login: string; type: string }, body: string) => ({ id, user, body, html_url: `https://github.com/${OWNER}/${REPO}/pull/3#issuecomment-${id}` });
    nock(GITHUB)
      .get(`${REPO_PATH}/issues/comments`)
      .query({ sort: 'updated', direction: 'desc', per_page: '100' })
      .reply(200, [comment(11, BOT, ack), comment(10, { login: 'alice', type: 'User' }, '/review learn kept'), comment(9, PERSON, ack)], {
        link: `<${GITHUB}${REPO_PATH}/issues/comments?sort=updated&direction=desc&per_page=100&page=2>; rel="next"`,
      });

    const listing = await host().listRepoComments(REF, 1);

    expect(listing).toEqual({ own: [{ id: 11, url: `https://github.com/${OWNER}/${REPO}/pull/3#issuecomment-11`, body: ack }], listed: [11, 10, 9], complete: false });
  });
});

describe('before the App knows its own login', () => {
  it('trusts no bot\'s comment: nothing is listed as its own', async () => {
    const github = createGitHubHost(new ProbotOctokit({ auth: { token: 'test-token' }, baseUrl: GITHUB, retry: { enabled: false }, throttle: { enabled: false } }));
    nock(GITHUB).get(`${REPO_PATH}/pulls/comments`).query(true).reply(200, [reviewComment(1, BOT), reviewComment(2, OTHER_BOT)]);

    expect(await github.listOwnRepoReviewComments(REF, 1)).toEqual([]);
  });
});
