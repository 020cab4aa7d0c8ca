import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DiffFile, Finding, Hunk } from '../../src/review/types.js';
import { SECRETS_RULE, maskSecretsInText, scanSecrets, type SecretScan } from '../../src/secrets/index.js';

// No real (or realistic-looking literal) secret is committed: every fake is built at test time from random bytes.
const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const DIGITS = '0123456789';

function randomFrom(alphabet: string, length: number): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

const fake = {
  awsAccessKeyId: () => `AKIA${randomFrom(UPPER_DIGITS, 16)}`,
  awsSecretAccessKey: () => randomFrom(BASE62, 40),
  githubToken: () => `ghp_${randomFrom(BASE62, 36)}`,
  slackToken: () => `xoxb-${randomFrom(DIGITS, 12)}-${randomFrom(DIGITS, 12)}-${randomFrom(BASE62, 24)}`,
  password: () => randomFrom(BASE62, 16),
  npmToken: () => `npm_${randomFrom(BASE62, 36)}`,
  stripeLiveKey: () => `sk_live_${randomFrom(BASE62, 24)}`,
  privateKeyPem: () =>
    generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey.trim(),
};

/** Rows start with '+', '-' or ' ' like a unified diff; line numbers are counted from the starts. */
function hunk(oldStart: number, newStart: number, rows: string[], section = ''): Hunk {
  let oldLine = oldStart;
  let newLine = newStart;
  const lines = rows.map((row) => {
    const text = row.slice(1);
    if (row.startsWith('+')) return { kind: 'add' as const, newLine: newLine++, text };
    if (row.startsWith('-')) return { kind: 'del' as const, oldLine: oldLine++, text };
    return { kind: 'context' as const, oldLine: oldLine++, newLine: newLine++, text };
  });
  const oldLines = oldLine - oldStart;
  const newLines = newLine - newStart;
  return { oldStart, oldLines, newStart, newLines, header: `@@ -${oldStart},${oldLines} +${newStart},${newLines} @@${section}`, lines };
}

function diffFile(path: string, ...hunks: Hunk[]): DiffFile {
  return { path, status: 'modified', additions: 0, deletions: 0, hunks };
}

/** Neither the value nor any 8-character piece of it appears anywhere in what was produced. */
function expectNoLeak(produced: unknown, ...secrets: string[]): void {
  const text = JSON.stringify(produced);
  const pieces = new Set<string>();
  for (let start = 0; start + 8 <= text.length; start += 1) pieces.add(text.slice(start, start + 8));
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThanOrEqual(8);
    for (let start = 0; start + 8 <= secret.length; start += 1) {
      expect(pieces.has(secret.slice(start, start + 8)), `an 8-character piece of a secret (at ${start}) leaked`).toBe(false);
    }
  }
}

function lineText(scan: SecretScan, path: string, newLine: number): string | undefined {
  const file = scan.files.find((candidate) => candidate.path === path);
  return file?.hunks.flatMap((h) => h.lines).find((line) => line.kind !== 'del' && line.newLine === newLine)?.text;
}

function onlyFinding(scan: SecretScan): Finding {
  expect(scan.findings).toHaveLength(1);
  return scan.findings[0] as Finding;
}

