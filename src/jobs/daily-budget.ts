import { renderSkippedOutput } from '../render/render-check.js';
import type { PipelineDeps, PipelineInput } from './review-pull-request.js';

/** True when the installation has spent its daily token or dollar budget (shared across replicas via Redis). */
export async function overDailyBudget(deps: PipelineDeps, installationId: number): Promise<boolean> {
  const { tokens, usd } = deps.settings.dailyBudget;
  if (!deps.budget || (tokens === undefined && usd === undefined)) return false;
  const spent = await deps.budget.spent(installationId, deps.clock.now());
  return (tokens !== undefined && spent.tokens >= tokens) || (usd !== undefined && spent.usd >= usd);
}

export async function completeOverBudget(input: PipelineInput): Promise<void> {
  const { tokens, usd } = input.deps.settings.dailyBudget;
  const limits = [tokens !== undefined ? `${tokens.toLocaleString('en-US')} tokens` : '', usd !== undefined ? `$${usd}` : ''].filter(Boolean).join(' or ');
  const output = renderSkippedOutput(
    'Daily review budget reached',
    `This installation has used its daily model budget (${limits} per UTC day), so Bulwark did not review this commit. It resets at midnight UTC; the operator can raise BULWARK_DAILY_TOKEN_BUDGET or BULWARK_DAILY_USD_BUDGET. Comment \`/review\` to try again later.`,
  );
  await input.complete('neutral', output);
  input.log.warn({ installation: input.job.installationId }, 'daily budget reached');
}
