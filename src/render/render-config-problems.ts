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