describe('scanSecrets: kinds the recommended preset detects', () => {
  const cases: { kind: string; secret: () => string; line: (secret: string) => string; masked: string; title: string }[] = [
    {
      kind: 'AWS access key id',
      secret: fake.awsAccessKeyId,
      line: (s) => `const accessKeyId = "${s}";`,
      masked: 'const accessKeyId = "[REDACTED secret: aws]";',
      title: 'Secret committed: AWS access key ID',
    },
    {
      kind: 'AWS secret access key',
      secret: fake.awsSecretAccessKey,
      line: (s) => `aws_secret_access_key = "${s}"`,
      masked: 'aws_secret_access_key = "[REDACTED secret: aws]"',
      title: 'Secret committed: AWS secret access key',
    },
    {
      kind: 'GitHub token',
      secret: fake.githubToken,
      line: (s) => `const token = '${s}';`,
      masked: "const token = '[REDACTED secret: github]';",
      title: 'Secret committed: GitHub token',
    },
    {
      kind: 'Slack token',
      secret: fake.slackToken,
      line: (s) => `SLACK_TOKEN=${s}`,
      masked: 'SLACK_TOKEN=[REDACTED secret: slack]',
      title: 'Secret committed: Slack token',
    },
    {
      kind: 'basic-auth URL',
      secret: fake.password,
      line: (s) => `const url = 'https://deploy:${s}@ci.example.com/hook';`,
      masked: "const url = '[REDACTED secret: basicauth]/hook';",
      title: 'Secret committed: URL with an embedded user name and password',
    },
    {
      kind: 'npm access token',
      secret: fake.npmToken,
      line: (s) => `NPM_TOKEN=${s}`,
      masked: 'NPM_TOKEN=[REDACTED secret: npm]',
      title: 'Secret committed: npm access token',
    },
    {
      kind: 'Stripe live secret key',
      secret: fake.stripeLiveKey,
      line: (s) => `stripe(${JSON.stringify(s)})`,
      masked: 'stripe("[REDACTED secret: stripe]")',
      title: 'Secret committed: Stripe live secret key',
    },
    {
      kind: 'PostgreSQL connection string',
      secret: fake.password,
      line: (s) => `DATABASE_URL=postgres://app:${s}@db.internal:5432/orders`,
      masked: 'DATABASE_URL=[REDACTED secret: database-connection-string]',
      title: 'Secret committed: PostgreSQL connection string with a password',
    },
  ];

  it.each(cases)('masks a $kind on an added line and reports it there', async ({ secret, line, masked, title }) => {
    const value = secret();
    const files = [diffFile('src/config.ts', hunk(40, 41, [' // settings', `+${line(value)}`, ' export {};']))];

    const scan = await scanSecrets({ files, title: 'Add settings', body: '' });

    expect(lineText(scan, 'src/config.ts', 42)).toBe(masked);
    expect(lineText(scan, 'src/config.ts', 41)).toBe('// settings');
    const finding = onlyFinding(scan);
    expect(finding).toMatchObject({
      path: 'src/config.ts',
      line: 42,
      side: 'RIGHT',
      severity: 'critical',
      category: 'security',
      rule: SECRETS_RULE,
      title,
    });
    expect(finding.body).toMatch(/rotate/);
    expect(finding.body).toMatch(/environment variable/);
    expect(scan.count).toBe(1);
    expectNoLeak(scan, value);
  });

  it('uses the security checklist id for secrets handling', () => {
    expect(SECRETS_RULE).toBe('SEC-DATA-3');
  });
});

