import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import nock from 'nock';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_DIST, buildActionBundle } from '../../src/action/build-action-bundle.js';
import { HEAD, OWNER, PR, REPO, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse, toolUseResponse } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../helpers/stand-ins/github-server.js';
import type { GitHubStandIn } from '../helpers/stand-ins/github-server.js';
import { fixture } from '../helpers/test-app.js';
import { buildTarball, TOP } from '../unit/context-fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FAKE_API_KEY = ['sk', 'ant', 'test', 'bundle'].join('-');
const FAKE_TOKEN = ['ghs', 'workflowtoken'].join('_');

interface ActionManifest {
  inputs: Record<string, { required?: boolean; default?: string }>;
  runs: { using: string; main: string };
}

describe('action.yml', () => {
  it('is a node24 JavaScript action with the documented inputs, whose main is the bundle the release script writes', async () => {
    const { readFile } = await import('node:fs/promises');
    const manifest = parse(await readFile(join(ROOT, 'action.yml'), 'utf8')) as ActionManifest;

    expect(manifest.runs.using).toBe('node24');
    expect(manifest.runs.main).toBe(`${ACTION_DIST}/main/index.js`);
    expect(Object.keys(manifest.inputs).sort()).toEqual(['anthropic_api_key', 'app_slug', 'config', 'github_token', 'model']);
    expect(manifest.inputs.app_slug!.default).toBe('github-actions');
    expect(manifest.inputs.github_token!.default).toBe('${{ github.token }}');
    expect(Object.values(manifest.inputs).every((input) => input.required !== true)).toBe(true);
  });
});

/**
 * What a workflow runs: the bundle as the release script builds it, started by node with nothing installed beside
 * it, with the environment and event file the runner provides, against the GitHub and model stand-ins.
 */
describe('the released bundle', () => {
  let github: GitHubStandIn;
  let model: AnthropicStandIn;
  let dir: string;

  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    github = await startGitHubStandIn({
      owner: OWNER,
      repo: REPO,
      pullNumber: PR,
      headSha: HEAD,
      baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      files: [{ filename: 'src/server/routes/users.ts', status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH }],
      tarball: await buildTarball([{ name: `${TOP}/src/db/users.ts`, content: 'export const READ_BY_THE_WORKER = 1;\n' }]),
    });
    // The bundled agent lists Read: the first answer asks for a file, so the repository tools' worker (a file of
    // the bundle of its own) runs; the second is the review.
    model = await startAnthropicStandIn({
      respond: (request) =>
        JSON.stringify(request.messages).includes('tool_result')
          ? { body: messageResponse({ summary: 'Adds a lookup route.', findings: [finding()] }) }
          : { body: toolUseResponse([{ name: 'Read', input: { path: 'src/db/users.ts' } }]) },
    });
    // The action's folder as a tag checks it out, without node_modules: the bundle and the bundled agents.
    dir = await mkdtemp(join(tmpdir(), 'bulwark-action-bundle-'));
    await buildActionBundle(join(dir, ACTION_DIST));
    await symlink(join(ROOT, 'agents'), join(dir, 'agents'));
  }, 60_000);

  afterAll(async () => {
    await github.close();
    await model.close();
    await rm(dir, { recursive: true, force: true });
    nock.disableNetConnect();
  });

  it('reviews the pull request of GITHUB_EVENT_PATH with the repository tools: one review and a completed check run', async () => {
    await mkdir(join(dir, 'home'));
    const eventPath = join(dir, 'home', 'event.json');
    await writeFile(eventPath, JSON.stringify(fixture('pull_request.opened.json')));
    const env = {
      PATH: process.env.PATH ?? '',
      GITHUB_ACTIONS: 'true',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_API_URL: github.url,
      GITHUB_GRAPHQL_URL: github.url.replace(/\/v3$/, '/graphql'),
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_RUN_ID: '1658821493',
      GITHUB_RUN_ATTEMPT: '1',
      // As the runner passes `with:` (names upper-cased) and the workflow's `env:`.
      INPUT_ANTHROPIC_API_KEY: FAKE_API_KEY,
      INPUT_GITHUB_TOKEN: FAKE_TOKEN,
      INPUT_MODEL: '',
      ANTHROPIC_BASE_URL: model.url,
    };

    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      // cwd is the workspace, not the action's folder: the bundle finds its files from its own location.
      const child = spawn(process.execPath, [join(dir, ACTION_DIST, 'main', 'index.js')], { cwd: join(dir, 'home'), env, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, output: text }));
    });

    expect(output).not.toContain('::error::');
    expect(code).toBe(0);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]).toMatchObject({ event: 'COMMENT', commit_id: HEAD });
    expect(github.checkRunStates()).toEqual([expect.objectContaining({ name: 'Bulwark', status: 'completed', conclusion: 'neutral', headSha: HEAD })]);
    expect(model.requests).toHaveLength(2);
    expect(JSON.stringify(model.requests[1]!.body.messages)).toContain('READ_BY_THE_WORKER');
    // The bundled agent was loaded from the action's own folder.
    expect(JSON.stringify(model.requests[0]!.body.system)).toContain('Backend specialist');
    expect(output).not.toContain(FAKE_API_KEY);
  });
});
