import { describe, expect, it } from 'vitest';
import { questionInReply } from '../../src/review/question-in-reply.js';

describe('questionInReply', () => {
  it.each([
    ['@bulwark is this reachable?', 'is this reachable?'],
    ['Is this reachable, @Bulwark?', 'Is this reachable, ?'],
    ['@bulwark[bot] why high?', 'why high?'],
    ['/ask is this reachable?', 'is this reachable?'],
    ['Context first.\n/ask is this reachable?', 'is this reachable?'],
  ])('reads %j as a question for the App', (body, question) => {
    expect(questionInReply(body, 'bulwark')).toBe(question);
  });

  it.each([
    ['another person', '@alice is this reachable?'],
    ['a longer name', '@bulwark-fan is this reachable?'],
    ['an email address', 'mail ops@bulwark about it'],
    ['a quote', '> @bulwark said this\nI disagree'],
    ['inline code', 'the `@bulwark` handle'],
    ['a code block', '```\n@bulwark\n```'],
    ['no mention', 'I disagree'],
  ])('reads a mention of %s as no question for the App', (_case, body) => {
    expect(questionInReply(body, 'bulwark')).toBeUndefined();
  });

  it('lets any mention through while the App is not known yet, and the job decides', () => {
    expect(questionInReply('@alice is this reachable?', undefined)).toBe('is this reachable?');
    expect(questionInReply('no mention here', undefined)).toBeUndefined();
  });
});
