import picomatch from 'picomatch';

export interface RiskTier {
  tier: number;
  label: string;
  /** picomatch globs against the repository-relative path, matched case-insensitively. */
  patterns: readonly string[];
}

/**
 * Which files a limited budget should spend itself on first: where a backend change most often hurts. Lower
 * tier = reviewed first. A path takes the FIRST tier whose globs match it (an `api/db/…` file is a route before
 * it is database code), except that the tests tier is checked before all others: a test of a route is a test.
 * Whatever matches nothing is tier 4, "other".
 *
 * Patterns are deliberately broad (`*auth*` also catches `author.ts`): a false match only moves a file earlier
 * in the queue, a miss moves a risky file behind the budget. Substrings that are too common inside ordinary
 * words (`acl` in `oracle`, `orm` in `platform`) are matched as whole names only.
 */
export const RISK_TIERS: readonly RiskTier[] = [
  {
    tier: 5,
    label: 'tests',
    patterns: [
      '**/test/**',
      '**/tests/**',
      '**/__tests__/**',
      '**/spec/**',
      '**/specs/**',
      '**/e2e/**',
      '**/*.{test,tests,spec,specs,unittests,integrationtests}/**',
      '**/*.test.*',
      '**/*.spec.*',
      '**/*.e2e-spec.*',
      '**/*_test.*',
      '**/*_spec.*',
      '**/test_*.py',
      '**/tests.py',
      '**/conftest.py',
      '**/fixtures/**',
      '**/__fixtures__/**',
      '**/__mocks__/**',
      '**/testdata/**',
    ],
  },
  {
    tier: 0,
    label: 'request handlers and routes',
    patterns: [
      '**/{route,routes,router,routers,routing}/**',
      '**/*route*',
      '**/{handler,handlers}/**',
      '**/*handler*',
      '**/{controller,controllers}/**',
      '**/*controller*',
      '**/{api,apis}/**',
      '**/{endpoint,endpoints}/**',
      '**/*endpoint*',
      '**/{middleware,middlewares}/**',
      '**/*middleware*',
      '**/{view,views}/**',
      '**/{views,urls}.py',
      '**/{resolver,resolvers}/**',
      '**/*resolver*',
      '**/*.{graphql,gql,proto}',
      '**/{openapi,swagger}*.{json,yml,yaml}',
      '**/{grpc,ws,websocket,websockets,socket,sockets}/**',
      '**/*.gateway.*',
      // Entry points that wire the routes; code extensions only, so `app.yml` stays configuration.
      '**/{server,app,main}.{ts,mts,cts,js,mjs,cjs,py,go,rb,java,kt,cs,rs,php,ex,exs}',
    ],
  },
  {
    tier: 1,
    label: 'auth',
    patterns: [
      ...anywhere(['auth', 'session', 'token', 'jwt', 'permission', 'rbac', 'crypto', 'password', 'passwd']),
      ...anywhere(['secret', 'credential', 'login', 'signup', 'csrf', 'saml', 'oidc']),
      '**/{acl,acls}/**',
      '**/{acl,acls}.*',
      '**/*[._-]{acl,acls}.*',
      '**/{sso,iam,policies}/**',
    ],
  },
  {
    tier: 2,
    label: 'database access and migrations',
    patterns: [
      '**/{db,database,databases,dal,persistence}/**',
      '**/{model,models,entity,entities}/**',
      '**/*.{model,entity,models,entities}.*',
      '**/{repository,repositories,repo,repos}/**',
      '**/*repository*',
      '**/*repo.*',
      '**/{dao,daos}/**',
      '**/*dao.*',
      '**/{migration,migrations,migrate,alembic,flyway,liquibase}/**',
      '**/*migration*',
      '**/*.sql',
      '**/{prisma,drizzle}/**',
      '**/*.prisma',
      '**/{orm,queries}/**',
      '**/{ormconfig,knexfile,drizzle.config,schema}.*',
      '**/*.orm.*',
      '**/*{query,queries}.*',
    ],
  },
  {
    tier: 3,
    label: 'config and infrastructure',
    patterns: [
      '**/{config,configs,configuration,settings}/**',
      '**/*config*',
      '**/settings.py',
      '**/*.{yml,yaml,toml,ini,cfg,conf,properties,hcl,tf,tfvars,env}',
      '**/.env*',
      '**/Dockerfile*',
      '**/*.dockerfile',
      '**/docker-compose*',
      '**/{k8s,kubernetes,kustomize,helm,charts,terraform,infra,infrastructure,deploy,deployment,ansible}/**',
      '**/.github/workflows/**',
      '**/{Makefile,Procfile,Jenkinsfile,nginx.conf}',
      // Dependency manifests: a new or bumped dependency is an infrastructure change.
      '**/{package.json,go.mod,Cargo.toml,pyproject.toml,Gemfile,pom.xml,composer.json,mix.exs}',
      '**/requirements*.txt',
      '**/build.gradle*',
    ],
  },
];

export const OTHER_TIER = { tier: 4, label: 'other' } as const;

/** `**\/*auth*` for a file name containing the word, `**\/*auth*\/**` for a folder name containing it. */
function anywhere(words: readonly string[]): string[] {
  return words.flatMap((word) => [`**/*${word}*`, `**/*${word}*/**`]);
}

// `dot: true`: `.github/` and `.env.example` are ordinary paths here; `nocase`: `Controllers/UserController.cs`.
const GLOB_OPTIONS = { dot: true, nocase: true } as const;

// One alternation per tier instead of picomatch's one regex per glob: a PR of 3,000 files is ranked in a few
// milliseconds instead of ~35. Each glob's own regex is anchored, so the alternation means "any of them".
const MATCHERS = RISK_TIERS.map((entry) => {
  const sources = entry.patterns.map((pattern) => `(?:${picomatch.makeRe(pattern, GLOB_OPTIONS).source})`);
  const regex = new RegExp(sources.join('|'), 'i');
  return { tier: entry.tier, label: entry.label, matches: (path: string) => regex.test(path) };
});

/**
 * A path's tier is asked for several times per review (planning, the head files to widen, the file list of every
 * prompt, the walkthrough): ~12 glob regexes per path, 3,000 paths on a big pull request. Remembered for the paths
 * of the last reviews, bounded.
 */
const RANKED = new Map<string, { tier: number; label: string }>();
const RANKED_MAX = 20_000;

export function riskRank(path: string): { tier: number; label: string } {
  const known = RANKED.get(path);
  if (known) return { ...known };
  const match = MATCHERS.find((entry) => entry.matches(path));
  const rank = match ? { tier: match.tier, label: match.label } : { tier: OTHER_TIER.tier, label: OTHER_TIER.label };
  if (RANKED.size >= RANKED_MAX) RANKED.clear();
  RANKED.set(path, rank);
  return { ...rank };
}

interface Ranked {
  path: string;
  additions: number;
  deletions: number;
}

/**
 * Riskiest tier first; within a tier the bigger change first (it is where bugs are likelier), then by path in
 * code-unit order (not localeCompare, whose order depends on the host's ICU data) so the order is the same
 * everywhere. Returns a new array; the input is not changed.
 */
export function orderByRisk<T extends Ranked>(files: readonly T[]): T[] {
  return files
    .map((file) => ({ file, tier: riskRank(file.path).tier, changed: file.additions + file.deletions }))
    .sort((a, b) => a.tier - b.tier || b.changed - a.changed || compareCodeUnits(a.file.path, b.file.path))
    .map((entry) => entry.file);
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
