import { readSettings } from '../config/env.js';
import type { Settings } from '../config/env.js';
import type { PipelineSettings } from '../review/pipeline-settings.js';

/**
 * Operator settings for a review run from the command line: the App's own variables (BULWARK_*, ANTHROPIC_*),
 * without the GitHub App's credentials, which a local review never uses (readSettings checks WEBHOOK_SECRET
 * whenever APP_ID is set). No daily budget: the person running it pays for what they ask.
 */
export function cliSettings(env: Record<string, string | undefined>): { settings: Settings; pipeline: PipelineSettings } {
  const settings = readSettings(Object.fromEntries(Object.entries(env).filter(([name]) => name !== 'APP_ID' && name !== 'WEBHOOK_SECRET')));
  return {
    settings,
    pipeline: {
      checkName: settings.checkName,
      maxFiles: settings.maxFiles,
      maxOutputTokens: settings.model.maxOutputTokens,
      chunkTokens: settings.chunkTokens,
      modelConcurrency: settings.modelConcurrency,
      maxInputTokens: settings.maxInputTokens,
      prices: settings.prices,
      dailyBudget: { tokens: undefined, usd: undefined },
      tools: settings.tools,
    },
  };
}
