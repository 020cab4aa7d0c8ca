import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../../src/action/run-action.js';
import type { ActionResult } from '../../src/action/run-action.js';
import { parseMarkers } from '../../src/render/markers.js';
import { issueCommentPayload, MAINTAINER, reviewReplyPayload } from '../helpers/comment-payloads.js';
import type { User } from '../helpers/comment-payloads.js';
import { BASE, HEAD, OWNER, PR, REPO, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../helpers/stand-ins/github-server.js';
import type { GitHubStandIn, GitHubStandInOptions, StandInReviewComment } from '../helpers/stand-ins/github-server.js';
import { fixture } from '../helpers/test-app.js';

/**
 * The conversation commands through the Action: each workflow run is one `runAction` over the real HTTP GitHub
 * stand-in, whose comments are written by the workflow token's App (`github-actions[bot]`), and the model stand-in.
 * What one run writes on GitHub is what the next run reads, as between workflow runs.
 */

type Body = Record<string, unknown>;

/** Built at test time, never a real key: no key-shaped literal lives in the repo. */
const FAKE_API_KEY = ['sk', 'ant', 'test', 'conversation'].join('-');
const FAKE_TOKEN = ['ghs', 'workflowtoken'].join('_');
const NEXT_HEAD = '9b1f3c0d5e7a2b4c6d8e0f1a3b5c7d9e1f2a4b6c';
const CONTRIBUTOR: User = { login: 'drive-by', type: 'User' };
const LEARNING = 'we validate request bodies in middleware, not in handlers';

/** The fixture pull request, one changed file: what each stand-in of this file serves. */
const PULL_REQUEST: GitHubStandInOptions = {
  owner: OWNER,
  repo: REPO,
  pullNumber: PR,
  headSha: HEAD,
  baseSha: BASE,
  files: [{ filename: 'src/server/routes/users.ts', status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH }],
};

/** Octokit as in production, but unthrottled: the pacing of writes (1 s apart) is Octokit's, not what is tested. */
const Unthrottled = ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { enabled: false }, retry: { enabled: false } }));

let github: GitHubStandIn;
let model: AnthropicStandIn;
let dir: string;
let runs = 0;
/** What the model answers a conversation's question (a review call gets one finding). */
let answer = { answer: 'The id reaches the query unescaped: `usersRoute` never parses it.', concede: false };

/** A conversation call: its output schema asks for `concede` (src/review/answer-schema.ts). */
const isAnswerRequest = (request: Body) =>
  (request.output_config as { format?: { schema?: { properties?: Record<string, unknown> } } } | undefined)?.format?.schema?.properties?.concede !== undefined;

beforeAll(async () => {
  nock.enableNetConnect('127.0.0.1');
  github = await startGitHubStandIn({ ...PULL_REQUEST, permissions: { maintainer: 'write', reader: 'read' }, botSlug: 'github-actions' });
  model = await startAnthropicStandIn({
    respond: (request) =>
      isAnswerRequest(request) ? { body: messageResponse(JSON.stringify(answer)) } : { body: messageResponse({ summary: 'Adds a lookup route.', findings: [finding()] }) },
  });
  dir = await mkdtemp(join(tmpdir(), 'bulwark-action-conversation-'));
});

afterEach(() => {
  github.reset();
  model.reset();
  answer = { answer: 'The id reaches the query unescaped: `usersRoute` never parses it.', concede: false };
});

afterAll(async () => {
  await github.close();
  await model.close();
  await rm(dir, { recursive: true, force: true });
  nock.disableNetConnect();
});

/** One workflow run started by `eventName` with `payload` as its event file: the step's environment, then the Action. */
async function run(eventName: string, payload: unknown, extra: Record<string, string> = {}): Promise<ActionResult & { lines: string[] }> {
  runs += 1;
  const eventPath = join(dir, `${eventName}-${runs}.json`);
  await writeFile(eventPath, JSON.stringify(payload));
  const env = {
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: eventName,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_API_URL: github.url,
    GITHUB_GRAPHQL_URL: github.url.replace(/\/v3$/, '/graphql'),
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    // Each workflow run has its own id.
    GITHUB_RUN_ID: String(1658821493 + runs),
    GITHUB_RUN_ATTEMPT: '1',
    INPUT_ANTHROPIC_API_KEY: FAKE_API_KEY,
    INPUT_GITHUB_TOKEN: FAKE_TOKEN,
    INPUT_MODEL: '',
    // As action.yml's default.
    INPUT_APP_SLUG: 'github-actions',
    ANTHROPIC_BASE_URL: model.url,
    BULWARK_MODEL_MAX_RETRIES: '0',
    ...extra,
  };
  const lines: string[] = [];
  const result = await runAction({ env, readFile: (path) => readFile(path, 'utf8'), write: (line) => void lines.push(line), Octokit: Unthrottled });
  return { ...result, lines };
}

