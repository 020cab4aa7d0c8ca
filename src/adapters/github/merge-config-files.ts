import merge from 'deepmerge';

type Mapping = Record<string, unknown>;

/** One file Probot's config plugin looked up: where, and what it held (null: no such file). */
export interface ConfigFileRead {
  owner: string;
  repo: string;
  path: string;
  config: Mapping | null;
}

/**
 * How the files of an `_extends` chain merge, farthest first, so the file nearer the repository wins: mappings
 * merge key by key at every depth, and any other value, lists included, is replaced whole by the nearer file's (a
 * repository narrows `review.on` or `paths.exclude` by giving its own list; to add to the organisation's list it
 * repeats it). Passed to the plugin as its `defaults` function.
 */
export function mergeConfigs(configs: Mapping[]): Mapping {
  return merge.all<Mapping>([{}, ...configs], { arrayMerge: (_farther, nearer: unknown[]) => nearer });
}

/**
 * The merged config from what the plugin read (`files`: the repository's file, the owner's `.github` file when the
 * repository has none, then each `_extends` target in turn), or undefined when no file exists. An `_extends`
 * whose target does not exist (or the App cannot see) ends the chain with a null entry: the rest is used as read,
 * and `_extends` is left in the result naming that target (`owner/repo:path`), as a config whose `_extends` was not
 * followed. The plugin removes every `_extends` it followed.
 */
export function configFromFiles(files: readonly ConfigFileRead[], merged: Mapping): Mapping | undefined {
  if (!files.some((file) => file.config !== null)) return undefined;
  // The plugin goes past a file only through its `_extends` (or, from a repository without a file, to the owner's
  // `.github` repository): a missing file right after a file that exists is an `_extends` target.
  const unread = files.find((file, index) => index > 0 && file.config === null && files[index - 1]?.config !== null);
  return unread ? { ...merged, _extends: `${unread.owner}/${unread.repo}:${unread.path}` } : merged;
}
