import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createAgentProvider } from '../adapters/agents/create-agent-provider.js';
import { createAnthropicClient, createAnthropicModel } from '../adapters/anthropic/anthropic-model.js';
import { SettingsError } from '../config/env.js';
import type { EvalCase } from '../eval/load-cases.js';
import { loadCases } from '../eval/load-cases.js';
import { fetchRecipe } from '../eval/fetch-recipe.js';
import { matchCase } from '../eval/match-findings.js';
import { materializeCase } from '../eval/materialize-case.js';
import { scoreRuns } from '../eval/score-runs.js';
import type { CaseRun } from '../eval/score-runs.js';
import { bundledDir } from '../adapters/agents/fs-reader.js';
import type { ReviewModel } from '../ports/review-model.js';
import { renderEvalTable } from '../render/render-eval-table.js';
import { createFileAgentProvider } from './file-agent-provider.js';
import { cliSettings } from './review-settings.js';
import type { AgentsCheckDeps } from './run-agents-check.js';
import { runLocalReview } from './run-local-review.js';
import { silentLogger } from './silent-logger.js';

export const EVAL_USAGE = `Usage: bulwark eval [--cases DIR] [--model ID]... [--agent FILE] [--runs N] [--json FILE]
                    [--only ID]... [--cache DIR] [--check]

Reviews every labeled case with the same pipeline as the App and prints, per model: recall, precision, F1, the
false-positive rate on clean cases, recall per category, tokens, cost and wall time per case.

Options:
  --cases DIR   the cases (default: eval/cases of the Bulwark package)
  --model ID    a model to evaluate; repeat for several (default: the agent's, else BULWARK_MODEL)
  --agent FILE  an agent file to review with (default: the bundled backend specialist)
  --runs N      review each case N times (default 1)
  --json FILE   also write every case's result and the scores as JSON
  --only ID     evaluate only this case; repeat for several
  --cache DIR   where recipe cases' package files are kept (default: <tmp>/bulwark-eval-cache)
  --check       load and validate the cases, fetch nothing, call no model

Exit status: 0 done, 1 a case does not validate, 2 error.
`;

export interface EvalDeps extends AgentsCheckDeps {
  model?: ReviewModel;
  /** Replaces global fetch for recipe downloads. */
  fetch?: typeof fetch;
}