/** A person comments `body` on the pull request's conversation, and the workflow runs for it. */
async function comment(body: string, user: User = MAINTAINER, association = 'MEMBER') {
  const id = github.addComment(body, user.login);
  return { id, result: await run('issue_comment', issueCommentPayload(id, body, user, association)) };
}

/** A person replies `body` in the thread `root` starts, and the workflow runs for it. */
async function reply(root: StandInReviewComment, body: string, user: User = MAINTAINER, association = 'MEMBER') {
  const id = github.addReply(root.id, body, user.login);
  return { id, result: await run('pull_request_review_comment', reviewReplyPayload({ id, body, inReplyTo: root.id, user, association })) };
}

const opened = () => run('pull_request', fixture('pull_request.opened.json'));

/** The workflow token's comments on the conversation carrying a marker of `kind`. */
const ownComments = (kind: string) => github.issueComments.filter((entry) => entry.user.login === 'github-actions[bot]' && parseMarkers(entry.body).some((marker) => marker.kind === kind));

/** The thread Bulwark's review started on the pull request (the first run's inline comment). */
function bulwarkThread(): StandInReviewComment {
  const roots = github.reviewComments.filter((entry) => entry.inReplyTo === undefined && entry.user.login === 'github-actions[bot]');
  expect(roots).toHaveLength(1);
  return roots[0]!;
}

const answersTo = (replyId: number) =>
  github.reviewComments.filter((entry) => entry.user.login === 'github-actions[bot]' && parseMarkers(entry.body).some((marker) => marker.kind === 'answer' && marker.data.reply === replyId));

describe('/review pause and /review resume in the Action', () => {
  it('pauses: one pause comment by the workflow token, 👀 on the command, no check run and no model call; the next opened run is skipped as paused', async () => {
    const pause = await comment('/review pause');

    expect(pause.result.exitCode).toBe(0);
    expect(ownComments('pause')).toHaveLength(1);
    expect(github.reactions).toEqual([{ on: 'issue-comment', commentId: pause.id, content: 'eyes' }]);
    expect(github.checkRuns.size).toBe(0);
    expect(model.received).toBe(0);

    const next = await opened();

    expect(next.exitCode).toBe(0);
    expect(next.outcome).toMatchObject({ conclusion: 'skipped', posted: true });
    const checks = github.checkRunStates();
    expect(checks).toEqual([expect.objectContaining({ status: 'completed', conclusion: 'skipped', headSha: HEAD })]);
    expect(checks[0]!.output?.title).toBe('Review skipped: Automatic reviews are paused');
    expect(String(checks[0]!.output?.summary)).toContain('/review resume');
    expect(String(checks[0]!.output?.summary)).toContain('`maintainer`');
    expect(github.reviews).toHaveLength(0);
    expect(model.received).toBe(0);
  });

  it('resumes: the pause comment is edited into a record without its marker, and the next push is reviewed', async () => {
    await comment('/review pause');
    expect((await opened()).outcome?.conclusion).toBe('skipped');

    const resume = await comment('/review resume');

    expect(resume.result.exitCode).toBe(0);
    expect(ownComments('pause')).toEqual([]);
    expect(github.issueComments.find((entry) => entry.user.type === 'Bot')?.body).toMatch(/`maintainer` resumed/);
    expect(model.received).toBe(0);

    github.setHead(NEXT_HEAD);
    const pushed = fixture<Body & { pull_request: Body }>('pull_request.synchronize.json');
    const push = await run(
      'pull_request',
      { ...pushed, pull_request: { ...pushed.pull_request, head: { ...(pushed.pull_request.head as Body), sha: NEXT_HEAD } } },
      { INPUT_CONFIG: 'review:\n  on: [opened, synchronize]\n' },
    );

    expect(push.exitCode).toBe(0);
    expect(model.received).toBe(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]).toMatchObject({ commit_id: NEXT_HEAD });
    expect(github.checkRunStates().find((check) => check.headSha === NEXT_HEAD)).toMatchObject({ status: 'completed', conclusion: 'neutral' });
  });
});

