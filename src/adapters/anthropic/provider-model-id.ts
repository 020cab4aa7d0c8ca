/** Which service answers the Messages API calls (BULWARK_PROVIDER). */
export type ProviderName = 'anthropic' | 'bedrock' | 'vertex';

export interface ProviderModelIdOptions {
  /** Bedrock's cross-region inference profile, the id's first part (`global.anthropic.…`); `none`: the bare id. */
  inferenceProfile?: string;
  /** The operator's own mapping (BULWARK_MODEL_MAP), consulted first. */
  modelMap?: Record<string, string>;
}

/**
 * Vertex names models of earlier generations with an `@` version
 * (https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude); later ones by their
 * bare id, as Anthropic's API does.
 */
const VERTEX_VERSIONS: Record<string, string> = {
  'claude-opus-4-5': '20251101',
  'claude-opus-4-1': '20250805',
  'claude-opus-4': '20250514',
  'claude-sonnet-4-5': '20250929',
  'claude-sonnet-4': '20250514',
  'claude-haiku-4-5': '20251001',
  'claude-3-7-sonnet': '20250219',
  'claude-3-5-haiku': '20241022',
  'claude-3-haiku': '20240307',
};

/**
 * The id the provider knows a Bulwark model id by. Bedrock: `anthropic.<id>`, behind the inference profile that
 * on-demand calls of current models need ("Invocation of model ID … with on-demand throughput isn't supported"
 * otherwise); an id that already is a Bedrock id, profile or ARN is left alone. Vertex: `<id>@<version>` where the
 * model has one. Anything in the operator's map wins.
 */
export function providerModelId(provider: ProviderName, model: string, options: ProviderModelIdOptions = {}): string {
  const mapped = options.modelMap && Object.hasOwn(options.modelMap, model) ? options.modelMap[model] : undefined;
  if (mapped) return mapped;
  if (provider === 'bedrock') {
    if (model.startsWith('arn:') || /(?:^|\.)anthropic\./.test(model)) return model;
    const profile = options.inferenceProfile && options.inferenceProfile !== 'none' ? `${options.inferenceProfile}.` : '';
    return `${profile}anthropic.${model}`;
  }
  if (provider === 'vertex') {
    if (model.includes('@')) return model;
    const dated = /^(.*)-(\d{8})$/.exec(model);
    if (dated) return `${dated[1]}@${dated[2]}`;
    const version = Object.hasOwn(VERTEX_VERSIONS, model) ? VERTEX_VERSIONS[model] : undefined;
    return version ? `${model}@${version}` : model;
  }
  return model;
}
