import { codeSpan } from './sanitize-text.js';

const PROVIDER_NAMES = { bedrock: 'Amazon Bedrock', vertex: 'Google Vertex AI' } as const;

/** The check summary's line naming the cloud and the model id that served a review (none for Anthropic's API). */
export function providerNote(provider: 'anthropic' | 'bedrock' | 'vertex', servedModel: string): string | undefined {
  if (provider === 'anthropic') return undefined;
  return `Served by ${PROVIDER_NAMES[provider]} as ${codeSpan(servedModel.slice(0, 200))}.`;
}
