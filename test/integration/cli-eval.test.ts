import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import nock from 'nock';
import tar from 'tar-stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { loadCases } from '../../src/eval/load-cases.js';
import type { EvalCase } from '../../src/eval/load-cases.js';
import { runEval } from '../../src/cli/run-eval.js';
import { finding, messageResponse, promptOf } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';

const CASES = join(import.meta.dirname, '..', '..', 'eval', 'cases');

type Mode = 'perfect' | 'empty' | 'wrong-line';
let mode: Mode = 'perfect';
let model: AnthropicStandIn;
let inRepo: EvalCase[] = [];

/**
 * The scripted model: it recognises a labeled bug by a line of the label that the change added (`R<n> + text`, at
 * that number in the label's file: the unchanged lines widened around a hunk show code other cases plant bugs next
 * to) and answers with a finding on the label's first line (perfect), nothing (empty), or the same finding on a line
 * far from it.
 */
function scriptedFindings(prompt: string, cases: readonly { labels: EvalCase['spec']['labels']; head: Map<string, string> }[]): unknown[] {
  const findings: unknown[] = [];
  const added = new Map<string, string>();
  let path = '';
  for (const line of prompt.split('\n')) {
    path = /^<file path="([^"]*)"/.exec(line)?.[1] ?? path;
    const row = /^ {7}R(\d+) *\+ (.*)$/.exec(line);
    if (row) added.set(`${path}:${row[1]}`, row[2] ?? '');
  }
  for (const item of cases) {
    for (const label of item.labels) {
      const lines = item.head.get(label.path)?.split('\n') ?? [];
      const text = lines[label.lines[0] - 1];
      const planted = (number: number) => lines[number - 1]?.trim() !== '' && added.get(`${label.path}:${number}`) === lines[number - 1];
      if (!text || !Array.from({ length: label.lines[1] - label.lines[0] + 1 }, (_, offset) => label.lines[0] + offset).some(planted)) continue;
      const wrong = mode === 'wrong-line';
      findings.push(
        finding({
          path: label.path,
          line: wrong ? 1 : label.lines[0],
          end_line: wrong ? 1 : label.lines[0],
          category: label.category,
          severity: label.severity,
          title: label.description.slice(0, 100),
          existing_code: wrong ? 'code that is not in this change' : text,
        }),
      );
    }
  }
  return mode === 'empty' ? [] : findings;
}

let scripted: { labels: EvalCase['spec']['labels']; head: Map<string, string> }[] = [];

function sink() {
  let text = '';
  return { write: (chunk: string) => ((text += chunk), true), get text() { return text; } };
}

async function evaluate(args: string[], extra: { fetch?: typeof fetch } = {}) {
  const stdout = sink();
  const stderr = sink();
  const status = await runEval(args, { cwd: process.cwd(), stdout, stderr, env: { ANTHROPIC_API_KEY: 'test-key', ANTHROPIC_BASE_URL: model.url }, ...extra });
  return { status, stdout: stdout.text, stderr: stderr.text };
}

beforeAll(async () => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  model = await startAnthropicStandIn({ respond: (request) => ({ body: messageResponse({ summary: 'Reviewed.', findings: scriptedFindings(promptOf(request), scripted) }) }) });
  inRepo = (await loadCases(CASES)).cases.filter((item) => !item.spec.recipe);
  scripted = inRepo.map((item) => ({ labels: item.spec.labels, head: item.head }));
});

afterAll(async () => {
  await model.close();
  nock.enableNetConnect();
});

beforeEach(() => {
  mode = 'perfect';
});

