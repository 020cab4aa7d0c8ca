import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../../src/action/run-action.js';
import type { ActionResult } from '../../src/action/run-action.js';
import { HEAD, OWNER, PR, REPO, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../helpers/stand-ins/github-server.js';
import type { GitHubStandIn, GitHubStandInOptions } from '../helpers/stand-ins/github-server.js';
import { fixture } from '../helpers/test-app.js';

type Body = Record<string, unknown>;

/** Built at test time, never a real key: no key-shaped literal lives in the repo. */
const FAKE_API_KEY = ['sk', 'ant', 'test', 'action'].join('-');
const FAKE_TOKEN = ['ghs', 'workflowtoken'].join('_');
const COMMENT_ID = 492700400;

const STAND_IN: GitHubStandInOptions = {
  owner: OWNER,
  repo: REPO,
  pullNumber: PR,
  headSha: HEAD,
  baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
  files: [{ filename: 'src/server/routes/users.ts', status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH }],
  permissions: { maintainer: 'write', reader: 'read' },
};

/** Octokit as in production, but unthrottled: the pacing of writes (1 s apart) is Octokit's, not what is tested. */
const Unthrottled = ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { enabled: false }, retry: { enabled: false } }));

let github: GitHubStandIn;
let model: AnthropicStandIn;
let dir: string;

beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1');
  github = await startGitHubStandIn(STAND_IN);
  model = await startAnthropicStandIn({ respond: () => ({ body: messageResponse({ summary: 'Adds a lookup route.', findings: [finding()] }) }) });
  dir = await mkdtemp(join(tmpdir(), 'bulwark-action-'));
});

afterEach(() => {
  github.reset();
  model.reset();
});

afterAll(async () => {
  await github.close();
  await model.close();
  await rm(dir, { recursive: true, force: true });
  nock.disableNetConnect();
});

/** The environment a workflow step gets: inputs as INPUT_*, the run's context as GITHUB_*. */
async function actionEnv(eventName: string, payload: unknown, apiUrl = github.url, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const eventPath = join(dir, `${eventName}-${Math.random()}.json`);
  await writeFile(eventPath, JSON.stringify(payload));
  return {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_API_URL: apiUrl,
    GITHUB_GRAPHQL_URL: apiUrl.replace(/\/v3$/, '/graphql'),
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_RUN_ID: '1658821493',
    GITHUB_RUN_ATTEMPT: '1',
    INPUT_ANTHROPIC_API_KEY: FAKE_API_KEY,
    INPUT_GITHUB_TOKEN: FAKE_TOKEN,
    INPUT_MODEL: '',
    ANTHROPIC_BASE_URL: model.url,
    BULWARK_MODEL_MAX_RETRIES: '0',
    ...extra,
  };
}

async function run(env: Record<string, string>): Promise<ActionResult & { lines: string[] }> {
  const lines: string[] = [];
  const result = await runAction({ env, readFile: (path) => readFile(path, 'utf8'), write: (line) => void lines.push(line), Octokit: Unthrottled });
  return { ...result, lines };
}

function commentPayload(body: string, login: string, association = 'MEMBER'): Body {
  const payload = fixture<Body & { issue: Body; comment: Body; sender: Body }>('issue_comment.created.json');
  const user = { ...(payload.comment.user as Body), login, type: 'User' };
  return {
    ...payload,
    repository: fixture<{ repository: unknown }>('pull_request.opened.json').repository,
    issue: { ...payload.issue, number: PR, pull_request: { url: `${github.url}/repos/${OWNER}/${REPO}/pulls/${PR}` } },
    comment: { ...payload.comment, id: COMMENT_ID, body, author_association: association, user },
    sender: { ...payload.sender, login, type: 'User' },
  };
}

