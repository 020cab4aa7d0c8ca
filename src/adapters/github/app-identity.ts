import type { ProbotOctokit } from 'probot';
import { ServiceError } from '../../ports/service-error.js';
import { toServiceError } from './to-service-error.js';

type Octokit = InstanceType<typeof ProbotOctokit>;

/** Who the App is: its slug, for telling its own comments apart from other bots' and for `@<slug>` mentions. */
export interface AppIdentity {
  /** Looked up once per process (`GET /app`, as the App itself); a failed lookup is tried again by the next caller. */
  slug(): Promise<string>;
  /** The slug once a lookup has answered, without asking GitHub (a webhook handler makes no GitHub call). */
  known(): string | undefined;
}

/** `appClient`: an Octokit authenticated as the App (JWT), e.g. Probot's `app.auth()` (https://docs.github.com/en/rest/apps/apps#get-the-authenticated-app). */
export function createAppIdentity(appClient: () => Promise<Octokit>): AppIdentity {
  let known: string | undefined;
  let loading: Promise<string> | undefined;
  const lookUp = async (): Promise<string> => {
    try {
      const { data } = await (await appClient()).rest.apps.getAuthenticated();
      if (!data?.slug) throw new ServiceError('github', 'GitHub reading the App\'s identity failed: the answer names no slug', { retryable: false });
      known = data.slug;
      return data.slug;
    } catch (error) {
      loading = undefined;
      throw toServiceError(error, 'reading the App\'s identity');
    }
  };
  return { known: () => known, slug: () => (loading ??= lookUp()) };
}
