import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/handlers/parse-command.js';

describe('parseCommand', () => {
  it.each([
    ['/review', 'review'],
    ['/review full', 'full'],
    ['/review help', 'help'],
    ['/review describe', 'describe'],
    ['/review pause', 'pause'],
    ['/review resume', 'resume'],
    ['/review learnings', 'learnings'],
    ['/REVIEW   Pause  ', 'pause'],
  ])('reads %j as %s, with no argument', (body, kind) => {
    expect(parseCommand(body)).toEqual({ kind, argument: '' });
  });

  it.each([
    ['/review ask why is the retry unbounded?', 'ask', 'why is the retry unbounded?'],
    ['/review learn we validate request bodies in middleware', 'learn', 'we validate request bodies in middleware'],
    ['/review forget L12', 'forget', 'L12'],
    ['/ask is this really reachable?', 'answer', 'is this really reachable?'],
    ['/review ask', 'ask', ''],
  ])('reads %j as %s with its text', (body, kind, argument) => {
    expect(parseCommand(body)).toEqual({ kind, argument });
  });

  it('takes the lines after a command with text as part of it', () => {
    expect(parseCommand('Thanks!\n/review ask what happens when\nthe queue is full?\n\n```ts\nqueue.add(x)\n```')).toEqual({
      kind: 'ask',
      argument: 'what happens when\nthe queue is full?\n\n```ts\nqueue.add(x)\n```',
    });
  });

  it('finds a command on a line of its own among others', () => {
    expect(parseCommand('Looks risky.\r\n  /review pause  \r\nback later')).toEqual({ kind: 'pause', argument: '' });
  });

  it.each([
    ['quoted', '> /review pause'],
    ['quoted ask', '> /ask why?'],
    ['in a backtick fence', '```\n/review\n```'],
    ['in a tilde fence', '~~~\n/review learn x\n~~~'],
    ['inside a sentence', 'please run /review full'],
    ['with words after a bare command', '/review full please'],
    ['an unknown subcommand', '/review approve'],
    ['a longer word', '/reviewer'],
    ['/ask glued to a word', '/asking'],
    ['nothing', ''],
  ])('finds no command when it is %s', (_case, body) => {
    expect(parseCommand(body)).toBeUndefined();
  });

  it('returns the first command when there are several', () => {
    expect(parseCommand('/review pause\n/review resume')).toEqual({ kind: 'pause', argument: '' });
  });

  it('reads a command after a closed fence', () => {
    expect(parseCommand('```\n/review\n```\n/review describe')).toEqual({ kind: 'describe', argument: '' });
  });
});
