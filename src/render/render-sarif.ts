import type { PostedFinding } from './posted-findings.js';

/** GitHub code scanning reads `error`, `warning` and `note` (https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning). */
const LEVEL = { critical: 'error', high: 'error', medium: 'warning', low: 'note' } as const;
/** `security-severity` (0.0–10.0) is how code scanning ranks security results (same page, "reportingDescriptor object"). */
const SECURITY_SEVERITY = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0' } as const;

/**
 * A SARIF 2.1.0 log of the findings (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html), one rule
 * per category and rule id. Findings on deleted lines are left out: their line numbers count lines of the base
 * file, while a SARIF region points into the file as checked out (the head), where it would mark another line.
 */
export function renderSarif(findings: readonly PostedFinding[], tool: { version: string; informationUri: string }): object {
  const shown = findings.filter((finding) => finding.side === 'RIGHT');
  const ruleIds = [...new Set(shown.map(ruleIdOf))].sort();
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Bulwark',
            version: tool.version,
            informationUri: tool.informationUri,
            rules: ruleIds.map((id) => ({
              id,
              shortDescription: { text: `Bulwark ${id}` },
              properties: { tags: [id.split('/')[0] ?? id] },
            })),
          },
        },
        results: shown.map((finding) => ({
          ruleId: ruleIdOf(finding),
          ruleIndex: ruleIds.indexOf(ruleIdOf(finding)),
          level: LEVEL[finding.severity],
          message: { text: `${finding.title}\n\n${finding.body}`.trim() },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: finding.path, uriBaseId: '%SRCROOT%' },
                // A finding about a whole file (line 0) is shown on its first line: SARIF lines start at 1.
                region: { startLine: Math.max(1, finding.line), endLine: Math.max(1, finding.end_line ?? finding.line) },
              },
            },
          ],
          properties: {
            severity: finding.severity,
            category: finding.category,
            ...(finding.category === 'security' ? { 'security-severity': SECURITY_SEVERITY[finding.severity] } : {}),
          },
        })),
      },
    ],
  };
}

function ruleIdOf(finding: PostedFinding): string {
  return finding.rule ? `${finding.category}/${finding.rule}` : finding.category;
}
