import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAgentProvider } from '../adapters/agents/create-agent-provider.js';
import { createAnthropicClient, createAnthropicModel } from '../adapters/anthropic/anthropic-model.js';
import { SettingsError } from '../config/env.js';
import type { ReviewModel } from '../ports/review-model.js';
import { renderLocalReview } from '../render/render-local-review.js';
import { renderSarif } from '../render/render-sarif.js';
import { SEVERITIES } from '../review/types.js';
import type { Severity } from '../review/types.js';
import { createFileAgentProvider } from './file-agent-provider.js';
import { resolveReviewRange, UsageProblem } from './resolve-review-range.js';
import { cliSettings } from './review-settings.js';
import type { AgentsCheckDeps } from './run-agents-check.js';
import { runLocalReview } from './run-local-review.js';
import { silentLogger } from './silent-logger.js';

export const REVIEW_USAGE = `Usage: bulwark review [--base REF] [--head REF | --working-tree] [--repo DIR] [--agent FILE|NAME]
                      [--model ID] [--format markdown|json|sarif] [--output FILE] [--fail-on SEVERITY]

Reviews the diff between the merge base of --base and --head of a local git repository, with the same pipeline
as the Bulwark App: .github/bulwark.yml, agents and skills from the base side, secrets masked, Read/Grep/Glob over
the head. Needs ANTHROPIC_API_KEY (ANTHROPIC_BASE_URL and the App's BULWARK_* settings are honoured).

Options:
  --base REF          default: the default branch, else origin/HEAD, else main
  --head REF          default: HEAD
  --working-tree      review uncommitted changes to tracked files too
  --repo DIR          the repository (default: the current directory)
  --agent FILE|NAME   an agent file, or the name of an agent of the repository
  --model ID          the model (opus, sonnet, haiku or a full id), over the agent's and the config's
  --format FORMAT     markdown (default), json (findings) or sarif (SARIF 2.1.0, for code scanning)
  --output FILE       write the result there instead of to stdout
  --fail-on SEVERITY  exit 1 when a finding is at or above it: critical, high (default), medium, low

Exit status: 0 no finding at or above --fail-on, 1 findings at or above it, 2 error.
`;

export interface ReviewCommandDeps extends AgentsCheckDeps {
  /** Replaces the Anthropic model (tests use the local stand-in through ANTHROPIC_BASE_URL instead). */
  model?: ReviewModel;
}

