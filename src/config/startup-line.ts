import type { Settings } from './env.js';

const PROVIDERS = { anthropic: 'Anthropic API', bedrock: 'Amazon Bedrock', vertex: 'Google Vertex AI' } as const;

/** The one line the App logs at start: what it runs on, so a wrong setting shows before the first review. */
export function startupLine(settings: Settings): string {
  const queue = settings.redisUrl ? `Redis (BullMQ, ${redisHost(settings.redisUrl)}, prefix ${settings.redis.prefix})` : 'in-process (jobs are lost if the process dies)';
  const provider =
    settings.provider === 'bedrock'
      ? `${PROVIDERS.bedrock} (${settings.providers.bedrock.region ?? 'AWS_REGION or us-east-1'})`
      : settings.provider === 'vertex'
        ? `${PROVIDERS.vertex} (${settings.providers.vertex.region ?? '?'})`
        : PROVIDERS.anthropic + (settings.anthropic.baseUrl ? ` at ${settings.anthropic.baseUrl}` : '');
  const { tokens, usd, autoReviewsPerPullRequest } = settings.dailyBudget;
  const budgets = [
    `${settings.maxInputTokens.toLocaleString('en-US')} input tokens per review`,
    tokens ? `${tokens.toLocaleString('en-US')} tokens per installation and day` : 'no daily token budget',
    usd ? `$${usd} per installation and day` : undefined,
    autoReviewsPerPullRequest ? `${autoReviewsPerPullRequest} automatic reviews per pull request and day` : 'no automatic review limit',
  ].filter(Boolean);
  return [
    'Bulwark started',
    `queue: ${queue}`,
    `provider: ${provider}`,
    `default model: ${settings.model.default}${settings.model.allowed ? ` (allowed: ${settings.model.allowed.join(', ')})` : ''}`,
    "agents: the repository's (default branch), else the bundled backend-specialist",
    `budgets: ${budgets.join(', ')}`,
  ].join('; ');
}

/** Host and port only: the URL may carry a password. */
function redisHost(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.host;
  } catch {
    return 'Redis';
  }
}
