import merge from 'deepmerge';
import type { PullRequestHost } from '../ports/pull-request-host.js';

/** The Action's inputs that stand for keys of `.github/bulwark.yml`. */
export interface ConfigInputs {
  /** The `config` input, already parsed to a mapping (read-action-env.ts); undefined when left empty. */
  config?: Record<string, unknown> | undefined;
  /** The `model` input; undefined when left empty. */
  model?: string | undefined;
}

type Mapping = Record<string, unknown>;

const isMapping = (value: unknown): value is Mapping => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The Action's `config` and `model` inputs, given as `.github/bulwark.yml` would give them (README "Repository
 * config"), merged under the file the repository keeps on its default branch: mappings merge deeply, and every key
 * the file sets itself wins (an array of the file's replaces the input's), so the repository's reviewed config keeps
 * the last word, as in the App. `model` is applied over `config`. The merge goes through the same validation as any
 * repo config; anything the file holds that is not a mapping is handed on for the job to report.
 */
export function withConfigInputs(inner: PullRequestHost, inputs: ConfigInputs): PullRequestHost {
  const fromInputs: Mapping = { ...(inputs.config ?? {}), ...(inputs.model ? { model: inputs.model } : {}) };
  if (Object.keys(fromInputs).length === 0) return inner;
  return {
    ...inner,
    readConfig: async (ref, file) => {
      const config = await inner.readConfig(ref, file);
      if (config === undefined || config === null) return fromInputs;
      if (!isMapping(config)) return config;
      return merge<Mapping>(fromInputs, config, { arrayMerge: (_input, fromFile) => fromFile, isMergeableObject: isMapping });
    },
  };
}
