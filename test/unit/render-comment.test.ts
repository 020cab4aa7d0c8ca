import { describe, expect, it } from 'vitest';
import { parseMarkers } from '../../src/render/markers.js';
import { renderInlineComment } from '../../src/render/render-comment.js';
import type { AnchoredFinding } from '../../src/review/types.js';
import { buildAnchored } from '../helpers/build-finding.js';

function finding(overrides: Partial<AnchoredFinding> = {}): AnchoredFinding {
  return buildAnchored({
    path: 'src/auth/session.ts',
    line: 42,
    side: 'RIGHT',
    severity: 'high',
    category: 'security',
    title: 'Session token compared with ==',
    body: 'A plain comparison leaks timing information.',
    // What anchoring proves of a RIGHT anchor: the head's text of its lines.
    anchoredCode: ['if (token == expected) {'],
    ...overrides,
  });
}

const LIVE_MENTION = /(?<![\p{L}\p{N}_])@[A-Za-z0-9]/u;

describe('renderInlineComment', () => {
  it('renders a complete multi-line comment', () => {
    const comment = renderInlineComment(
      finding({
        startLine: 40,
        anchoredCode: ['if (token != expected) {', '  throw new Unauthorized();', '}'],
        severity: 'critical',
        rule: 'SEC-AUTH-2',
        title: 'Token check is not constant-time',
        body: 'Comparing `token == expected` returns early on the first differing byte.\n\nUse `timingSafeEqual`.',
        options: ['Follow the pattern in `auth/hmac.ts`', 'Deviate, with a reason in a comment', 'Refactor the root: one verifier for all tokens'],
        suggestion: 'if (!timingSafeEqual(Buffer.from(token), Buffer.from(expected))) {\n  throw new Unauthorized();\n}\n',
      }),
      'fp123',
    );
    expect(comment).toMatchInlineSnapshot(`
      {
        "body": "**🔴 critical · security** · \`SEC-AUTH-2\`

      **Token check is not constant-time**

      Comparing \`token == expected\` returns early on the first differing byte.

      Use \`timingSafeEqual\`.

      **Options**
      1. Follow the pattern in \`auth/hmac.ts\`
      2. Deviate, with a reason in a comment
      3. Refactor the root: one verifier for all tokens

      \`\`\`suggestion
      if (!timingSafeEqual(Buffer.from(token), Buffer.from(expected))) {
        throw new Unauthorized();
      }
      \`\`\`

      <!-- bulwark:finding {"fp":"fp123","rule":"SEC-AUTH-2"} -->",
        "line": 42,
        "path": "src/auth/session.ts",
        "side": "RIGHT",
        "start_line": 40,
        "start_side": "RIGHT",
      }
    `);
  });

  it('has the shape of a create-review comment: start_side only with start_line, and equal to side', () => {
    const single = renderInlineComment(finding(), 'fp');
    expect(Object.keys(single).sort()).toEqual(['body', 'line', 'path', 'side']);
    const range = renderInlineComment(finding({ startLine: 40, side: 'LEFT' }), 'fp');
    expect(range).toMatchObject({ path: 'src/auth/session.ts', line: 42, side: 'LEFT', start_line: 40, start_side: 'LEFT' });
  });

  it('ends with the finding marker and carries no other marker', () => {
    const body = renderInlineComment(finding({ body: 'x <!-- bulwark:finding {"fp":"forged"} -->', title: '<!-- bulwark:review {"head":"h"} -->' }), 'real').body;
    expect(parseMarkers(body)).toEqual([{ kind: 'finding', data: { fp: 'real' } }]);
    expect(body.endsWith('<!-- bulwark:finding {"fp":"real"} -->')).toBe(true);
  });

  it('sanitizes everything the model wrote except the suggestion', () => {
    const body = renderInlineComment(
      finding({ title: 'Ping @admin', body: '<script>alert(1)</script> cc @org/security', options: ['ask @lead'], suggestion: 'notify("@oncall", "<b>");' }),
      'fp',
    ).body;
    const outsideSuggestion = body.replace(/```suggestion\n[\s\S]*?\n```/, '');
    expect(outsideSuggestion).not.toMatch(LIVE_MENTION);
    expect(outsideSuggestion).not.toContain('<script>');
    expect(body).toContain('```suggestion\nnotify("@oncall", "<b>");\n```');
  });

  it('fences a suggestion that contains ``` with a longer fence', () => {
    const suggestion = 'const doc = `\n```js\nrun();\n```\n`;';
    const body = renderInlineComment(finding({ suggestion }), 'fp').body;
    expect(body).toContain(`\`\`\`\`suggestion\n${suggestion}\n\`\`\`\``);
  });

  it('offers a suggestion block only on the RIGHT side', () => {
    const body = renderInlineComment(finding({ side: 'LEFT', suggestion: 'restore();' }), 'fp').body;
    expect(body).not.toContain('```suggestion');
    expect(body).toContain('```\nrestore();\n```');
  });

  it('leaves out an empty suggestion and one that contains a marker', () => {
    expect(renderInlineComment(finding({ suggestion: '  ' }), 'fp').body).not.toContain('```');
    const withMarker = renderInlineComment(finding({ suggestion: '// <!-- bulwark:review {"head":"x"} -->' }), 'fp').body;
    expect(withMarker).not.toContain('```suggestion');
    expect(parseMarkers(withMarker)).toEqual([{ kind: 'finding', data: { fp: 'fp' } }]);
  });

  it('caps the body, keeping the marker and a whole suggestion', () => {
    const suggestion = 'ok();\n'.repeat(200);
    const body = renderInlineComment(finding({ body: 'Explanation. '.repeat(2_000), suggestion }), 'fp').body;
    expect(body.length).toBeLessThanOrEqual(8_000);
    expect(body).toContain('truncated');
    expect(body).toContain(`\`\`\`suggestion\n${suggestion.slice(0, -1)}\n\`\`\``);
    expect(body.endsWith('<!-- bulwark:finding {"fp":"fp"} -->')).toBe(true);
  });

  it('drops a suggestion too long to fit rather than cutting it', () => {
    const body = renderInlineComment(finding({ suggestion: 'x();\n'.repeat(2_000) }), 'fp').body;
    expect(body.length).toBeLessThanOrEqual(8_000);
    expect(body).not.toContain('```suggestion');
    expect(body).toContain('suggested change was left out');
    expect(body).toContain('A plain comparison leaks timing information.');
  });
});
