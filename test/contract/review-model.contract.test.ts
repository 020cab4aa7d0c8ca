import { afterEach, beforeEach } from 'vitest';
import { createAnthropicClient, createAnthropicModel } from '../../src/adapters/anthropic/anthropic-model.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { apiError, modelReplies } from '../helpers/fake-model.js';
import { fakeReviewModel } from '../helpers/fake-review-model.js';
import { messageResponse } from '../helpers/model-stand-in.js';
import { ANTHROPIC, assertNockDone, setupNock } from '../helpers/test-app.js';
import { reviewModelContract } from './review-model-contract.js';

beforeEach(setupNock);
afterEach(assertNockDone);

reviewModelContract('fake model', (answer) => {
  if (answer.kind === 'invalid-request') return fakeReviewModel([{ throws: new ServiceError('anthropic', 'The model API refused the request (400)', { retryable: false, status: 400 }) }]);
  if (answer.kind === 'overloaded') return fakeReviewModel([{ throws: new ServiceError('anthropic', 'The model API is overloaded (529)', { retryable: true, status: 529 }) }]);
  return fakeReviewModel([
    { summary: answer.summary, findings: answer.findings, usage: { inputTokens: answer.usage.inputTokens, outputTokens: answer.usage.outputTokens, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 } },
  ]);
});

reviewModelContract('Anthropic adapter over nock', (answer) => {
  if (answer.kind === 'invalid-request') modelReplies({ status: 400, body: apiError('invalid_request_error', 'max_tokens is too large') });
  else if (answer.kind === 'overloaded') modelReplies({ status: 529, body: apiError('overloaded_error', 'Overloaded') });
  else {
    const response = messageResponse({ summary: answer.summary, findings: answer.findings });
    modelReplies({ body: { ...response, usage: { ...response.usage, input_tokens: answer.usage.inputTokens, output_tokens: answer.usage.outputTokens } } });
  }
  // No SDK retries: each test sends exactly the one request it scripted.
  return createAnthropicModel(createAnthropicClient({ apiKey: 'test-key', baseUrl: ANTHROPIC, timeoutMs: 5_000, maxRetries: 0 }));
});
