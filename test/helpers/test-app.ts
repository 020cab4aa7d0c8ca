import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { pino } from 'pino';
import type { Logger as PinoLogger } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import { createMemoryQueue } from '../../src/adapters/memory/memory-queue.js';
import { readSettings } from '../../src/config/env.js';
import type { Settings } from '../../src/config/env.js';
import { bulwark } from '../../src/index.js';
import type { BulwarkOptions } from '../../src/index.js';
import type { JobQueue } from '../../src/ports/job-queue.js';

/** A throwaway App key, generated per run: no key ever lives in the repo. */
export const TEST_PRIVATE_KEY = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
}).privateKey;

export const GITHUB = 'https://api.github.com';
export const ANTHROPIC = 'https://api.anthropic.com';

export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export function testSettings(env: Record<string, string> = {}): Settings {
  // One attempt and no SDK retries unless a test asks for them: a failure shows at once.
  return readSettings({ ANTHROPIC_API_KEY: 'test-key', BULWARK_MODEL_MAX_RETRIES: '0', BULWARK_JOB_ATTEMPTS: '1', BULWARK_RETRY_BACKOFF_MS: '10', ...env });
}

export interface TestApp {
  probot: Probot;
  queue: JobQueue;
  settings: Settings;
}

/** The real App, with Octokit's retry and throttling off so strict nock sees every request once. */
export async function createTestApp(
  options: BulwarkOptions & { env?: Record<string, string>; log?: PinoLogger; octokitRetry?: Record<string, unknown> } = {},
): Promise<TestApp> {
  const settings = options.settings ?? testSettings(options.env);
  const log = options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const queue = options.queue ?? createMemoryQueue({ concurrency: settings.concurrency, maxAttempts: settings.jobs.attempts, backoffMs: settings.jobs.backoffMs, log });
  const probot = new Probot({
    appId: 123,
    privateKey: TEST_PRIVATE_KEY,
    log,
    // A function, not an object: Probot's own defaults wrap this class and would override an object's `throttle`.
    // `octokitRetry` turns Octokit's retry plugin on (as in production) with the options given.
    Octokit: ProbotOctokit.defaults((octokitOptions: Record<string, unknown>) => ({
      ...octokitOptions,
      retry: options.octokitRetry ? { enabled: true, ...options.octokitRetry } : { enabled: false },
      throttle: { enabled: false },
    })),
  });
  await probot.load(bulwark({ ...options, settings, queue }), { cwd: process.cwd(), addHandler: () => undefined });
  return { probot, queue, settings };
}

/** A logger that keeps every line it writes, parsed, for tests that assert on what was logged. */
export function recordingLogger(level = 'debug'): { log: PinoLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

export function mockInstallationToken(installationId = 1): nock.Scope {
  return nock(GITHUB)
    .post(`/app/installations/${installationId}/access_tokens`)
    .reply(200, { token: 'ghs_test', permissions: { pull_requests: 'write', checks: 'write', contents: 'read' } });
}

export function setupNock(): void {
  nock.disableNetConnect();
}

export function assertNockDone(): void {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  if (pending.length > 0) throw new Error(`Unused HTTP mocks:\n${pending.join('\n')}`);
}
