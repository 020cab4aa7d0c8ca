import { z } from 'zod';
import { MODEL_PRICES, normalizeModelId } from '../agents/resolve-model.js';
import type { ModelPrice } from '../agents/resolve-model.js';
import type { ModelUsage } from '../ports/review-model.js';

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * What ONE model request cost, in USD, from the usage the API reported; undefined when the model has no price
 * (a proxy's own model name, a model newer than the table): an unknown cost is shown as unknown, never as $0.
 *
 * - Cache writes are billed at the 1-hour write price for the tokens the API reported as written for an hour
 *   (`cacheCreation1hInputTokens`, with BULWARK_CACHE_TTL=1h), at the 5-minute price for the rest.
 * - A price with a `longPrompt` band (Haiku 5.5) bills the WHOLE request, output included, at the band's rates
 *   when that request's prompt (input + cache writes + cache reads) exceeds the band's threshold. That is a
 *   property of a single request, so never pass summed usage of several calls here: use estimateTotalCost.
 */
export function estimateCost(usage: ModelUsage, model: string, prices: PriceTable = MODEL_PRICES): { usd: number | undefined } {
  const price = priceOf(model, prices);
  if (price === undefined) return { usd: undefined };
  const prompt = usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens;
  const rates = price.longPrompt !== undefined && prompt > price.longPrompt.overPromptTokens ? price.longPrompt : price;
  // Never more than all the writes: a usage that says otherwise is priced as if every write were for an hour.
  const oneHour = Math.min(usage.cacheCreation1hInputTokens ?? 0, usage.cacheCreationInputTokens);
  const perMTok =
    usage.inputTokens * rates.inputPerMTok +
    usage.outputTokens * rates.outputPerMTok +
    (usage.cacheCreationInputTokens - oneHour) * rates.cacheWrite5mPerMTok +
    oneHour * rates.cacheWrite1hPerMTok +
    usage.cacheReadInputTokens * rates.cacheReadPerMTok;
  return { usd: perMTok / 1_000_000 };
}

/** A review's cost: each request priced on its own (see estimateCost's long-prompt band), then summed. */
export function estimateTotalCost(usages: readonly ModelUsage[], model: string, prices: PriceTable = MODEL_PRICES): { usd: number | undefined } {
  if (priceOf(model, prices) === undefined) return { usd: undefined };
  return { usd: usages.reduce((sum, usage) => sum + (estimateCost(usage, model, prices).usd ?? 0), 0) };
}

/**
 * The id as the API reported it, else its Anthropic spelling (`claude-sonnet-5-5@…`, Bedrock prefixes).
 * Own properties only: `constructor` or `__proto__` is not a model.
 */
function priceOf(model: string, prices: PriceTable): ModelPrice | undefined {
  if (Object.hasOwn(prices, model)) return prices[model];
  const normalized = normalizeModelId(model);
  return Object.hasOwn(prices, normalized) ? prices[normalized] : undefined;
}

const rate = z.number().nonnegative();

const longPromptSchema = z.strictObject({
  overPromptTokens: z.number().int().positive(),
  inputPerMTok: rate,
  outputPerMTok: rate,
  cacheWrite5mPerMTok: rate,
  cacheWrite1hPerMTok: rate,
  cacheReadPerMTok: rate,
});

const overrideSchema = z.strictObject({
  inputPerMTok: rate.optional(),
  outputPerMTok: rate.optional(),
  cacheWrite5mPerMTok: rate.optional(),
  cacheWrite1hPerMTok: rate.optional(),
  cacheReadPerMTok: rate.optional(),
  /** null removes a built-in long-prompt band. */
  longPrompt: longPromptSchema.nullable().optional(),
});

const overridesSchema = z.record(z.string().trim().min(1, 'a model id must not be empty'), overrideSchema);

type PriceOverride = z.infer<typeof overrideSchema>;

/**
 * Anthropic's usual cache multipliers on the input price (platform.claude.com pricing, "Prompt caching"):
 * a 5-minute write costs 1.25×, a 1-hour write 2×, a read 0.1×. Used only to fill in a model the built-in
 * table does not have; some models read cheaper (Opus and Sonnet 5.5: 0.05×), so give the rate when known.
 */
const DEFAULT_CACHE_MULTIPLIERS = { write5m: 1.25, write1h: 2, read: 0.1 } as const;

export class PriceOverridesError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid model price overrides:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'PriceOverridesError';
  }
}

/**
 * The price table with the operator's overrides applied, from a JSON object of model id → USD per million
 * tokens, e.g. `{"claude-sonnet-5-5":{"cacheReadPerMTok":0.1},"my-proxy-model":{"inputPerMTok":3,"outputPerMTok":15}}`.
 *
 * - A model already in the table keeps every field the override does not give (so a price cut is one field).
 * - A new model needs `inputPerMTok` and `outputPerMTok`; missing cache prices follow DEFAULT_CACHE_MULTIPLIERS.
 * - `longPrompt` replaces the band whole; `null` removes it.
 * - Unknown fields, negative or non-numeric prices are errors, all listed at once: a typo in a price should stop
 *   the boot, not silently produce wrong ledgers.
 *
 * Undefined or blank input returns `base` unchanged.
 */
export function parsePriceOverrides(json: string | undefined, base: PriceTable = MODEL_PRICES): Record<string, ModelPrice> {
  if (json === undefined || json.trim() === '') return { ...base };
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new PriceOverridesError([`not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  // JSON.parse keeps `__proto__` as an own key, but zod's record output drops it: say so instead of ignoring it.
  if (typeof raw === 'object' && raw !== null && Object.hasOwn(raw, '__proto__')) {
    throw new PriceOverridesError(['__proto__: not a model id']);
  }
  const parsed = overridesSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PriceOverridesError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }

  const problems: string[] = [];
  const merged = Object.entries(parsed.data).flatMap(([id, override]) => {
    const key = Object.hasOwn(base, id) || !Object.hasOwn(base, normalizeModelId(id)) ? id : normalizeModelId(id);
    const price = apply(Object.hasOwn(base, key) ? base[key] : undefined, override);
    if (typeof price === 'string') {
      problems.push(`${id}: ${price}`);
      return [];
    }
    return [[key, price] as const];
  });
  if (problems.length > 0) throw new PriceOverridesError(problems);
  return { ...base, ...Object.fromEntries(merged) };
}

function apply(current: ModelPrice | undefined, override: PriceOverride): ModelPrice | string {
  const input = override.inputPerMTok ?? current?.inputPerMTok;
  const output = override.outputPerMTok ?? current?.outputPerMTok;
  if (input === undefined || output === undefined) {
    return 'a model not in the built-in price table needs at least inputPerMTok and outputPerMTok';
  }
  const longPrompt = override.longPrompt === null ? undefined : (override.longPrompt ?? current?.longPrompt);
  return {
    inputPerMTok: input,
    outputPerMTok: output,
    cacheWrite5mPerMTok: override.cacheWrite5mPerMTok ?? current?.cacheWrite5mPerMTok ?? input * DEFAULT_CACHE_MULTIPLIERS.write5m,
    cacheWrite1hPerMTok: override.cacheWrite1hPerMTok ?? current?.cacheWrite1hPerMTok ?? input * DEFAULT_CACHE_MULTIPLIERS.write1h,
    cacheReadPerMTok: override.cacheReadPerMTok ?? current?.cacheReadPerMTok ?? input * DEFAULT_CACHE_MULTIPLIERS.read,
    // exactOptionalPropertyTypes: absent, not undefined, when there is no band.
    ...(longPrompt === undefined ? {} : { longPrompt }),
  };
}
