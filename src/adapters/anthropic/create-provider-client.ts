import Anthropic from '@anthropic-ai/sdk';
import type { Middleware } from '@anthropic-ai/sdk';
// Types only (erased at run time): the packages themselves are loaded by loadSdk, and only when chosen.
import type * as BedrockSdk from '@anthropic-ai/bedrock-sdk';
import type * as VertexSdk from '@anthropic-ai/vertex-sdk';
import type { ProviderName } from './provider-model-id.js';

/** The SDK each cloud needs; optional peer dependencies, so a default install does not carry them (README, "Providers"). */
const PROVIDER_SDKS = { bedrock: '@anthropic-ai/bedrock-sdk', vertex: '@anthropic-ai/vertex-sdk' } as const;

export interface ProviderClientOptions {
  provider: ProviderName;
  /** ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL: the Anthropic API only. */
  apiKey?: string | undefined;
  baseUrl?: string | undefined;
  timeoutMs: number;
  maxRetries: number;
  bedrock?: { region?: string | undefined; baseUrl?: string | undefined };
  vertex?: { region?: string | undefined; projectId?: string | undefined; baseUrl?: string | undefined };
  /**
   * Extra options for the cloud SDK's constructor. Production passes none: credentials come from the standard AWS
   * chain (env, shared files, SSO, instance and task roles) and Google's Application Default Credentials. Tests
   * pass fake static credentials (Bedrock) or an auth client (Vertex).
   */
  sdkOptions?: Record<string, unknown>;
  /** Wraps every HTTP attempt of the client, on every provider (rate-limit-middleware.ts). */
  middleware?: Middleware[];
  /** `import()` by default; tests replace it to see what a missing SDK does. */
  importSdk?: (name: string) => Promise<unknown>;
}

/** The chosen provider's SDK is not installed. Its message is the operator's fix. */
export class ProviderSdkMissingError extends Error {
  constructor(readonly provider: 'bedrock' | 'vertex') {
    const sdk = PROVIDER_SDKS[provider];
    super(`BULWARK_PROVIDER=${provider} needs the ${sdk} package, which is not installed. Run: npm install ${sdk}`);
    this.name = 'ProviderSdkMissingError';
  }
}

/**
 * A Messages API client for the provider. The Bedrock and Vertex clients are the SDK's own (they rewrite the path
 * to `/model/{id}/invoke` and `…/publishers/anthropic/models/{id}:rawPredict`, move `anthropic_version` into the
 * body and sign with SigV4 or a Google token); they share the Anthropic client's `messages` resource, so the
 * rest of the adapter uses them as one.
 */
export async function createProviderClient(options: ProviderClientOptions): Promise<Anthropic> {
  const common = { timeout: options.timeoutMs, maxRetries: options.maxRetries, ...(options.middleware ? { middleware: options.middleware } : {}) };
  if (options.provider === 'anthropic') {
    return new Anthropic({ apiKey: options.apiKey ?? null, baseURL: options.baseUrl ?? null, ...common, ...options.sdkOptions });
  }
  const sdk = await loadSdk(options.provider, options.importSdk);
  if (options.provider === 'bedrock') {
    const { AnthropicBedrock } = sdk as typeof BedrockSdk;
    const bedrock = options.bedrock ?? {};
    return new AnthropicBedrock({
      ...common,
      ...(bedrock.region ? { awsRegion: bedrock.region } : {}),
      ...(bedrock.baseUrl ? { baseURL: bedrock.baseUrl } : {}),
      ...options.sdkOptions,
    }) as unknown as Anthropic;
  }
  const { AnthropicVertex } = sdk as typeof VertexSdk;
  const vertex = options.vertex ?? {};
  return new AnthropicVertex({
    ...common,
    ...(vertex.region ? { region: vertex.region } : {}),
    ...(vertex.projectId ? { projectId: vertex.projectId } : {}),
    ...(vertex.baseUrl ? { baseURL: vertex.baseUrl } : {}),
    ...options.sdkOptions,
  }) as unknown as Anthropic;
}

/** Loads the cloud SDK, or says how to install it. Also called at start, so a missing SDK stops the App at once. */
export async function loadSdk(provider: 'bedrock' | 'vertex', importSdk: (name: string) => Promise<unknown> = (name) => import(name)): Promise<unknown> {
  try {
    return await importSdk(PROVIDER_SDKS[provider]);
  } catch (error) {
    const code = (error as { code?: unknown } | undefined)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new ProviderSdkMissingError(provider);
    throw error;
  }
}
