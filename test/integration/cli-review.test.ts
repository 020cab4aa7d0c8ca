import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Ajv from 'ajv';
import nock from 'nock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { fakeSecret, leakedPieces } from '../helpers/fake-secrets.js';
import { finding, messageResponse, promptOf } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';

const ROUTE = 'src/routes/users.ts';
const baseRoute = ["import { db } from '../db';", '', 'export function findUser(id: string) {', "  return db.query('SELECT * FROM users WHERE id = ?').get(id);", '}', ''].join('\n');
const headRoute = ["import { db } from '../db';", '', 'export function findUser(id: string) {', '  return db.query(`SELECT * FROM users WHERE id = ${id}`).get();', '}', ''].join('\n');

let repo: string;
let model: AnthropicStandIn;
let answer: () => unknown[] = () => [];
const token = fakeSecret.githubToken();

const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, encoding: 'utf8' }).trim();
const put = (path: string, text: string) => {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
};

function sink() {
  let text = '';
  return { write: (chunk: string) => ((text += chunk), true), get text() { return text; } };
}

async function review(args: string[], env: Record<string, string | undefined> = {}) {
  const stdout = sink();
  const stderr = sink();
  const status = await runCli(['review', ...args], { cwd: repo, stdout, stderr, env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: model.url, ...env } });
  return { status, stdout: stdout.text, stderr: stderr.text };
}

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  model = await startAnthropicStandIn({ respond: () => ({ body: messageResponse({ summary: 'The lookup now builds SQL from the id.', findings: answer() }) }) });
  repo = mkdtempSync(join(tmpdir(), 'bulwark-cli-review-'));
  git('init', '--quiet', '--initial-branch=main');
  put(ROUTE, baseRoute);
  put('src/db.ts', 'export const db = {} as never;\n');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'base');
  git('checkout', '--quiet', '-b', 'feature');
  put(ROUTE, headRoute);
  git('add', '--all');
  git('commit', '--quiet', '-m', 'head');
  git('checkout', '--quiet', '-b', 'with-secret');
  put('src/config.ts', `export const githubToken = '${token}';\n`);
  git('add', '--all');
  git('commit', '--quiet', '-m', 'secret');
  git('checkout', '--quiet', 'feature');
});

afterAll(async () => {
  await model.close();
  rmSync(repo, { recursive: true, force: true });
  nock.enableNetConnect();
});

beforeEach(() => {
  model.reset();
  answer = () => [
    finding({ path: ROUTE, line: 4, severity: 'high', category: 'security', rule: 'SEC-INPUT-1', title: 'The id is interpolated into SQL', existing_code: '  return db.query(`SELECT * FROM users WHERE id = ${id}`).get();' }),
  ];
});

