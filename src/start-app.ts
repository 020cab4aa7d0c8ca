import { run } from 'probot';
import { loadSdk, ProviderSdkMissingError } from './adapters/anthropic/create-provider-client.js';
import type { Runtime } from './composition.js';
import { SettingsError } from './config/env.js';
import { bulwark } from './index.js';

// A cloud provider's SDK is an optional dependency: a missing one stops the App now, not at the first review.
const provider = process.env.BULWARK_PROVIDER;
if (provider === 'bedrock' || provider === 'vertex') {
  await loadSdk(provider).catch((error: unknown) => {
    if (!(error instanceof ProviderSdkMissingError)) throw error;
    console.error(error.message);
    process.exit(1);
  });
}

/**
 * Started by main.ts: Probot's server. Without APP_ID and a key it serves the manifest setup flow from app.yml;
 * with them, the App. SIGTERM and SIGINT stop taking webhooks and drain running reviews within a bound.
 */
let runtime: Runtime | undefined;
const server = await run(bulwark({ onStarted: (started) => (runtime = started) })).catch((error: unknown) => {
  // A settings mistake is the operator's to fix: say what it is, without a stack trace, and exit non-zero.
  if (!(error instanceof SettingsError)) throw error;
  console.error(error.message);
  process.exit(1);
});

let stopping = false;
const shutdown = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  const timeoutMs = runtime?.settings.shutdownTimeoutMs ?? 25_000;
  console.info(`${signal}: stopping (draining reviews for up to ${timeoutMs} ms)`);
  await server.stop().catch(() => undefined);
  await runtime?.queue.close(timeoutMs);
  process.exit(0);
};
// Probot's run() installs a SIGINT handler that exits as soon as the HTTP server stops, before running reviews
// drain; ours replaces it.
process.removeAllListeners('SIGINT');
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
