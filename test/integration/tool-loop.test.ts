import Anthropic from '@anthropic-ai/sdk';
import nock from 'nock';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUDGET_EXHAUSTED_RESULT, LAST_ROUND_NOTE, runToolLoop, ToolBudgetExhaustedError } from '../../src/adapters/anthropic/tool-loop.js';
import type { ToolLoopParams } from '../../src/adapters/anthropic/tool-loop.js';
import { loadSnapshot } from '../../src/context/snapshot.js';
import type { Snapshot } from '../../src/context/snapshot.js';
import { createToolExecutor, toolDefinitions } from '../../src/context/tools.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { messageResponse } from '../helpers/model-stand-in.js';
import { buildTarball, hostileEntries } from '../unit/context-fixtures.js';

const ANTHROPIC = 'https://api.anthropic.com';
const OUTPUT_FORMAT = {
  type: 'json_schema' as const,
  schema: { type: 'object', properties: { summary: { type: 'string' } }, required: ['summary'], additionalProperties: false },
};

let snapshot: Snapshot;
// Request bodies as the API received them: loosely typed on purpose, the assertions check their shape.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;
let bodies: Body[];

beforeAll(async () => {
  snapshot = await loadSnapshot(await buildTarball(hostileEntries()));
});

beforeEach(() => {
  bodies = [];
  nock.disableNetConnect();
});

afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  nock.enableNetConnect();
  expect(pending).toEqual([]);
});

function client() {
  return new Anthropic({ apiKey: 'test', maxRetries: 0 });
}

function params(overrides: Partial<ToolLoopParams> = {}): ToolLoopParams {
  return {
    model: 'claude-sonnet-5-5',
    maxTokens: 4_000,
    system: 'You review backend pull requests.',
    user: 'Review this change.',
    outputFormat: OUTPUT_FORMAT,
    tools: toolDefinitions(['Read', 'Grep', 'Glob']),
    execute: createToolExecutor(snapshot, ['Read', 'Grep', 'Glob']),
    ...overrides,
  };
}

