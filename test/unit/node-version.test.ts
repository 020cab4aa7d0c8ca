import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem, REQUIRED_NODE } from '../../src/config/required-node.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

/** An older Node on this machine, if any (e.g. the system's Node 20): the checks are run on it for real. */
const OLD_NODE = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => existsSync(path) && path !== process.execPath);

async function nodeMajor(path: string): Promise<number> {
  const { stdout } = await run(path, ['-p', 'process.versions.node']);
  return Number(stdout.split('.')[0]);
}

describe('the required Node version', () => {
  it('names the required version in one line for an older Node, and nothing for a supported one', () => {
    expect(nodeVersionProblem('20.19.0')).toBe('Bulwark needs Node.js 22.12 or newer (24 LTS recommended; see .nvmrc); this is Node.js 20.19.0.');
    expect(nodeVersionProblem('22.11.0')).toMatch(/needs Node\.js 22\.12/);
    expect(nodeVersionProblem('22.12.0')).toBeUndefined();
    expect(nodeVersionProblem('24.1.0')).toBeUndefined();
  });

  it('is the one package.json engines asks for, installs refuse older ones (.npmrc), and .nvmrc picks a supported one', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    expect(engines).toBe(`>=${REQUIRED_NODE.major}.${REQUIRED_NODE.minor}`);
    expect(read('.npmrc')).toMatch(/^engine-strict=true$/m);
    expect(nodeVersionProblem(`${read('.nvmrc').trim()}.0.0`)).toBeUndefined();
  });

  it.skipIf(!OLD_NODE)('stops the CLI and the App on an older Node with that one line', async () => {
    const oldNode = OLD_NODE as string;
    if ((await nodeMajor(oldNode)) >= REQUIRED_NODE.major) return;
    for (const args of [['bin/bulwark.js', '--help'], ['--import', 'tsx', 'src/main.ts']]) {
      const failure = await run(oldNode, args, { cwd: root, env: { ...process.env, APP_ID: '' } }).then(
        () => undefined,
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
      expect(failure?.code).toBe(1);
      expect(failure?.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Bulwark needs Node\.js 22\.12 or newer .*this is Node\.js 20\./)]);
    }
  });
});
