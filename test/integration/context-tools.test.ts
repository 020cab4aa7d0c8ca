import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { estimateFileTokens } from '../../src/review/estimate-tokens.js';
import { selectFiles } from '../../src/review/select-files.js';
import { DEFAULT_BRANCH, file, HEAD, mockCreateCheck, mockEarlierReviews, mockNoRepoConfig, mockPullRequest, mockRepoFiles, openedPayload, refsBesidesWidening, USERS_PATCH } from '../helpers/github-stand-in.js';
import { filesInRequest, finding, messageResponse, promptOf, toolUseResponse } from '../helpers/model-stand-in.js';
import { captureCheckUpdates, captureReviews, mockFilePages, mockTarball, summaryOf } from '../helpers/pipeline-mocks.js';
import type { RestFile } from '../helpers/pipeline-mocks.js';
import { isVerification, verificationPasses } from '../helpers/fake-model.js';
import { ANTHROPIC, assertNockDone, createTestApp, mockInstallationToken, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';
import { buildTarball, hostileEntries } from '../unit/context-fixtures.js';

// Request bodies as the API received them: loosely typed on purpose, the assertions check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

/**
 * The agent's read-only repository tools inside the real pipeline: declared to the model when the repo agent
 * (from the base branch) lists them, served from one head snapshot per job, and never a way out of it.
 */

const agentFile = (tools: string) =>
  ['---', 'name: backend-specialist', 'description: Our reviewer.', `tools: ${tools}`, 'model: sonnet', '---', 'You review our API. REPO-AGENT-BODY.'].join('\n');

const PATHS = ['src/server/routes/users.ts', 'src/server/routes/accounts.ts', 'src/server/routes/admins.ts'];
const FILES: RestFile[] = PATHS.map((path) => file(path, USERS_PATCH));

/** What each chunk's first turn asks for: a real file, a climb out of the tree, a symlink and a path through one. */
const CALLS = [
  { name: 'Read', input: { path: 'src/db/users.ts' } },
  { name: 'Read', input: { path: '../../etc/passwd' } },
  { name: 'Read', input: { path: 'link' } },
  { name: 'Grep', input: { pattern: 'root', path: 'linkdir' } },
];

let archive: Buffer;
let app: TestApp;

beforeAll(async () => {
  archive = await buildTarball(hostileEntries());
});

beforeEach(() => {
  setupNock();
});

afterEach(() => {
  assertNockDone();
});

/** One chunk per file: the chunk limit is the largest single file's estimate. */
function oneFilePerChunk(): string {
  const diffs = selectFiles(
    FILES.map((entry) => ({ path: entry.filename, status: 'modified' as const, additions: entry.additions, deletions: entry.deletions, patch: entry.patch! })),
    { include: ['**/*'], exclude: [] },
  ).files;
  return String(Math.max(...diffs.map(estimateFileTokens)));
}

/**
 * The model: a chunk's first call asks for CALLS, the call after the tool results answers with a finding on its
 * first file. Replies are computed from each request, so chunks may interleave freely.
 */
function mockToolUsingModel(): Body[] {
  const requests: Body[] = [];
  verificationPasses();
  nock(ANTHROPIC)
    .persist()
    .post('/v1/messages', (body: Body | string) => typeof body === 'object' && !isVerification(body))
    .reply(async (request: Request) => {
      const body = (await request.json()) as Body;
      requests.push(body);
      if (body.messages.length === 1) return [200, toolUseResponse(CALLS)];
      const path = filesInRequest(body)[0]!;
      return [200, messageResponse({ summary: `Reviewed ${path}.`, findings: [finding({ path, title: `SQL in ${path}` })] })];
    });
  return requests;
}

async function run(env: Record<string, string>, agent: string, files: RestFile[] = FILES) {
  app = await createTestApp({ env });
  mockInstallationToken();
  mockNoRepoConfig();
  mockCreateCheck();
  mockPullRequest();
  const seen = mockRepoFiles({ '.claude/agents/backend-specialist.md': agent });
  mockEarlierReviews([]);
  mockFilePages(files);
  return seen;
}

async function receive() {
  await app.probot.receive({ id: 'delivery-tools', name: 'pull_request', payload: openedPayload() as never });
  await app.queue.onIdle();
}

describe('context tools in the pipeline', () => {
  it('declares Read, Grep and Glob with tool_choice auto, runs the calls against one snapshot per job, and refuses ../ and symlinks', async () => {
    const agentReads = await run({ BULWARK_CHUNK_TOKENS: oneFilePerChunk() }, agentFile('Read, Grep, Glob'));
    const tarball = mockTarball(HEAD, archive);
    const requests = mockToolUsingModel();
    const reviews = captureReviews();
    const updates = captureCheckUpdates();

    await receive();

    // Three chunks, two calls each (tools, then the answer).
    const conversations = new Map<string, Body[]>();
    for (const request of requests) conversations.set(promptOf(request), [...(conversations.get(promptOf(request)) ?? []), request]);
    expect(conversations.size).toBe(3);
    expect([...conversations.values()].map((calls) => calls.length)).toEqual([2, 2, 2]);
    for (const request of requests) {
      expect(request.tools.map((tool: Body) => tool.name)).toEqual(['Read', 'Grep', 'Glob']);
      expect(request.tool_choice).toEqual({ type: 'auto' });
      expect(JSON.stringify(request.system)).toContain('REPO-AGENT-BODY');
    }
    // The agent came from the default branch; the snapshot the tools read is the head's, downloaded once for three chunks.
    expect(agentReads.refs.length).toBeGreaterThan(0);
    expect(refsBesidesWidening(agentReads, PATHS).every((ref) => ref === DEFAULT_BRANCH)).toBe(true);
    expect(tarball.downloads).toBe(1);

    for (const [, [first, second]] of conversations) {
      expect(first!.messages).toHaveLength(1);
      const asked = second!.messages[1].content as Body[];
      const results = second!.messages[2].content as Body[];
      expect(results.map((result) => result.tool_use_id)).toEqual(asked.map((call) => call.id));
      const [read, climb, link, through] = results as [Body, Body, Body, Body];
      expect(read.is_error).toBeUndefined();
      expect(read.content).toMatch(/^1\timport \{ pool \} from "\.\/pool";\n2\texport const findUser/);
      expect(climb).toMatchObject({ is_error: true });
      expect(climb.content).toContain('Paths may not contain ".." segments');
      expect(link).toMatchObject({ is_error: true });
      expect(link.content).toContain('link is not readable: symbolic link to ../../etc/passwd: links are not followed');
      expect(through).toMatchObject({ is_error: true });
      expect(through.content).toContain('linkdir is not readable: symbolic link to /etc');
      expect(JSON.stringify(results)).not.toMatch(/evil|root:x:/);
    }

    expect(reviews).toHaveLength(1);
    expect((reviews[0]!.comments as Body[]).map((comment) => comment.path).sort()).toEqual([...PATHS].sort());
    expect(summaryOf(updates)).toContain('| Model calls (chunks) | 3 |');
  });

  it('makes one single-shot call without tools when the agent lists none of them, and downloads nothing', async () => {
    await run({}, agentFile('[]'));
    const requests: Body[] = [];
    nock(ANTHROPIC)
      .post('/v1/messages')
      .reply(async (request: Request) => {
        requests.push((await request.json()) as Body);
        return [200, messageResponse({ findings: [] })];
      });
    const updates = captureCheckUpdates();

    await receive();

    expect(requests).toHaveLength(1);
    expect(requests[0]).not.toHaveProperty('tools');
    expect(requests[0]).not.toHaveProperty('tool_choice');
    expect(JSON.stringify(requests[0]!.system)).toContain('REPO-AGENT-BODY');
    // No tarball mock: strict nock would have failed the job on a download.
    expect(updates.at(-1)).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  it('does not download the snapshot when the model never calls a tool', async () => {
    await run({}, agentFile('Read, Grep, Glob'));
    const requests: Body[] = [];
    nock(ANTHROPIC)
      .post('/v1/messages')
      .reply(async (request: Request) => {
        requests.push((await request.json()) as Body);
        return [200, messageResponse({ findings: [] })];
      });
    const updates = captureCheckUpdates();

    await receive();

    expect(requests).toHaveLength(1);
    expect(requests[0]!.tools).toHaveLength(3);
    expect(summaryOf(updates)).toContain('No issues found');
  });
});
