import type { ModelScore } from '../eval/score-runs.js';
import { CATEGORIES } from '../review/types.js';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** One column per model, side by side: the scores, per-category recall, then what a case costs. */
export function renderEvalTable(scores: readonly ModelScore[]): string {
  const header = ['', ...scores.map((score) => `\`${score.model}\``)];
  const row = (name: string, cell: (score: ModelScore) => string) => [name, ...scores.map(cell)];
  const categories = CATEGORIES.filter((category) => scores.some((score) => score.perCategoryRecall[category]));
  const rows = [
    row('Cases (labels)', (score) => `${score.cases} (${score.labels})`),
    row('Recall', (score) => percent(score.recall)),
    row('Recall, any finding on the lines', (score) => percent(score.recallOnLines)),
    row('Precision', (score) => percent(score.precision)),
    row('F1', (score) => score.f1.toFixed(3)),
    row('False-positive rate (clean cases)', (score) => percent(score.falsePositiveRate)),
    ...categories.map((category) =>
      row(`Recall: ${category}`, (score) => {
        const entry = score.perCategoryRecall[category];
        return entry ? `${entry.found}/${entry.labels}` : '-';
      }),
    ),
    row('Tokens per case', (score) => Math.round(score.tokensPerCase).toLocaleString('en-US')),
    row('Cost per case', (score) => (score.usdPerCase === undefined ? 'unknown' : `$${score.usdPerCase.toFixed(4)}`)),
    row('Wall time per case', (score) => `${(score.wallMsPerCase / 1000).toFixed(1)} s`),
    row('Reviews that failed', (score) => String(score.failedCases)),
  ];
  const lines = [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}
