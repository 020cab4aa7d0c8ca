import { describe, expect, it } from 'vitest';
import { configFromFiles, mergeConfigs } from '../../src/adapters/github/merge-config-files.js';
import type { ConfigFileRead } from '../../src/adapters/github/merge-config-files.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { unreadExtendsNote } from '../../src/render/render-config-problems.js';
import { configProblemOf } from '../../src/review/config-problem-of.js';

const at = (repo: string, config: Record<string, unknown> | null, owner = 'acme', path = '.github/bulwark.yml'): ConfigFileRead => ({ owner, repo, path, config });

describe('mergeConfigs (the config plugin merges farthest first)', () => {
  it('merges mappings key by key at every depth; the nearer file wins', () => {
    const org = { model: 'haiku', check: { blocking: true, fail_on: 'high' } };
    const repo = { check: { fail_on: 'critical' } };
    expect(mergeConfigs([org, repo])).toEqual({ model: 'haiku', check: { blocking: true, fail_on: 'critical' } });
  });

  it('replaces a list whole with the nearer file’s, and a list with a scalar or the other way', () => {
    const org = { paths: { exclude: ['src/**'] }, review: { on: ['opened', 'synchronize'], authors: ['OWNER'] } };
    const repo = { paths: { exclude: ['docs/**'] }, review: { on: ['opened'], authors: 'all' } };
    expect(mergeConfigs([org, repo])).toEqual({ paths: { exclude: ['docs/**'] }, review: { on: ['opened'], authors: 'all' } });
  });

  it('does not change the files it merges', () => {
    const org = { review: { on: ['opened'] } };
    mergeConfigs([org, { review: { drafts: true } }]);
    expect(org).toEqual({ review: { on: ['opened'] } });
  });
});

describe('configFromFiles', () => {
  it('is undefined when no file exists (the repository and the owner .github repository both 404)', () => {
    expect(configFromFiles([at('service', null), at('.github', null)], {})).toBeUndefined();
  });

  it('is the merged config when every file of the chain was read', () => {
    const merged = { model: 'haiku' };
    expect(configFromFiles([at('service', { model: 'haiku' }), at('settings', { review: {} })], merged)).toBe(merged);
  });

  it('the owner .github repository used because the repository has none is no missing `_extends` target', () => {
    expect(configFromFiles([at('service', null), at('.github', { model: 'haiku' })], { model: 'haiku' })).toEqual({ model: 'haiku' });
  });

  it('names the `_extends` target that does not exist, after the files that were read', () => {
    const files = [at('service', { model: 'haiku' }), at('base', { check: {} }), at('gone', null, 'platform', 'configs/bulwark.yml')];
    expect(configFromFiles(files, { model: 'haiku' })).toEqual({ model: 'haiku', _extends: 'platform/gone:configs/bulwark.yml' });
    // From the owner .github repository's own `_extends` too.
    expect(configFromFiles([at('service', null), at('.github', { model: 'haiku' }), at('gone', null)], {})).toEqual({ _extends: 'acme/gone:.github/bulwark.yml' });
  });
});

describe('what the check says about `_extends`', () => {
  const pluginError = (message: string) =>
    new ServiceError('github', 'GitHub reading .github/bulwark.yml failed: no response (network error)', { retryable: true, cause: new Error(`[@probot/octokit-plugin-config] ${message}`) });

  it('an `_extends` the plugin refuses is a problem of the file (field first), not an outage', () => {
    expect(configProblemOf(pluginError('Invalid value "not a repo!" for _extends in https://api.github.com/repos/acme/service/contents/.github%2Fbulwark.yml'))).toBe(
      '_extends: `"not a repo!"` is not a repository (`repo`, `owner/repo`, or either followed by `:path/to/file.yml`)',
    );
    expect(configProblemOf(pluginError('Recursion detected. Ignoring  "_extends: a" from https://x because https://y was already loaded.'))).toMatch(
      /^_extends: the chain of files it extends comes back to a file already read: `Recursion detected\./,
    );
    expect(configProblemOf(pluginError('something else'))).toBeUndefined();
  });

  it('the note on an unread `_extends` target cannot be turned into a mention, a link or HTML', () => {
    const note = unreadExtendsNote('bulwark.yml', 'x` @everyone <img src=x> [a](https://evil.example)');
    expect(note).toMatch(/could not be read/);
    expect(note).toContain('``x` @everyone <img src=x> [a](https://evil.example)``');
  });
});
