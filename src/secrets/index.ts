export { maskSecretsInText, scanSecrets, SECRETS_RULE } from './scan-secrets.js';
export type { SecretScan } from './scan-secrets.js';