describe('bulwark review', () => {
  it('reviews the branch against the merge base with the App pipeline and prints the review as markdown', async () => {
    const { status, stdout } = await review(['--base', 'main']);
    expect(status).toBe(1);
    expect(stdout).toContain('## 🛡️ Bulwark review');
    expect(stdout).toContain(`### ${ROUTE}:4`);
    expect(stdout).toContain('+  return db.query(`SELECT * FROM users WHERE id = ${id}`).get();');
    expect(stdout).toContain('The id is interpolated into SQL');
    expect(stdout).toContain('**Check: neutral**');
    expect(stdout).not.toContain('<!-- bulwark:');
    // The diff the model saw is the branch's own.
    expect(promptOf(model.requests[0]!.body)).toContain('SELECT * FROM users WHERE id = ${id}');
  });

  it('masks a secret the change adds before the model sees it, and reports it without echoing it', async () => {
    const { status, stdout } = await review(['--base', 'main', '--head', 'with-secret', '--format', 'json']);
    expect(status).toBe(1);
    expect(JSON.stringify(model.requests.map((request) => request.body))).not.toContain(token);
    expect(leakedPieces(model.requests.map((request) => request.body), [token])).toEqual([]);
    expect(leakedPieces(stdout, [token])).toEqual([]);
    expect((JSON.parse(stdout) as { findings: unknown[] }).findings).toContainEqual(expect.objectContaining({ path: 'src/config.ts', severity: 'critical', category: 'security' }));
  });

  it('shows progress and the ledger on stderr only when it is a terminal', async () => {
    const quiet = await review(['--base', 'main', '--format', 'json']);
    expect(quiet.stderr).toBe('');
    const stdout = sink();
    const stderr = Object.assign(sink(), { isTTY: true });
    await runCli(['review', '--base', 'main', '--format', 'json'], { cwd: repo, stdout, stderr, env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: model.url } });
    expect(stderr.text).toMatch(/1 chunk reviewed, \d+ input and \d+ output tokens so far/);
    expect(stderr.text).toMatch(/bulwark: claude-[\w-]+, \d+ input and \d+ output tokens, (~\$\d+\.\d{4}|cost unknown), \d+\.\d s/);
    expect(JSON.parse(stdout.text)).toHaveProperty('findings');
  });

  it('exits 0 when nothing reaches --fail-on', async () => {
    expect((await review(['--base', 'main', '--fail-on', 'critical'])).status).toBe(0);
    answer = () => [];
    const clean = await review(['--base', 'main']);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain('**Check: success**');
  });

  it('prints the findings as JSON', async () => {
    const { status, stdout } = await review(['--base', 'main', '--format', 'json']);
    expect(status).toBe(1);
    const output = JSON.parse(stdout) as { findings: unknown[]; head: string; base: string };
    expect(output.head).toBe(git('rev-parse', 'feature'));
    expect(output.base).toBe(git('rev-parse', 'main'));
    expect(output.findings).toEqual([
      expect.objectContaining({ path: ROUTE, line: 4, side: 'RIGHT', severity: 'high', category: 'security', rule: 'SEC-INPUT-1', title: 'The id is interpolated into SQL', onDiff: true }),
    ]);
  });

  it('writes SARIF 2.1.0 that validates against the OASIS schema', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bulwark-sarif-')), 'out.sarif');
    const { status } = await review(['--base', 'main', '--format', 'sarif', '--output', out]);
    expect(status).toBe(1);
    const sarif = JSON.parse(readFileSync(out, 'utf8')) as { runs: { results: { ruleId: string; level: string; locations: unknown[] }[] }[] };
    const require = createRequire(import.meta.url);
    // The schema ships in @microsoft/jest-sarif (MIT); it is the OASIS SARIF 2.1.0 schema, draft-04.
    const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json') as object;
    const ajv = new Ajv({ schemaId: 'auto', allErrors: true });
    ajv.addMetaSchema(require('ajv/lib/refs/json-schema-draft-04.json') as object);
    const valid = ajv.validate(schema, sarif);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(sarif.runs[0]?.results[0]).toMatchObject({
      ruleId: 'security/SEC-INPUT-1',
      level: 'error',
      locations: [{ physicalLocation: { artifactLocation: { uri: ROUTE }, region: { startLine: 4, endLine: 4 } } }],
    });
    // An invalid log fails the same check, so the check can fail.
    expect(ajv.validate(schema, { version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
  });

  it('reviews uncommitted changes with --working-tree and leaves the work tree as it was', async () => {
    put('src/db.ts', 'export const db = {} as never;\nexport const extra = 1;\n');
    const { status } = await review(['--base', 'main', '--working-tree', '--format', 'json']);
    expect(status).toBe(1);
    expect(promptOf(model.requests[0]!.body)).toContain('export const extra = 1;');
    expect(git('status', '--porcelain')).toBe('M src/db.ts');
    git('checkout', '--quiet', '--', 'src/db.ts');
  });

  it('exits 2 with a plain message: no API key, not a git repository, unknown ref, bad option', async () => {
    const noKey = await review(['--base', 'main'], { ANTHROPIC_API_KEY: undefined });
    expect(noKey).toMatchObject({ status: 2, stdout: '' });
    expect(noKey.stderr).toContain('ANTHROPIC_API_KEY is not set');
    const notRepo = mkdtempSync(join(tmpdir(), 'bulwark-not-a-repo-'));
    const outside = await review(['--repo', notRepo]);
    expect(outside.status).toBe(2);
    expect(outside.stderr).toContain('is not a git repository');
    rmSync(notRepo, { recursive: true, force: true });
    const unknown = await review(['--base', 'no-such-branch']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown base ref 'no-such-branch'");
    expect((await review(['--format', 'xml'])).status).toBe(2);
    expect(model.requests).toHaveLength(0);
  });

  it('exits 2 with the check summary when the model fails', async () => {
    const failing = await startAnthropicStandIn({ respond: () => ({ status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'bad request' } } }) });
    const { status, stderr } = await review(['--base', 'main'], { ANTHROPIC_BASE_URL: failing.url, BULWARK_MODEL_MAX_RETRIES: '0' });
    await failing.close();
    expect(status).toBe(2);
    expect(stderr).toContain('Review failed');
  });
});
