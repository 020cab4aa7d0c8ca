import picomatch from 'picomatch';

/**
 * Why a file of the head snapshot is never shown to the model, whatever it holds: it is a secret by nature, or
 * the repository's config excludes it (`paths.exclude`, the same globs that keep it out of the diff). Masking
 * finds secrets by pattern; these files are refused by name instead, so a password in a format secretlint does
 * not know (`DB_PASSWORD=hunter2` in `.env`) cannot get through either.
 */
export type UnreadableReason = 'secret-file' | 'excluded';

/**
 * File names that hold secrets by nature: environment files (`.env`, `.env.production`, `production.env`),
 * private keys and certificates (`*.pem`, `*.key`, SSH keys), keystores (`.p12` — the one file secretlint's
 * recommended preset flags by its name, as a GCP service account key — `.pfx`, `.jks`), credential files
 * (cloud and service-account JSON, `.netrc`, `.git-credentials`, `.pgpass`, `.htpasswd`, `.pypirc`).
 * Matched on the file's name, case-insensitively, at any depth.
 */
const SECRET_FILE_NAME = new RegExp(
  [
    '^\\.env',
    '\\.env$',
    '\\.(pem|key|p12|pfx|p8|jks|keystore|ppk|kdbx)$',
    '^id_(rsa|dsa|ecdsa|ed25519)(\\..*)?$',
    '^(\\.netrc|_netrc|\\.git-credentials|\\.pgpass|\\.htpasswd|\\.pypirc|\\.dockercfg|credentials)$',
    '(^|[-_.])(credentials?|service[-_]?account|client[-_]secrets?)([-_.][^/]*)?\\.json$',
  ]
    .map((part) => `(?:${part})`)
    .join('|'),
  'i',
);

/** Paths whose folder makes them credentials: `~/.aws/credentials`-like files, Docker's auth config. */
const SECRET_FILE_PATH = /(^|\/)(\.aws\/(credentials|config)|\.docker\/config\.json|\.ssh\/[^/]+)$/i;

function isSecretFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf('/') + 1);
  return SECRET_FILE_NAME.test(name) || SECRET_FILE_PATH.test(path);
}

/**
 * A test for paths (repository-relative, posix): the reason a path is not readable, or undefined. `exclude` is
 * matched like select-files matches it (picomatch, dotfiles included), compiled once per call of this function.
 */
export function unreadableReason(exclude: readonly string[] = []): (path: string) => UnreadableReason | undefined {
  const excluded = exclude.length === 0 ? () => false : picomatch([...exclude], { dot: true });
  return (path) => {
    if (isSecretFile(path)) return 'secret-file';
    if (excluded(path)) return 'excluded';
    return undefined;
  };
}
