import type { ResolvedModel } from './types.js';

/**
 * Current Anthropic models per tier, as listed on platform.claude.com/docs/en/models/overview and each model's
 * overview page (late 2026): Opus 5.5, Sonnet 5.5 and Haiku 5.5 (released 2026-10-07) are "Latest"; Fable 5.1
 * sits above Opus. These ids have no dated snapshots and no separate aliases.
 */
export const CURRENT_MODELS = {
  fable: 'claude-fable-5-1',
  opus: 'claude-opus-5-5',
  sonnet: 'claude-sonnet-5-5',
  haiku: 'claude-haiku-5-5',
} as const;

export type ModelTier = keyof typeof CURRENT_MODELS;

/** [major, minor] of each current model, to tell an older generation from an id newer than this table. */
const CURRENT_VERSIONS: Record<ModelTier, readonly [number, number]> = {
  fable: [5, 1],
  opus: [5, 5],
  sonnet: [5, 5],
  haiku: [5, 5],
};

export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  cacheWrite5mPerMTok: number;
  cacheWrite1hPerMTok: number;
  cacheReadPerMTok: number;
  /** Haiku 5.5 bills a whole request at these rates when its prompt (input + cache reads + cache writes) exceeds the threshold. */
  longPrompt?: {
    overPromptTokens: number;
    inputPerMTok: number;
    outputPerMTok: number;
    cacheWrite5mPerMTok: number;
    cacheWrite1hPerMTok: number;
    cacheReadPerMTok: number;
  };
}

/**
 * USD per million tokens for the current ids. Sources: the models' overview pages and the pricing page on
 * platform.claude.com (docs/en/about-claude/pricing). Sonnet 5.5 cache reads were cut from $0.20 to $0.10 on
 * 2026-10-07 (0.05× input, like Opus 5.5); Haiku 5.5 has two price bands split at a 100 000-token prompt.
 */
export const MODEL_PRICES: Record<string, ModelPrice> = {
  'claude-fable-5-1': { inputPerMTok: 10, outputPerMTok: 50, cacheWrite5mPerMTok: 12.5, cacheWrite1hPerMTok: 20, cacheReadPerMTok: 0.25 },
  'claude-opus-5-5': { inputPerMTok: 4, outputPerMTok: 20, cacheWrite5mPerMTok: 5, cacheWrite1hPerMTok: 8, cacheReadPerMTok: 0.2 },
  'claude-sonnet-5-5': { inputPerMTok: 2, outputPerMTok: 10, cacheWrite5mPerMTok: 2.5, cacheWrite1hPerMTok: 4, cacheReadPerMTok: 0.1 },
  'claude-haiku-5-5': {
    inputPerMTok: 0.1,
    outputPerMTok: 0.5,
    cacheWrite5mPerMTok: 0.125,
    cacheWrite1hPerMTok: 0.2,
    cacheReadPerMTok: 0.01,
    longPrompt: {
      overPromptTokens: 100_000,
      inputPerMTok: 0.5,
      outputPerMTok: 2.5,
      cacheWrite5mPerMTok: 0.625,
      cacheWrite1hPerMTok: 1,
      cacheReadPerMTok: 0.05,
    },
  },
};

/** The fallback when the operator sets no default. */
export const DEFAULT_OPERATOR_MODEL = CURRENT_MODELS.sonnet;

/**
 * The alias table. Claude Code aliases (opus, sonnet, haiku, opusplan, inherit, default) and the tier names;
 * anything else goes through `normalizeModelId` and the generation check below.
 */
const ALIASES: Record<string, { tier: ModelTier; note?: string } | 'operator-default'> = {
  fable: { tier: 'fable' },
  opus: { tier: 'opus' },
  sonnet: { tier: 'sonnet' },
  haiku: { tier: 'haiku' },
  opusplan: { tier: 'opus', note: "'opusplan' (Opus to plan, Sonnet to act) has one model here" },
  inherit: 'operator-default',
  default: 'operator-default',
};

export interface ResolveModelOptions {
  /** The operator's default (BULWARK_MODEL): an alias or an id. */
  operatorDefault: string;
  /** When set, the only models a review may use (aliases or ids); anything else falls back to the default. */
  allowed?: string[];
}

/**
 * Maps what an agent file or repo config asks for to a current Anthropic model id:
 * - aliases (opus, sonnet, haiku) → the current model of that tier; inherit/default → the operator default;
 * - full and provider-prefixed ids (`anthropic/claude-sonnet-4-5`, `openrouter/anthropic/claude-sonnet-4`,
 *   `amazon-bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0`, `claude-3-7-sonnet-latest`, …) → the current
 *   model of the same tier when they name an older generation, with a warning;
 * - other providers' models (`openai/gpt-5`) → the operator default, with a warning;
 * - ids it cannot place (a newer model, a proxy's own name) pass through unchanged, with a warning.
 */
