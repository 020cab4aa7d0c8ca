import { beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/context/snapshot.js';
import { createToolExecutor, executeTool } from '../../src/context/tools.js';
import { fakeSecret, leakedPieces } from '../helpers/fake-secrets.js';

/**
 * The reproduction, at the tools: a changed file and an unchanged one with planted secrets, a `.env`, a
 * private key file and a file the repo config excludes. Nothing of a secret may come out of Read, Grep or Glob.
 */

const secrets = {
  github: fakeSecret.githubToken(),
  aws: fakeSecret.awsAccessKeyId(),
  slack: fakeSecret.slackToken(),
  stripe: fakeSecret.stripeLiveKey(),
  envPassword: fakeSecret.password(),
  pem: fakeSecret.privateKeyPem(),
  excluded: fakeSecret.githubToken(),
};
const all = Object.values(secrets);

let snapshot: Snapshot;

function text(content: string) {
  return { size: content.length, binary: false, text: content };
}

beforeAll(() => {
  snapshot = {
    truncated: false,
    refused: [],
    files: new Map([
      ['src/client.ts', text(`import { Octokit } from "octokit";\nconst token = "${secrets.github}";\nexport const client = new Octokit({ auth: token });\n`)],
      ['src/aws.ts', text(`export const region = "eu-west-1";\nexport const accessKeyId = "${secrets.aws}";\n`)],
      ['src/notify.ts', text(`const slack = "${secrets.slack}";\nexport const stripe = "${secrets.stripe}";\n`)],
      ['src/keys.ts', text(`export const key = \`\n${secrets.pem}\n\`;\nexport const after = 1;\n`)],
      ['.env', text(`DATABASE_PASSWORD=${secrets.envPassword}\nPORT=3000\n`)],
      ['config/production.env', text(`DB_PASSWORD=${secrets.envPassword}\n`)],
      ['deploy/server.pem', text(`${secrets.pem}\n`)],
      ['deploy/id_rsa', text(`${secrets.pem}\n`)],
      ['gcp/credentials.json', text('{ "type": "service_account" }\n')],
      ['generated/client.ts', text(`export const token = "${secrets.excluded}"; // generated\n`)],
      ['README.md', text('# Shop\nRun with PORT=3000.\n')],
    ]),
  };
});

const options = { exclude: ['generated/**'] };
const run = (name: string, input: unknown) => executeTool(snapshot, name, input, options);

describe('Read masks secrets', () => {
  it('shows a file with its secrets replaced by the diff placeholders, and counts them', async () => {
    const result = await run('Read', { path: 'src/client.ts' });

    expect(result.isError).toBe(false);
    expect(result.content).toContain('2\tconst token = "[REDACTED secret: github]";');
    expect(result.content).toContain('3\texport const client = new Octokit({ auth: token });');
    expect(result.masked).toBe(1);
    expect(leakedPieces(result, all)).toEqual([]);
  });

  it('masks every line of a multi-line private key, keeping the line numbers', async () => {
    const result = await run('Read', { path: 'src/keys.ts' });
    const lines = result.content.split('\n');
    const keyLines = secrets.pem.split('\n').length;

    expect(lines).toHaveLength(keyLines + 3);
    expect(lines.at(-1)).toBe(`${keyLines + 3}\texport const after = 1;`);
    expect(leakedPieces(result, all)).toEqual([]);
    expect(result.masked).toBeGreaterThanOrEqual(1);
  });

  it('masks what a window of lines shows, and counts only what it shows', async () => {
    expect(await run('Read', { path: 'src/aws.ts', limit: 1 })).toMatchObject({ isError: false, masked: 0 });
    const second = await run('Read', { path: 'src/aws.ts', offset: 2 });
    expect(second.content).toBe('2\texport const accessKeyId = "[REDACTED secret: aws]";\n[lines 2-2 of 2]');
    expect(second.masked).toBe(1);
  });

  it('counts nothing for a clean file', async () => {
    expect(await run('Read', { path: 'README.md' })).toEqual({ isError: false, masked: 0, content: '1\t# Shop\n2\tRun with PORT=3000.' });
  });
});

describe('files that are secrets by nature, or excluded by the repo config, are refused', () => {
  it.each([['.env'], ['config/production.env'], ['deploy/server.pem'], ['deploy/id_rsa'], ['gcp/credentials.json']])('refuses to Read %s', async (path) => {
    const result = await run('Read', { path });

    expect(result.isError).toBe(true);
    expect(result.content).toBe(`${path} is not readable: it is a file that holds secrets by nature (keys, certificates, credentials, environment files).`);
    expect(leakedPieces(result, all)).toEqual([]);
  });

  it('refuses to Read a file that paths.exclude excludes', async () => {
    const result = await run('Read', { path: 'generated/client.ts' });

    expect(result).toEqual({ isError: true, masked: 0, content: 'generated/client.ts is not readable: the repository\'s configuration excludes it from review (paths.exclude).' });
  });

  it('refuses them through the executor as well', async () => {
    const execute = createToolExecutor(snapshot, ['Read'], options);

    expect((await execute('Read', { path: '.env' })).isError).toBe(true);
    expect((await execute('Read', { path: 'generated/client.ts' })).isError).toBe(true);
  });

  it('never shows their lines in Grep results, and says so', async () => {
    const result = await run('Grep', { pattern: 'PASSWORD|token|KEY' });

    expect(result.content).not.toMatch(/^(\.env|config\/production\.env|deploy\/|gcp\/|generated\/)/m);
    expect(result.content).toContain('src/client.ts:2: const token = "[REDACTED secret: github]";');
    expect(result.content).toContain('[6 file(s) not searched: they hold secrets by nature or paths.exclude excludes them]');
    expect(leakedPieces(result, all)).toEqual([]);
  });

  it('refuses a Grep aimed at one of them', async () => {
    expect(await run('Grep', { pattern: 'PASSWORD', path: '.env' })).toMatchObject({ isError: true, content: expect.stringContaining('.env is not readable') });
    expect(await run('Grep', { pattern: 'token', path: 'generated' })).toMatchObject({ isError: true, content: expect.stringContaining('paths.exclude') });
  });

  it('lists them in Glob marked as not readable', async () => {
    const result = await run('Glob', { pattern: '**' });
    const lines = result.content.split('\n');

    expect(lines).toContain('.env (not readable: holds secrets by nature)');
    expect(lines).toContain('deploy/server.pem (not readable: holds secrets by nature)');
    expect(lines).toContain('generated/client.ts (not readable: excluded by paths.exclude)');
    expect(lines).toContain('src/client.ts');
    expect(lines).toContain('README.md');
  });
});

describe('Grep masks secrets', () => {
  it('prints matched lines from the masked text and counts the secrets it masked', async () => {
    const result = await run('Grep', { pattern: 'const', path: 'src' });

    expect(result.isError).toBe(false);
    expect(result.content).toContain('src/aws.ts:2: export const accessKeyId = "[REDACTED secret: aws]";');
    expect(result.content).toContain('src/notify.ts:1: const slack = "[REDACTED secret: slack]";');
    expect(result.content).toContain('src/notify.ts:2: export const stripe = "[REDACTED secret: stripe]";');
    expect(result.masked).toBe(4);
    expect(leakedPieces(result, all)).toEqual([]);
  });

  it('matches against the masked text, so a search cannot probe a secret character by character', async () => {
    const probe = secrets.github.slice(0, 6);
    const result = await run('Grep', { pattern: probe });
    const nothing = await run('Grep', { pattern: 'zzz_not_in_any_file' });

    // The same answer as for a pattern that is nowhere: nothing tells that a secret matched.
    expect(result).toEqual(nothing);
    expect(result.content).toMatch(/^No matches in 5 file\(s\)\./);
    expect(await run('Grep', { pattern: 'ghp_[A-Za-z0-9]+' })).toMatchObject({ isError: false, content: expect.stringMatching(/^No matches/) });
  });

  it('masks private key lines found by a search', async () => {
    const result = await run('Grep', { pattern: '^[A-Za-z0-9+/=]{40,}$' });

    expect(leakedPieces(result, all)).toEqual([]);
  });
});

describe('Grep bounds the masking work of one call', () => {
  it('shows matches from the files that fit the masking budget, in order, and says how many more matched', async () => {
    const files = new Map(['a.ts', 'b.ts', 'c.ts'].map((path) => [path, text(`const hit = 1;\n${'x'.repeat(80)}\n`)] as const));
    const small: Snapshot = { files, truncated: false, refused: [] };

    const result = await executeTool(small, 'Grep', { pattern: 'hit' }, { grepMaxMaskedChars: 200 });

    expect(result.content).toBe(
      'a.ts:1: const hit = 1;\nb.ts:1: const hit = 1;\n[matches in 1 more file(s) not shown (too much to check for secrets in one call); narrow the search with path or glob]',
    );
    expect((await executeTool(small, 'Grep', { pattern: 'hit' }, { grepMaxMaskedChars: 1 })).content).toContain('a.ts:1: const hit = 1;\n[matches in 2 more file(s)');
  });
});
