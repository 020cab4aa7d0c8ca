import { pino } from 'pino';
import { run } from 'probot';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SettingsError } from '../../src/config/env.js';
import { bulwark } from '../../src/index.js';
import { freePort } from '../helpers/replicas.js';
import { TEST_PRIVATE_KEY } from '../helpers/test-app.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

/** What `npm start` does (src/main.ts): Probot's run() with the App, settings from the environment. */
async function start(env: Record<string, string | undefined>) {
  vi.stubEnv('HOST', '127.0.0.1');
  // Probot's server turns port 0 into 3000: a free port, should it start at all.
  vi.stubEnv('PORT', String(await freePort()));
  vi.stubEnv('REDIS_URL', undefined);
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const started = run(bulwark(), { env: { ...process.env }, log: pino({ level: 'silent' }) as never });
  return started.then(
    async (server) => {
      await server.stop();
      return undefined;
    },
    (error: unknown) => error,
  );
}

describe('starting the App', () => {
  it.each([
    ['missing', undefined],
    ['"development"', 'development'],
  ])('refuses to start, before taking any webhook, when WEBHOOK_SECRET is %s', async (_label, secret) => {
    const error = await start({ APP_ID: '123', PRIVATE_KEY: TEST_PRIVATE_KEY, WEBHOOK_SECRET: secret, ANTHROPIC_API_KEY: 'test-key' });

    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).problems).toEqual([expect.stringMatching(/^WEBHOOK_SECRET: .*forge/)]);
  });
});
