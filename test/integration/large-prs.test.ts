import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { estimateFileTokens, estimateTokens } from '../../src/review/estimate-tokens.js';
import { selectFiles } from '../../src/review/select-files.js';
import { file, mockCreateCheck, mockEarlierReviews, mockNoRepoConfig, mockPullRequest, mockRepoConfig, mockRepoFiles, openedPayload } from '../helpers/github-stand-in.js';
import { userTurn } from '../helpers/fake-model.js';
import { filesInRequest, finding, messageResponse } from '../helpers/model-stand-in.js';
import { fakeGitHub } from '../helpers/fake-github.js';
import { captureCheckUpdates, captureReviews, mockFilePages, summaryOf } from '../helpers/pipeline-mocks.js';
import type { RestFile } from '../helpers/pipeline-mocks.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { assertNockDone, createTestApp, mockInstallationToken, setupNock } from '../helpers/test-app.js';
import type { TestApp } from '../helpers/test-app.js';

type Body = Record<string, unknown>;

/**
 * Large pull requests: GitHub by nock, the model by the real-HTTP stand-in (so "in flight" means open
 * connections). Paged file lists, chunks reviewed in parallel under BULWARK_MODEL_CONCURRENCY, one failed chunk,
 * and the risk-ordered per-review budget.
 */

const pad = (index: number) => String(index).padStart(3, '0');
/** One added line (R2) between two context lines; the added text names the file so every line is distinct. */
const patchFor = (path: string) => ['@@ -1,2 +1,3 @@', ' const first = 1;', `+const added = '${path}';`, ' const last = 3;'].join('\n');
const restFile = (path: string): RestFile => file(path, patchFor(path));
/** Room for one inline comment per chunk. */
const UNCAPPED = 'review:\n  max_comments: 30\n';

const routes = (count: number) => Array.from({ length: count }, (_, index) => `src/routes/r${pad(index)}.ts`);
const libs = (count: number) => Array.from({ length: count }, (_, index) => `src/lib/u${pad(index)}.ts`);
const tests = (count: number) => Array.from({ length: count }, (_, index) => `test/t${pad(index)}.test.ts`);

const isRoute = (path: string) => path.startsWith('src/routes/');
const isTest = (path: string) => path.startsWith('test/');

let app: TestApp;
let model: AnthropicStandIn | undefined;

beforeEach(() => {
  setupNock();
  nock.enableNetConnect('127.0.0.1');
});

afterEach(async () => {
  await model?.close();
  model = undefined;
  nock.disableNetConnect();
  assertNockDone();
});

/**
 * The model: one finding per chunk on its first file's added line; a 500 for the chunk holding `failOn`.
 * count_tokens answers `countRatio` × the estimate of the text, or 404 without it.
 */
async function startModel(options: { failOn?: string; failTimes?: number; truncateOn?: string; latencyMs?: number; countRatio?: number } = {}) {
  const { countRatio } = options;
  let failures = 0;
  model = await startAnthropicStandIn({
    ...(countRatio === undefined ? {} : { countTokens: (request) => ({ body: { input_tokens: Math.round(estimateTokens(userTurn(request)) * countRatio) } }) }),
    latencyMs: options.latencyMs ?? 40,
    respond: (request) => {
      const files = filesInRequest(request);
      if (options.failOn && files.includes(options.failOn) && failures < (options.failTimes ?? Infinity)) {
        failures += 1;
        return options.failTimes === undefined
          ? { status: 500, body: { type: 'error', error: { type: 'api_error', message: 'Internal server error' } } }
          : { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } };
      }
      // Out of output tokens: a failure that asking again would only repeat.
      if (options.truncateOn && files.includes(options.truncateOn)) return { body: messageResponse('{"summary":"Adds a', { stopReason: 'max_tokens' }) };
      const first = files[0] ?? 'none';
      return { body: messageResponse({ summary: `Chunk starting at ${first}.`, findings: [finding({ path: first, line: 2, existing_code: `const added = '${first}';`, title: `Issue in ${first}` })] }) };
    },
  });
  return model;
}

