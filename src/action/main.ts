import { readFile } from 'node:fs/promises';
import { runAction } from './run-action.js';

/**
 * The Action's entry (action.yml `runs.main`, bundled by `npm run build:action`): reads the step's environment and
 * event file, runs one review, and sets the step's exit code. Unexpected errors end the step with a message and
 * no stack trace, as the App's settings errors do.
 */
try {
  const result = await runAction({
    env: process.env,
    readFile: (path) => readFile(path, 'utf8'),
    write: (line) => process.stdout.write(`${line}\n`),
  });
  process.exitCode = result.exitCode;
} catch (error) {
  process.stdout.write(`::error::Bulwark failed: ${(error instanceof Error ? error.message : String(error)).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
  process.exitCode = 1;
}
