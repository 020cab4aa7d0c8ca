import type { PullRequestHost } from '../ports/pull-request-host.js';

/**
 * The Action's `model` input, given as `model:` of `.github/bulwark.yml` would be (it overrides the agent's model,
 * README "Repository config"); a `model:` the file sets itself wins, so the repository's reviewed config keeps the
 * last word, as in the App. Anything the file holds that is not a mapping is handed on for the job to report.
 */
export function withModelInput(inner: PullRequestHost, model: string | undefined): PullRequestHost {
  if (!model) return inner;
  return {
    ...inner,
    readConfig: async (ref, file) => {
      const config = await inner.readConfig(ref, file);
      if (config === undefined || config === null) return { model };
      if (typeof config !== 'object' || Array.isArray(config)) return config;
      return 'model' in config ? config : { ...config, model };
    },
  };
}
