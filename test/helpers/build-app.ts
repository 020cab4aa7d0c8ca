import { fakeGitHub } from './fake-github.js';
import type { FakeGitHub, FakeGitHubOptions } from './fake-github.js';
import { file, openedPayload, USERS_PATCH } from './github-stand-in.js';
import { createTestApp } from './test-app.js';
import type { TestApp } from './test-app.js';

/** The handler file the single-file integration tests review (USERS_PATCH changes it). */
export const USERS_FILE = 'src/server/routes/users.ts';

/** The stateful fake GitHub serving the fixture pull request; it changes USERS_FILE unless `files` says otherwise. */
export function fakeUsersGitHub(options: FakeGitHubOptions = {}): FakeGitHub {
  return fakeGitHub({ files: [file(USERS_FILE, USERS_PATCH)], ...options });
}

export interface AppUnderTest {
  github: FakeGitHub;
  app: TestApp;
}

/** createTestApp's options, and the fake GitHub's. */
export type BuildAppOptions = { github?: FakeGitHubOptions } & NonNullable<Parameters<typeof createTestApp>[0]>;

/** The real App (createTestApp) over fakeUsersGitHub: the set-up most integration tests start from. */
export async function buildApp(options: BuildAppOptions = {}): Promise<AppUnderTest> {
  const { github: githubOptions, ...appOptions } = options;
  const github = fakeUsersGitHub(githubOptions);
  return { github, app: await createTestApp(appOptions) };
}

/** Delivers a `pull_request` event of the fixture pull request and waits until the queue has nothing left to do. */
export async function deliverPullRequest(app: TestApp, id: string, action = 'opened', overrides: Record<string, unknown> = {}): Promise<void> {
  await app.probot.receive({ id, name: 'pull_request', payload: { ...openedPayload(overrides), action } as never });
  await app.queue.onIdle();
}