describe('the Action on pull_request', () => {
  it('reviews the pull request of the event file: one review, one completed check run, over the workflow token', async () => {
    const result = await run(await actionEnv('pull_request', fixture('pull_request.opened.json')));

    expect(result.exitCode).toBe(0);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]).toMatchObject({ event: 'COMMENT', commit_id: HEAD });
    expect(github.reviews[0]!.comments).toEqual([expect.objectContaining({ path: 'src/server/routes/users.ts', line: 12 })]);
    const checks = github.checkRunStates();
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: 'Bulwark', headSha: HEAD, status: 'completed', conclusion: 'neutral' });
    expect(result.outcome).toMatchObject({ conclusion: 'neutral', posted: true });
    expect(model.requests).toHaveLength(1);
    // The model call carried the input's key, to ANTHROPIC_BASE_URL; GitHub calls the workflow token.
    // (GraphQL, for the resolved threads a review learns from, is at GHE's /api/graphql.)
    expect(github.requests.every((request) => request.path.startsWith('/api/v3/') || request.path === '/api/graphql')).toBe(true);
    expect(result.lines.join('\n')).not.toContain(FAKE_API_KEY);
    expect(result.lines.join('\n')).not.toContain(FAKE_TOKEN);
  });

  it('sends the model input as the model of the review when .github/bulwark.yml names none', async () => {
    await run(await actionEnv('pull_request', fixture('pull_request.opened.json'), github.url, { INPUT_MODEL: 'haiku' }));

    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]!.body.model).toBe('claude-haiku-5-5');
  });

  it('applies the config input as .github/bulwark.yml would: findings below its min_severity are not posted', async () => {
    const result = await run(await actionEnv('pull_request', fixture('pull_request.opened.json'), github.url, { INPUT_CONFIG: 'review:\n  min_severity: critical\n' }));

    expect(result.exitCode).toBe(0);
    expect(model.requests).toHaveLength(1);
    // The high finding is held back: no review, and the check says so.
    expect(github.reviews).toHaveLength(0);
    const checks = github.checkRunStates();
    expect(checks).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'success' })]);
    expect(JSON.stringify(checks[0]!.output)).toContain('1 finding below the configured minimum severity not posted');
  });

  it('lets .github/bulwark.yml win over the config input on a key both set, and keeps the input elsewhere', async () => {
    const withFile = await startGitHubStandIn({ ...STAND_IN, config: 'review:\n  min_severity: low\n' });
    try {
      const input = 'model: haiku\nreview:\n  min_severity: critical\n';
      const result = await run(await actionEnv('pull_request', fixture('pull_request.opened.json'), withFile.url, { INPUT_CONFIG: input }));

      expect(result.exitCode).toBe(0);
      expect(model.requests).toHaveLength(1);
      expect(model.requests[0]!.body.model).toBe('claude-haiku-5-5');
      expect(withFile.reviews).toHaveLength(1);
      // The file's min_severity: low wins over the input's critical; the input's model, which the file leaves out, holds.
      expect(withFile.reviews[0]!.comments).toEqual([expect.objectContaining({ path: 'src/server/routes/users.ts', line: 12 })]);
    } finally {
      await withFile.close();
    }
  });

  it('stops with a one-line message naming the config input when it is not valid YAML: no review, no check run', async () => {
    const result = await run(await actionEnv('pull_request', fixture('pull_request.opened.json'), github.url, { INPUT_CONFIG: 'review: [min_severity: high' }));

    expect(result.exitCode).toBe(1);
    expect(github.requests).toHaveLength(0);
    expect(model.requests).toHaveLength(0);
    expect(github.reviews).toHaveLength(0);
    const problem = result.lines.find((line) => line.includes('config: is not valid YAML'));
    expect(problem).toBeDefined();
    expect(problem).not.toContain('\n');
  });

  it('does nothing for a pull request action that starts no review, and says why', async () => {
    const closed = fixture('pull_request.closed.json');
    const result = await run(await actionEnv('pull_request', closed));

    expect(result.exitCode).toBe(0);
    expect(github.requests).toHaveLength(0);
    expect(result.lines.join('\n')).toMatch(/nothing to review: pull request action closed/);
  });
});

