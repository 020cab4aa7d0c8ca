import type { StandInFile } from '../test/helpers/stand-ins/github-server.js';

/**
 * A large backend pull request, generated deterministically: `files` files holding `changedLines` changed lines in
 * all (added and deleted), spread over route, auth, database, config, service and test folders so the risk
 * order has work to do. Hunks of ~10 changes with 3 lines of context, like a real refactor.
 */
export function syntheticPullRequest(options: { files: number; changedLines: number }): StandInFile[] {
  const kinds = ['routes', 'auth', 'db', 'services', 'lib', 'config', 'jobs', 'test'] as const;
  const files: StandInFile[] = [];
  const base = Math.floor(options.changedLines / options.files);
  const extra = options.changedLines - base * options.files;
  let seed = 42;
  const random = () => {
    // xorshift32: the same PR on every run and machine.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x1_0000_0000;
  };
  for (let index = 0; index < options.files; index += 1) {
    const kind = kinds[index % kinds.length]!;
    const module = `m${String(Math.floor(index / 40)).padStart(3, '0')}`;
    const name = kind === 'test' ? `feature${index}.test.ts` : `${kind}${index}.ts`;
    const path = kind === 'test' ? `test/${module}/${name}` : `src/${module}/${kind}/${name}`;
    const changes = base + (index < extra ? 1 : 0);
    const { patch, additions, deletions } = patchOf(changes, index, random);
    files.push({ filename: path, status: 'modified', additions, deletions, patch });
  }
  return files;
}

const SNIPPETS = [
  'const result = await repository.findById(request.params.id);',
  'if (!result) return reply.status(404).send({ error: "not found" });',
  'logger.info({ userId: user.id, action: "update" }, "user updated");',
  'const total = items.reduce((sum, item) => sum + item.price * item.quantity, 0);',
  'await db.transaction(async (tx) => { await tx.insert(orders).values(order); });',
  'export function validate(input: unknown): asserts input is Payload {',
  'throw new HttpError(400, `invalid field ${field}: ${reason}`);',
  'return { id: row.id, email: row.email, createdAt: row.created_at.toISOString() };',
  'const token = jwt.sign({ sub: user.id }, config.secret, { expiresIn: "1h" });',
  'for (const job of await queue.pending()) await worker.process(job);',
];

function patchOf(changes: number, index: number, random: () => number): { patch: string; additions: number; deletions: number } {
  const lines: string[] = [];
  let additions = 0;
  let deletions = 0;
  let oldLine = 1 + Math.floor(random() * 50);
  let newLine = oldLine;
  let left = changes;
  while (left > 0) {
    const size = Math.min(left, 8 + Math.floor(random() * 5));
    const dels = Math.floor(size * 0.3);
    const adds = size - dels;
    const body: string[] = [];
    const context = (n: number) => Array.from({ length: n }, (_, i) => `   ${SNIPPETS[(index + i) % SNIPPETS.length]}`);
    body.push(...context(3));
    for (let i = 0; i < dels; i += 1) body.push(`-  ${SNIPPETS[(index + i + 3) % SNIPPETS.length]} // old ${index}.${i}`);
    for (let i = 0; i < adds; i += 1) body.push(`+  ${SNIPPETS[(index + i + 5) % SNIPPETS.length]} // new ${index}.${i}`);
    body.push(...context(3));
    lines.push(`@@ -${oldLine},${6 + dels} +${newLine},${6 + adds} @@ export function handler${index}() {`, ...body);
    additions += adds;
    deletions += dels;
    oldLine += 6 + dels + 20;
    newLine += 6 + adds + 20;
    left -= size;
  }
  return { patch: lines.join('\n'), additions, deletions };
}

/**
 * The head version of a synthetic file, for the contents API: the patch's new side where its hunks are, and between
 * them filler code with a function start 12 lines above each hunk (so widening has an enclosing function to reach,
 * as in real code), and 10 lines after the last hunk.
 */
export function syntheticHead(patch: string, index: number): string {
  const head: string[] = [];
  const fill = (upTo: number, hunk: number) => {
    const start = upTo - 12;
    while (head.length < upTo) {
      const number = head.length + 1;
      if (number === start - 1 && number > 1) head.push('}');
      else if (number === start) head.push(`export function handler${index}_${hunk}(request, reply) {`);
      else head.push(`  const value${number} = ${SNIPPETS[number % SNIPPETS.length]!.length};`);
    }
  };
  let hunk = 0;
  for (const line of patch.split('\n')) {
    const header = /^@@ -\d+(?:,\d+)? \+(\d+)/.exec(line);
    if (header) {
      fill(Number(header[1]) - 1, hunk);
      hunk += 1;
    } else if (!line.startsWith('-')) {
      head.push(line.slice(1));
    }
  }
  fill(head.length + 10, hunk);
  return `${head.join('\n')}\n}\n`;
}
