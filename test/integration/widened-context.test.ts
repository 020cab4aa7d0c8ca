import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import { assertNockDone, createTestApp, mockInstallationToken, setupNock } from '../helpers/test-app.js';
import { DEFAULT_BRANCH, file, HEAD, mockCreateCheck, mockFiles, mockNoRepoConfig, mockPullRequest, mockRepoFilesAt } from '../helpers/github-stand-in.js';
import { modelReplies, userTurn, verificationAnswer, verificationReplies } from '../helpers/fake-model.js';
import { finding, messageResponse } from '../helpers/model-stand-in.js';
import { fakeSecret, leakedPieces } from '../helpers/fake-secrets.js';
import { deliverPullRequest } from '../helpers/build-app.js';
import { captureCheckUpdates, captureReviews } from '../helpers/pipeline-mocks.js';

const PATH = 'src/server/routes/orders.ts';
const TOKEN = fakeSecret.githubToken();
/** The head file: the route handler starts at line 6; the pull request changes line 13. */
const HEAD_LINES = [
  'import { db } from "../db.js";',
  '',
  'export function ordersRoute(app) {',
  '  app.use(requireUser);',
  '',
  '  app.get("/orders/:id", async (req, res) => {',
  '    const id = req.params.id;',
  `    const serviceToken = "${TOKEN}";`,
  '    audit(req.user, "orders.read");',
  '    metrics.count("orders");',
  '    const started = Date.now();',
  '    log.debug(started);',
  '    const rows = await db.query(`SELECT * FROM orders WHERE id = ${id}`);',
  '    log.debug(Date.now() - started);',
  '    res.json(rows[0]);',
  '    metrics.done("orders");',
  '  });',
  '}',
];
/** GitHub's patch: three lines of context around the change, lines 10–16 of the head. */
const PATCH = [
  '@@ -10,7 +10,7 @@ export function ordersRoute(app) {',
  ...HEAD_LINES.slice(9, 12).map((line) => ` ${line}`),
  '-    const rows = await db.query("SELECT * FROM orders WHERE id = $1", [id]);',
  `+${HEAD_LINES[12]}`,
  ...HEAD_LINES.slice(13, 16).map((line) => ` ${line}`),
].join('\n');

const INLINE = finding({
  path: PATH,
  line: 13,
  existing_code: HEAD_LINES[12],
  title: 'Order id is interpolated into SQL',
});
/** About line 9, which only the widened context shows: GitHub's diff has no such line to comment on. */
const ON_CONTEXT = finding({
  path: PATH,
  line: 9,
  existing_code: 'audit(req.user, "orders.read");',
  failure: 'An anonymous request reaches audit() with req.user undefined and throws before the 404.',
  severity: 'medium',
  category: 'reliability',
  rule: 'BE-REL-1',
  title: 'audit() runs before the user is known',
});

/** An unchanged line as the prompt shows it: the L and R columns, two spaces, the text. */
const row = (old: number, head: number) => `${`L${old}`.padEnd(7)}${`R${head}`.padEnd(7)}  ${HEAD_LINES[head - 1]}`;

let app: TestApp;

beforeEach(async () => {
  setupNock();
  app = await createTestApp();
});

afterEach(() => {
  assertNockDone();
});

async function review(headFiles: Record<string, string>, patch = PATCH) {
  mockInstallationToken();
  mockNoRepoConfig();
  mockCreateCheck();
  mockPullRequest();
  const seen = mockRepoFilesAt({ [DEFAULT_BRANCH]: {}, [HEAD]: headFiles });
  mockFiles([file(PATH, patch)]);
  const verifier = verificationReplies((titles) => ({ body: verificationAnswer(titles.map(() => ({ score: 9 }))) }));
  const model = modelReplies({ body: messageResponse({ findings: [INLINE, ON_CONTEXT] }) });
  const reviews = captureReviews();
  captureCheckUpdates();
  await deliverPullRequest(app, 'delivery-widened');
  expect(reviews).toHaveLength(1);
  return { seen, model, verifier, reviews };
}

describe('hunks widened to the enclosing function', () => {
  it('shows the model the head file up to the route handler, numbered on both sides, secrets masked', async () => {
    const { seen, model } = await review({ [PATH]: `${HEAD_LINES.join('\n')}\n` });

    expect(seen.refs.filter((ref, index) => ref === HEAD && seen.paths[index] === PATH)).toHaveLength(1);
    const user = userTurn(model.requests[0]!);
    // Lines 6–9 above GitHub's hunk (from the handler's start), lines 17–18 below it: unchanged lines, L and R.
    expect(user).toContain(row(6, 6));
    expect(user).toContain(row(7, 7));
    expect(user).toContain(row(9, 9));
    expect(user).toContain(row(17, 17));
    expect(user).toContain(row(18, 18));
    expect(user).not.toContain('R5 ');
    expect(user).toContain('[REDACTED secret:');
    expect(leakedPieces(model.raw[0], [TOKEN])).toEqual([]);
  });

  it('posts an inline comment only on a line of GitHub\'s diff: a finding on widened context goes to the review body', async () => {
    const { reviews, verifier } = await review({ [PATH]: `${HEAD_LINES.join('\n')}\n` });

    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.comments).toEqual([expect.objectContaining({ path: PATH, line: 13, side: 'RIGHT' })]);
    expect(reviews[0]!.body).toContain('audit() runs before the user is known');
    expect(reviews[0]!.body).toContain('the line is not part of this diff');
    // The verifier saw the finding's line among the context the reviewer saw, masked like it.
    expect(userTurn(verifier.requests[0]!)).toContain(row(9, 9));
    expect(leakedPieces(verifier.raw[0], [TOKEN])).toEqual([]);
  });

  it('sends the verification call the diff as masked as the review call saw it', async () => {
    const key = fakeSecret.githubToken();
    const { verifier } = await review({}, PATCH.replace(' ' + HEAD_LINES[11]!, `    const auditKey = "${key}";`));

    expect(userTurn(verifier.requests[0]!)).toContain('const auditKey = "[REDACTED secret:');
    expect(leakedPieces(verifier.raw[0], [key])).toEqual([]);
  });

  it('reviews the hunk as GitHub sends it when the head file cannot be read', async () => {
    const { model, reviews } = await review({});

    const user = userTurn(model.requests[0]!);
    expect(user).not.toContain('R9 ');
    expect(user).toContain(row(10, 10));
    expect(reviews[0]!.comments).toEqual([expect.objectContaining({ line: 13 })]);
  });
});
