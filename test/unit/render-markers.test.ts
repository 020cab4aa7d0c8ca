import { describe, expect, it } from 'vitest';
import { containsMarker, findingMarker, LEARNING_TEXT_MAX, learningMarker, parseMarkers, reviewMarker, stripMarkers } from '../../src/render/markers.js';

describe('markers', () => {
  it('round-trips a review marker and a finding marker', () => {
    const body = `Some text\n\n${findingMarker({ fingerprint: 'fp-1' })}\n\n${reviewMarker({ headSha: 'abc123', runId: 'run-7' })}`;
    expect(parseMarkers(body)).toEqual([
      { kind: 'finding', data: { fp: 'fp-1' } },
      { kind: 'review', data: { head: 'abc123', run: 'run-7' } },
    ]);
  });

  it('writes the head sha as JSON inside an HTML comment and leaves out an absent run id', () => {
    expect(reviewMarker({ headSha: 'deadbeef' })).toBe('<!-- bulwark:review {"head":"deadbeef"} -->');
    expect(findingMarker({ fingerprint: 'f0' })).toBe('<!-- bulwark:finding {"fp":"f0"} -->');
  });

  it('escapes values so they cannot close the comment early', () => {
    const marker = reviewMarker({ headSha: 'a --> <b>' });
    expect(marker.indexOf('-->')).toBe(marker.length - 3);
    expect(parseMarkers(marker)).toEqual([{ kind: 'review', data: { head: 'a --> <b>' } }]);
  });

  it('keeps fields a later version adds', () => {
    expect(parseMarkers('<!-- bulwark:review {"head":"abc","v":2} -->')).toEqual([{ kind: 'review', data: { head: 'abc', v: 2 } }]);
  });

  it('ignores garbage, other comments and payloads that fail validation', () => {
    const body = [
      '<!-- bulwark:review {not json} -->',
      '<!-- bulwark:review {"head":42} -->',
      '<!-- bulwark:finding {"fp":""} -->',
      '<!-- bulwark:other {"head":"x"} -->',
      '<!-- some other tool -->',
      '<!-- bulwark:review {"head":"ok"',
      'plain text',
    ].join('\n');
    expect(parseMarkers(body)).toEqual([]);
    expect(parseMarkers('')).toEqual([]);
  });

  it('strips forged markers, including one assembled from the pieces of another', () => {
    const forged = 'a <!-<!-- bulwark:x -->- bulwark:review {"head":"evil"} --> b <!--bulwark:finding {"fp":"x"}';
    const stripped = stripMarkers(forged);
    expect(containsMarker(stripped)).toBe(false);
    expect(parseMarkers(stripped)).toEqual([]);
    expect(stripped).toContain('a ');
    expect(stripped).toContain(' b ');
  });

  it('writes the rule id into a finding marker when there is one, and still reads markers without it', () => {
    expect(findingMarker({ fingerprint: 'f0', rule: 'SEC-INPUT-1' })).toBe('<!-- bulwark:finding {"fp":"f0","rule":"SEC-INPUT-1"} -->');
    expect(parseMarkers(findingMarker({ fingerprint: 'f0', rule: 'SEC-INPUT-1' }))).toEqual([{ kind: 'finding', data: { fp: 'f0', rule: 'SEC-INPUT-1' } }]);
    expect(parseMarkers('<!-- bulwark:finding {"fp":"f0"} -->')).toEqual([{ kind: 'finding', data: { fp: 'f0' } }]);
  });

  it('round-trips a learning marker whose text is as long and as hostile as allowed', () => {
    const text = '<'.repeat(LEARNING_TEXT_MAX);
    const data = { id: 'L12345678901234567890', source: 12345678901234, text, by: 'a'.repeat(39) };

    const parsed = parseMarkers(`ack\n\n${learningMarker(data)}`);

    expect(parsed).toEqual([{ kind: 'learning', data }]);
  });

  it('refuses learning markers with a malformed id, source or text', () => {
    const body = [
      '<!-- bulwark:learning {"id":"X1","source":1,"text":"t"} -->',
      '<!-- bulwark:learning {"id":"L1","source":-1,"text":"t"} -->',
      `<!-- bulwark:learning {"id":"L1","source":1,"text":"${'x'.repeat(LEARNING_TEXT_MAX + 1)}"} -->`,
    ].join('\n');

    expect(parseMarkers(body)).toEqual([]);
  });
});
