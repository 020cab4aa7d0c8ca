import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quietKnownNoise } from '../../src/adapters/logging/quiet-known-noise.js';
import { startupLine } from '../../src/config/startup-line.js';
import { createTestApp, recordingLogger, testSettings } from '../helpers/test-app.js';

beforeEach(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
});
afterEach(() => nock.enableNetConnect());

describe('the start line', () => {
  it('is logged once, naming queue, provider, default model, agent source and budgets', async () => {
    const { log, lines } = recordingLogger('info');
    await createTestApp({ log });
    const started = lines.filter((line) => String(line.msg).startsWith('Bulwark started'));
    expect(started).toHaveLength(1);
    expect(started[0]?.msg).toMatch(/queue: in-process.*provider: Anthropic API.*default model: claude-sonnet-5-5.*agents: .*bundled backend-specialist.*budgets: 400,000 input tokens per review, 20,000,000 tokens per installation and day/);
  });

  it('names Redis without its password, and the cloud with its region', () => {
    const password = ['s3', 'cret'].join('');
    const line = startupLine(testSettings({ REDIS_URL: `redis://:${password}@cache:6379`, BULWARK_PROVIDER: 'bedrock', AWS_REGION: 'eu-west-1' }));
    expect(line).toContain('queue: Redis (BullMQ, cache:6379, prefix bulwark)');
    expect(line).toContain('provider: Amazon Bedrock (eu-west-1)');
    expect(line).not.toContain(password);
  });
});

describe('a webhook with a bad signature', () => {
  it('writes one warning, without the payload or a stack trace, and is refused', async () => {
    const { log, lines } = recordingLogger('debug');
    const { probot } = await createTestApp({ log });
    const middleware = await probot.getNodeMiddleware();
    const server = createServer((req, res) => void middleware(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const before = lines.length;
    const marker = 'PAYLOAD-MARKER-7f3a';
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': 'delivery-1', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      body: JSON.stringify({ action: 'opened', marker }),
    });
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const written = lines.slice(before).filter((line) => Number(line.level) >= 40);

    expect(response.status).toBe(400);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ level: 40, delivery: 'delivery-1', event: 'issues' });
    expect(written[0]?.msg).toMatch(/signature does not match WEBHOOK_SECRET/);
    expect(JSON.stringify(lines.slice(before))).not.toContain(marker);
    expect(JSON.stringify(written)).not.toMatch(/\n\s+at /);
  });
});

describe("Probot's Redis reconnect errors", () => {
  it('are written at most once a minute per message, with how many were left out', () => {
    const { log, lines } = recordingLogger('info');
    let clock = 0;
    quietKnownNoise(log as never, () => clock);
    const child = log.child({ name: 'octokit' });
    for (let i = 0; i < 500; i += 1) {
      clock += 10;
      child.error(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { source: 'bottleneck' }));
    }
    expect(lines).toHaveLength(1);
    clock += 60_000;
    child.error(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { source: 'bottleneck' }));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ repeatsLeftOut: 499, name: 'octokit' });
    log.error(new Error('something else'));
    expect(lines).toHaveLength(3);
  });
});
