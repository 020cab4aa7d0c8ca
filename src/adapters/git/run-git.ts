import { execFile, spawn } from 'node:child_process';

/** A git command that failed: its stderr, for a plain message. */
export class GitError extends Error {
  readonly stderr: string;

  constructor(args: readonly string[], stderr: string) {
    super(`git ${args.join(' ')} failed: ${stderr.trim().split('\n')[0] ?? ''}`);
    this.name = 'GitError';
    this.stderr = stderr;
  }
}

/**
 * Runs git in `cwd` and returns stdout as text. `-c core.quotePath=false` keeps non-ASCII paths as they are, and no
 * pager, colour or external diff tool can change what is parsed (git-config(1): core.quotePath, diff.external).
 */
export function runGit(cwd: string, args: readonly string[], options: { maxBuffer?: number } = {}): Promise<string> {
  const full = ['-c', 'core.quotePath=false', '-c', 'color.ui=false', ...args];
  return new Promise((resolve, reject) => {
    execFile('git', full, { cwd, maxBuffer: options.maxBuffer ?? 256 * 1024 * 1024, encoding: 'utf8', env: gitEnv() }, (error, stdout, stderr) => {
      if (error) reject(new GitError(args, stderr || error.message));
      else resolve(stdout);
    });
  });
}

/**
 * Streams a git command's stdout to `onChunk`; `onChunk` returning false stops the command (the caller has seen
 * enough, e.g. an archive over its cap). Resolves with whether it ran to the end.
 */
export function streamGit(cwd: string, args: readonly string[], onChunk: (chunk: Buffer) => boolean): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [...args], { cwd, env: gitEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stopped = false;
    const errors: Buffer[] = [];
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      if (stopped) return;
      if (!onChunk(chunk)) {
        stopped = true;
        child.kill();
      }
    });
    child.on('error', (error) => reject(new GitError(args, error.message)));
    child.on('close', (code) => {
      if (stopped) resolve(false);
      else if (code === 0) resolve(true);
      else reject(new GitError(args, Buffer.concat(errors).toString('utf8')));
    });
  });
}

/** The caller's environment, less what would make git ask questions or page its output. */
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat', LC_ALL: 'C' };
}
