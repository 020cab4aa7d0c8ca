import type { SpendLimit } from '../review/spend-limit.js';
import { renderSkippedOutput } from './render-check.js';

export type { SpendLimit };

/** The check run of a review a daily limit refused: which limit, its setting, and when it resets (UTC). */
export function renderSpendLimitOutput(limit: SpendLimit): { title: string; summary: string } {
  const resets = describeReset(limit.resetsAt);
  if (limit.kind === 'pull-request-reviews') {
    return renderSkippedOutput(
      'Daily limit of automatic reviews of this pull request reached',
      `Bulwark has reviewed this pull request automatically ${count(limit.limit, 'time')} today, the limit per pull request and UTC day (\`BULWARK_PR_DAILY_AUTO_REVIEWS\`), so it did not review this commit. The count resets at ${resets}. Someone with write access can comment \`/review\` to review it now; that still counts against the installation's daily budget.`,
    );
  }
  const [amount, setting] =
    limit.kind === 'installation-tokens'
      ? [`${limit.limit.toLocaleString('en-US')} tokens`, 'BULWARK_DAILY_TOKEN_BUDGET']
      : [`$${limit.limit.toLocaleString('en-US', { maximumFractionDigits: 2 })}`, 'BULWARK_DAILY_USD_BUDGET'];
  return renderSkippedOutput(
    `Daily review budget reached (${amount} per installation)`,
    `This installation has used its daily model budget of ${amount} per UTC day (\`${setting}\`), so Bulwark did not review this commit. The budget resets at ${resets}; the operator can raise \`${setting}\`. Comment \`/review\` after the reset to review it.`,
  );
}

/** Why a pull request whose author `review.authors` does not list is not reviewed automatically (a skipped check). */
export function authorSkipped(association: string, authors: readonly string[]): { reason: string; detail: string } {
  return {
    reason: 'Author not reviewed automatically',
    detail: `This repository reviews pull requests automatically only when the author's association is ${authors.map((name) => `\`${name}\``).join(', ')} (\`review.authors\` in \`.github/bulwark.yml\`); the author of this one is \`${association}\`. Someone with write access can comment \`/review\` to review it.`,
  };
}

/** `00:00 UTC on 2025-03-15`. */
function describeReset(at: number): string {
  const iso = new Date(at).toISOString();
  return `${iso.slice(11, 16)} UTC on ${iso.slice(0, 10)}`;
}

function count(value: number, noun: string): string {
  return `${value} ${noun}${value === 1 ? '' : 's'}`;
}
