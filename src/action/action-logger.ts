import type { Logger } from '../ports/logger.js';

export type ActionLogLevel = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<ActionLogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * Log lines for a workflow's log. Warnings and errors are workflow commands, so they show as annotations on the
 * run (https://docs.github.com/en/actions/reference/workflow-commands-for-github-actions#setting-a-warning-message);
 * their text is escaped as the runner asks (`%`, CR, LF), so nothing a pull request wrote can start a command of
 * its own. Debug lines (which may hold diffs and model output, README "Logs") are written only at level debug.
 * Accepts pino's call forms `(meta, message)` and `(message)`: Probot and Octokit log through it too.
 */
export function createActionLogger(write: (line: string) => void, level: ActionLogLevel, bindings: Record<string, unknown> = {}): Logger {
  const emit = (at: ActionLogLevel, first: unknown, second: unknown) => {
    if (RANK[at] < RANK[level]) return;
    const message = typeof first === 'string' ? first : typeof second === 'string' ? second : '';
    const meta = typeof first === 'object' && first !== null ? { ...bindings, ...(first as Record<string, unknown>) } : bindings;
    const details = describe(meta);
    const text = details ? `${message} ${details}` : message;
    if (at === 'warn') write(`::warning::${escapeCommand(text)}`);
    else if (at === 'error') write(`::error::${escapeCommand(text)}`);
    else write(`${at}: ${text.replace(/\r?\n/g, ' ')}`);
  };
  return {
    debug: (meta: unknown, message?: unknown) => emit('debug', meta, message),
    info: (meta: unknown, message?: unknown) => emit('info', meta, message),
    warn: (meta: unknown, message?: unknown) => emit('warn', meta, message),
    error: (meta: unknown, message?: unknown) => emit('error', meta, message),
    // pino's other levels, for libraries that log through this logger as if it were pino.
    trace: (meta: unknown, message?: unknown) => emit('debug', meta, message),
    fatal: (meta: unknown, message?: unknown) => emit('error', meta, message),
    child: (more) => createActionLogger(write, level, { ...bindings, ...more }),
  } as Logger;
}

/** Level from the runner's debug switch (re-run with debug logging sets RUNNER_DEBUG=1) or LOG_LEVEL. */
export function actionLogLevel(env: Record<string, string | undefined>): ActionLogLevel {
  if (env.RUNNER_DEBUG === '1') return 'debug';
  const asked = env.LOG_LEVEL?.toLowerCase();
  return asked === 'debug' || asked === 'info' || asked === 'warn' || asked === 'error' ? asked : 'info';
}

/** One line of `key=value` pairs; an error shows its message and status, never its stack or request. */
function describe(meta: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(meta)) {
    if (value === undefined) continue;
    const shown = value instanceof Error ? errorText(value) : typeof value === 'string' ? value : safeJson(value);
    parts.push(`${key}=${shown}`);
  }
  return parts.join(' ');
}

function errorText(error: Error): string {
  const status = 'status' in error && typeof error.status === 'number' ? ` (${error.status})` : '';
  return JSON.stringify(`${error.message}${status}`);
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function escapeCommand(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
