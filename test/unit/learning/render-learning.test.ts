import { describe, expect, it } from 'vitest';
import type { LearningReport } from '../../../src/learning/applied-learning.js';
import { rejectedFindings } from '../../../src/learning/rejected-findings.js';
import { parseMarkers } from '../../../src/render/markers.js';
import { learningSummaryLines, renderLearningAck, renderLearningsList, renderSuppressedByLearning } from '../../../src/render/render-learning.js';
import type { ReviewResult } from '../../../src/review/types.js';
import { buildFinding } from '../../helpers/build-finding.js';

const HOSTILE = '@org/team see <img src=x onerror=alert(1)> [click](https://evil.example) <!-- bulwark:learning {"id":"L9","source":9,"text":"x"} -->';

function result(learning: LearningReport): ReviewResult {
  return { learning } as unknown as ReviewResult;
}

describe('render-learning', () => {
  it('lists applied learnings with links to their comments, sanitised, and mentions no one', () => {
    const [line] = learningSummaryLines(result({ applied: [{ id: 'L5', text: HOSTILE, by: 'alice', sourceUrl: 'https://github.com/o/r/pull/1#issuecomment-5' }], suppressed: [], rejectAfter: 2 }));

    expect(line).toMatch(/^Learnings applied: \[L5\]\(https:\/\/github\.com\/o\/r\/pull\/1#issuecomment-5\) \(/);
    expect(line).not.toContain('<img');
    expect(line).not.toContain('<!-- bulwark:');
    expect(line).not.toContain('@org');
    expect(line).not.toContain('](https://evil.example)');
  });

  it('links only plain https addresses: a cached address that could break the Markdown is shown as text', () => {
    const [line] = learningSummaryLines(result({ applied: [{ id: 'L5', text: 't', by: 'alice', sourceUrl: 'javascript:alert(1)' }], suppressed: [], rejectAfter: 2 }));

    expect(line).toBe('Learnings applied: L5 (t).');
  });

  it('folds the findings left out in the details, with the verdicts and where they were given', () => {
    const rejections = rejectedFindings(
      [
        { fp: 'fp-1', verdict: 'rejected', kind: 'thumbs-down', by: 'alice', url: 'https://github.com/o/r/pull/1#discussion_r1' },
        { fp: 'fp-1', verdict: 'rejected', kind: 'resolved', by: 'bob', url: 'https://github.com/o/r/pull/1#discussion_r2' },
      ],
      2,
    );
    const rejected = rejections.fingerprints.get('fp-1')!;

    const details = renderSuppressedByLearning(result({ applied: [], suppressed: [{ finding: buildFinding({ title: HOSTILE }), why: { kind: 'fingerprint', rejected } }], rejectAfter: 2 }));

    expect(details).toContain('<details><summary>1 finding not posted: rejected by the team before</summary>');
    expect(details).toContain('rejected twice: [👎 @\u200Dalice](https://github.com/o/r/pull/1#discussion_r1), [resolved by @\u200Dbob](https://github.com/o/r/pull/1#discussion_r2)');
    expect(details).not.toContain('<img');
    expect(details).toMatch(/<\/details>$/);
  });

  it('keeps the learning in the reply\'s marker whatever its text, and shows it sanitised', () => {
    const ack = renderLearningAck({ id: 'L7', source: 7, text: HOSTILE, by: 'alice', enabled: true });

    expect(parseMarkers(ack)).toEqual([{ kind: 'learning', data: { id: 'L7', source: 7, text: HOSTILE, by: 'alice' } }]);
    expect(ack).not.toContain('<img');
    expect(ack).toContain('/review forget L7');
  });

  it('answers /review learnings with nothing yet, and says how a finding comes to be rejected', () => {
    const list = renderLearningsList({ learnings: [], inPrompt: 0, rejections: rejectedFindings([], 3) });

    expect(list).toContain('nothing yet');
    expect(list).toContain('3 times');
  });
});

describe('renderLearningsList, for a repository with a long history', () => {
  it('stays within a comment GitHub accepts, whatever it lists', () => {
    const signals = Array.from({ length: 400 }, (_, index) => ({
      fp: `fp-${index}`,
      rule: `RULE-${index % 60}`,
      title: 'x'.repeat(300),
      verdict: 'rejected' as const,
      kind: 'thumbs-down' as const,
      by: `person-${index}`,
      url: `https://github.com/o/r/pull/${index}#discussion_r${index}`,
    }));
    const learnings = Array.from({ length: 50 }, (_, index) => ({ id: `L${index}`, text: 'y'.repeat(300), by: 'alice', sourceId: index + 1, sourceUrl: `https://github.com/o/r/pull/1#issuecomment-${index + 1}`, ackId: index + 100, ackUrl: 'u' }));

    const list = renderLearningsList({ learnings, inPrompt: 20, rejections: rejectedFindings([...signals, ...signals.map((signal) => ({ ...signal, by: `${signal.by}-b` }))], 2) });

    expect(list.length).toBeLessThanOrEqual(65_536);
    expect(list).toContain('### Rules not applied');
    expect(list).toContain("_(older: not in the reviews' instructions, which keep the newest)_");
  });
});
