import { codeSpan } from './sanitize-text.js';

/** The check output when the repository's config file is invalid: the file, each field and its problem, what to do. */
export function renderConfigProblems(file: string, problems: readonly string[]): { title: string; summary: string } {
  return {
    title: `Invalid .github/${file}`,
    summary: [
      `Bulwark did not review this pull request because \`.github/${file}\` (default branch) is invalid:`,
      '',
      ...problems.map((problem) => `- \`${problem.split(':')[0]}\`:${problem.slice(problem.indexOf(':') + 1)}`),
      '',
      'Fix the file on the default branch, then comment `/review` or use **Re-run** on this check.',
    ].join('\n'),
  };
}

/**
 * The note on a review whose config extends a file that could not be read (`_extends` left in the config: see
 * src/config/repo-config.ts). `target` is the file's own text (`owner/repo:path` from the GitHub host), so it is
 * shown in a code span.
 */
export function unreadExtendsNote(file: string, target: string): string {
  return (
    `\`.github/${file}\` extends ${codeSpan(target.slice(0, 300))} (\`_extends\`), which could not be read: there is no such file on ` +
    'its default branch, or the App cannot see that repository. This review used the settings that could be read and the ' +
    'defaults for the rest. Fix or remove `_extends` on the default branch, then comment `/review` or use **Re-run**.'
  );
}

/**
 * The problem (`field: what is wrong`) for an `_extends` Probot's config plugin refuses: a value that names no
 * repository (`invalid`, with the value as written), or a chain of files that comes back to one already read
 * (`loop`, with the plugin's own account of it).
 */
export function extendsProblem(kind: 'invalid' | 'loop', detail: string): string {
  return kind === 'invalid'
    ? `_extends: ${codeSpan(detail.slice(0, 200))} is not a repository (\`repo\`, \`owner/repo\`, or either followed by \`:path/to/file.yml\`)`
    : `_extends: the chain of files it extends comes back to a file already read: ${codeSpan(detail.slice(0, 400))}`;
}
