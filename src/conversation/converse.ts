import { classifyRepoConfig } from '../config/classify-repo-config.js';
import { defaultRepoConfig, REPO_CONFIG_FILE } from '../config/repo-config.js';
import type { RepoConfig } from '../config/repo-config.js';
import { createModelTools } from '../context/model-tools.js';
import { chargeUsage, spendLimitReached } from '../jobs/daily-budget.js';
import type { AgentChoice } from '../ports/agent-provider.js';
import type { PullRequestHost, PullRequestInfo, PullRequestRef } from '../ports/pull-request-host.js';
import { ServiceError } from '../ports/service-error.js';
import { buildSystem } from '../review/build-prompt.js';
import { parseAnswer } from '../review/answer-schema.js';
import type { ModelAnswer } from '../review/answer-schema.js';
import type { SpendLimit } from '../review/spend-limit.js';
import { maskSecretsInText } from '../secrets/index.js';
import type { CommandInput } from './command-handlers.js';

/** Output tokens of an answer: a few hundred words, with room for the JSON around them. */
const ANSWER_MAX_OUTPUT_TOKENS = 2_000;

/** What an answer is about: the pull request, the repository's config (defaults when it is invalid), the agent. */
export interface AnswerContext {
  pr: PullRequestInfo;
  config: RepoConfig;
  agent: AgentChoice;
}

/** The daily limit that refuses an answer (the installation's budget, as for reviews), if one does. */
export function answerLimit(input: CommandInput): Promise<SpendLimit | undefined> {
  // A command is asked for by hand: only the installation's budget holds, never the automatic-review count.
  return spendLimitReached(input.deps, input.job, { mode: 'incremental' });
}

/** The pull request, config and agent, read as a review reads them (default branch; a broken config: the defaults). */
export async function answerContext({ host, ref, deps }: CommandInput): Promise<AnswerContext> {
  const pr = await host.getPullRequest(ref);
  const config = await commandConfig(host, ref);
  const agent = await deps.agents({ host, ref, pr, config });
  return { pr, config, agent };
}

/**
 * The repository config a command works under (default branch); the defaults when the file is invalid (a review
 * says what is wrong with it). A failure to read it is thrown, as for a review.
 */
export async function commandConfig(host: PullRequestHost, ref: PullRequestRef): Promise<RepoConfig> {
  const loaded = classifyRepoConfig(await host.readConfig(ref, REPO_CONFIG_FILE).then((raw) => ({ raw }), (error: unknown) => ({ error })));
  return loaded.ok ? loaded.config : defaultRepoConfig();
}

/**
 * One model call answering `user` under the agent's system prompt (the review's cached prefix), with the agent's
 * read-only tools on the head snapshot when it has them (bounded turns and tokens, as for a review). What it spent
 * is counted against the daily budget; the answer is validated, and masked for secrets before anyone sees it.
 */
export async function converse(input: CommandInput, context: AnswerContext, user: string): Promise<ModelAnswer> {
  const { deps, host, ref, job, log } = input;
  if (!deps.model.converse) throw new ServiceError('anthropic', 'This model cannot answer questions.', { retryable: false });
  const download = () => host.downloadTarball(ref, context.pr.headSha, deps.settings.tools.snapshotMaxCompressedBytes);
  const tools = createModelTools(context.agent.tools, download, deps.settings.tools, context.config.paths.exclude);
  try {
    const request = { model: context.agent.model, system: buildSystem(context.agent.agent), user, maxOutputTokens: Math.min(ANSWER_MAX_OUTPUT_TOKENS, deps.settings.maxOutputTokens) };
    const answered = await deps.model.converse(tools.tools ? { ...request, tools: tools.tools } : request);
    await chargeUsage(deps, job, answered.model || context.agent.model, [answered.usage], log);
    const parsed = parseAnswer(answered.output);
    if (!parsed) throw new ServiceError('anthropic', 'The model answered without the answer the schema asks for.', { retryable: true });
    const masked = await maskSecretsInText(parsed.answer);
    if (masked.count > 0) log.warn({ masked: masked.count }, 'secrets masked in an answer');
    return { ...parsed, answer: masked.text };
  } finally {
    await tools.close();
  }
}
