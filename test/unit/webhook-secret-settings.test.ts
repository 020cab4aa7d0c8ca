import { describe, expect, it } from 'vitest';
import { readSettings } from '../../src/config/env.js';
import { settingsProblems } from '../helpers/settings-problems.js';

describe('WEBHOOK_SECRET', () => {
  // Probot verifies webhook signatures with WEBHOOK_SECRET and falls back to "development" without one: anyone
  // could sign a forged event with it.
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['blank', '   '],
    ["Probot's fallback", 'development'],
  ])('refuses to start when APP_ID is set and the secret is %s', (_label, secret) => {
    const problems = settingsProblems({ APP_ID: '123', WEBHOOK_SECRET: secret });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^WEBHOOK_SECRET: /);
    expect(problems[0]).toContain('forge');
  });

  it('lists the secret together with the other settings problems', () => {
    const problems = settingsProblems({ APP_ID: '123', BULWARK_CHUNK_TOKENS: 'lots' });
    expect(problems.map((problem) => problem.split(':')[0])).toEqual(expect.arrayContaining(['BULWARK_CHUNK_TOKENS', 'WEBHOOK_SECRET']));
    expect(problems).toHaveLength(2);
  });

  it('accepts a real secret with APP_ID', () => {
    expect(settingsProblems({ APP_ID: '123', WEBHOOK_SECRET: ['s3cr3t', 'value', 'of', 'the', 'app'].join('-') })).toEqual([]);
  });

  it("leaves Probot's setup flow alone: without APP_ID no secret is needed yet", () => {
    expect(settingsProblems({})).toEqual([]);
    expect(settingsProblems({ APP_ID: '', WEBHOOK_SECRET: 'development' })).toEqual([]);
  });
});

describe('BULWARK_METRICS_TOKEN', () => {
  it('is off by default, and an empty value counts as unset', () => {
    expect(readSettings({}).metricsToken).toBeUndefined();
    expect(readSettings({ BULWARK_METRICS_TOKEN: '' }).metricsToken).toBeUndefined();
  });

  it('is kept when set, and refused when too short to resist guessing', () => {
    const token = ['metrics', 'token', 'for', 'tests'].join('-');
    expect(readSettings({ BULWARK_METRICS_TOKEN: token }).metricsToken).toBe(token);
    expect(settingsProblems({ BULWARK_METRICS_TOKEN: 'short' })).toEqual([expect.stringMatching(/^BULWARK_METRICS_TOKEN: .*16/)]);
  });
});
