import { parse } from 'yaml';
import { z } from 'zod';

/**
 * What a workflow run hands the Action, from the environment the runner sets: inputs as `INPUT_<NAME>` (the name
 * upper-cased, https://docs.github.com/en/actions/reference/workflow-syntax-for-github-actions#jobsjob_idstepswith)
 * and the run's context as `GITHUB_*` (https://docs.github.com/en/actions/reference/variables-reference).
 */
export interface ActionEnv {
  token: string;
  eventName: string;
  eventPath: string;
  /** REST base URL: api.github.com, or `https://<host>/api/v3` on GitHub Enterprise Server. */
  apiUrl: string;
  /** `owner/name` of the repository the workflow runs in. */
  repository: string;
  deliveryId: string;
  /** The model input, or undefined when left empty. */
  model: string | undefined;
  /** The config input: a mapping shaped as `.github/bulwark.yml`, merged under it; undefined when left empty. */
  config: Record<string, unknown> | undefined;
  /**
   * The slug of the App whose token `token` is (the `app_slug` input): Bulwark's comments are those by
   * `<slug>[bot]`, and `@<slug>` in a reply to one of its threads asks it something. The workflow token's App is
   * `github-actions`; a token of another App (e.g. from actions/create-github-app-token) needs that App's slug.
   */
  appSlug: string;
  /** The environment Bulwark's settings are read from: the App's variables, with the inputs in their place. */
  settingsEnv: Record<string, string | undefined>;
}

export type ActionEnvResult = { ok: true; env: ActionEnv } | { ok: false; problems: string[] };

const blankToUndefined = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

const schema = z.object({
  INPUT_GITHUB_TOKEN: z.string().optional().transform(blankToUndefined),
  INPUT_ANTHROPIC_API_KEY: z.string().optional().transform(blankToUndefined),
  INPUT_MODEL: z.string().optional().transform(blankToUndefined),
  INPUT_CONFIG: z.string().optional().transform(blankToUndefined),
  INPUT_APP_SLUG: z.string().optional().transform(blankToUndefined),
  ANTHROPIC_API_KEY: z.string().optional().transform(blankToUndefined),
  BULWARK_PROVIDER: z.string().optional(),
  GITHUB_EVENT_NAME: z.string().min(1, 'is not set: run Bulwark as a step of a GitHub Actions workflow'),
  GITHUB_EVENT_PATH: z.string().min(1, 'is not set: run Bulwark as a step of a GitHub Actions workflow'),
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  GITHUB_REPOSITORY: z.string().default(''),
  GITHUB_RUN_ID: z.string().default('local'),
  GITHUB_RUN_ATTEMPT: z.string().default('1'),
});

/** Reads and checks the Action's environment; every problem is listed at once, never with a secret's value. */
export function readActionEnv(env: Record<string, string | undefined>): ActionEnvResult {
  const parsed = schema.safeParse(env);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
  const e = parsed.data;
  const problems: string[] = [];
  if (!e.INPUT_GITHUB_TOKEN) problems.push('github_token: is empty; leave the input out to use the workflow token (github.token)');
  const apiKey = e.INPUT_ANTHROPIC_API_KEY ?? e.ANTHROPIC_API_KEY;
  const anthropic = !e.BULWARK_PROVIDER || e.BULWARK_PROVIDER === 'anthropic';
  if (anthropic && !apiKey) {
    problems.push(
      'anthropic_api_key: is empty. Pass it from a secret (anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}); ' +
        'workflows started by pull requests from forks get no secrets: use the pull_request_target recipe in the README',
    );
  }
  const config = readConfigInput(e.INPUT_CONFIG);
  if (typeof config === 'string') problems.push(config);
  const appSlug = readAppSlug(e.INPUT_APP_SLUG);
  if (appSlug === undefined) problems.push(`app_slug: is not an App's slug (letters, digits and hyphens, e.g. ${WORKFLOW_TOKEN_APP}, or the app-slug output of actions/create-github-app-token)`);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    env: {
      token: e.INPUT_GITHUB_TOKEN!,
      eventName: e.GITHUB_EVENT_NAME,
      eventPath: e.GITHUB_EVENT_PATH,
      apiUrl: e.GITHUB_API_URL.replace(/\/+$/, ''),
      repository: e.GITHUB_REPOSITORY,
      deliveryId: `${e.GITHUB_RUN_ID}-${e.GITHUB_RUN_ATTEMPT}`,
      model: e.INPUT_MODEL,
      config: typeof config === 'string' ? undefined : config,
      appSlug: appSlug!,
      settingsEnv: {
        ...env,
        ...(apiKey ? { ANTHROPIC_API_KEY: apiKey } : {}),
        ...(e.INPUT_MODEL ? { BULWARK_MODEL: e.INPUT_MODEL } : {}),
        // One run, one process: the queue and the budget live in memory (a REDIS_URL of the workflow's is not
        // Bulwark's to use), and the App's webhook settings do not apply.
        REDIS_URL: undefined,
        APP_ID: undefined,
      },
    },
  };
}

/** The App the workflow token (`github.token`) belongs to: its comments are by `github-actions[bot]`. */
const WORKFLOW_TOKEN_APP = 'github-actions';

/** The app_slug input (its login form `<slug>[bot]` accepted), the workflow token's App when empty; undefined when it is no slug. */
function readAppSlug(text: string | undefined): string | undefined {
  if (text === undefined) return WORKFLOW_TOKEN_APP;
  const slug = text.replace(/\[bot\]$/i, '');
  return /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,98}[A-Za-z0-9])?$/.test(slug) ? slug.toLowerCase() : undefined;
}

/** The config input as a mapping, undefined when empty, or the one-line problem that stops the Action. */
function readConfigInput(text: string | undefined): Record<string, unknown> | undefined | string {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!.replace(/:\s*$/, '');
    return `config: is not valid YAML (${reason}); give a mapping shaped as .github/bulwark.yml, e.g. "review: { min_severity: medium }"`;
  }
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    return `config: is ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}, not a mapping; give a mapping shaped as .github/bulwark.yml, e.g. "review: { min_severity: medium }"`;
  }
  return value as Record<string, unknown>;
}
