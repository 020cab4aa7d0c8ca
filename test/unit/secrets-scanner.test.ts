import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findSecrets, lintKindForPath, type ScanLines, type ScanText } from '../../src/secrets/secretlint-scanner.js';
import { placeholder, ruleShortName, secretKind } from '../../src/secrets/secret-kinds.js';

// Fakes are built at test time; nothing secret-looking is committed.
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const githubToken = (): string => `ghp_${[...randomBytes(36)].map((byte) => BASE62[byte % 62]).join('')}`;
const privateKeyPem = (): string =>
  generateKeyPairSync('rsa', {
    modulusLength: 1024,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey.trim();

const plain = (text: string): ScanText => ({ text, kind: 'plain' });

describe('findSecrets', () => {
  it('returns spans as offsets into each text, parallel to the input', async () => {
    const token = githubToken();
    const texts = [plain('nothing here'), plain(''), plain(`a\nb = "${token}"`), plain(`${token} ${token}`)];

    const results = await findSecrets(texts);

    expect(results).toHaveLength(4);
    expect(results[0]).toEqual([]);
    expect(results[1]).toEqual([]);
    expect(results[2]).toEqual([
      { spans: [{ start: 7, end: 7 + token.length }], ruleId: '@secretlint/secretlint-rule-github', messageId: 'GITHUB_TOKEN', values: [token] },
    ]);
    expect(results[3]?.map((match) => match.spans)).toEqual([
      [{ start: 0, end: token.length }],
      [{ start: token.length + 1, end: 2 * token.length + 1 }],
    ]);
  });

  it('does not let a match run from one text into the next', async () => {
    const pem = privateKeyPem();
    // A lone BEGIN line in one text must not swallow the real key in the next (the PEM pattern is lazy).
    const texts = [plain('-----BEGIN RSA PRIVATE KEY-----'), plain(pem), plain('-----END RSA PRIVATE KEY-----')];

    const results = await findSecrets(texts);

    expect(results[0]).toEqual([]);
    expect(results[2]).toEqual([]);
    expect(results[1]?.map((match) => [match.messageId, match.spans])).toEqual([['PrivateKey', [{ start: 0, end: pem.length }]]]);
  });

  it('keeps offsets right when a text starts with a byte-order mark', async () => {
    const token = githubToken();
    const text = `\uFEFFx=${token}`;

    const [matches] = await findSecrets([plain(text)]);

    const span = matches?.[0]?.spans[0];
    expect(span && text.slice(span.start, span.end)).toBe(token);
  });

  it('corrects the range of rules that report the match start with the value length', async () => {
    const secret = [...randomBytes(40)].map((byte) => BASE62[byte % 62]).join('');
    const text = `aws_secret_access_key = "${secret}"`;

    const [matches] = await findSecrets([plain(text)]);

    expect(matches?.map((match) => match.spans.map((span) => text.slice(span.start, span.end)))).toEqual([[secret]]);
  });

  it('reports AWS access key ids but not account ids', async () => {
    const keyId = `AKIA${[...randomBytes(16)].map((byte) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'[byte % 32]).join('')}`;

    const [matches] = await findSecrets([plain(`aws_account_id = "1234-5678-9012"\naccess_key_id = "${keyId}"`)]);

    expect(matches?.map((match) => match.messageId)).toEqual(['AWSAccessKeyID']);
  });

  it("ignores AWS's documentation example access key id, as the preset does", async () => {
    const [matches] = await findSecrets([plain('access_key_id = "AKIAIOSFODNN7EXAMPLE"')]);

    expect(matches).toEqual([]);
  });

  it('runs the npm .npmrc rule only for .npmrc files', async () => {
    const token = [...randomBytes(30)].map((byte) => BASE62[byte % 62]).join('');
    const text = `//registry.example.com/:_authToken=${token}`;

    const [asNpmrc, asPlain] = await findSecrets([
      { text, kind: lintKindForPath('config/.npmrc') },
      { text, kind: lintKindForPath('config/npmrc.txt') },
    ]);

    expect(asNpmrc?.map((match) => match.messageId)).toEqual(['Npmrc_authToken']);
    expect(asPlain).toEqual([]);
  });

  it('reads a text given as lines exactly as the joined text, batched with whole texts', async () => {
    const token = githubToken();
    const pem = privateKeyPem();
    const lines = ['const a = 1;', `const token = "${token}";`, '', ...pem.split('\n'), ''];
    const texts: (ScanText | ScanLines)[] = [plain(`x "${token}"`), { parts: lines, kind: 'plain' }, { parts: [], kind: 'plain' }, { parts: [''], kind: 'plain' }, plain(pem)];

    const asLines = await findSecrets(texts);
    const asText = await findSecrets(texts.map((entry) => ('parts' in entry ? plain(entry.parts.join('\n')) : entry)));

    expect(asLines).toEqual(asText);
    expect(asLines[1]?.map((match) => match.messageId).sort()).toEqual(['GITHUB_TOKEN', 'PrivateKey']);
    expect(asLines[2]).toEqual([]);
    expect(asLines[3]).toEqual([]);
  });

  it('batches many texts and still maps every match back', async () => {
    const tokens = Array.from({ length: 500 }, githubToken);
    const texts = tokens.map((token, index) => plain(`${'x'.repeat(index % 13)} "${token}" ${'y'.repeat(1000)}`));

    const results = await findSecrets(texts);

    results.forEach((matches, index) => {
      const span = matches[0]?.spans[0];
      expect(matches).toHaveLength(1);
      expect(span && texts[index]?.text.slice(span.start, span.end)).toBe(tokens[index]);
    });
  });
});

describe('lintKindForPath', () => {
  it('picks the file kinds secretlint treats specially, by base name only', () => {
    expect(lintKindForPath('.npmrc')).toBe('npmrc');
    expect(lintKindForPath('packages/a/.npmrc')).toBe('npmrc');
    expect(lintKindForPath('package.json')).toBe('package-json');
    expect(lintKindForPath('apps/web/package-lock.json')).toBe('package-json');
    expect(lintKindForPath('keys/service.p12')).toBe('plain');
    expect(lintKindForPath('src/package.json.ts')).toBe('plain');
  });
});

describe('secret kinds', () => {
  it('names rules and messages in plain words', () => {
    expect(ruleShortName('@secretlint/secretlint-rule-database-connection-string')).toBe('database-connection-string');
    expect(placeholder('@secretlint/secretlint-rule-github')).toBe('[REDACTED secret: github]');
    expect(secretKind('@secretlint/secretlint-rule-aws', 'AWSAccessKeyID')).toEqual({ name: 'AWS access key ID', what: 'an AWS access key ID' });
    expect(secretKind('@secretlint/secretlint-rule-new', 'SOMETHING_NEW')).toEqual({ name: 'new credential', what: 'a new credential' });
    expect(secretKind('@secretlint/secretlint-rule-x', 'toString').name).toBe('x credential');
  });
});