describe('scanSecrets: masking', () => {
  it('leaves a clean diff, title and body exactly as they were', async () => {
    const files = [
      diffFile(
        'src/orders.ts',
        hunk(1, 1, [' import { db } from "./db.js";', '-const limit = 10;', '+const limit = Number(process.env.LIMIT ?? 10);', '+// naïve café ✓ 😀'], ' section'),
        hunk(30, 31, [' export function list() {', '+  return db.query("SELECT 1");', ' }']),
      ),
      diffFile('docs/empty.md'),
    ];
    const input = { files, title: 'Read the limit from the environment', body: 'No secrets here.\r\nJust text with ünïcödé.' };
    const before = structuredClone(input);

    const scan = await scanSecrets(input);

    expect(scan).toStrictEqual({ ...before, findings: [], count: 0 });
    expect(input).toStrictEqual(before);
  });

  it('handles no files and empty text', async () => {
    await expect(scanSecrets({ files: [], title: '', body: '' })).resolves.toStrictEqual({ files: [], title: '', body: '', findings: [], count: 0 });
  });

  it('masks every line of a multi-line private key and reports it once, at its first added line', async () => {
    const pem = fake.privateKeyPem();
    const keyLines = pem.split('\n');
    const files = [diffFile('deploy/id_rsa', hunk(0, 1, keyLines.map((line) => `+${line}`)))];

    const scan = await scanSecrets({ files, title: 't', body: '' });

    const lines = scan.files[0]?.hunks[0]?.lines ?? [];
    expect(lines).toHaveLength(keyLines.length);
    for (const line of lines) expect(line.text).toBe('[REDACTED secret: privatekey]');
    expect(onlyFinding(scan)).toMatchObject({ path: 'deploy/id_rsa', line: 1, side: 'RIGHT', severity: 'critical', title: 'Secret committed: private key' });
    expectNoLeak(scan, ...keyLines.filter((line) => !line.startsWith('-----')));
  });

  it('masks a private key inside a context line frame and reports it at the first added line it touches', async () => {
    const keyLines = fake.privateKeyPem().split('\n');
    const rows = [` ${keyLines[0]}`, ...keyLines.slice(1, -1).map((line) => `+${line}`), ` ${keyLines.at(-1)}`];
    const scan = await scanSecrets({ files: [diffFile('k.pem', hunk(5, 5, rows))], title: '', body: '' });

    for (const line of scan.files[0]?.hunks[0]?.lines ?? []) expect(line.text).toBe('[REDACTED secret: privatekey]');
    expect(onlyFinding(scan)).toMatchObject({ line: 6, side: 'RIGHT' });
  });

  it('masks a JSON-escaped private key on one line (a service-account file)', async () => {
    const pem = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey;
    const files = [diffFile('sa.json', hunk(0, 1, ['+{', `+  "private_key": ${JSON.stringify(pem)},`, '+  "client_email": "svc@example.iam.gserviceaccount.com"', '+}']))];

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(lineText(scan, 'sa.json', 2)).toBe('  "private_key": "[REDACTED secret: privatekey]\\n",');
    expect(onlyFinding(scan)).toMatchObject({ line: 2, title: 'Secret committed: private key' });
    expectNoLeak(scan, ...pem.split('\n').filter((line) => line.length >= 8 && !line.startsWith('-----')));
  });

  it('masks two secrets on one line and reports one finding per rule', async () => {
    const aws = fake.awsAccessKeyId();
    const github = fake.githubToken();
    const files = [diffFile('src/keys.ts', hunk(1, 1, [`+export const keys = { aws: '${aws}', github: '${github}' };`]))];

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(lineText(scan, 'src/keys.ts', 1)).toBe("export const keys = { aws: '[REDACTED secret: aws]', github: '[REDACTED secret: github]' };");
    expect(scan.findings.map((finding) => [finding.line, finding.title]).sort()).toEqual([
      [1, 'Secret committed: AWS access key ID'],
      [1, 'Secret committed: GitHub token'],
    ]);
    expect(scan.count).toBe(2);
    expectNoLeak(scan, aws);
    expectNoLeak(scan, github);
  });

  it('masks two secrets of the same rule on one line and reports the line once', async () => {
    const first = fake.githubToken();
    const second = fake.githubToken();
    const files = [diffFile('src/keys.ts', hunk(1, 1, [`+const tokens = ["${first}", "${second}"];`]))];

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(lineText(scan, 'src/keys.ts', 1)).toBe('const tokens = ["[REDACTED secret: github]", "[REDACTED secret: github]"];');
    expect(onlyFinding(scan)).toMatchObject({ line: 1, title: 'Secret committed: GitHub token' });
    expect(scan.count).toBe(2);
    expectNoLeak(scan, first);
    expectNoLeak(scan, second);
  });

  it('keeps offsets right around non-ASCII text (UTF-16 code units)', async () => {
    const token = fake.githubToken();
    const files = [
      diffFile('src/i18n.ts', hunk(1, 1, [' // 日本語のコメント 😀😀', `+const ключ = "${token}"; // ✓ café 😀`, ' // ende'])),
    ];

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(lineText(scan, 'src/i18n.ts', 1)).toBe('// 日本語のコメント 😀😀');
    expect(lineText(scan, 'src/i18n.ts', 2)).toBe('const ключ = "[REDACTED secret: github]"; // ✓ café 😀');
    expect(onlyFinding(scan).line).toBe(2);
  });

  it('masks the PR title and description without reporting them', async () => {
    const token = fake.githubToken();
    const slack = fake.slackToken();
    const scan = await scanSecrets({ files: [], title: `Rotate ${token}`, body: `Old one was\r\n${slack}\r\nthanks` });

    expect(scan.title).toBe('Rotate [REDACTED secret: github]');
    expect(scan.body).toBe('Old one was\r\n[REDACTED secret: slack]\r\nthanks');
    expect(scan.findings).toEqual([]);
    expect(scan.count).toBe(2);
    expectNoLeak(scan, token);
    expectNoLeak(scan, slack);
  });

  it('masks a value wherever else it appears in the PR, even where the pattern would not match', async () => {
    const secret = fake.awsSecretAccessKey();
    const files = [
      diffFile('.env.example', hunk(1, 1, [`+AWS_SECRET_ACCESS_KEY=${secret}`])),
      diffFile('src/aws.ts', hunk(3, 3, [` const fallback = "${secret}";`])),
    ];

    const scan = await scanSecrets({ files, title: '', body: `I used ${secret} for testing` });

    expect(lineText(scan, '.env.example', 1)).toBe('AWS_SECRET_ACCESS_KEY=[REDACTED secret: aws]');
    expect(lineText(scan, 'src/aws.ts', 3)).toBe('const fallback = "[REDACTED secret: aws]";');
    expect(scan.body).toBe('I used [REDACTED secret: aws] for testing');
    expect(onlyFinding(scan)).toMatchObject({ path: '.env.example', line: 1 });
    expectNoLeak(scan, secret);
  });

  it('masks a secret in a hunk header (its section line comes from the file)', async () => {
    const token = fake.githubToken();
    const files = [diffFile('src/a.ts', hunk(10, 10, [' a();', '+b();'], ` const TOKEN = "${token}";`))];

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(scan.files[0]?.hunks[0]?.header).toBe('@@ -10,1 +10,2 @@ const TOKEN = "[REDACTED secret: github]";');
    expect(scan.findings).toEqual([]);
    expectNoLeak(scan, token);
  });

  it('ignores secretlint-disable comments: a pull request cannot switch off its own masking', async () => {
    const token = fake.githubToken();
    const files = [
      diffFile('src/a.ts', hunk(1, 1, ['+// secretlint-disable-next-line', `+const token = "${token}";`, '+/* secretlint-disable */', `+const again = "${fake.githubToken()}";`])),
    ];

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(lineText(scan, 'src/a.ts', 2)).toBe('const token = "[REDACTED secret: github]";');
    expect(lineText(scan, 'src/a.ts', 4)).toBe('const again = "[REDACTED secret: github]";');
    expect(scan.findings.map((finding) => finding.line)).toEqual([2, 4]);
  });

  it('masks an npm _authToken in .npmrc whole (secretlint reports a range shifted off the token)', async () => {
    const token = randomFrom(BASE62, 32);
    const files = [diffFile('.npmrc', hunk(1, 1, [' registry=https://registry.example.com/', `+//registry.example.com/:_authToken=${token}`]))];

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(lineText(scan, '.npmrc', 2)).toBe('//registry.example.com/:_authToken=[REDACTED secret: npm]');
    expect(onlyFinding(scan)).toMatchObject({ line: 2, title: 'Secret committed: npm auth token in .npmrc' });
    expectNoLeak(scan, token);
  });

  it('masks the whole AWS secret access key even when far from the start of its match', async () => {
    const secret = fake.awsSecretAccessKey();
    const files = [diffFile('config.yml', hunk(1, 1, [`+"aws_secret_access_key"        :          "${secret}"`]))];

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(lineText(scan, 'config.yml', 1)).toBe('"aws_secret_access_key"        :          "[REDACTED secret: aws]"');
    expectNoLeak(scan, secret);
  });

  it('finds secrets in each of many files (batched) at the right file and line', async () => {
    const tokens: string[] = [];
    const files = Array.from({ length: 60 }, (_, index) => {
      const token = fake.githubToken();
      tokens.push(token);
      const rows = Array.from({ length: index % 7 }, (__, row) => `+line ${row} of file ${index}`);
      return diffFile(`src/f${index}.ts`, hunk(1, 1, [' top', ...rows, `+const t = "${token}";`, '-removed', ' bottom']));
    });
    // A file larger than one lint batch, with its secret at the very end.
    const big = Array.from({ length: 6000 }, (_, row) => `+  const value${row} = compute(${row}); // padding padding padding padding`);
    const bigToken = fake.githubToken();
    files.push(diffFile('src/big.ts', hunk(0, 1, [...big, `+const t = "${bigToken}";`])));

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(scan.findings).toHaveLength(61);
    files.forEach((file, index) => {
      const expectedLine = index < 60 ? 2 + (index % 7) : 6001;
      expect(scan.findings.find((finding) => finding.path === file.path)?.line).toBe(expectedLine);
      expect(lineText(scan, file.path, expectedLine)).toBe('const t = "[REDACTED secret: github]";');
    });
    expectNoLeak(scan, ...tokens, bigToken);
  });

  it('returns the unaffected files, hunks and lines as they were', async () => {
    const clean = diffFile('src/clean.ts', hunk(1, 1, ['+ok();']));
    const otherHunk = hunk(50, 50, ['+fine();']);
    const dirty = diffFile('src/dirty.ts', hunk(1, 1, [' a();', `+const t = "${fake.githubToken()}";`]), otherHunk);

    const scan = await scanSecrets({ files: [clean, dirty], title: '', body: '' });

    expect(scan.files[0]).toBe(clean);
    expect(scan.files[1]).not.toBe(dirty);
    expect(scan.files[1]?.hunks[1]).toBe(otherHunk);
    expect(scan.files[1]?.hunks[0]?.lines[0]).toBe(dirty.hunks[0]?.lines[0]);
  });
});

