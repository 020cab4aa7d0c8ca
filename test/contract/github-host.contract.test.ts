import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach } from 'vitest';
import { stringify } from 'yaml';
import { createGitHubHost } from '../../src/adapters/github/github-host.js';
import type { ChangedFile } from '../../src/review/types.js';
import { fakeGitHub } from '../helpers/fake-github.js';
import { file } from '../helpers/github-stand-in.js';
import { assertNockDone, GITHUB, setupNock } from '../helpers/test-app.js';
import { pullRequestHostContract } from './pull-request-host-contract.js';
import type { HostWorld } from './pull-request-host-contract.js';

/** The GitHub adapter against GitHub's REST and GraphQL shapes (the stateful fake over nock), held to the same contract as the memory host. */

beforeEach(() => setupNock());
afterEach(() => assertNockDone());

function restFile(changed: ChangedFile) {
  return file(changed.path, changed.patch, { status: changed.status, additions: changed.additions, deletions: changed.deletions });
}

pullRequestHostContract('GitHub adapter over nock', (world: HostWorld) => {
  fakeGitHub({
    files: world.files.map(restFile),
    repoFiles: world.repoFiles,
    ...(world.config ? { config: stringify(world.config) } : {}),
    reviews: world.reviews.map((review) => ({ body: review.body, user: { login: review.author.login, type: review.author.isBot ? 'Bot' : 'User' } })),
  });
  nock.disableNetConnect();
  return createGitHubHost(new ProbotOctokit({ auth: { token: 'test-token' }, baseUrl: GITHUB, retry: { enabled: false }, throttle: { enabled: false } }));
});
