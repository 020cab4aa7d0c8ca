import { createHmac } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAD, openedPayload, USERS_PATCH } from '../helpers/github-stand-in.js';
import { fakeSecret, leakedPieces } from '../helpers/fake-secrets.js';
import { finding, messageResponse, toolUseResponse } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../helpers/stand-ins/github-server.js';
import type { GitHubStandIn } from '../helpers/stand-ins/github-server.js';
import { buildTarball, TOP } from '../unit/context-fixtures.js';
import { serveApp } from '../helpers/serve-app.js';
import type { ServedApp } from '../helpers/serve-app.js';

const WEBHOOK_SECRET = 'e2e-context-secrets';

// Request bodies as the API received them: loosely typed on purpose, the assertions check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

/** Planted in the head commit: six in the two changed files, four in an unchanged one, and the secret files. */
const planted = {
  changedGithub: fakeSecret.githubToken(),
  changedAws: fakeSecret.awsAccessKeyId(),
  changedSlack: fakeSecret.slackToken(),
  changedStripe: fakeSecret.stripeLiveKey(),
  changedNpm: fakeSecret.npmToken(),
  changedPem: fakeSecret.privateKeyPem(),
  unchangedGithub: fakeSecret.githubToken(),
  unchangedAws: fakeSecret.awsAccessKeyId(),
  unchangedSlack: fakeSecret.slackToken(),
  unchangedStripe: fakeSecret.stripeLiveKey(),
  envPassword: fakeSecret.password(),
  envGithub: fakeSecret.githubToken(),
  productionPassword: fakeSecret.password(),
  pemFile: fakeSecret.privateKeyPem(),
  excluded: fakeSecret.githubToken(),
};
/** Written by the model into its answer (defence in depth: it never saw them, but what it writes is masked too). */
const written = { summary: fakeSecret.githubToken(), body: fakeSecret.stripeLiveKey(), suggestion: fakeSecret.awsAccessKeyId(), title: fakeSecret.slackToken() };

const PAYMENTS_PATCH = ['@@ -1,2 +1,3 @@', ' import { stripe } from "./stripe";', '+export const currency = "eur";', ' export const charge = stripe.charge;'].join('\n');

function usersFile(): string {
  const lines = Array.from({ length: 20 }, (_, i) => `// line ${i + 1}`);
  lines[1] = `const githubToken = "${planted.changedGithub}";`;
  lines[2] = `const awsKeyId = "${planted.changedAws}";`;
  lines[4] = `const slack = "${planted.changedSlack}";`;
  lines[9] = 'export function usersRoute(app) {';
  lines[10] = '  app.get("/users/:id", async (req, res) => {';
  lines[11] = '    const rows = await db.query(`SELECT * FROM users WHERE id = ${id}`);';
  return `${lines.join('\n')}\n`;
}

const CALLS = [
  { name: 'Read', input: { path: 'src/server/routes/users.ts' } },
  { name: 'Read', input: { path: 'src/server/payments.ts' } },
  { name: 'Read', input: { path: 'src/config/clients.ts' } },
  { name: 'Read', input: { path: '.env' } },
  { name: 'Read', input: { path: 'config/production.env' } },
  { name: 'Read', input: { path: 'deploy/server.pem' } },
  { name: 'Read', input: { path: 'generated/sdk.ts' } },
  { name: 'Grep', input: { pattern: 'token|key|secret|password|sk_live|xox|AKIA|ghp_|npm_', ignore_case: true } },
  { name: 'Grep', input: { pattern: 'BEGIN|^[A-Za-z0-9+/=]{40,}$' } },
  { name: 'Grep', input: { pattern: 'PASSWORD', path: '.env' } },
  { name: 'Glob', input: { pattern: '**' } },
];

/**
 * The reproduction, end to end through the real App and the local GitHub and model stand-ins: the model
 * Reads and Greps files holding planted secrets (changed and unchanged files, a .env, a .pem, an excluded file)
 * and writes secrets into its own answer. None of them reaches the model, and none is posted to GitHub.
 */