describe('the dataset', () => {
  it('loads and validates without fetching anything', async () => {
    const stdout = sink();
    const status = await runCli(['eval', '--check', '--cases', CASES], { cwd: process.cwd(), stdout, stderr: stdout, env: {} });
    expect(stdout.text).toMatch(/^31 cases valid \(15 real, 11 planted, 5 clean; 27 labels\), 0 problems/);
    expect(status).toBe(0);
  });

  it('--check reports a broken case and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-cases-'));
    mkdirSync(join(dir, 'bad', 'head', 'src'), { recursive: true });
    writeFileSync(join(dir, 'bad', 'case.yml'), 'title: t\nkind: planted\nsource: planted\nlabels:\n  - { path: src/a.ts, lines: [5, 9], category: security, severity: high, description: d, source: planted }\n');
    writeFileSync(join(dir, 'bad', 'head', 'src', 'a.ts'), 'one line\n');
    const stdout = sink();
    const stderr = sink();
    expect(await runEval(['--check', '--cases', dir], { cwd: dir, stdout, stderr })).toBe(1);
    expect(stderr.text).toContain('bad: label src/a.ts:5-9 is past the file');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('bulwark eval against the scripted model', () => {
  const only = () => inRepo.flatMap((item) => ['--only', item.id]);

  it('a perfect answer scores 1.0, with no false positives on the clean cases', async () => {
    const json = join(mkdtempSync(join(tmpdir(), 'bulwark-eval-')), 'result.json');
    const { status, stdout } = await evaluate(['--cases', CASES, ...only(), '--json', json]);
    expect(status).toBe(0);
    expect(stdout).toContain('| Recall | 100.0% |');
    expect(stdout).toContain('| Precision | 100.0% |');
    expect(stdout).toContain('| F1 | 1.000 |');
    expect(stdout).toContain('| False-positive rate (clean cases) | 0.0% |');
    const result = JSON.parse(readFileSync(json, 'utf8')) as { scores: { recall: number; cases: number; labels: number; failedCases: number }[] };
    expect(result.scores[0]).toMatchObject({ recall: 1, cases: 16, labels: 11, failedCases: 0 });
  }, 60_000);

  it('an empty answer finds nothing', async () => {
    mode = 'empty';
    const { status, stdout } = await evaluate(['--cases', CASES, ...only()]);
    expect(status).toBe(0);
    expect(stdout).toContain('| Recall | 0.0% |');
    expect(stdout).toContain('| Recall, any finding on the lines | 0.0% |');
  }, 60_000);

  it('an answer on the wrong lines misses, and counts against precision', async () => {
    mode = 'wrong-line';
    const { stdout } = await evaluate(['--cases', CASES, '--only', 'planted-sql-injection', '--only', 'planted-token-logged']);
    expect(stdout).toContain('| Recall | 0.0% |');
    expect(stdout).toContain('| Precision | 0.0% |');
  });
});

describe('recipe cases', () => {
  it('fetch the package files once into the cache and review the reverse of the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulwark-recipe-'));
    mkdirSync(join(dir, 'cases', 'real-demo'), { recursive: true });
    writeFileSync(
      join(dir, 'cases', 'real-demo', 'case.yml'),
      [
        'title: demo 1.0.1 to 1.0.0',
        'kind: real',
        'source: a made-up advisory',
        'recipe: { package: demo-pkg, fixed: 1.0.1, vulnerable: 1.0.0, files: [lib/check.js], license: MIT }',
        'labels:',
        '  - { path: lib/check.js, lines: [2, 2], category: security, severity: high, description: the check is gone, source: a made-up advisory }',
      ].join('\n'),
    );
    const versions: Record<string, string> = {
      '1.0.1': 'function check(user) {\n  if (!user.admin) throw new Error("forbidden");\n  return true;\n}\n',
      '1.0.0': 'function check(user) {\n  return user.name.length > 0 || eval(user.expr);\n}\n',
    };
    const urls: string[] = [];
    const fakeFetch = (async (url: string | URL | Request) => {
      urls.push(String(url));
      const version = /demo-pkg-(.+)\.tgz$/.exec(String(url))?.[1] ?? '';
      return new Response(await tarball({ 'package/lib/check.js': versions[version] ?? '', 'package/README.md': 'x' }));
    }) as typeof fetch;
    scripted = [{ labels: [{ path: 'lib/check.js', lines: [2, 2], category: 'security', severity: 'high', description: 'the check is gone', source: 's' }], head: new Map([['lib/check.js', versions['1.0.0']!]]) }];
    try {
      const cache = join(dir, 'cache');
      const first = await evaluate(['--cases', join(dir, 'cases'), '--cache', cache], { fetch: fakeFetch });
      expect(first.stdout).toContain('| Recall | 100.0% |');
      expect(urls.sort()).toEqual(['https://registry.npmjs.org/demo-pkg/-/demo-pkg-1.0.0.tgz', 'https://registry.npmjs.org/demo-pkg/-/demo-pkg-1.0.1.tgz']);
      expect(readFileSync(join(cache, 'demo-pkg@1.0.0', 'lib', 'check.js'), 'utf8')).toBe(versions['1.0.0']);
      const second = await evaluate(['--cases', join(dir, 'cases'), '--cache', cache], { fetch: fakeFetch });
      expect(second.stdout).toContain('| Recall | 100.0% |');
      expect(urls).toHaveLength(2);
    } finally {
      scripted = inRepo.map((item) => ({ labels: item.spec.labels, head: item.head }));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function tarball(files: Record<string, string>): Promise<Uint8Array> {
  const pack = tar.pack();
  for (const [name, text] of Object.entries(files)) pack.entry({ name }, text);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return new Uint8Array(gzipSync(Buffer.concat(chunks)));
}