describe('scanSecrets: deleted and context lines', () => {
  it('masks a removed secret and reports it as high on the LEFT side', async () => {
    const token = fake.githubToken();
    const files = [diffFile('src/client.ts', hunk(7, 7, [' const client = create({', `-  token: "${token}",`, '+  token: process.env.GITHUB_TOKEN,', ' });']))];

    const scan = await scanSecrets({ files, title: '', body: '' });

    const deleted = scan.files[0]?.hunks[0]?.lines.find((line) => line.kind === 'del');
    expect(deleted?.text).toBe('  token: "[REDACTED secret: github]",');
    expect(onlyFinding(scan)).toMatchObject({
      path: 'src/client.ts',
      line: 8,
      side: 'LEFT',
      severity: 'high',
      category: 'security',
      rule: SECRETS_RULE,
      title: 'Removed secret is still in history: GitHub token',
    });
    expect(onlyFinding(scan).body).toMatch(/rotate/);
    expectNoLeak(scan, token);
  });

  it('reports a moved secret once, as committed, not as removed', async () => {
    const token = fake.githubToken();
    const files = [diffFile('src/client.ts', hunk(1, 1, [`-const a = "${token}";`, ' x();', `+const b = "${token}";`]))];

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(onlyFinding(scan)).toMatchObject({ line: 2, side: 'RIGHT', severity: 'critical' });
    expect(scan.files[0]?.hunks[0]?.lines.map((line) => line.text)).toEqual([
      'const a = "[REDACTED secret: github]";',
      'x();',
      'const b = "[REDACTED secret: github]";',
    ]);
    expectNoLeak(scan, token);
  });

  it('masks a secret that is only on a context line without reporting it (it predates the PR)', async () => {
    const token = fake.githubToken();
    const files = [diffFile('src/legacy.ts', hunk(1, 1, [` const legacy = "${token}";`, '+next();']))];

    const scan = await scanSecrets({ files, title: '', body: '' });

    expect(lineText(scan, 'src/legacy.ts', 1)).toBe('const legacy = "[REDACTED secret: github]";');
    expect(scan.findings).toEqual([]);
    expect(scan.count).toBe(1);
    expectNoLeak(scan, token);
  });
});

describe('maskSecretsInText', () => {
  it('masks every secret in a text and counts them', async () => {
    const token = fake.githubToken();
    const aws = fake.awsAccessKeyId();
    const pem = fake.privateKeyPem();
    const text = `fix: use ${token}\n\nAlso ${aws}\n${pem}\nend`;

    const result = await maskSecretsInText(text);

    expect(result).toEqual({
      text: 'fix: use [REDACTED secret: github]\n\nAlso [REDACTED secret: aws]\n[REDACTED secret: privatekey]\nend',
      count: 3,
    });
    expectNoLeak(result, token);
    expectNoLeak(result, aws);
  });

  it('returns clean text unchanged', async () => {
    await expect(maskSecretsInText('chore: bump deps ✓')).resolves.toEqual({ text: 'chore: bump deps ✓', count: 0 });
    await expect(maskSecretsInText('')).resolves.toEqual({ text: '', count: 0 });
  });
});