describe('secrets in the head commit and the context tools', () => {
  let github: GitHubStandIn;
  let model: AnthropicStandIn;
  let app: ServedApp;
  let appUrl: string;

  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    github = await startGitHubStandIn({
      owner: 'Codertocat',
      repo: 'Hello-World',
      pullNumber: 2,
      headSha: HEAD,
      baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      config: 'paths:\n  exclude: ["generated/**"]\n',
      files: [
        { filename: 'src/server/routes/users.ts', status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH },
        { filename: 'src/server/payments.ts', status: 'modified', additions: 1, deletions: 0, patch: PAYMENTS_PATCH },
      ],
      tarball: await buildTarball([
        { name: `${TOP}/src/server/routes/users.ts`, content: usersFile() },
        {
          name: `${TOP}/src/server/payments.ts`,
          content: `import { stripe } from "./stripe";\nexport const currency = "eur";\nexport const charge = stripe.charge;\nconst live = "${planted.changedStripe}";\nconst npm = "${planted.changedNpm}";\nexport const signingKey = \`\n${planted.changedPem}\n\`;\n`,
        },
        {
          name: `${TOP}/src/config/clients.ts`,
          content: `export const clients = {\n  github: "${planted.unchangedGithub}",\n  aws: "${planted.unchangedAws}",\n  slack: "${planted.unchangedSlack}",\n  stripe: "${planted.unchangedStripe}",\n};\n`,
        },
        { name: `${TOP}/.env`, content: `DATABASE_PASSWORD=${planted.envPassword}\nGITHUB_TOKEN=${planted.envGithub}\n` },
        { name: `${TOP}/config/production.env`, content: `DB_PASSWORD=${planted.productionPassword}\n` },
        { name: `${TOP}/deploy/server.pem`, content: `${planted.pemFile}\n` },
        { name: `${TOP}/generated/sdk.ts`, content: `export const token = "${planted.excluded}";\n` },
      ]),
    });
    model = await startAnthropicStandIn({
      respond: (request) => {
        if ((request.messages as unknown[]).length === 1) return { body: toolUseResponse(CALLS) };
        return {
          body: messageResponse({
            summary: `Adds a lookup route; the client uses ${written.summary}.`,
            findings: [
              finding({
                title: `SQL built from input near ${written.title}`,
                body: `The id reaches the query unescaped, next to ${written.body}.`,
                suggestion: `    const rows = await db.query("SELECT * FROM users WHERE id = $1", [id]); // ${written.suggestion}`,
              }),
            ],
          }),
        };
      },
    });
    app = await serveApp({ secret: WEBHOOK_SECRET, githubUrl: github.url, env: { ANTHROPIC_BASE_URL: model.url } });
    appUrl = app.url;
  });

  afterAll(async () => {
    await app.stop();
    await github.close();
    await model.close();
    nock.disableNetConnect();
  });

  it('sends none of the planted secrets to the model and posts none of them, nor those the model wrote', async () => {
    const body = JSON.stringify(openedPayload());
    const response = await fetch(`${appUrl}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'pull_request',
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(body).digest('hex')}`,
      },
      body,
    });
    expect(response.status).toBeLessThan(300);
    await app.runtime().queue.onIdle();

    // The model was asked twice: the PR, then the PR with the tool results.
    expect(model.requests).toHaveLength(2);
    const results = (model.requests[1]!.body as Body).messages[2].content as Body[];
    expect(results).toHaveLength(CALLS.length);
    const [users, payments, clients, env, production, pem, excluded, grepWords, grepKey, grepEnv, glob] = results as Body[];

    // Nothing of any planted secret in anything sent to the model.
    expect(leakedPieces(model.requests.map((request) => request.body), Object.values(planted))).toEqual([]);

    // The files were served, masked with the diff's placeholders; the secret files and the excluded one refused.
    expect(users!.content).toContain('2\tconst githubToken = "[REDACTED secret: github]";');
    expect(payments!.content).toContain('[REDACTED secret: privatekey]');
    expect(clients!.content).toContain('  stripe: "[REDACTED secret: stripe]",');
    for (const refused of [env, production, pem, excluded, grepEnv]) {
      expect(refused).toMatchObject({ is_error: true, content: expect.stringContaining('is not readable') });
    }
    expect(grepWords!.content).toContain('src/config/clients.ts:2:   github: "[REDACTED secret: github]",');
    expect(grepWords!.content).not.toMatch(/^(\.env|config\/production\.env|deploy\/|generated\/)/m);
    expect(grepKey!.content).not.toMatch(/^deploy\//m);
    expect(glob!.content).toContain('.env (not readable: holds secrets by nature)');
    expect(glob!.content).toContain('generated/sdk.ts (not readable: excluded by paths.exclude)');

    // Nothing posted to GitHub holds a planted secret or one the model wrote; the review and check were posted.
    const posted = github.requests.filter((request) => request.method !== 'GET').map((request) => request.body);
    expect(leakedPieces(posted, [...Object.values(planted), ...Object.values(written)])).toEqual([]);
    expect(github.reviews).toHaveLength(1);
    expect(JSON.stringify(github.reviews[0])).toContain('REDACTED secret: stripe');
    const check = github.checkRunStates().at(-1)!;
    expect(check.status).toBe('completed');
    expect(JSON.stringify(check.output)).toMatch(/\| Secrets masked in repository tool results \| \d+ \|/);
  });
});
