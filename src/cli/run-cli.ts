import { runAgentsCheck, type AgentsCheckDeps } from './run-agents-check.js';

export type CliDeps = AgentsCheckDeps;

export const CLI_USAGE = `Usage: bulwark <command>

Commands:
  agents check [--json] [PATH...]   load agent files the way the App does and report what it would use

Run 'bulwark agents check --help' for details.
`;

/** Dispatches `bulwark …` (argv without node and the script). Returns the exit status. */
export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === undefined || group === '-h' || group === '--help' || group === 'help') {
    deps.stdout.write(CLI_USAGE);
    return group === undefined ? 2 : 0;
  }
  if (group === 'agents' && command === 'check') return runAgentsCheck(rest, deps);
  (deps.stderr ?? deps.stdout).write(`bulwark: unknown command '${argv.join(' ')}'\n\n${CLI_USAGE}`);
  return 2;
}
