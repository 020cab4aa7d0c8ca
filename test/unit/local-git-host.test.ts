import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalGitHost } from '../../src/adapters/git/local-git-host.js';
import { loadSnapshot } from '../../src/context/snapshot.js';
import { parsePatch } from '../../src/review/parse-patch.js';

const ref = { installationId: 0, owner: 'local', repo: 'r', pullNumber: 1 };
let dir: string;
let base: string;
let head: string;

const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' }).trim();
const put = (path: string, text: string | Buffer) => {
  mkdirSync(dirname(join(dir, path)), { recursive: true });
  writeFileSync(join(dir, path), text);
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bulwark-git-host-'));
  git('init', '--quiet', '--initial-branch=main');
  put('src/a.ts', Array.from({ length: 20 }, (_, index) => `line ${index + 1}`).join('\n') + '\n');
  put('src/old name.ts', 'export const moved = 1;\n');
  put('src/gone.ts', 'export const gone = true;\n');
  put('.github/bulwark.yml', 'review:\n  max_comments: 5\n');
  put('.claude/agents/backend-specialist.md', '---\nname: backend-specialist\ndescription: d\n---\nReview.\n');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'base');
  base = git('rev-parse', 'HEAD');
  put('src/a.ts', Array.from({ length: 20 }, (_, index) => (index === 9 ? 'changed 10' : `line ${index + 1}`)).join('\n') + '\nadded 21\n');
  git('mv', 'src/old name.ts', 'src/new name.ts');
  git('rm', '--quiet', 'src/gone.ts');
  put('img.bin', Buffer.from([0, 1, 2, 0, 255, 0]));
  put('src/ünïcode.ts', 'export const x = 1;\n');
  // A pull request cannot change its own review: the head's config is not the one read.
  put('.github/bulwark.yml', 'review:\n  max_comments: 0\n');
  git('add', '--all');
  git('commit', '--quiet', '-m', 'head');
  head = git('rev-parse', 'HEAD');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the local git host', () => {
  it('lists the changed files with patches in the files API shape, which parse-patch reads', async () => {
    const { host } = createLocalGitHost({ repoDir: dir, baseSha: base, headSha: head, title: 't', repoName: 'r' });
    const files = await host.listFiles(ref);
    const byPath = new Map(files.map((file) => [file.path, file]));
    expect([...byPath.keys()].sort()).toEqual(['.github/bulwark.yml', 'img.bin', 'src/a.ts', 'src/gone.ts', 'src/new name.ts', 'src/ünïcode.ts']);
    const a = byPath.get('src/a.ts')!;
    expect(a).toMatchObject({ status: 'modified', additions: 2, deletions: 1 });
    expect(a.patch?.startsWith('@@ ')).toBe(true);
    const parsed = parsePatch(a)!;
    const added = parsed.hunks.flatMap((hunk) => hunk.lines).filter((line) => line.kind === 'add');
    expect(added.map((line) => [line.newLine, line.text])).toEqual([
      [10, 'changed 10'],
      [21, 'added 21'],
    ]);
    expect(byPath.get('src/new name.ts')).toMatchObject({ status: 'renamed', previousPath: 'src/old name.ts' });
    expect(byPath.get('src/new name.ts')?.patch).toBeUndefined();
    expect(byPath.get('src/gone.ts')).toMatchObject({ status: 'removed', deletions: 1 });
    expect(byPath.get('img.bin')).toMatchObject({ status: 'added' });
    expect(byPath.get('img.bin')?.patch).toBeUndefined();
    expect(parsePatch(byPath.get('src/ünïcode.ts')!)?.hunks[0]?.lines[0]).toMatchObject({ kind: 'add', newLine: 1 });
  });

  it('reads the config, agents and files from the base', async () => {
    const { host } = createLocalGitHost({ repoDir: dir, baseSha: base, headSha: head, title: 't', repoName: 'r' });
    expect(await host.readConfig(ref, 'bulwark.yml')).toEqual({ review: { max_comments: 5 } });
    const pr = await host.getPullRequest(ref);
    expect(pr.defaultBranch).toBe(base);
    expect(await host.listDirectory(ref, '.claude/agents', pr.defaultBranch)).toEqual([{ name: 'backend-specialist.md', type: 'file' }]);
    expect(await host.listDirectory(ref, '', base)).toContainEqual({ name: 'src', type: 'dir' });
    expect(await host.listDirectory(ref, 'missing', base)).toEqual([]);
    expect(await host.readFile(ref, 'src/gone.ts', base)).toBe('export const gone = true;\n');
    expect(await host.readFile(ref, 'src/gone.ts', head)).toBeUndefined();
    expect(await host.readFile(ref, 'src', base)).toBeUndefined();
  });

  it('reports an unparseable config as the App does (a config problem, not an outage)', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'bulwark-git-host-'));
    execFileSync('git', ['init', '--quiet'], { cwd: broken });
    mkdirSync(join(broken, '.github'));
    writeFileSync(join(broken, '.github/bulwark.yml'), 'review: [unclosed\n');
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'add', '--all'], { cwd: broken });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', '-c', 'commit.gpgsign=false', 'commit', '--quiet', '-m', 'b'], { cwd: broken });
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: broken, encoding: 'utf8' }).trim();
    const { host } = createLocalGitHost({ repoDir: broken, baseSha: sha, headSha: sha, title: 't', repoName: 'r' });
    await expect(host.readConfig(ref, 'bulwark.yml')).rejects.toMatchObject({ service: 'config', retryable: false, status: undefined });
    rmSync(broken, { recursive: true, force: true });
  });

  it('serves the head as an archive the snapshot reads, and refuses one over the cap', async () => {
    const { host } = createLocalGitHost({ repoDir: dir, baseSha: base, headSha: head, title: 't', repoName: 'r' });
    const download = await host.downloadTarball(ref, head, 10 * 1024 * 1024);
    expect(download.kind).toBe('archive');
    if (download.kind !== 'archive') return;
    const snapshot = await loadSnapshot(download.bytes);
    expect([...snapshot.files.keys()]).toContain('src/new name.ts');
    expect(snapshot.files.get('src/a.ts')?.text).toContain('changed 10');
    expect(snapshot.refused).toEqual([]);
    expect(await host.downloadTarball(ref, head, 10)).toEqual({ kind: 'too-large', maxBytes: 10 });
  });

  it('captures the review and check runs instead of posting them', async () => {
    const { host, capture } = createLocalGitHost({ repoDir: dir, baseSha: base, headSha: head, title: 't', repoName: 'r' });
    const { id } = await host.createCheckRun(ref, { name: 'Bulwark', headSha: head, externalId: 'x' });
    expect(await host.listCheckRuns(ref, head, 'Bulwark')).toMatchObject([{ id, status: 'in_progress', externalId: 'x' }]);
    await host.completeCheckRun(ref, id, { conclusion: 'success', output: { title: 'No findings', summary: 's' } });
    await host.createReview(ref, { commitId: head, body: 'b', event: 'COMMENT', comments: [] });
    expect(capture.checkRuns[0]?.completion?.conclusion).toBe('success');
    expect(capture.reviews).toHaveLength(1);
    expect(await host.listCheckRuns(ref, head, 'Bulwark')).toMatchObject([{ status: 'completed' }]);
  });
});
