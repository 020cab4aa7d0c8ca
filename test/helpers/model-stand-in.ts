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

export function finding(overrides: Record<string, unknown> = {}) {
  return {
    path: 'src/server/routes/users.ts',
    line: 12,
    side: 'RIGHT',
    severity: 'high',
    category: 'security',
    rule: 'SEC-INPUT-1',
    title: 'User id is interpolated into SQL',
    body: 'The id from the request reaches the query unescaped. Use a parameterised query.',
    ...overrides,
  };
}
