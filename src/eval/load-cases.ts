import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { caseSchema } from './case-schema.js';
import type { EvalCaseSpec } from './case-schema.js';

/** A case as loaded: its spec and, for in-repo cases, every base and head file's text by repository path. */
export interface EvalCase {
  id: string;
  dir: string;
  spec: EvalCaseSpec;
  base: Map<string, string>;
  head: Map<string, string>;
}

export interface LoadedCases {
  cases: EvalCase[];
  /** `<case>: <problem>` for every case that does not validate. */
  problems: string[];
}

/**
 * Every `<dir>/<id>/case.yml`, validated: the schema, a base and a change (or a recipe), labels on files of the
 * head, and label lines inside the head file (in-repo cases; a recipe's files are checked when fetched).
 */
export async function loadCases(dir: string): Promise<LoadedCases> {
  const cases: EvalCase[] = [];
  const problems: string[] = [];
  const ids = (await readdir(dir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  for (const id of ids) {
    const caseDir = join(dir, id);
    const found: string[] = [];
    const problem = (text: string) => found.push(`${id}: ${text}`);
    let raw: unknown;
    try {
      raw = parseYaml(await readFile(join(caseDir, 'case.yml'), 'utf8'));
    } catch (error) {
      problems.push(`${id}: case.yml cannot be read (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
      continue;
    }
    const parsed = caseSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => `${id}: case.yml ${issue.path.join('.') || '(root)'}: ${issue.message}`));
      continue;
    }
    const spec = parsed.data;
    const base = new Map<string, string>();
    if (spec.fixture) {
      const fixtureDir = join(dir, '..', 'fixtures', spec.fixture);
      for (const [path, text] of await readTree(fixtureDir)) base.set(path, text);
      if (base.size === 0) problem(`fixture '${spec.fixture}' has no files`);
    }
    for (const [path, text] of await readTree(join(caseDir, 'base'))) base.set(path, text);
    const head = await readTree(join(caseDir, 'head'));
    if (spec.recipe) {
      if (head.size > 0 || base.size > 0) problem('a recipe case has no base/ or head/ files of its own');
      for (const label of spec.labels) if (!spec.recipe.files.includes(label.path)) problem(`label path ${label.path} is not among the recipe's files`);
    } else {
      if (head.size === 0 && spec.deleted.length === 0) problem('no change: head/ is empty and nothing is deleted');
      for (const path of spec.deleted) if (!base.has(path)) problem(`deleted file ${path} is not in the base`);
      for (const label of spec.labels) {
        const text = head.get(label.path);
        if (text === undefined) {
          problem(`label path ${label.path} is not a changed file (head/)`);
          continue;
        }
        const lines = text.split('\n').length;
        if (label.lines[1] > lines) problem(`label ${label.path}:${label.lines[0]}-${label.lines[1]} is past the file's ${lines} lines`);
      }
      for (const [path, text] of head) if (base.get(path) === text) problem(`head/${path} is the same as the base`);
    }
    if (spec.kind === 'clean' && spec.labels.length > 0) problem('a clean case has no labels');
    if (spec.kind !== 'clean' && spec.labels.length === 0) problem(`a ${spec.kind} case needs at least one label`);
    if (found.length > 0) {
      problems.push(...found);
      continue;
    }
    cases.push({ id, dir: caseDir, spec, base, head });
  }
  return { cases, problems };
}

/** Files under `root` by posix path relative to it; none when it does not exist. */
async function readTree(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const exists = await stat(root).then((info) => info.isDirectory(), () => false);
  if (!exists) return files;
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files.set(relative(root, full).split(sep).join('/'), await readFile(full, 'utf8'));
  }
  return files;
}
