import { readSettings, SettingsError } from '../../src/config/env.js';

/** What readSettings refuses in `env` (SettingsError's problems), [] when it accepts it; any other error is thrown. */
export function settingsProblems(env: Record<string, string | undefined>): string[] {
  try {
    readSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  return [];
}
