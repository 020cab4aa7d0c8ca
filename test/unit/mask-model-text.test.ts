import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/review/types.js';
import { maskModelText } from '../../src/secrets/mask-model-text.js';
import { fakeSecret, leakedPieces } from '../helpers/fake-secrets.js';
import { buildFinding } from '../helpers/build-finding.js';

const finding = (overrides: Partial<Finding> = {}): Finding => buildFinding({ line: 3, severity: 'high', category: 'security', title: 'SQL built from input', body: 'Use a parameterised query.', ...overrides });

describe('maskModelText', () => {
  it('masks secrets in the summary, checklist notes and every text field of the findings', async () => {
    const planted = [fakeSecret.githubToken(), fakeSecret.slackToken(), fakeSecret.stripeLiveKey(), fakeSecret.npmToken(), fakeSecret.awsAccessKeyId(), fakeSecret.githubToken()];
    const [a, b, c, d, e, f] = planted as [string, string, string, string, string, string];

    const masked = await maskModelText({
      summary: `The client is built with ${a}.`,
      checklist: [{ item: 'secrets', status: 'concern', note: `Token ${b} is inlined.` }],
      findings: [finding({ title: `Hard-coded ${c}`, body: `Line 3 holds ${d}.\nRotate it.`, suggestion: `const key = process.env.KEY; // was ${e}`, options: ['Keep it', `Move ${f} to the vault`] })],
    });

    expect(leakedPieces(masked, planted)).toEqual([]);
    expect(masked.summary).toBe('The client is built with [REDACTED secret: github].');
    expect(masked.checklist[0]).toEqual({ item: 'secrets', status: 'concern', note: 'Token [REDACTED secret: slack] is inlined.' });
    expect(masked.findings[0]).toMatchObject({ path: 'src/a.ts', line: 3, body: 'Line 3 holds [REDACTED secret: npm].\nRotate it.' });
    expect(masked.findings[0]?.options).toEqual(['Keep it', 'Move [REDACTED secret: github] to the vault']);
    expect(masked.count).toBe(6);
  });

  it('hands back the same texts, and counts nothing, when there is no secret', async () => {
    const input = { summary: 'Fine.', checklist: [{ item: 'x', status: 'ok' as const, note: '' }], findings: [finding()] };
    const masked = await maskModelText(input);

    expect(masked).toEqual({ ...input, count: 0 });
    expect(masked.findings[0]).toBe(input.findings[0]);
  });
});
