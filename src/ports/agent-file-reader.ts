/**
 * The port agent loading reads through. The App implements it over the GitHub contents API (the repository's default
 * branch), the CLI over the local disk (`createFsReader`). Paths are relative to the reader's root and use `/`.
 */
export interface AgentFileReader {
  /** The file's text, or undefined when there is no such file. */
  read(path: string): Promise<string | undefined>;
  /** Names (not paths) of the files directly inside `dir`; [] when the folder does not exist. */
  list(dir: string): Promise<string[]>;
}
