import type { ChecklistEntry, Finding } from '../review/types.js';
import type { WalkthroughNote } from '../review/walkthrough.js';
import { maskSecretsInFiles } from './mask-secrets-in-files.js';

/** What the model wrote that Bulwark posts: the summary, the checklist notes, the findings' texts, the walkthrough's notes. */
export interface ModelText {
  summary: string;
  checklist: ChecklistEntry[];
  findings: Finding[];
  walkthrough?: WalkthroughNote[] | undefined;
}

/**
 * Defence in depth (SECURITY.md, "Secrets never leave"): the model only ever saw masked text, but what it writes
 * is masked again before anything is posted, with the diff's placeholders, in case a secret reached it some other
 * way (a format masked in one place and not another, or text it made up). Paths, rules and line numbers are not
 * free text and are left as they are. Rejects when secretlint fails: then nothing is posted.
 */
export async function maskModelText(text: ModelText): Promise<ModelText & { count: number }> {
  const texts: string[] = [text.summary, ...text.checklist.map((entry) => entry.note)];
  for (const finding of text.findings) {
    texts.push(finding.title, finding.body, finding.suggestion ?? '', ...(finding.options ?? []));
  }
  for (const note of text.walkthrough ?? []) texts.push(note.change, note.riskReason ?? '', note.test ?? '');
  // One batch, scanned as plain text (no path gives it a file kind); a text's lines are kept as they are.
  const masked = await maskSecretsInFiles(texts.map((value) => ({ path: '', lines: value.split('\n') })));
  const count = masked.reduce((sum, entry) => sum + entry.count, 0);
  if (count === 0) return { ...text, count: 0 };
  let at = 0;
  const next = (): string => {
    const original = texts[at] ?? '';
    const lines = masked[at]?.lines;
    at += 1;
    return lines ? lines.join('\n') : original;
  };
  const summary = next();
  const checklist = text.checklist.map((entry) => {
    const note = next();
    return note === entry.note ? entry : { ...entry, note };
  });
  const findings = text.findings.map((finding) => {
    const title = next();
    const body = next();
    const suggestion = next();
    const options = (finding.options ?? []).map(() => next());
    const changed =
      title !== finding.title || body !== finding.body || suggestion !== (finding.suggestion ?? '') || options.some((option, index) => option !== finding.options?.[index]);
    if (!changed) return finding;
    return { ...finding, title, body, ...(finding.suggestion !== undefined ? { suggestion } : {}), ...(finding.options !== undefined ? { options } : {}) };
  });
  const walkthrough = text.walkthrough?.map((note) => {
    const change = next();
    const riskReason = next();
    const test = next();
    if (change === note.change && riskReason === (note.riskReason ?? '') && test === (note.test ?? '')) return note;
    return { ...note, change, ...(note.riskReason !== undefined ? { riskReason } : {}), ...(note.test !== undefined ? { test } : {}) };
  });
  return { summary, checklist, findings, ...(walkthrough !== undefined ? { walkthrough } : {}), count };
}