/** `bulwark eval …`, argv being the arguments after `eval`. */
export async function runEval(argv: string[], deps: EvalDeps): Promise<number> {
  const stderr = deps.stderr ?? deps.stdout;
  const fail = (message: string) => {
    stderr.write(`bulwark eval: ${message}\n`);
    return 2;
  };
  let values: ReturnType<typeof parseEvalArgs>['values'];
  try {
    values = parseEvalArgs(argv).values;
  } catch (error) {
    stderr.write(`bulwark eval: ${error instanceof Error ? error.message : String(error)}\n\n${EVAL_USAGE}`);
    return 2;
  }
  if (values.help) {
    deps.stdout.write(EVAL_USAGE);
    return 0;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) return fail('--runs takes a whole number from 1 to 20');
  const casesDir = resolve(deps.cwd, values.cases ?? join(bundledDir(), '..', 'eval', 'cases'));
  const loaded = await loadCases(casesDir).catch((error: unknown) => ({ cases: [] as EvalCase[], problems: [`${casesDir}: ${error instanceof Error ? error.message : String(error)}`] }));
  const only = values.only ?? [];
  const cases = only.length > 0 ? loaded.cases.filter((item) => only.includes(item.id)) : loaded.cases;

  if (values.check) {
    for (const problem of loaded.problems) stderr.write(`invalid: ${problem}\n`);
    const count = (kind: string) => loaded.cases.filter((item) => item.spec.kind === kind).length;
    deps.stdout.write(
      `${loaded.cases.length} cases valid (${count('real')} real, ${count('planted')} planted, ${count('clean')} clean; ` +
        `${loaded.cases.reduce((sum, item) => sum + item.spec.labels.length, 0)} labels), ${loaded.problems.length} problems\n`,
    );
    return loaded.problems.length > 0 ? 1 : 0;
  }
  if (loaded.problems.length > 0) {
    for (const problem of loaded.problems) stderr.write(`invalid: ${problem}\n`);
    return 1;
  }
  if (cases.length === 0) return fail(`no cases in ${casesDir}${only.length ? ` named ${only.join(', ')}` : ''}`);

  let configured: ReturnType<typeof cliSettings>;
  try {
    configured = cliSettings(deps.env ?? {});
  } catch (error) {
    return fail(error instanceof SettingsError ? `invalid settings:\n  ${error.problems.join('\n  ')}` : String(error));
  }
  const { settings, pipeline } = configured;
  if (!deps.model && !settings.anthropic.apiKey) return fail('ANTHROPIC_API_KEY is not set; export it and run again');
  const model = deps.model ?? createAnthropicModel(createAnthropicClient(settings.anthropic), { cacheTtl: settings.anthropic.cacheTtl });
  const agentOptions = { defaultModel: settings.model.default, allowedModels: settings.model.allowed };
  const agents = values.agent ? createFileAgentProvider(resolve(deps.cwd, values.agent), agentOptions) : createAgentProvider(agentOptions);
  const cacheDir = resolve(deps.cwd, values.cache ?? join(tmpdir(), 'bulwark-eval-cache'));
  const models = values.model && values.model.length > 0 ? values.model : [undefined];

  const results: { model: string; runs: (CaseRun & { findings: unknown[] })[] }[] = [];
  for (const modelId of models) {
    const caseRuns: (CaseRun & { findings: unknown[] })[] = [];
    let name = modelId ?? settings.model.default;
    for (const item of cases) {
      let files: { base: Map<string, string>; head: Map<string, string> };
      try {
        files = item.spec.recipe ? await fetchRecipe(item.spec.recipe, { cacheDir, registry: deps.env?.['npm_config_registry'], ...(deps.fetch ? { fetch: deps.fetch } : {}) }) : { base: item.base, head: item.head };
      } catch (error) {
        return fail(`${item.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
      for (let run = 0; run < runs; run += 1) {
        const repo = await materializeCase({ base: files.base, head: files.head, deleted: item.spec.deleted, config: item.spec.config });
        try {
          const outcome = await runLocalReview({ repoDir: repo.repoDir, baseSha: repo.baseSha, headSha: repo.headSha, model, agents, settings: pipeline, log: silentLogger, overrides: { model: modelId } });
          const check = outcome.capture.checkRuns.at(-1)?.completion;
          const failed = !check || /^(Review failed|Invalid )/.test(check.output.title);
          if (outcome.usage) name = modelId ?? outcome.usage.model;
          const usage = outcome.usage;
          caseRuns.push({
            caseId: item.id,
            kind: item.spec.kind,
            labels: item.spec.labels,
            match: matchCase(outcome.findings, item.spec.labels),
            tokens: usage ? usage.inputTokens + usage.outputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens : 0,
            usd: usage?.usd,
            wallMs: outcome.wallMs,
            failed,
            findings: outcome.findings,
          });
          stderr.write(`${item.id}${runs > 1 ? ` #${run + 1}` : ''}: ${caseRuns.at(-1)?.match.found.filter(Boolean).length}/${item.spec.labels.length} found, ${outcome.findings.length} findings${failed ? ' (review failed)' : ''}\n`);
        } finally {
          await repo.remove();
        }
      }
    }
    results.push({ model: name, runs: caseRuns });
  }
  const scores = results.map((result) => scoreRuns(result.model, result.runs));
  deps.stdout.write(renderEvalTable(scores));
  if (values.json) await writeFile(resolve(deps.cwd, values.json), `${JSON.stringify({ scores, results }, null, 2)}\n`);
  return 0;
}

function parseEvalArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: false,
    strict: true,
    options: {
      cases: { type: 'string' },
      model: { type: 'string', multiple: true },
      agent: { type: 'string' },
      runs: { type: 'string', default: '1' },
      json: { type: 'string' },
      only: { type: 'string', multiple: true },
      cache: { type: 'string' },
      check: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
}
