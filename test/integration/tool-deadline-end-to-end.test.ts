import { createHmac } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEAD, openedPayload, USERS_PATCH } from '../helpers/github-stand-in.js';
import { finding, messageResponse, toolUseResponse } from '../helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import type { AnthropicStandIn } from '../helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../helpers/stand-ins/github-server.js';
import type { GitHubStandIn } from '../helpers/stand-ins/github-server.js';
import { buildTarball, TOP } from '../unit/context-fixtures.js';
import { serveApp } from '../helpers/serve-app.js';
import type { ServedApp } from '../helpers/serve-app.js';

const SECRET = 'e2e-deadline-secret';
/** The tool-call deadline the App runs with here (BULWARK_TOOL_TIMEOUT_MS). */
const DEADLINE_MS = 1_000;

/** Patterns that backtrack for seconds to forever on one long line or name in V8's regex engine. */
const CALLS = [
  { name: 'Grep', input: { pattern: '(a|a)*b' } },
  { name: 'Grep', input: { pattern: '(a+){16}b' } },
  { name: 'Grep', input: { pattern: '.*a.*a.*a.*b' } },
  { name: 'Glob', input: { pattern: '*a*a*a*a*a*a*a*b' } },
  { name: 'Grep', input: { pattern: 'a', glob: '*a*a*a*a*a*a*a*b' } },
];

// Request bodies as the API received them: loosely typed on purpose, the assertions check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

/**
 * The reproduction, end to end: the model asks for Grep and Glob calls that freeze a JavaScript regex on a
 * 2,000-character line and a 200-character file name. Webhooks keep being acknowledged at once meanwhile, every
 * tool result comes back by the deadline (an answer or a clear error), and the review is posted.
 */
describe('tool calls that would freeze the process', () => {
  let github: GitHubStandIn;
  let model: AnthropicStandIn;
  let app: ServedApp;
  let appUrl: string;
  let toolsAskedAt = 0;

  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    github = await startGitHubStandIn({
      owner: 'Codertocat',
      repo: 'Hello-World',
      pullNumber: 2,
      headSha: HEAD,
      baseSha: 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e',
      files: [{ filename: 'src/server/routes/users.ts', status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH }],
      tarball: await buildTarball([
        { name: `${TOP}/src/min.js`, content: `${'a'.repeat(2_000)}\n` },
        { name: `${TOP}/${'a'.repeat(200)}`, content: 'a\n' },
      ]),
    });
    model = await startAnthropicStandIn({
      latencyMs: 20,
      respond: (request) => {
        if ((request.messages as unknown[]).length === 1) {
          toolsAskedAt = performance.now();
          return { body: toolUseResponse(CALLS) };
        }
        return { body: messageResponse({ summary: 'Adds a lookup route.', findings: [finding()] }) };
      },
    });
    app = await serveApp({ secret: SECRET, githubUrl: github.url, env: { ANTHROPIC_BASE_URL: model.url, BULWARK_TOOL_TIMEOUT_MS: String(DEADLINE_MS) } });
    appUrl = app.url;
  });

  afterAll(async () => {
    await app.stop();
    await github.close();
    await model.close();
    nock.disableNetConnect();
  });

  const deliver = (event: string, payload: unknown) => {
    const body = JSON.stringify(payload);
    return fetch(`${appUrl}/api/github/webhooks`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': crypto.randomUUID(),
        'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
      },
      body,
    });
  };

  it('acknowledges webhooks in under 50 ms while the tools run, answers every call by the deadline, and posts the review', async () => {
    expect((await deliver('pull_request', openedPayload())).status).toBeLessThan(300);

    // Pings every 25 ms until the job is done, the tool phase included. The main thread's own CPU is read at each:
    // a tool running on it would spend the whole deadline there.
    const acks: { at: number; ms: number; cpuMs: number }[] = [];
    let done = false;
    const idle = app.runtime().queue.onIdle().finally(() => (done = true));
    while (!done) {
      const sent = performance.now();
      const response = await deliver('ping', { zen: 'Keep it logically awesome.', hook_id: 1 });
      const cpu = process.threadCpuUsage();
      acks.push({ at: sent, ms: performance.now() - sent, cpuMs: (cpu.user + cpu.system) / 1_000 });
      expect(response.status).toBeLessThan(300);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await idle;

    const [first, second] = model.requests.map((request) => request.body as Body);
    expect(second).toBeDefined();
    const answeredAt = model.requests[1]!.at;
    const results = second!.messages[2].content as Body[];
    expect(results).toHaveLength(CALLS.length);
    const [alternation, repeated, stars, globbed, grepGlob] = results as [Body, Body, Body, Body, Body];
    // Linear-time matching: the three Grep patterns are answered, not cut off.
    for (const grep of [alternation, repeated, stars]) {
      expect(grep.is_error).toBeUndefined();
      expect(grep.content).toContain('No matches in 2 file(s).');
    }
    // Glob patterns have no linear engine: they meet the deadline and the model is told how to go on.
    for (const glob of [globbed, grepGlob]) {
      expect(glob).toMatchObject({ is_error: true });
      expect(glob.content).toContain('ran out of time');
    }
    expect(first!.messages).toHaveLength(1);

    const during = acks.filter((ack) => ack.at >= toolsAskedAt && ack.at <= answeredAt);
    const toolPhase = during.map((ack) => ack.ms).sort((a, b) => a - b);
    const median = toolPhase[Math.floor(toolPhase.length / 2)]!;
    const slowest = toolPhase.at(-1)!;
    const wallMs = answeredAt - toolsAskedAt;
    const sampledMs = during.at(-1)!.at - during[0]!.at;
    const mainThreadCpuMs = during.at(-1)!.cpuMs - during[0]!.cpuMs;
    console.info(
      `tool deadline e2e: ${toolPhase.length} webhooks during the tool phase of ${wallMs.toFixed(0)} ms (deadline ${DEADLINE_MS} ms): ` +
        `median ack ${median.toFixed(1)} ms, slowest ${slowest.toFixed(1)} ms; main-thread CPU ${mainThreadCpuMs.toFixed(0)} ms in ${sampledMs.toFixed(0)} ms`,
    );
    expect(toolPhase.length).toBeGreaterThan(5);
    // Webhooks are acknowledged while the calls run: the usual ack is well under 50 ms, and none waits for a
    // call (today's code answered none for 15 s). The slowest is bounded loosely: on a loaded 2-core machine the
    // scheduler alone delays a few of them.
    expect(median).toBeLessThan(50);
    expect(slowest).toBeLessThan(DEADLINE_MS / 2);
    // Two calls spun until their deadline, on another thread: the main thread was mostly idle meanwhile.
    expect(mainThreadCpuMs).toBeLessThan(sampledMs / 2);
    // Two calls ran into the deadline, one after the other, each followed by a fresh worker (under vitest each
    // worker compiles its TypeScript through tsx, which takes seconds on a loaded machine).
    expect(wallMs).toBeLessThan(2 * DEADLINE_MS + 8_000);

    expect(github.reviews).toHaveLength(1);
    expect(github.reviews[0]!.comments).toEqual([expect.objectContaining({ path: 'src/server/routes/users.ts', line: 12 })]);
    const [updates] = [...github.checkRuns.values()];
    expect(updates!.at(-1)).toMatchObject({ status: 'completed' });
  });
});
