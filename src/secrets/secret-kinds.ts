/**
 * Human words for secretlint's rules and message ids. Findings and placeholders are built from these, never
 * from secretlint's own message text (which contains the secret).
 */

export interface SecretKind {
  /** For titles: "AWS secret access key". */
  name: string;
  /** For sentences: "an AWS secret access key". */
  what: string;
}

const KINDS: Record<string, SecretKind> = {
  AWSAccessKeyID: kind('AWS access key ID', 'an'),
  AWSSecretAccessKey: kind('AWS secret access key', 'an'),
  AWSAccountID: kind('AWS account ID', 'an'),
  PrivateKeyP12: kind('GCP service account key (p12)', 'a'),
  PrivateKeyJSON: kind('GCP service account key (JSON)', 'a'),
  PrivateKey: kind('private key', 'a'),
  PackageJSON_xOauthToken: kind('GitHub token in an x-oauth-basic URL', 'a'),
  Npmrc_authToken: kind('npm auth token in .npmrc', 'an'),
  NPM_ACCESS_TOKEN: kind('npm access token', 'an'),
  BasicAuth: kind('URL with an embedded user name and password', 'a'),
  SLACK_TOKEN: kind('Slack token', 'a'),
  IncomingWebhook: kind('Slack incoming webhook URL', 'a'),
  SENDGRID_KEY: kind('SendGrid API key', 'a'),
  SHOPIFY_KEY: kind('Shopify access token', 'a'),
  STRIPE_SECRET_KEY_LIVE: kind('Stripe live secret key', 'a'),
  STRIPE_SECRET_KEY_TEST: kind('Stripe test secret key', 'a'),
  STRIPE_RESTRICTED_KEY_LIVE: kind('Stripe live restricted key', 'a'),
  STRIPE_RESTRICTED_KEY_TEST: kind('Stripe test restricted key', 'a'),
  GITHUB_TOKEN: kind('GitHub token', 'a'),
  GITLAB_PERSONAL_ACCESS_TOKEN: kind('GitLab personal access token', 'a'),
  GRAFANA_CLOUD_API_TOKEN: kind('Grafana Cloud API token', 'a'),
  GRAFANA_SERVICE_ACCOUNT_TOKEN: kind('Grafana service account token', 'a'),
  OPENAI_TOKEN: kind('OpenAI API key', 'an'),
  ANTHROPIC_API_KEY: kind('Anthropic API key', 'an'),
  GROQ_API_KEY: kind('Groq API key', 'a'),
  HUGGINGFACE_USER_ACCESS_TOKEN: kind('Hugging Face access token', 'a'),
  LINEAR_API_TOKEN: kind('Linear API key', 'a'),
  NOTION_INTEGRATION_TOKEN: kind('Notion integration token', 'a'),
  OPS_TOKEN: kind('1Password service account token', 'a'),
  MongoDBConnection: kind('MongoDB connection string with a password', 'a'),
  MySQLConnection: kind('MySQL connection string with a password', 'a'),
  PostgreSQLConnection: kind('PostgreSQL connection string with a password', 'a'),
  HASHICORP_VAULT_SERVICE_TOKEN: kind('HashiCorp Vault service token', 'a'),
  HASHICORP_VAULT_BATCH_TOKEN: kind('HashiCorp Vault batch token', 'a'),
  HASHICORP_VAULT_RECOVERY_TOKEN: kind('HashiCorp Vault recovery token', 'a'),
  VERCEL_PERSONAL_ACCESS_TOKEN: kind('Vercel personal access token', 'a'),
  VERCEL_INTEGRATION_TOKEN: kind('Vercel integration token', 'a'),
  VERCEL_APP_ACCESS_TOKEN: kind('Vercel app access token', 'a'),
  VERCEL_APP_REFRESH_TOKEN: kind('Vercel app refresh token', 'a'),
  VERCEL_AI_GATEWAY_API_KEY: kind('Vercel AI Gateway API key', 'a'),
  DATABRICKS_PERSONAL_ACCESS_TOKEN: kind('Databricks personal access token', 'a'),
  DOCKER_PERSONAL_ACCESS_TOKEN: kind('Docker personal access token', 'a'),
  FIGMA_PERSONAL_ACCESS_TOKEN: kind('Figma personal access token', 'a'),
  CLOUDFLARE_GLOBAL_API_KEY: kind('Cloudflare global API key', 'a'),
  CLOUDFLARE_USER_API_TOKEN: kind('Cloudflare user API token', 'a'),
  CLOUDFLARE_ACCOUNT_API_TOKEN: kind('Cloudflare account API token', 'a'),
  TAILSCALE_API_KEY: kind('Tailscale API access token', 'a'),
  TAILSCALE_AUTH_KEY: kind('Tailscale pre-authentication key', 'a'),
  TAILSCALE_CLIENT_KEY: kind('Tailscale OAuth client key', 'a'),
  TAILSCALE_SCIM_KEY: kind('Tailscale SCIM key', 'a'),
  TAILSCALE_WEBHOOK_KEY: kind('Tailscale webhook key', 'a'),
  TAILSCALE_KEY: kind('Tailscale key', 'a'),
};

function kind(name: string, article: 'a' | 'an'): SecretKind {
  return { name, what: `${article} ${name}` };
}

/** `@secretlint/secretlint-rule-github` → `github`: what the placeholder shows. */
export function ruleShortName(ruleId: string): string {
  const short = ruleId.replace(/^@secretlint\/secretlint-rule-/, '').replace(/^secretlint-rule-/, '');
  // Rule ids come from the installed package, not from the PR; still keep the placeholder to plain characters.
  return short.replace(/[^a-z0-9._-]/gi, '') || 'secret';
}

export function secretKind(ruleId: string, messageId: string): SecretKind {
  return Object.hasOwn(KINDS, messageId) ? (KINDS[messageId] as SecretKind) : kind(`${ruleShortName(ruleId)} credential`, 'a');
}

/** What the model sees instead of a secret. */
export function placeholder(ruleId: string): string {
  return `[REDACTED secret: ${ruleShortName(ruleId)}]`;
}