describe('/review learn in the Action', () => {
  it("keeps the learning on the workflow token's reply; the next review's system prompt carries it and its check run lists it", async () => {
    const learn = await comment(`/review learn ${LEARNING}`);

    expect(learn.result.exitCode).toBe(0);
    const kept = ownComments('learning');
    expect(kept).toHaveLength(1);
    expect(parseMarkers(kept[0]!.body)).toContainEqual({ kind: 'learning', data: expect.objectContaining({ id: `L${learn.id}`, source: learn.id, text: LEARNING, by: 'maintainer' }) });
    expect(model.received).toBe(0);

    const review = await opened();

    expect(review.exitCode).toBe(0);
    expect(model.requests).toHaveLength(1);
    const system = JSON.stringify(model.requests[0]!.body.system);
    expect(system).toContain('<team_learnings>');
    expect(system).toContain(`L${learn.id}: ${LEARNING}`);
    expect(String(github.checkRunStates()[0]!.output?.summary)).toContain(`Learnings applied: [L${learn.id}]`);
  });

  it('answers /review learnings with the learning it applies', async () => {
    const learn = await comment(`/review learn ${LEARNING}`);
    const listed = await comment('/review learnings');

    expect(listed.result.exitCode).toBe(0);
    const answers = github.issueComments.filter((entry) => entry.user.type === 'Bot' && entry.id > listed.id);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.body).toContain(`L${learn.id}`);
    expect(answers[0]!.body).toContain(LEARNING);
    expect(model.received).toBe(0);
  });
});

describe('questions in the Action', () => {
  it('answers a writer\'s /ask reply in a Bulwark thread exactly once, even when the workflow runs again for it', async () => {
    await opened();
    const root = bulwarkThread();
    expect(parseMarkers(root.body).some((marker) => marker.kind === 'finding')).toBe(true);
    model.reset();

    const asked = await reply(root, '/ask can a negative id reach the query? the router parses it as an integer');

    expect(asked.result.exitCode).toBe(0);
    const answers = answersTo(asked.id);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.inReplyTo).toBe(root.id);
    expect(answers[0]!.body).toContain('`usersRoute` never parses it');
    expect(model.requests).toHaveLength(1);
    expect(JSON.stringify(model.requests[0]!.body.messages)).toContain('the router parses it as an integer');
    expect(github.reactions).toEqual([{ on: 'review-comment', commentId: asked.id, content: 'eyes' }]);
    expect(github.resolvedThreads).toEqual([]);

    // The same event again (the workflow re-run by hand): the answer is found, nothing is posted or asked.
    await run('pull_request_review_comment', reviewReplyPayload({ id: asked.id, body: '/ask can a negative id reach the query? the router parses it as an integer', inReplyTo: root.id, user: MAINTAINER }), { GITHUB_RUN_ATTEMPT: '2' });

    expect(answersTo(asked.id)).toHaveLength(1);
    expect(model.requests).toHaveLength(1);
  });

  it('answers a reply that mentions @github-actions, and resolves its own thread when it concedes', async () => {
    await opened();
    const root = bulwarkThread();
    answer = { answer: 'You are right: `parseIntParam` runs before `usersRoute`, so `id` is an integer.', concede: true };

    const asked = await reply(root, '@github-actions the router validates `id` as an integer before this runs');

    expect(answersTo(asked.id)).toHaveLength(1);
    expect(parseMarkers(answersTo(asked.id)[0]!.body)).toContainEqual({ kind: 'answer', data: expect.objectContaining({ reply: asked.id, conceded: true }) });
    expect(github.resolvedThreads).toEqual([`thread-${root.id}`]);
  });

  it('leaves a reply that mentions another name alone, without a GitHub call', async () => {
    await opened();
    const root = bulwarkThread();
    github.requests.length = 0;
    model.reset();

    const asked = await reply(root, '@bulwark is this reachable?');

    expect(asked.result.exitCode).toBe(0);
    expect(github.requests).toHaveLength(0);
    expect(model.received).toBe(0);
    expect(answersTo(asked.id)).toEqual([]);
  });

  it('answers /review ask about the whole pull request in one comment', async () => {
    answer = { answer: 'Only `GET /users/:id` changes; the query is the risk.', concede: false };

    const asked = await comment('/review ask what is the riskiest change here?');

    expect(asked.result.exitCode).toBe(0);
    expect(ownComments('ask')).toHaveLength(1);
    expect(ownComments('ask')[0]!.body).toContain('the query is the risk');
    expect(model.requests).toHaveLength(1);
  });
});

