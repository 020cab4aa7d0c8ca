import type { Logger } from '../ports/logger.js';

/** The command line prints results, not the job runner's operational log. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
