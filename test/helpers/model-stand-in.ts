/** Builders for Anthropic Messages API responses, as the API sends them. */

export interface StandInOutput {
  summary?: string;
  checklist?: unknown[];
  findings?: unknown[];
}

export function messageResponse(output: StandInOutput | string, options: { stopReason?: string; model?: string } = {}) {
  const text = typeof output === 'string' ? output : JSON.stringify({ summary: 'Summary.', checklist: [], findings: [], ...output });
  return {
    id: 'msg_test',
    type: 'message',
    role: 'assistant',
    model: options.model ?? 'claude-sonnet-5-5',
    content: [{ type: 'text', text }],
    stop_reason: options.stopReason ?? 'end_turn',
    stop_sequence: null,
    usage: {
      input_tokens: 1200,
      output_tokens: 300,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 900,
    },
  };
}

/**
 * A finding as the model returns it. The evidence defaults to USERS_PATCH's line 12; a finding about other code
 * passes its own `existing_code` (the quote is checked against the diff: anchor-findings.ts).
 */
export function finding(overrides: Record<string, unknown> = {}) {
  return {
    path: 'src/server/routes/users.ts',
    line: 12,
    side: 'RIGHT',
    existing_code: '    const rows = await db.query(`SELECT * FROM users WHERE id = ${id}`);',
    failure: 'A request for /users/1%20OR%201=1 reads every row of users.',
    confidence: 0.9,
    severity: 'high',
    category: 'security',
    rule: 'SEC-INPUT-1',
    title: 'User id is interpolated into SQL',
    body: 'The id from the request reaches the query unescaped. Use a parameterised query.',
    ...overrides,
  };
}

let toolUseIds = 0;

/** An assistant turn that asks for client tools (`stop_reason: tool_use`). */
export function toolUseResponse(calls: { name: string; input: unknown }[], options: { model?: string } = {}) {
  return {
    id: `msg_tool_${(toolUseIds += 1)}`,
    type: 'message',
    role: 'assistant',
    model: options.model ?? 'claude-sonnet-5-5',
    content: calls.map((call) => ({ type: 'tool_use', id: `toolu_${(toolUseIds += 1)}`, name: call.name, input: call.input })),
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 1500, output_tokens: 60, cache_creation_input_tokens: 0, cache_read_input_tokens: 900 },
  };
}

/** The user turn of a Messages API request: the first message's text (the PR, as build-prompt frames it). */
export function promptOf(request: Record<string, unknown>): string {
  const messages = request.messages as { role: string; content: unknown }[] | undefined;
  const first = messages?.[0]?.content;
  if (typeof first === 'string') return first;
  return Array.isArray(first) ? first.map((block: { text?: string }) => block.text ?? '').join('') : '';
}

/** The paths of the files a request's prompt shows, in prompt order. */
export function filesInRequest(request: Record<string, unknown>): string[] {
  return [...promptOf(request).matchAll(/<file path="([^"]+)"/g)].map((match) => match[1]!);
}
