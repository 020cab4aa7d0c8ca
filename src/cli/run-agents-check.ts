import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import type { AgentFileReader } from '../ports/agent-file-reader.js';
import { REPO_AGENT_DIRS, loadAgentFile } from '../agents/discover-agent.js';
import type { LoadAgentContext } from '../agents/discover-agent.js';
import { loadOpenCodeJsonAgent } from '../agents/find-opencode-json-agent.js';
import { OPENCODE_CONFIG_FILES, openCodeAgentLabel, parseOpenCodeConfig } from '../agents/parse-opencode-json.js';
import { bundledDir, createFsReader } from '../adapters/agents/fs-reader.js';
import { DEFAULT_OPERATOR_MODEL } from '../agents/resolve-model.js';
import { BUNDLED_PREFIX } from '../agents/resolve-skills.js';
import type { LoadResult } from '../agents/types.js';

export interface CliOutput {
  write(text: string): unknown;
}

export interface AgentsCheckDeps {
  cwd: string;
  stdout: CliOutput;
  stderr?: CliOutput;
  /** BULWARK_MODEL and BULWARK_ALLOWED_MODELS, read the way the App reads them. */
  env?: Record<string, string | undefined>;
}

/** One line of `--json` output. Keys are always present; values are null where a failed file has none. */
export interface AgentCheckReport {
  file: string;
  ok: boolean;
  format: 'claude-code' | 'opencode' | null;
  name: string | null;
  description: string | null;
  model: { requested: string | null; resolved: string; warning: string | null } | null;
  tools: { honoured: string[]; ignored: string[] } | null;
  skills: { found: string[]; missing: string[] } | null;
  fields: { honoured: string[]; ignored: string[] } | null;
  warnings: string[];
  errors: string[];
}

export const AGENTS_CHECK_USAGE = `Usage: bulwark agents check [--json] [PATH...]

Loads agent files the way the Bulwark App does and reports, per agent: name, format, requested and resolved
model, honoured and ignored tools, skills found and missing, and problems.

PATH is an agent file, an OpenCode config (opencode.json or opencode.jsonc: each agent of its \`agent\` map), a
folder of agent files, or a repository root. Without PATH: the agent folders of the current directory
(${REPO_AGENT_DIRS.join(', ')}) and its ${OPENCODE_CONFIG_FILES.join(', ')}, or the bundled
agent when there are none. A JSON agent's {file:./path} prompt is read relative to its config file.
Skills are looked up in the agent's repository (.claude/skills/<name>/SKILL.md, .github/bulwark/skills/<name>.md),
then among the bundled skills. The operator default model comes from BULWARK_MODEL (default ${DEFAULT_OPERATOR_MODEL}).

Options:
  --json     print a JSON array, one object per file
  -h, --help show this help

Exit status: 0 when every file loads, 1 when any fails, 2 on a usage error.
`;

