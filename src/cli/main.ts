#!/usr/bin/env node
import { nodeVersionProblem } from '../config/required-node.js';

// Checked before the rest loads: on an older Node the CLI would fail with an error that does not say why.
const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  console.error(problem);
  process.exit(1);
}

const { runCli } = await import('./run-cli.js');
// The one place the CLI touches the process: everything below gets cwd, streams and environment passed in.
process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