describe('people who may not ask, in the Action', () => {
  it('does nothing for a CONTRIBUTOR\'s command or reply: no GitHub call, no model call', async () => {
    const paused = await comment('/review pause', CONTRIBUTOR, 'CONTRIBUTOR');
    const learned = await comment(`/review learn ${LEARNING}`, CONTRIBUTOR, 'CONTRIBUTOR');

    expect(paused.result.exitCode).toBe(0);
    expect(learned.result.exitCode).toBe(0);
    expect(github.requests).toHaveLength(0);

    await opened();
    const root = bulwarkThread();
    github.requests.length = 0;
    model.reset();

    const asked = await reply(root, '/ask is this really a problem?', CONTRIBUTOR, 'CONTRIBUTOR');

    expect(asked.result.exitCode).toBe(0);
    expect(github.requests).toHaveLength(0);
    expect(model.received).toBe(0);
    expect(answersTo(asked.id)).toEqual([]);
  });

  it('refuses a member with read permission once, on the conversation, and answers nothing', async () => {
    await opened();
    const root = bulwarkThread();
    model.reset();
    const reader: User = { login: 'reader', type: 'User' };

    const first = await reply(root, '/ask why is this high?', reader);
    await reply(root, '/ask and this?', reader);

    expect(first.result.exitCode).toBe(0);
    expect(model.received).toBe(0);
    expect(github.reviewComments.filter((entry) => entry.user.type === 'Bot' && entry.inReplyTo !== undefined)).toEqual([]);
    expect(ownComments('denied')).toHaveLength(1);
    expect(ownComments('denied')[0]!.body).toContain('write, maintain or admin permission');
  });
});

describe('the app_slug input', () => {
  it("with another App's token, that App's comments hold the state and @<slug> asks Bulwark", async () => {
    const appToken = await startGitHubStandIn({ ...PULL_REQUEST, permissions: { maintainer: 'write' }, botSlug: 'acme-reviewer' });
    const inApp = { GITHUB_API_URL: appToken.url, GITHUB_GRAPHQL_URL: appToken.url.replace(/\/v3$/, '/graphql'), INPUT_APP_SLUG: 'acme-reviewer[bot]' };
    try {
      const pauseId = appToken.addComment('/review pause', 'maintainer');
      await run('issue_comment', issueCommentPayload(pauseId, '/review pause'), inApp);
      const resumeId = appToken.addComment('/review resume', 'maintainer');
      await run('issue_comment', issueCommentPayload(resumeId, '/review resume'), inApp);

      // The resume found the pause comment as its own and edited it: there is no "not paused" reply.
      const own = appToken.issueComments.filter((entry) => entry.user.login === 'acme-reviewer[bot]');
      expect(own).toHaveLength(1);
      expect(own[0]!.body).toMatch(/`maintainer` resumed/);

      await run('pull_request', fixture('pull_request.opened.json'), inApp);
      const root = appToken.reviewComments.find((entry) => entry.inReplyTo === undefined)!;
      expect(root.user.login).toBe('acme-reviewer[bot]');
      const body = '@acme-reviewer is this reachable?';
      const replyId = appToken.addReply(root.id, body, 'maintainer');
      await run('pull_request_review_comment', reviewReplyPayload({ id: replyId, body, inReplyTo: root.id, user: MAINTAINER }), inApp);

      const answers = appToken.reviewComments.filter((entry) => entry.inReplyTo === root.id && entry.user.login === 'acme-reviewer[bot]');
      expect(answers).toHaveLength(1);
      expect(parseMarkers(answers[0]!.body)).toContainEqual({ kind: 'answer', data: expect.objectContaining({ reply: replyId }) });
    } finally {
      await appToken.close();
    }
  });

  it('stops the step with a line naming app_slug when it is not a slug, and calls nothing', async () => {
    const id = github.addComment('/review pause', 'maintainer');
    const result = await run('issue_comment', issueCommentPayload(id, '/review pause'), { INPUT_APP_SLUG: 'not a slug!' });

    expect(result.exitCode).toBe(1);
    expect(result.lines.filter((line) => line.startsWith('::error::'))).toEqual([expect.stringContaining('app_slug')]);
    expect(github.requests).toHaveLength(0);
  });
});