async function start(env: Record<string, string>, files: RestFile[], config?: string) {
  app = await createTestApp({ env: { ANTHROPIC_BASE_URL: model!.url, ...env } });
  mockInstallationToken();
  if (config) mockRepoConfig(config);
  else mockNoRepoConfig();
  mockCreateCheck();
  mockPullRequest();
  mockRepoFiles();
  mockEarlierReviews([]);
  const pages = mockFilePages(files);
  const updates = captureCheckUpdates();
  const reviews = captureReviews();
  await app.probot.receive({ id: 'delivery-large', name: 'pull_request', payload: openedPayload() as never });
  await app.queue.onIdle();
  return { pages, updates, reviews };
}

/** As `start`, with the stateful fake GitHub: a job that runs more than once (retries) finds GitHub as it left it. */
async function startRetrying(files: RestFile[]) {
  const github = fakeGitHub({ files, config: UNCAPPED });
  app = await createTestApp({
    env: { ANTHROPIC_BASE_URL: model!.url, BULWARK_CHUNK_TOKENS: '1500', BULWARK_MODEL_CONCURRENCY: '2', BULWARK_JOB_ATTEMPTS: '3', BULWARK_RETRY_BACKOFF_MS: '10' },
  });
  await app.probot.receive({ id: 'delivery-large', name: 'pull_request', payload: openedPayload() as never });
  await app.queue.onIdle();
  const check = github.check();
  expect(github.unexpected).toEqual([]);
  return { github, updates: check.updates, summary: String((check.output as { summary?: string } | undefined)?.summary ?? '') };
}

/** 250 files listed tests first, so any routes-first order is the planner's, not the API's. */
function mixedPullRequest(): RestFile[] {
  return [...tests(90), ...libs(100), ...routes(60)].map(restFile);
}

