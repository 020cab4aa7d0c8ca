/** The slice of pino Bulwark uses; Probot's logger satisfies it. Static messages, metadata in the object. */
export interface Logger {
  debug(meta: object, message: string): void;
  info(meta: object, message: string): void;
  warn(meta: object, message: string): void;
  error(meta: object, message: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