describe('the Action on issue_comment /review', () => {
  it('reviews when the commenter has write permission (checked with the collaborator API)', async () => {
    const result = await run(await actionEnv('issue_comment', commentPayload('/review', 'maintainer')));

    expect(result.exitCode).toBe(0);
    expect(github.requests.some((request) => request.path.endsWith('/collaborators/maintainer/permission'))).toBe(true);
    expect(github.reviews).toHaveLength(1);
    expect(github.checkRunStates()).toEqual([expect.objectContaining({ status: 'completed', headSha: HEAD })]);
  });

  it('refuses a commenter with read permission: one reply, no check run, no model call', async () => {
    const result = await run(await actionEnv('issue_comment', commentPayload('/review', 'reader')));

    expect(result.exitCode).toBe(0);
    expect(model.requests).toHaveLength(0);
    expect(github.reviews).toHaveLength(0);
    expect(github.checkRuns.size).toBe(0);
    expect(github.comments).toHaveLength(1);
    expect(String(github.comments[0]!.body)).toContain('write, maintain or admin permission');
  });

  it('drops a command from a commenter whose association cannot carry write permission, without a GitHub call', async () => {
    const result = await run(await actionEnv('issue_comment', commentPayload('/review', 'maintainer', 'CONTRIBUTOR')));

    expect(result.exitCode).toBe(0);
    expect(github.requests).toHaveLength(0);
    expect(model.requests).toHaveLength(0);
  });
});

describe('the Action where the token may not write checks', () => {
  /** GitHub's answer to a workflow token without `checks: write`, for every check-runs route; the rest is the stand-in's. */
  async function checksForbidden(): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer((req, res) => {
      void (async () => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        if (req.url?.includes('/check-runs')) {
          res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Resource not accessible by integration', status: '403' }));
          return;
        }
        const upstream = await fetch(`http://${github.host}${req.url}`, {
          method: req.method ?? 'GET',
          headers: { 'content-type': req.headers['content-type'] ?? 'application/json', accept: req.headers.accept ?? '*/*' },
          ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
        });
        const headers: Record<string, string> = { 'content-type': upstream.headers.get('content-type') ?? 'application/json' };
        const link = upstream.headers.get('link');
        if (link) headers.link = link.replaceAll(github.host, `127.0.0.1:${(server.address() as AddressInfo).port}`);
        res.writeHead(upstream.status, headers).end(Buffer.from(await upstream.arrayBuffer()));
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}/api/v3`, close: () => new Promise((resolve) => server.close(() => resolve())) };
  }

  it('says so in the log and still posts the review', async () => {
    const proxy = await checksForbidden();
    try {
      const result = await run(await actionEnv('pull_request', fixture('pull_request.opened.json'), proxy.url));

      expect(github.reviews).toHaveLength(1);
      expect(github.checkRuns.size).toBe(0);
      expect(result.exitCode).toBe(0);
      expect(result.outcome).toMatchObject({ conclusion: 'neutral', posted: false });
      const warnings = result.lines.filter((line) => line.startsWith('::warning::'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('checks: write');
    } finally {
      await proxy.close();
    }
  });
});

describe('the Action without what it needs', () => {
  it('fails the step with one line per problem, naming the fork case, and calls nothing', async () => {
    const env = await actionEnv('pull_request', fixture('pull_request.opened.json'), github.url, { INPUT_ANTHROPIC_API_KEY: '', INPUT_GITHUB_TOKEN: '' });
    const result = await run(env);

    expect(result.exitCode).toBe(1);
    const errors = result.lines.filter((line) => line.startsWith('::error::'));
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).toMatch(/github_token/);
    expect(errors.join('\n')).toMatch(/anthropic_api_key.*forks/);
    expect(github.requests).toHaveLength(0);
  });
});
