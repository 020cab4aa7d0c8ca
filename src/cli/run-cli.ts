import { runAgentsCheck, type AgentsCheckDeps } from './run-agents-check.js';
import { runEval } from './run-eval.js';
import { runReviewCommand } from './run-review-command.js';

export type CliDeps = AgentsCheckDeps;

export const CLI_USAGE = `Usage: bulwark <command>

Commands:
  agents check [--json] [PATH...]   load agent files the way the App does and report what it would use
  review [--base REF] [--head REF]  review a local git diff with the App's pipeline (markdown, json or sarif)
  eval [--cases DIR] [--model ID]   score the reviewer on labeled cases (recall, precision, F1, cost)

Run 'bulwark <command> --help' for details.
`;

/** Dispatches `bulwark …` (argv without node and the script). Returns the exit status. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === undefined || group === '-h' || group === '--help' || group === 'help') {
    deps.stdout.write(CLI_USAGE);
    return group === undefined ? 2 : 0;
  }
  if (group === 'agents' && command === 'check') return runAgentsCheck(rest, deps);
  if (group === 'review') return runReviewCommand(argv.slice(1), deps);
  if (group === 'eval') return runEval(argv.slice(1), deps);
  (deps.stderr ?? deps.stdout).write(`bulwark: unknown command '${argv.join(' ')}'\n\n${CLI_USAGE}`);
  return 2;
}
