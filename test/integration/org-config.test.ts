import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, deliverPullRequest } from '../helpers/build-app.js';
import type { BuildAppOptions } from '../helpers/build-app.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { modelAlways } from '../helpers/fake-model.js';
import type { ModelCalls } from '../helpers/fake-model.js';
import { OWNER } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { assertNockDone, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';

/**
 * Organisation-wide configuration through Probot's receive path: `.github/bulwark.yml` is read as Probot's config
 * plugin reads it (the repository's default branch, else the owner's `.github` repository; `_extends` followed),
 * against a GitHub stand-in that serves each repository's file and answers 404 for any other.
 */
const ORG_FILE = `${OWNER}/.github:.github/bulwark.yml`;

/** The organisation's defaults: a cheaper model and a blocking check. */
const ORG_DEFAULTS = ['model: haiku', 'check:', '  blocking: true', '  fail_on: high', 'review:', '  max_comments: 4'].join('\n');

let github: FakeGitHub;
let app: TestApp;
let model: ModelCalls;

beforeEach(() => {
  setupNock();
});

afterEach(() => {
  expect(github.unexpected).toEqual([]);
  assertNockDone();
});

/** One review of the fixture pull request; the model (when a review is expected) answers one high finding on the changed line. */
async function review(options: NonNullable<BuildAppOptions['github']>, { reviewed = true } = {}): Promise<void> {
  // What the check concludes from that finding shows which settings were used.
  model = reviewed ? modelAlways(() => messageResponse({ summary: 'Adds a user lookup.', findings: [finding()] })) : { requests: [], raw: [], at: [] };
  ({ github, app } = await buildApp({ github: options }));
  await deliverPullRequest(app, 'delivery-org-config');
}

const output = () => github.check().output as { title: string; summary: string; text?: string };
const shownText = () => `${output().summary}\n${output().text ?? ''}`;

describe('organisation-wide config', () => {
  it('uses the owner .github repository when the repository has no file', async () => {
    await review({ otherConfigs: { [ORG_FILE]: ORG_DEFAULTS } });

    expect(github.count('GET', /^\/repos\/Codertocat\/Hello-World\/contents\/\.github\/bulwark\.yml$/)).toBe(1);
    expect(github.count('GET', /^\/repos\/Codertocat\/\.github\/contents\/\.github\/bulwark\.yml$/)).toBe(1);
    expect(model.requests[0]!.model).toBe('claude-haiku-5-5');
    // blocking: true and fail_on: high from the organisation turn the high finding into a failing check.
    expect(github.check()).toMatchObject({ status: 'completed', conclusion: 'failure' });
  });

  it('a repository that extends the organisation file and overrides one key keeps every other key of it', async () => {
    const repo = ['_extends: .github', 'check:', '  fail_on: critical'].join('\n');
    await review({ config: repo, otherConfigs: { [ORG_FILE]: ORG_DEFAULTS } });

    expect(model.requests[0]!.model).toBe('claude-haiku-5-5');
    // Nested mappings merge key by key: blocking stays true (organisation), fail_on is critical (repository), so
    // the high finding no longer fails the check.
    expect(github.check()).toMatchObject({ status: 'completed', conclusion: 'success' });
    expect(shownText()).not.toMatch(/could not read/i);
  });

  it('follows `_extends` to another repository and a path in it (owner/repo:path)', async () => {
    const repo = ['_extends: platform/bulwark-settings:reviews/backend.yml', 'review:', '  max_comments: 2'].join('\n');
    await review({ config: repo, otherConfigs: { 'platform/bulwark-settings:reviews/backend.yml': ORG_DEFAULTS } });

    expect(github.count('GET', /^\/repos\/platform\/bulwark-settings\/contents\/reviews\/backend\.yml$/)).toBe(1);
    expect(model.requests[0]!.model).toBe('claude-haiku-5-5');
    expect(github.check().conclusion).toBe('failure');
  });

  it('a list in the repository file replaces the list it extends (it is not appended to)', async () => {
    // The organisation excludes the handler this pull request changes; the repository's own exclude list replaces
    // that one, so the handler is reviewed. Were the lists concatenated, nothing would be left to review.
    const org = ['paths:', '  exclude: ["src/server/**"]', 'model: haiku'].join('\n');
    const repo = ['_extends: .github', 'paths:', '  exclude: ["docs/**"]'].join('\n');
    await review({ config: repo, otherConfigs: { [ORG_FILE]: org } });

    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]!.model).toBe('claude-haiku-5-5');
    expect(github.reviews).toHaveLength(1);
  });

  it('an `_extends` whose file does not exist: the review runs on what could be read, and the check says what was not', async () => {
    const repo = ['_extends: no-such-repo', 'model: haiku'].join('\n');
    await review({ config: repo });

    expect(github.count('GET', /^\/repos\/Codertocat\/no-such-repo\/contents\/\.github\/bulwark\.yml$/)).toBe(1);
    // The repository's own keys apply; what the missing file would have set falls back to the defaults.
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]!.model).toBe('claude-haiku-5-5');
    expect(github.reviews).toHaveLength(1);
    expect(github.check()).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(shownText()).toContain('`Codertocat/no-such-repo:.github/bulwark.yml`');
    expect(shownText()).toMatch(/_extends.*could not be read.*defaults/is);
  });

  it('an `_extends` that names no repository is a config problem on the check, not an outage retried', async () => {
    await review({ config: ['_extends: "not a repo!"', 'model: haiku'].join('\n') }, { reviewed: false });

    expect(model.requests).toHaveLength(0);
    expect(github.reviews).toHaveLength(0);
    expect(github.check()).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(output().title).toBe('Invalid .github/bulwark.yml');
    expect(output().summary).toContain('- `_extends`: `"not a repo!"` is not a repository');
  });
});