describe('a 250-file pull request', () => {
  it('pages through 3 pages, reviews every file in exactly one chunk with at most 2 model calls in flight, and merges all findings into one review', async () => {
    const stand = await startModel();
    const files = mixedPullRequest();

    // Every chunk's finding inline: the cap (review.max_comments, 10 by default) is not what this test is about.
    const { pages, updates, reviews } = await start({ BULWARK_CHUNK_TOKENS: '1500', BULWARK_MODEL_CONCURRENCY: '2' }, files, UNCAPPED);

    expect(pages.isDone()).toBe(true);
    const chunks = stand.requests.map((request) => filesInRequest(request.body));
    expect(chunks.length).toBeGreaterThan(4);
    // The bound holds, and is used: the chunks did run two at a time.
    expect(stand.peakConcurrency).toBe(2);
    // Every file in exactly one chunk.
    const seen = chunks.flat();
    expect(seen).toHaveLength(250);
    expect(new Set(seen)).toEqual(new Set(files.map((entry) => entry.filename)));
    // Risk order: the routes fill the first chunks, the tests the last ones; no chunk mixes the two.
    const byArrival = [...stand.requests].sort((a, b) => a.at - b.at).map((request) => filesInRequest(request.body));
    expect(byArrival[0]!.every(isRoute)).toBe(true);
    expect(byArrival.at(-1)!.every(isTest)).toBe(true);
    expect(chunks.every((chunk) => !(chunk.some(isRoute) && chunk.some(isTest)))).toBe(true);
    // One review, with the finding of every chunk inline.
    expect(reviews).toHaveLength(1);
    const comments = reviews[0]!.comments as Body[];
    expect(comments.map((comment) => comment.path).sort()).toEqual(chunks.map((chunk) => chunk[0]).sort());
    expect(reviews[0]!.body).not.toMatch(/partial review/i);
    expect(updates.at(-1)).toMatchObject({ status: 'completed' });
    const summary = summaryOf(updates);
    expect(summary).toContain('Reviewed 250 files.');
    expect(summary).toContain(`| Model calls (chunks) | ${chunks.length} |`);
  });

  it('keeps the other chunks when one model call fails, posts the review as partial and lists the failed chunk with the reason', async () => {
    const failOn = 'src/lib/u050.ts';
    const stand = await startModel({ failOn });
    const files = mixedPullRequest();

    const { updates, reviews } = await start({ BULWARK_CHUNK_TOKENS: '1500', BULWARK_MODEL_CONCURRENCY: '2' }, files, UNCAPPED);

    const chunks = stand.requests.map((request) => filesInRequest(request.body));
    const failed = chunks.find((chunk) => chunk.includes(failOn))!;
    const succeeded = chunks.filter((chunk) => chunk !== failed);
    expect(failed.length).toBeGreaterThan(1);
    expect(stand.requests).toHaveLength(chunks.length);

    expect(reviews).toHaveLength(1);
    const review = reviews[0]!;
    expect(review.body).toMatch(/partial review/i);
    const commented = (review.comments as Body[]).map((comment) => comment.path).sort();
    expect(commented).toEqual(succeeded.map((chunk) => chunk[0]).sort());

    expect(updates.at(-1)).toMatchObject({ status: 'completed' });
    const summary = summaryOf(updates);
    expect(summary).toContain(`Reviewed ${250 - failed.length} files.`);
    for (const path of failed) expect(summary).toContain(`| \`${path}\` | not reviewed: the model call for it failed |`);
    expect(summary).toMatch(new RegExp(`Partial review: ${failed.length} file\\(s\\) could not be reviewed because a model call failed \\(The model provider answered 500\\.\\)`));
    for (const path of succeeded.flat()) expect(summary).not.toContain(`\`${path}\` |`);
  });

  it('asks the model again, on the next attempt, only for a chunk whose call failed for a passing reason (overloaded), and posts one complete review', async () => {
    const failOn = 'src/lib/u050.ts';
    const stand = await startModel({ failOn, failTimes: 1 });

    const { github, updates, summary } = await startRetrying(mixedPullRequest());
    const { reviews } = github;

    const chunks = stand.requests.map((request) => filesInRequest(request.body));
    const asked = chunks.filter((chunk) => chunk.includes(failOn));
    // The failed chunk twice, every other chunk once.
    expect(asked).toHaveLength(2);
    expect(asked[1]).toEqual(asked[0]);
    const distinct = new Set(chunks.map((chunk) => chunk.join(',')));
    expect(stand.requests).toHaveLength(distinct.size + 1);
    expect(new Set(chunks.flat()).size).toBe(250);

    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.body).not.toMatch(/partial review/i);
    expect((reviews[0]!.comments as Body[]).map((comment) => comment.path).sort()).toEqual([...distinct].map((chunk) => chunk.split(',')[0]).sort());
    // When: the queue's own backoff (10 ms here, said in whole seconds), no service having asked for a wait.
    expect(JSON.stringify(updates)).toMatch(/The model provider answered 529 \(overloaded\)\.\); retrying in about 1 s\./);
    expect(github.check().conclusion).toBe('neutral');
    expect(summary).toContain('Reviewed 250 files.');
    expect(summary).toContain(`${distinct.size - 1} chunk(s) the model answered in an earlier attempt were kept; it was asked again only for the 1 whose call had failed.`);
    expect(summary).not.toContain('not reviewed: the model call for it failed');
  });

  it('posts a partial review on the last attempt when a chunk keeps failing, having asked again for that chunk alone', async () => {
    const failOn = 'src/lib/u050.ts';
    const stand = await startModel({ failOn, failTimes: 99 });

    const { github, summary } = await startRetrying(mixedPullRequest());
    const { reviews } = github;

    const chunks = stand.requests.map((request) => filesInRequest(request.body));
    const distinct = new Set(chunks.map((chunk) => chunk.join(',')));
    expect(chunks.filter((chunk) => chunk.includes(failOn))).toHaveLength(3);
    expect(stand.requests).toHaveLength(distinct.size + 2);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.body).toMatch(/partial review/i);
    expect(summary).toMatch(/Partial review: \d+ file\(s\) could not be reviewed because a model call failed/);
    expect(summary).toContain(`| \`${failOn}\` | not reviewed: the model call for it failed |`);
  });

  it('does not retry a chunk whose call failed for a reason asking again would repeat (max_tokens): partial at once', async () => {
    const stand = await startModel({ truncateOn: 'src/lib/u050.ts' });

    const { github, summary } = await startRetrying(mixedPullRequest());

    const distinct = new Set(stand.requests.map((request) => filesInRequest(request.body).join(',')));
    expect(stand.requests).toHaveLength(distinct.size);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]!.body).toMatch(/partial review/i);
    expect(summary).toMatch(/could not be reviewed because a model call failed \(The model ran out of output tokens/);
    expect(JSON.stringify(github.check().updates)).not.toMatch(/retrying/);
  });

  it('on the retry, asks again only for the chunk that failed for a passing reason, not for the one that ran out of output tokens', async () => {
    const overloaded = 'src/lib/u050.ts';
    const truncated = 'test/t010.test.ts';
    const stand = await startModel({ failOn: overloaded, failTimes: 1, truncateOn: truncated });

    const { github, summary } = await startRetrying(mixedPullRequest());

    const chunks = stand.requests.map((request) => filesInRequest(request.body));
    expect(chunks.filter((chunk) => chunk.includes(overloaded))).toHaveLength(2);
    expect(chunks.filter((chunk) => chunk.includes(truncated))).toHaveLength(1);
    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]!.body).toMatch(/partial review/i);
    expect(summary).toContain(`| \`${truncated}\` | not reviewed: the model call for it failed |`);
    expect(summary).not.toContain(`| \`${overloaded}\` |`);
    expect(summary).toMatch(/The model ran out of output tokens/);
  });

  const testFiles = tests(10);
  const otherFiles = libs(10);
  const routeFiles = routes(10);
  const budgetFiles = [...testFiles, ...otherFiles, ...routeFiles].map(restFile);
  const costOf = (paths: string[]) =>
    selectFiles(paths.map((path) => ({ path, status: 'modified' as const, additions: 1, deletions: 0, patch: patchFor(path) })), { include: ['**/*'], exclude: [] }).files.reduce(
      (sum, diff) => sum + estimateFileTokens(diff),
      0,
    );
  // By estimate, exactly the routes and the other code, plus half a test file: no test fits.
  const budgetConfig = () => `budget:\n  max_input_tokens: ${costOf([...routeFiles, ...otherFiles]) + Math.floor(costOf([testFiles[0]!]) / 2)}\n`;

  it('spends a small per-review budget riskiest first: routes, then other code; the tests that do not fit are listed as over budget', async () => {
    // No count_tokens here (404): the estimate decides alone.
    const stand = await startModel({ latencyMs: 0 });

    const { updates, reviews } = await start({}, budgetFiles, budgetConfig());

    expect(stand.counts).toHaveLength(1);
    expect(stand.requests).toHaveLength(1);
    const prompt = filesInRequest(stand.requests[0]!.body);
    expect(prompt).toEqual([...routeFiles, ...otherFiles]);
    const summary = summaryOf(updates);
    expect(summary).toContain('Reviewed 20 files.');
    expect(summary).toContain('### Skipped files (10)');
    for (const path of testFiles) expect(summary).toContain(`| \`${path}\` | over the review size budget |`);
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.body).toMatch(/partial review/i);
    expect(summary).not.toContain('count_tokens');
  });

  it('asks count_tokens when the estimate leaves files out: with an exact count 40% below the estimate, every file fits and the summary says why', async () => {
    const stand = await startModel({ latencyMs: 0, countRatio: 0.6 });

    const { updates, reviews } = await start({}, budgetFiles, budgetConfig());

    // One count, of a sample of the diff rendered as the prompt renders it, for the model the review uses.
    expect(stand.counts).toHaveLength(1);
    const counted = stand.counts[0]!;
    expect(counted.model).toBe(stand.requests[0]!.body.model);
    expect(filesInRequest(counted).length).toBeGreaterThan(0);
    expect(counted).not.toHaveProperty('max_tokens');
    // All 30 files reviewed, riskiest first, nothing listed as over budget.
    const reviewedPaths = stand.requests.flatMap((request) => filesInRequest(request.body));
    expect(new Set(reviewedPaths)).toEqual(new Set(budgetFiles.map((entry) => entry.filename)));
    const summary = summaryOf(updates);
    expect(summary).toContain('Reviewed 30 files.');
    expect(summary).not.toContain('over the review size budget');
    expect(summary).toMatch(/count_tokens endpoint: \d+ sampled file\(s\) count 0\.6\d× the estimate\. 10 more file\(s\) fit the budget/);
    expect(reviews[0]!.body).not.toMatch(/partial review/i);
  });
});