export function resolveModel(requested: string | undefined, opts: ResolveModelOptions): ResolvedModel {
  const operatorDefault = resolveOperatorDefault(opts.operatorDefault);
  const wanted = requested?.trim();
  const first = wanted ? resolveId(wanted, operatorDefault) : { resolved: operatorDefault.resolved, warnings: [] };
  const warnings = [...first.warnings];
  let resolved = first.resolved;

  if (opts.allowed && opts.allowed.length > 0) {
    const allowed = opts.allowed.map((id) => resolveId(id, operatorDefault).resolved);
    if (!allowed.includes(resolved)) {
      const fallback = allowed.includes(operatorDefault.resolved) ? operatorDefault.resolved : (allowed[0] ?? operatorDefault.resolved);
      warnings.push(`'${resolved}' is not among the operator's allowed models (${allowed.join(', ')}); using '${fallback}'`);
      resolved = fallback;
    }
  }

  return {
    ...(wanted ? { requested: wanted } : {}),
    resolved,
    ...(warnings.length > 0 ? { warning: warnings.join('; ') } : {}),
  };
}

interface Resolution {
  resolved: string;
  warnings: string[];
}

function resolveOperatorDefault(operatorDefault: string): Resolution {
  const fallback: Resolution = { resolved: DEFAULT_OPERATOR_MODEL, warnings: [] };
  const wanted = operatorDefault.trim();
  if (!wanted) return fallback;
  // `inherit` as the operator default would point at itself.
  return resolveId(wanted, fallback);
}

function resolveId(raw: string, operatorDefault: Resolution): Resolution {
  const lower = raw.toLowerCase().replace(/\[1m\]$/, '');
  const alias = ALIASES[lower];
  if (alias === 'operator-default') return { resolved: operatorDefault.resolved, warnings: [] };
  if (alias) return { resolved: CURRENT_MODELS[alias.tier], warnings: alias.note ? [alias.note] : [] };

  const segments = lower.split('/').filter((segment) => segment !== '');
  const last = segments.at(-1) ?? lower;
  const providers = segments.slice(0, -1);
  const id = normalizeModelId(last);

  if (isCurrent(id)) return { resolved: id, warnings: [] };
  if (!id.startsWith('claude')) {
    if (providers.length > 0) {
      return {
        resolved: operatorDefault.resolved,
        warnings: [`'${raw}' is not an Anthropic model; using the operator default '${operatorDefault.resolved}'`],
      };
    }
    return { resolved: raw, warnings: [`unknown model id '${raw}', passed through as is`] };
  }

  const generation = parseGeneration(id);
  if (generation && compareVersions(generation.version, CURRENT_VERSIONS[generation.tier]) < 0) {
    const current = CURRENT_MODELS[generation.tier];
    return { resolved: current, warnings: [`'${raw}' is an older ${generation.tier} generation; using the current '${current}'`] };
  }
  return { resolved: id, warnings: [`unknown model id '${raw}', passed through as '${id}'`] };
}

/**
 * One provider's spelling of an Anthropic id → the Anthropic API spelling: Bedrock (`us.anthropic.…-v1:0`),
 * Vertex (`…@20250514`), OpenRouter and Vercel dots (`claude-sonnet-4.5`), dated snapshots and `-latest`.
 */
export function normalizeModelId(id: string): string {
  return id
    .toLowerCase()
    .replace(/\[1m\]$/, '')
    .replace(/^(?:us|eu|apac|au|jp|global|us-gov)\./, '')
    .replace(/^anthropic\./, '')
    .replace(/@.*$/, '')
    .replace(/-v\d+(?::\d+)?$/, '')
    .replace(/:\d+$/, '')
    .replace(/-(?:\d{8}|latest)$/, '')
    .replace(/(\d)\.(\d)/g, '$1-$2');
}

function isCurrent(id: string): boolean {
  return (Object.values(CURRENT_MODELS) as string[]).includes(id);
}

/** `claude-sonnet-4-5` / `claude-opus-4` (tier first, Claude 4+) and `claude-3-7-sonnet` / `claude-3-haiku` (Claude 3.x). */
function parseGeneration(id: string): { tier: ModelTier; version: [number, number] } | undefined {
  const tierFirst = /^claude-(fable|opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?:-|$)/.exec(id);
  if (tierFirst) return { tier: tierFirst[1] as ModelTier, version: [Number(tierFirst[2]), Number(tierFirst[3] ?? 0)] };
  const versionFirst = /^claude-(\d+)(?:-(\d{1,2}))?-(opus|sonnet|haiku)(?:-|$)/.exec(id);
  if (versionFirst) return { tier: versionFirst[3] as ModelTier, version: [Number(versionFirst[1]), Number(versionFirst[2] ?? 0)] };
  return undefined;
}

function compareVersions(a: readonly [number, number], b: readonly [number, number]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}
