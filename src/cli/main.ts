#!/usr/bin/env node
import { runCli } from './run-cli.js';

// The one place the CLI touches the process: everything below gets cwd, streams and environment passed in.
process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