let nextId = 0;
function toolUse(calls: { name: string; input: unknown }[], usage = { input_tokens: 1_000, output_tokens: 50, cache_creation_input_tokens: 800, cache_read_input_tokens: 0 }) {
  return {
    id: `msg_tool_${nextId}`,
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content: [
      { type: 'text', text: 'Let me look at the code.' },
      ...calls.map((call) => ({ type: 'tool_use', id: `toolu_${(nextId += 1)}`, name: call.name, input: call.input })),
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage,
  };
}

/** One POST /v1/messages per reply, in order; each request body is kept for inspection. */
function expectCalls(...replies: unknown[]) {
  const scope = nock(ANTHROPIC);
  for (const reply of replies) {
    scope
      .post('/v1/messages', (body: Body) => {
        bodies.push(body);
        return true;
      })
      .reply(200, reply as nock.Body);
  }
  return scope;
}

const FINAL = messageResponse({ summary: 'Looks fine.' });

describe('runToolLoop', () => {
  it("gives the system prompt the operator's cache TTL, every turn; the conversation's own breakpoints keep the default", async () => {
    expectCalls(toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }]), FINAL);

    await runToolLoop(client(), params({ cacheControl: { type: 'ephemeral', ttl: '1h' } }));

    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(body.system).toEqual([expect.objectContaining({ cache_control: { type: 'ephemeral', ttl: '1h' } })]);
    const results = (bodies[1]!.messages as { role: string; content: { cache_control?: unknown }[] }[]).at(-1)!.content;
    expect(results.at(-1)!.cache_control).toEqual({ type: 'ephemeral' });
  });

  it('runs a tool call and sends its result back, then returns the JSON answer', async () => {
    expectCalls(toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }]), FINAL);

    const result = await runToolLoop(client(), params());

    expect(result.turns).toBe(2);
    expect(result.toolCalls).toBe(1);
    expect(result.message.stop_reason).toBe('end_turn');
    expect(result.message.content).toEqual([{ type: 'text', text: JSON.stringify({ summary: 'Looks fine.', checklist: [], findings: [] }) }]);
    // 1000 + 1200 uncached, 50 + 300 output, 800 + 0 written, 0 + 900 read.
    expect(result.usage).toEqual({ inputTokens: 2_200, outputTokens: 350, cacheCreationInputTokens: 800, cacheReadInputTokens: 900, cacheCreation1hInputTokens: 0 });

    const [first, second] = bodies;
    expect(first).toMatchObject({
      model: 'claude-sonnet-5-5',
      max_tokens: 4_000,
      system: [{ type: 'text', text: 'You review backend pull requests.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Review this change.' }],
      tool_choice: { type: 'auto' },
      output_config: { format: OUTPUT_FORMAT },
    });
    expect(first?.tools.map((tool: { name: string }) => tool.name)).toEqual(['Read', 'Grep', 'Glob']);
    expect(first).not.toHaveProperty('temperature');

    expect(second?.messages).toHaveLength(3);
    expect(second?.messages[1]).toEqual({
      role: 'assistant',
      content: [
        { type: 'text', text: 'Let me look at the code.' },
        { type: 'tool_use', id: expect.any(String), name: 'Read', input: { path: 'src/a.ts' } },
      ],
    });
    const toolUseId = second?.messages[1].content[1].id;
    expect(second?.messages[2]).toEqual({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: toolUseId,
          content: '1\texport const a = 1;\n2\texport function handler() {\n3\t  return db.query("SELECT 1");\n4\t}',
          cache_control: { type: 'ephemeral' },
        },
      ],
    });
    expect(second?.tools).toEqual(first?.tools);
    expect(second?.tool_choice).toEqual({ type: 'auto' });
    expect(second?.output_config).toEqual(first?.output_config);
  });

  it('answers a bad path with an is_error tool result and goes on', async () => {
    expectCalls(toolUse([{ name: 'Read', input: { path: '../../etc/passwd' } }]), FINAL);

    const result = await runToolLoop(client(), params());

    expect(result.turns).toBe(2);
    const toolResult = bodies[1]?.messages[2].content[0];
    expect(toolResult).toMatchObject({ type: 'tool_result', is_error: true, content: expect.stringContaining('".." segments') });
    expect(toolResult.content).not.toContain('root:');
  });

  it('answers every call of a parallel turn, in order, in one user message', async () => {
    expectCalls(
      toolUse([
        { name: 'Glob', input: { pattern: '**/*.ts' } },
        { name: 'Grep', input: { pattern: 'findUser' } },
        { name: 'Read', input: { path: 'link' } },
      ]),
      FINAL,
    );

    const result = await runToolLoop(client(), params());

    expect(result.toolCalls).toBe(3);
    const content = bodies[1]?.messages[2].content;
    expect(content.map((block: { type: string }) => block.type)).toEqual(['tool_result', 'tool_result', 'tool_result']);
    expect(content[0]).toMatchObject({ content: 'src/a.ts\nsrc/db/users.ts' });
    expect(content[0]).not.toHaveProperty('is_error');
    expect(content[1].content).toContain('src/db/users.ts:2:');
    expect(content[2]).toMatchObject({ is_error: true, content: expect.stringContaining('symbolic link') });
    expect(content[2]).toHaveProperty('cache_control');
    expect(content[0]).not.toHaveProperty('cache_control');
  });

  it('at the turn cap, runs the last round of calls with a note that the JSON is due now', async () => {
    const execute = vi.fn(createToolExecutor(snapshot, ['Read']));
    expectCalls(toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }]), toolUse([{ name: 'Read', input: { path: 'README.md' } }]), FINAL);

    const result = await runToolLoop(client(), params({ execute }), { maxTurns: 3 });

    expect(result.turns).toBe(3);
    expect(result.toolCalls).toBe(2);
    expect(execute).toHaveBeenCalledTimes(2);
    expect(bodies[1]?.messages[2].content[0].content).not.toContain(LAST_ROUND_NOTE);
    const last = bodies[2];
    expect(last?.messages[4].content).toEqual([
      { type: 'tool_result', tool_use_id: expect.any(String), content: `1\t# Shop\n\n${LAST_ROUND_NOTE}`, cache_control: { type: 'ephemeral' } },
    ]);
    // The tools stay declared: the history holds tool_use blocks.
    expect(last?.tools).toEqual(bodies[0]?.tools);
    expect(last?.tool_choice).toEqual({ type: 'auto' });
  });

  it('throws a typed error when the model still asks for tools after the budget is spent', async () => {
    expectCalls(toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }]), toolUse([{ name: 'Read', input: { path: 'README.md' } }]));

    const error = await runToolLoop(client(), params(), { maxTurns: 2 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ToolBudgetExhaustedError);
    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ service: 'anthropic', retryable: false, turns: 2, toolCalls: 1 });
    expect(bodies[1]?.messages[2].content[0].content).toContain(LAST_ROUND_NOTE);
  });

  it('stops running tools once the cumulative input tokens reach the cap', async () => {
    const execute = vi.fn(createToolExecutor(snapshot, ['Read']));
    const heavy = { input_tokens: 30_000, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 25_000 };
    expectCalls(
      toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }], heavy),
      toolUse([{ name: 'Read', input: { path: 'README.md' } }], heavy),
      FINAL,
    );

    const result = await runToolLoop(client(), params({ execute }), { maxInputTokens: 100_000 });

    expect(result.turns).toBe(3);
    expect(result.toolCalls).toBe(1);
    expect(execute).toHaveBeenCalledTimes(1);
    expect(bodies[2]?.messages[4].content[0]).toMatchObject({ content: BUDGET_EXHAUSTED_RESULT, is_error: true });
  });

  it("stops running tools once the tool turns (every call after the first) reach what is left of the review's budget", async () => {
    const execute = vi.fn(createToolExecutor(snapshot, ['Read']));
    // The first call is the planned diff (counted by the plan); the 4,000 input tokens of the second are the tool turns'.
    const first = { input_tokens: 50_000, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
    const turn = { input_tokens: 1_000, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 3_000 };
    expectCalls(toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }], first), toolUse([{ name: 'Read', input: { path: 'README.md' } }], turn), FINAL);

    const result = await runToolLoop(client(), params({ execute }), { maxInputTokens: 400_000, maxTurnInputTokens: 3_500 });

    expect(result.turns).toBe(3);
    expect(execute).toHaveBeenCalledTimes(1);
    expect(bodies[2]?.messages[4].content[0]).toMatchObject({ content: BUDGET_EXHAUSTED_RESULT, is_error: true });
  });

  it('runs no tool at all when nothing is left for tool turns', async () => {
    const execute = vi.fn(createToolExecutor(snapshot, ['Read']));
    expectCalls(toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }]), FINAL);

    const result = await runToolLoop(client(), params({ execute }), { maxTurnInputTokens: 0 });

    expect(result.turns).toBe(2);
    expect(execute).not.toHaveBeenCalled();
    expect(bodies[1]?.messages[2].content[0]).toMatchObject({ content: BUDGET_EXHAUSTED_RESULT, is_error: true });
  });

  it('keeps cache breakpoints on the two latest tool results only', async () => {
    expectCalls(
      toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }]),
      toolUse([{ name: 'Read', input: { path: 'README.md' } }]),
      toolUse([{ name: 'Glob', input: { pattern: '*' } }]),
      FINAL,
    );

    await runToolLoop(client(), params());

    const marks = (body: Body | undefined) =>
      body?.messages.filter((message: { role: string }) => message.role === 'user').slice(1).map((message: { content: { cache_control?: unknown }[] }) => 'cache_control' in message.content[0]!);
    expect(marks(bodies[1])).toEqual([true]);
    expect(marks(bodies[2])).toEqual([true, true]);
    expect(marks(bodies[3])).toEqual([false, true, true]);
  });

  it('turns a tool that throws into an is_error result', async () => {
    expectCalls(toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }]), FINAL);

    const result = await runToolLoop(
      client(),
      params({
        execute: () => {
          throw new Error('boom');
        },
      }),
    );

    expect(result.turns).toBe(2);
    expect(bodies[1]?.messages[2].content[0]).toMatchObject({ is_error: true, content: expect.stringContaining('boom') });
  });

  it('returns a final message that is not end_turn for the caller to handle', async () => {
    expectCalls(toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }]), messageResponse('{"summ', { stopReason: 'max_tokens' }));

    const result = await runToolLoop(client(), params());

    expect(result.message.stop_reason).toBe('max_tokens');
    expect(result.turns).toBe(2);
  });

  it('maps provider errors to ServiceError', async () => {
    nock(ANTHROPIC)
      .post('/v1/messages')
      .reply(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });

    const error = await runToolLoop(client(), params()).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ServiceError);
    expect(error).toMatchObject({ service: 'anthropic', retryable: true, status: 529 });
  });

  it('maps an error on a later turn too', async () => {
    expectCalls(toolUse([{ name: 'Read', input: { path: 'src/a.ts' } }]));
    nock(ANTHROPIC)
      .post('/v1/messages')
      .reply(400, { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } });

    const error = await runToolLoop(client(), params()).catch((caught: unknown) => caught);

    expect(error).toMatchObject({ service: 'anthropic', retryable: false, status: 400 });
  });
});
