import { randomBytes } from 'node:crypto';
import { scanSecrets } from './src/secrets/index.js';
import type { DiffFile, DiffLine } from './src/review/types.js';
const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const pick = (n: number) => [...randomBytes(n)].map((b) => B62[b % 62]).join('');
function make(files: number, perFile: number, secretsEvery: number, dels: number): DiffFile[] {
  let k = 0;
  return Array.from({ length: files }, (_, f) => {
    const lines: DiffLine[] = [{ kind: 'context', oldLine: 1, newLine: 1, text: 'import { x } from "./x.js";' }];
    for (let i = 0; i < dels; i++) lines.push({ kind: 'del', oldLine: 2 + i, text: `  const old${i} = legacy.lookup(request.params.id); // ${i}` });
    for (let i = 0; i < perFile; i++) {
      k++;
      const text = secretsEvery && k % secretsEvery === 0 ? `  const token = "ghp_${pick(36)}";` : `  const value${i} = await repository.findById(request.params.id, { include: ['owner', 'tags'] }); // é ${i}`;
      lines.push({ kind: 'add', newLine: 2 + i, text });
    }
    return { path: `src/module${f}/file${f}.ts`, status: 'modified', additions: perFile, deletions: dels, hunks: [{ oldStart: 1, oldLines: 1 + dels, newStart: 1, newLines: perFile + 1, header: '@@ -1 +1 @@', lines }] };
  });
}
for (const [label, files] of [
  ['warmup', make(10, 10, 0, 0)],
  ['3000 files x 33 added, clean', make(3000, 33, 0, 0)],
  ['3000 files x 33 added + 5 deleted, 1 token / 1000 lines', make(3000, 33, 1000, 5)],
  ['1 file x 100000 added, clean', make(1, 100000, 0, 0)],
  ['3000 files x 33 added, 1 token / 10 lines (10k tokens)', make(3000, 33, 10, 0)],
] as const) {
  const t = performance.now();
  const r = await scanSecrets({ files: files as DiffFile[], title: 't', body: 'b' });
  console.log(label, (performance.now() - t).toFixed(0), 'ms', 'count', r.count, 'findings', r.findings.length);
}
