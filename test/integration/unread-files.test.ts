import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeGitHub } from '../helpers/fake-github.js';
import type { FakeGitHub } from '../helpers/fake-github.js';
import { file, openedPayload } from '../helpers/github-stand-in.js';
import { assertNockDone, createTestApp, setupNock } from '../helpers/test-app.js';

let github: FakeGitHub;

beforeEach(() => {
  setupNock();
});

afterEach(() => {
  expect(github.unexpected).toEqual([]);
  assertNockDone();
});

describe('a pull request whose only changed code GitHub shows no diff for', () => {
  it('is not skipped as passing: nothing was read, so the check is neutral (failure when blocking) and says what was not reviewed', async () => {
    const huge = file('src/server/routes/huge.ts', undefined, { additions: 5000, deletions: 10 });
    const logo = file('assets/logo.png', undefined, { additions: 0, deletions: 0 });

    for (const [config, conclusion] of [[undefined, 'neutral'], ['check:\n  blocking: true\n', 'failure']] as const) {
      // A fresh GitHub per run: the previous fake's persisted routes would answer first.
      nock.cleanAll();
      github = fakeGitHub({ files: [huge, logo], ...(config ? { config } : {}) });
      const app = await createTestApp();
      await app.probot.receive({ id: `delivery-huge-${conclusion}`, name: 'pull_request', payload: openedPayload() as never });
      await app.queue.onIdle();

      const check = github.check();
      expect(check).toMatchObject({ status: 'completed', conclusion });
      const output = check.output as { title: string; summary: string };
      expect(output.title).toBe('Partial review: 0 of 2 files reviewed');
      expect(output.summary).toMatch(/1 file\(s\) GitHub shows no diff for/);
      expect(output.summary).toMatch(/\| `assets\/logo\.png` \|/);
    }
  });
});
