import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The folder of action.yml's `runs.main`, from the repository root. */
export const ACTION_DIST = 'action/dist';

/**
 * The Action's bundle: a JavaScript action runs the files its tag holds, with no `npm install` on the runner
 * (https://docs.github.com/en/actions/sharing-automations/creating-actions/creating-a-javascript-action#commit-tag-and-push-your-action),
 * so every dependency goes into one file. Written to `<outDir>/main/`: three folders below the repository root,
 * where the bundled agents are found as from `src/adapters/agents/` and `dist/adapters/agents/`
 * (fs-reader.ts `bundledDir`), and the repository tools' worker beside it, where tool-sandbox.ts looks for it.
 */
export async function buildActionBundle(outDir: string): Promise<{ files: string[] }> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const result = await build({
    absWorkingDir: root,
    entryPoints: { index: 'src/action/main.ts', 'tool-worker': 'src/context/tool-worker.ts' },
    outdir: resolve(root, outDir, 'main'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    // jsonc-parser's `main` is a UMD wrapper whose require() calls a bundler cannot follow; its ES modules bundle.
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
    // Dependencies written as CommonJS call require(); an ES module has none of its own.
    banner: { js: "import { createRequire as __bulwarkRequire } from 'node:module'; const require = __bulwarkRequire(import.meta.url);" },
  });
  return { files: Object.keys(result.metafile.outputs) };
}

// `npm run build:action`
if (process.argv[1] && resolve(process.argv[1]) === import.meta.filename) {
  const { files } = await buildActionBundle(ACTION_DIST);
  console.info(`wrote ${files.join(', ')}`);
}