/** `bulwark review …`, argv being the arguments after `review`. Returns the exit status. */
export async function runReviewCommand(argv: string[], deps: ReviewCommandDeps): Promise<number> {
  const stderr = deps.stderr ?? deps.stdout;
  const fail = (message: string) => {
    stderr.write(`bulwark review: ${message}\n`);
    return 2;
  };
  let values: ReturnType<typeof parseReviewArgs>['values'];
  try {
    values = parseReviewArgs(argv).values;
  } catch (error) {
    stderr.write(`bulwark review: ${error instanceof Error ? error.message : String(error)}\n\n${REVIEW_USAGE}`);
    return 2;
  }
  if (values.help) {
    deps.stdout.write(REVIEW_USAGE);
    return 0;
  }
  const format = values.format;
  if (format !== 'markdown' && format !== 'json' && format !== 'sarif') return fail(`--format must be markdown, json or sarif, not '${format}'`);
  const failOn = values['fail-on'];
  if (!SEVERITIES.includes(failOn as Severity)) return fail(`--fail-on must be one of ${SEVERITIES.join(', ')}, not '${failOn}'`);

  const env = deps.env ?? {};
  let configured: ReturnType<typeof cliSettings>;
  try {
    configured = cliSettings(env);
  } catch (error) {
    return fail(error instanceof SettingsError ? `invalid settings:\n  ${error.problems.join('\n  ')}` : String(error));
  }
  const { settings, pipeline } = configured;
  if (!deps.model && !settings.anthropic.apiKey) return fail('ANTHROPIC_API_KEY is not set; export it (or put a gateway in ANTHROPIC_BASE_URL and a key for it) and run again');

  let range: Awaited<ReturnType<typeof resolveReviewRange>>;
  try {
    range = await resolveReviewRange({ cwd: resolve(deps.cwd, values.repo ?? '.'), base: values.base, head: values.head, workingTree: values['working-tree'] });
  } catch (error) {
    return fail(error instanceof UsageProblem ? error.message : String(error));
  }

  const agentFlag = values.agent;
  const isAgentFile = agentFlag !== undefined && /\.md$/i.test(agentFlag);
  const agentOptions = { defaultModel: settings.model.default, allowedModels: settings.model.allowed };
  const agents = isAgentFile ? createFileAgentProvider(resolve(deps.cwd, agentFlag), agentOptions) : createAgentProvider(agentOptions);
  const progress = isTerminal(deps.stderr) ? stderr : undefined;
  const model = withProgress(deps.model ?? createAnthropicModel(createAnthropicClient(settings.anthropic), { cacheTtl: settings.anthropic.cacheTtl }), progress);

  progress?.write(`bulwark: reviewing ${range.baseSha.slice(0, 7)}..${range.headSha.slice(0, 7)} (merge base of ${range.baseLabel})\n`);
  const outcome = await runLocalReview({
    repoDir: range.repoDir,
    baseSha: range.baseSha,
    headSha: range.headSha,
    model,
    agents,
    settings: pipeline,
    log: silentLogger,
    overrides: { agent: isAgentFile ? undefined : agentFlag, model: values.model },
  });
  const check = outcome.capture.checkRuns.at(-1)?.completion;
  const review = outcome.capture.reviews.at(-1);
  if (!check || (!review && /^(Review failed|Invalid )/.test(check.output.title))) {
    return fail(check ? `${check.output.title}\n\n${check.output.summary}` : 'the review did not complete');
  }

  const text =
    format === 'json'
      ? `${JSON.stringify({ base: range.baseSha, head: range.headSha, conclusion: check.conclusion, title: check.output.title, findings: outcome.findings, usage: outcome.usage ?? null }, null, 2)}\n`
      : format === 'sarif'
        ? `${JSON.stringify(renderSarif(outcome.findings, { version: '0.1.0', informationUri: 'https://github.com/bulwark-review/bulwark' }), null, 2)}\n`
        : renderLocalReview({ review, check, files: outcome.files });
  if (values.output) await writeFile(resolve(deps.cwd, values.output), text);
  else deps.stdout.write(text);
  if (progress && outcome.usage) {
    const { usage } = outcome;
    progress.write(`bulwark: ${usage.model}, ${usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens} input and ${usage.outputTokens} output tokens, ${usage.usd === undefined ? 'cost unknown' : `~$${usage.usd.toFixed(4)}`}, ${(outcome.wallMs / 1000).toFixed(1)} s\n`);
  }
  const threshold = SEVERITIES.indexOf(failOn as Severity);
  return outcome.findings.some((finding) => SEVERITIES.indexOf(finding.severity) <= threshold) ? 1 : 0;
}

function parseReviewArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      base: { type: 'string' },
      head: { type: 'string' },
      'working-tree': { type: 'boolean', default: false },
      repo: { type: 'string' },
      agent: { type: 'string' },
      model: { type: 'string' },
      format: { type: 'string', default: 'markdown' },
      output: { type: 'string' },
      'fail-on': { type: 'string', default: 'high' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}

function isTerminal(stream: unknown): boolean {
  return typeof stream === 'object' && stream !== null && 'isTTY' in stream && stream.isTTY === true;
}

/** Counts model calls as they finish, on stderr when it is a terminal. */
function withProgress(model: ReviewModel, out: { write(text: string): unknown } | undefined): ReviewModel {
  if (!out) return model;
  let done = 0;
  let input = 0;
  let output = 0;
  return {
    ...(model.countTokens ? { countTokens: model.countTokens.bind(model) } : {}),
    review: async (request, signal) => {
      const answer = await model.review(request, signal);
      done += 1;
      input += answer.usage.inputTokens + answer.usage.cacheReadInputTokens + answer.usage.cacheCreationInputTokens;
      output += answer.usage.outputTokens;
      out.write(`bulwark: ${done} chunk${done === 1 ? '' : 's'} reviewed, ${input} input and ${output} output tokens so far\n`);
      return answer;
    },
  };
}
