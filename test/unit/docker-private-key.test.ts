import { execFile } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { getPrivateKey } from '@probot/get-private-key';
import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { settingsProblems } from '../helpers/settings-problems.js';

const run = promisify(execFile);
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
// A throwaway key made at test time: no key ever lives in the repo.
const PEM = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey.trim();

/**
 * What `docker run --env-file` makes of a file (docs.docker.com, "Set environment variables"): one `NAME=value` per
 * line, taken literally (quotes kept, no escapes); `#` lines and blank lines skipped; a line without `=` names a
 * variable to copy from the host, which here has none.
 */
function dockerEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim() || line.startsWith('#')) continue;
    const at = line.indexOf('=');
    if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
  }
  return env;
}

/** The README's shell commands of the "Docker and the private key" section, in order. */
function readmeCommands(): string[] {
  const section = README.slice(README.indexOf('## Docker and the private key'), README.indexOf('## Troubleshooting'));
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => (match[1] ?? '').replace(/\\\n\s*/g, ''));
}

function workspace(dotenv: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-docker-'));
  writeFileSync(join(dir, '.env'), dotenv);
  writeFileSync(join(dir, 'bulwark.private-key.pem'), `${PEM}\n`);
  return dir;
}

const MULTI_LINE_DOTENV = `APP_ID=123\nWEBHOOK_SECRET=${['web', 'hook', 'secret'].join('-')}\nPRIVATE_KEY="${PEM}"\nANTHROPIC_API_KEY=${['test', 'key'].join('-')}\n`;

describe('Docker and the private key', () => {
  it('a key over several lines reaches the container cut to its first line, and the App says how to fix it', () => {
    const env = dockerEnvFile(MULTI_LINE_DOTENV);
    expect(env.PRIVATE_KEY).toBe('"-----BEGIN RSA PRIVATE KEY-----');
    const problems = settingsProblems(env);
    expect(problems).toEqual([expect.stringMatching(/^PRIVATE_KEY: holds only the first line .*PRIVATE_KEY_PATH/)]);
  });

  it('the README\'s env file without the key, plus the mounted file in PRIVATE_KEY_PATH, gives Probot the whole key', async () => {
    const [filter] = readmeCommands();
    const dir = workspace(MULTI_LINE_DOTENV);
    await run('sh', ['-c', (filter ?? '').split('\n')[0] ?? ''], { cwd: dir });
    const env = dockerEnvFile(readFileSync(join(dir, '.env.docker'), 'utf8'));
    expect(Object.keys(env).sort()).toEqual(['ANTHROPIC_API_KEY', 'APP_ID', 'WEBHOOK_SECRET']);
    const key = getPrivateKey({ env: { ...env, PRIVATE_KEY_PATH: join(dir, 'bulwark.private-key.pem') } });
    expect(key?.trim()).toBe(PEM);
    expect(() => readSettings(env)).not.toThrow();
  });

  it('the README\'s one-line key survives --env-file and Probot reads it back as the PEM', async () => {
    const [, oneLine] = readmeCommands();
    const dir = workspace('');
    await run('sh', ['-c', oneLine ?? ''], { cwd: dir });
    const env = dockerEnvFile(readFileSync(join(dir, '.env.docker'), 'utf8'));
    expect(env.PRIVATE_KEY).not.toContain('\n');
    const key = getPrivateKey({ env }) ?? '';
    expect(key.trim()).toBe(PEM);
    expect(createPrivateKey(key).asymmetricKeyType).toBe('rsa');
  });
});
