import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, HEAD, OWNER, PR, REPO, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../helpers/stand-ins/github-server.js';
import type { GitHubStandIn, GitHubStandInOptions } from '../helpers/stand-ins/github-server.js';
import { deliverWebhook } from '../helpers/replicas.js';
import { serveApp } from '../helpers/serve-app.js';
import { fixture } from '../helpers/test-app.js';

type Payload = { action: string; pull_request: Record<string, unknown> } & Record<string, unknown>;

const SECRET = 'every-run-secret';
const USERS = 'src/server/routes/users.ts';

/**
 * The real App over HTTP (signed webhooks to Probot's server) against the local GitHub and model stand-ins: every
 * run ends in a check run that tells the truth — a draft marked ready gets its review, and a review that left
 * files out never passes as a complete one.
 */
interface Harness {
  github: GitHubStandIn;
  model: AnthropicStandIn;
  deliver(action: string, delivery: string, overrides?: Record<string, unknown>): Promise<number>;
  close(): Promise<void>;
}

async function startHarness(githubOptions: Omit<GitHubStandInOptions, 'owner' | 'repo' | 'pullNumber' | 'headSha' | 'baseSha'>, findings: unknown[]): Promise<Harness> {
  const github = await startGitHubStandIn({ owner: OWNER, repo: REPO, pullNumber: PR, headSha: HEAD, baseSha: BASE, ...githubOptions });
  const model = await startAnthropicStandIn({ respond: () => ({ body: messageResponse({ summary: 'Reviewed.', findings }) }) });
  const app = await serveApp({ secret: SECRET, githubUrl: github.url, env: { ANTHROPIC_BASE_URL: model.url } });
  return {
    github,
    model,
    deliver: async (action, delivery, overrides = {}) => {
      const payload = fixture<Payload>(`pull_request.${action}.json`);
      const response = await deliverWebhook(app.url, 'pull_request', delivery, { ...payload, pull_request: { ...payload.pull_request, ...overrides } }, SECRET);
      await app.runtime().queue.onIdle();
      return response.status;
    },
    close: async () => {
      await app.stop();
      await github.close();
      await model.close();
    },
  };
}

beforeAll(() => {
  nock.enableNetConnect('127.0.0.1');
});

afterAll(() => {
  nock.disableNetConnect();
});

describe('opened as a draft, then marked ready', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness({ draft: true, files: [{ filename: USERS, status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH }] }, [finding()]);
  });

  afterAll(async () => {
    await harness.close();
  });

  it('gets one review once marked ready, and the newest check run completes with a real conclusion; a redelivery changes nothing', async () => {
    const { github, model } = harness;

    expect(await harness.deliver('opened', crypto.randomUUID(), { draft: true })).toBeLessThan(300);
    expect(model.received).toBe(0);
    expect(github.checkRunStates()).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'skipped' })]);

    github.setDraft(false);
    const ready = crypto.randomUUID();
    expect(await harness.deliver('ready_for_review', ready)).toBeLessThan(300);

    expect(model.received).toBe(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]).toMatchObject({ commit_id: HEAD, event: 'COMMENT' });
    const runs = github.checkRunStates();
    expect(runs).toHaveLength(2);
    // GitHub shows (and branch protection uses) the newest run of a name on a commit: the review's, not the skipped one.
    expect(runs.at(-1)).toMatchObject({ headSha: HEAD, name: 'Bulwark', status: 'completed', conclusion: 'neutral' });
    expect(runs.at(-1)!.output).toMatchObject({ title: expect.stringMatching(/1 finding/) });

    // GitHub's "Redeliver" sends the same delivery id again.
    expect(await harness.deliver('ready_for_review', ready)).toBeLessThan(300);

    expect(model.received).toBe(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.checkRunStates()).toHaveLength(2);
  });
});

describe('a pull request larger than its review budget', () => {
  let harness: Harness;
  const FILES = 30;

  beforeAll(async () => {
    // Thirty route files of ~60 changed lines each against a 6,000-token budget: only some fit.
    const patch = ['@@ -1,1 +1,61 @@', ' import { Router } from "express";', ...Array.from({ length: 60 }, (_, line) => `+router.get("/items/${line}", async (req, res) => res.json(await db.items.find(${line})));`)].join('\n');
    const files = Array.from({ length: FILES }, (_, index) => ({ filename: `src/server/routes/items-${index}.ts`, status: 'modified', additions: 60, deletions: 0, patch }));
    harness = await startHarness({ files, config: 'budget:\n  max_input_tokens: 6000\n' }, []);
  });

  afterAll(async () => {
    await harness.close();
  });

  it('never concludes success with files left unreviewed: neutral, titled partial with how much was reviewed, and says how to get the rest reviewed', async () => {
    const { github, model } = harness;

    expect(await harness.deliver('opened', crypto.randomUUID())).toBeLessThan(300);

    expect(model.received).toBeGreaterThan(0);
    const [run] = github.checkRunStates();
    expect(github.checkRunStates()).toHaveLength(1);
    expect(run).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    const output = run!.output as { title: string; summary: string };
    const [, reviewed, total] = /^Partial review: (\d+) of (\d+) files reviewed · No issues found$/.exec(output.title) ?? [];
    expect(Number(total)).toBe(FILES);
    expect(Number(reviewed)).toBeGreaterThan(0);
    expect(Number(reviewed)).toBeLessThan(FILES);
    expect(output.summary).toContain('### Not reviewed');
    expect(output.summary).toContain(`${FILES - Number(reviewed)} file(s) did not fit the review size budget: raise \`budget.max_input_tokens\``);
    expect(output.summary).not.toMatch(/^\*\*No issues found/);
    console.info(`partial e2e: ${reviewed} of ${total} files reviewed under a 6,000-token budget, ${model.received} model call(s), conclusion ${run!.conclusion}`);
  });
});
