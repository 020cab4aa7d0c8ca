import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { settingsProblems } from '../helpers/settings-problems.js';

describe('settings problems', () => {
  it('lists a malformed BULWARK_PRICES and REDIS_URL together with the other problems, each with the value given', () => {
    const problems = settingsProblems({ BULWARK_PRICES: '{not json', REDIS_URL: 'localhost:6379', BULWARK_CHUNK_TOKENS: 'lots' });
    expect(problems).toHaveLength(3);
    expect(problems.find((problem) => problem.startsWith('BULWARK_PRICES:'))).toContain('(given: "{not json")');
    expect(problems.find((problem) => problem.startsWith('REDIS_URL:'))).toMatch(/redis:\/\/ or rediss:\/\/.*\(given: "localhost:6379"\)/);
    expect(problems.find((problem) => problem.startsWith('BULWARK_CHUNK_TOKENS:'))).toContain('(given: "lots")');
  });

  it('never shows a secret: REDIS_URL without its password, the metrics token not at all', () => {
    const password = ['hunter', '2', 'pass'].join('');
    const token = ['short', 'tok'].join('');
    const problems = settingsProblems({ REDIS_URL: `http://user:${password}@cache:6379`, BULWARK_METRICS_TOKEN: token }).join('\n');
    expect(problems).toContain('REDIS_URL');
    expect(problems).toContain('BULWARK_METRICS_TOKEN');
    expect(problems).not.toContain(password);
    expect(problems).not.toContain(token);
  });

  it('accepts redis:// and rediss:// URLs', () => {
    expect(readSettings({ REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(readSettings({ REDIS_URL: 'rediss://cache.example.com:6380/0' }).redisUrl).toBe('rediss://cache.example.com:6380/0');
  });

  it('says how to fix a private key cut to its first line by docker --env-file, without showing it', () => {
    const firstLine = ['"-----BEGIN RSA', 'PRIVATE KEY-----'].join(' ');
    const problems = settingsProblems({ PRIVATE_KEY: firstLine });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PRIVATE_KEY: .*docker run --env-file.*PRIVATE_KEY_PATH/);
    expect(problems[0]).not.toContain(firstLine);
  });
});
