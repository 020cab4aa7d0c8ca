import { describe, expect, it } from 'vitest';
import { unreadableReason } from '../../src/context/unreadable-reason.js';

describe('unreadableReason', () => {
  const reasonOf = unreadableReason(['generated/**', '**/*.snap']);

  it.each([
    ['.env'],
    ['.env.local'],
    ['.env.example'],
    ['.envrc'],
    ['services/api/.env.production'],
    ['config/production.env'],
    ['deploy/server.pem'],
    ['certs/tls.KEY'],
    ['keys/id_rsa'],
    ['home/.ssh/id_ed25519'],
    ['secrets/store.p12'],
    ['android/release.jks'],
    ['gcp/credentials.json'],
    ['gcp/service-account.json'],
    ['gcp/my-project-service_account-key.json'],
    ['oauth/client_secret_1234.json'],
    ['.netrc'],
    ['.git-credentials'],
    ['ops/.aws/credentials'],
    ['ci/.docker/config.json'],
  ])('refuses %s as a secret by nature', (path) => {
    expect(reasonOf(path)).toBe('secret-file');
  });

  it.each([['src/env.ts'], ['src/config/environment.ts'], ['docs/keys.md'], ['package.json'], ['src/credentials.ts'], ['src/keyboard.ts'], ['README.md'], ['.github/workflows/ci.yml']])(
    'reads %s',
    (path) => {
      expect(reasonOf(path)).toBeUndefined();
    },
  );

  it('refuses what paths.exclude excludes, dotfiles included', () => {
    expect(reasonOf('generated/client.ts')).toBe('excluded');
    expect(reasonOf('generated/.hidden/x.ts')).toBe('excluded');
    expect(reasonOf('test/__snapshots__/a.snap')).toBe('excluded');
    expect(unreadableReason()('generated/client.ts')).toBeUndefined();
  });
});