/** `bulwark agents check …` with argv being the arguments after `check`. Returns the exit status. */
export async function runAgentsCheck(argv: string[], deps: AgentsCheckDeps): Promise<number> {
  const stderr = deps.stderr ?? deps.stdout;
  let parsed: ReturnType<typeof parseCheckArgs>;
  try {
    parsed = parseCheckArgs(argv);
  } catch (error) {
    stderr.write(`bulwark agents check: ${error instanceof Error ? error.message : String(error)}\n\n${AGENTS_CHECK_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    deps.stdout.write(AGENTS_CHECK_USAGE);
    return 0;
  }

  const env = deps.env ?? {};
  const operatorDefaultModel = env['BULWARK_MODEL']?.trim() || DEFAULT_OPERATOR_MODEL;
  const allowedModels = env['BULWARK_ALLOWED_MODELS']
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  const bundled = createFsReader(bundledDir());
  const context = { bundled, operatorDefaultModel, ...(allowedModels?.length ? { allowedModels } : {}) };

  const { targets, notes, usedBundled } = await collectTargets(parsed.positionals, deps.cwd);
  const reports: AgentCheckReport[] = [];
  for (const target of targets) {
    if ('error' in target) {
      reports.push(failedReport(target.label, [target.error]));
      continue;
    }
    if ('json' in target) {
      reports.push(...(await checkOpenCodeConfig(target, { ...context, repo: target.repo }, notes)));
      continue;
    }
    const text = await target.reader.read(target.path);
    if (text === undefined) {
      reports.push(failedReport(target.label, [`${target.label}: cannot be read`]));
      continue;
    }
    const result = await loadAgentFile(target.label, text, { ...context, ...(target.repo ? { repo: target.repo } : {}) });
    reports.push(toReport(result));
  }

  if (parsed.values.json) deps.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  else deps.stdout.write(renderText(reports, notes, usedBundled));
  return reports.some((report) => !report.ok) ? 1 : 0;
}

function parseCheckArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
}

type Target =
  | { label: string; reader: AgentFileReader; path: string; repo?: AgentFileReader }
  /** An OpenCode config: `path` in the repository `repo` reads (prompt files are relative to it). */
  | { label: string; json: true; path: string; repo: AgentFileReader }
  | { label: string; error: string };

/** Every agent of an OpenCode config's `agent` map, or the file's own failure (JSON that does not parse). */
async function checkOpenCodeConfig(target: Extract<Target, { json: true }>, context: LoadAgentContext, notes: string[]): Promise<AgentCheckReport[]> {
  const text = await target.repo.read(target.path);
  if (text === undefined) return [failedReport(target.label, [`${target.label}: cannot be read`])];
  const config = parseOpenCodeConfig(target.label, text);
  if (!config.ok) return [failedReport(target.label, config.errors)];
  if (config.agents.length === 0) notes.push(`${target.label}: no agents (it has no \`agent\` map)`);
  const reports: AgentCheckReport[] = [];
  for (const entry of config.agents) {
    const loaded = await loadOpenCodeJsonAgent({ file: target.label, path: target.path, repo: target.repo }, entry, context);
    reports.push(loaded.ok ? toReport(loaded) : failedReport(openCodeAgentLabel(target.label, entry.name), loaded.errors));
  }
  return reports;
}

async function collectTargets(paths: string[], cwd: string): Promise<{ targets: Target[]; notes: string[]; usedBundled: boolean }> {
  const notes: string[] = [];
  if (paths.length === 0) {
    const targets = await repoAgentTargets(cwd, cwd);
    if (targets.length > 0) return { targets, notes, usedBundled: false };
    notes.push(`no agent files in ${REPO_AGENT_DIRS.join(', ')} and no OpenCode config; a review here would use the bundled agent`);
    const bundled = createFsReader(bundledDir());
    const repo = createFsReader(cwd);
    return {
      targets: [{ label: `${BUNDLED_PREFIX}backend-specialist.md`, reader: bundled, path: 'backend-specialist.md', repo }],
      notes,
      usedBundled: true,
    };
  }

  const targets: Target[] = [];
  for (const path of paths) {
    const full = resolve(cwd, path);
    const kind = await pathKind(full);
    if (kind === 'missing') {
      targets.push({ label: path, error: `${path}: no such file or folder` });
    } else if (kind === 'file') {
      targets.push(/\.jsonc?$/i.test(full) ? jsonTarget(full, cwd) : fileTarget(full, cwd));
    } else {
      const asRepo = await repoAgentTargets(full, cwd);
      if (asRepo.length > 0) targets.push(...asRepo);
      else {
        const names = (await createFsReader(full).list('')).filter((name) => /\.md$/i.test(name));
        if (names.length === 0) notes.push(`${path}: no .md files`);
        targets.push(...names.map((name) => fileTarget(resolve(full, name), cwd)));
      }
    }
  }
  return { targets, notes, usedBundled: false };
}

async function repoAgentTargets(root: string, cwd: string): Promise<Target[]> {
  const reader = createFsReader(root);
  const targets: Target[] = [];
  for (const dir of REPO_AGENT_DIRS) {
    const names = (await reader.list(dir)).filter((name) => /\.md$/i.test(name));
    targets.push(...names.map((name) => fileTarget(resolve(root, dir, name), cwd)));
  }
  for (const file of OPENCODE_CONFIG_FILES) {
    if ((await pathKind(resolve(root, file))) === 'file') targets.push(jsonTarget(resolve(root, file), cwd));
  }
  return targets;
}

/** An OpenCode config and its repository: the folder above `.opencode/` when it sits there, else its own folder. */
function jsonTarget(full: string, cwd: string): Target {
  const folder = dirname(full);
  const root = basename(folder) === '.opencode' ? dirname(folder) : folder;
  return { label: labelFor(full, cwd), json: true, path: relative(root, full).split(sep).join('/'), repo: createFsReader(root) };
}

/** An agent file's repository: the folder above its agent folder when it sits in one, else the current directory. */
function fileTarget(full: string, cwd: string): Target {
  const unix = full.split(sep).join('/');
  const match = /^(.*)\/(?:\.claude\/agents|\.opencode\/agents?|\.github\/bulwark\/agents)\/[^/]+$/.exec(unix);
  const root = match?.[1] !== undefined ? resolve(match[1] || '/') : cwd;
  return { label: labelFor(full, cwd), reader: createFsReader(dirname(full)), path: basename(full), repo: createFsReader(root) };
}

function labelFor(full: string, cwd: string): string {
  const rel = relative(cwd, full);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : full;
}

async function pathKind(full: string): Promise<'file' | 'dir' | 'missing'> {
  try {
    const info = await stat(full);
    return info.isDirectory() ? 'dir' : 'file';
  } catch {
    return 'missing';
  }
}

function toReport(result: LoadResult): AgentCheckReport {
  if (!result.ok) return failedReport(result.file, result.errors);
  const { agent } = result;
  return {
    file: agent.file,
    ok: true,
    format: agent.format,
    name: agent.name,
    description: agent.description,
    model: { requested: agent.model.requested ?? null, resolved: agent.model.resolved, warning: agent.model.warning ?? null },
    tools: { honoured: agent.tools.honoured, ignored: agent.tools.ignored },
    skills: { found: agent.skills.found.map((skill) => skill.name), missing: agent.skills.missing },
    fields: { honoured: agent.fields.honoured, ignored: agent.fields.ignored },
    warnings: agent.warnings ?? [],
    errors: [],
  };
}

function failedReport(file: string, errors: string[]): AgentCheckReport {
  return { file, ok: false, format: null, name: null, description: null, model: null, tools: null, skills: null, fields: null, warnings: [], errors };
}

function renderText(reports: AgentCheckReport[], notes: string[], usedBundled: boolean): string {
  const lines: string[] = [];
  for (const note of notes) lines.push(`note: ${note}`);
  if (notes.length > 0) lines.push('');
  for (const report of reports) {
    lines.push(`${report.ok ? 'ok  ' : 'FAIL'} ${report.file}`);
    if (!report.ok) {
      for (const error of report.errors) lines.push(`     error: ${error}`);
      lines.push('');
      continue;
    }
    const list = (items: string[] | undefined) => (items && items.length > 0 ? items.join(', ') : '-');
    const model = report.model;
    lines.push(`     name:    ${report.name} (${report.format})`);
    lines.push(`     model:   ${model?.requested ?? '(none: operator default)'} -> ${model?.resolved}`);
    lines.push(`     tools:   honoured ${list(report.tools?.honoured)}; ignored ${list(report.tools?.ignored)}`);
    lines.push(`     skills:  found ${list(report.skills?.found)}; missing ${list(report.skills?.missing)}`);
    if (report.fields && report.fields.ignored.length > 0) lines.push(`     fields:  ignored ${list(report.fields.ignored)}`);
    const problems = [
      ...(model?.warning ? [`model: ${model.warning}`] : []),
      ...(report.skills?.missing.length ? [`skills not found: ${list(report.skills.missing)}`] : []),
      ...(report.tools?.ignored.length ? [`tools never run by Bulwark: ${list(report.tools.ignored)}`] : []),
      ...report.warnings,
    ];
    for (const problem of problems) lines.push(`     problem: ${problem}`);
    lines.push('');
  }
  const failed = reports.filter((report) => !report.ok).length;
  // An OpenCode config holds several agents: the count is of agents, each a file or an entry of an agent map.
  lines.push(`${reports.length} agent${reports.length === 1 ? '' : 's'} checked, ${failed} failed${usedBundled ? ' (bundled agent)' : ''}`);
  return `${lines.join('\n')}\n`;
}
