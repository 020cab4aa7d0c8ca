import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubHost } from '../../src/adapters/github/github-host.js';
import { batchAnnotations } from '../../src/adapters/github/batch-annotations.js';
import type { CheckAnnotation, CheckRunCompletion } from '../../src/ports/pull-request-host.js';
import { ServiceError } from '../../src/ports/service-error.js';
import { assertNockDone, GITHUB, setupNock } from '../helpers/test-app.js';

const ref = { installationId: 1, owner: 'o', repo: 'r', pullNumber: 2 };
const PATH = '/repos/o/r/check-runs/7';

beforeEach(() => setupNock());
afterEach(() => assertNockDone());

function host() {
  return createGitHubHost(new ProbotOctokit({ auth: { token: 'test-token' }, baseUrl: GITHUB, retry: { enabled: false }, throttle: { enabled: false } }));
}

const annotation = (line: number): CheckAnnotation => ({ path: 'src/a.ts', start_line: line, end_line: line, annotation_level: 'warning', title: `Finding ${line}`, message: 'Why.' });

function completion(count: number): CheckRunCompletion {
  return { conclusion: 'neutral', output: { title: 'Review', summary: 'Done.', annotations: Array.from({ length: count }, (_, index) => annotation(index + 1)) } };
}

type Body = { status?: string; output?: { annotations?: CheckAnnotation[] } };

describe('GitHub host: completing a check run', () => {
  it('sends 120 annotations 50 per request, the last 20 with the completion', async () => {
    const bodies: Body[] = [];
    nock(GITHUB).patch(PATH, (body: Body) => (bodies.push(body), true)).times(3).reply(200, {});
    await host().completeCheckRun(ref, 7, completion(120));
    expect(bodies.map((body) => body.output?.annotations?.length)).toEqual([50, 50, 20]);
    expect(bodies.map((body) => body.status)).toEqual([undefined, undefined, 'completed']);
    expect(bodies.flatMap((body) => body.output?.annotations?.map((item) => item.start_line) ?? [])).toEqual(Array.from({ length: 120 }, (_, index) => index + 1));
  });

  it('completes without annotations when GitHub rejects them (422), so the check never stays in progress', async () => {
    const bodies: Body[] = [];
    nock(GITHUB).patch(PATH).reply(422, { message: 'Invalid annotation' }).patch(PATH, (body: Body) => (bodies.push(body), true)).reply(200, {});
    await host().completeCheckRun(ref, 7, completion(1));
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({ status: 'completed', conclusion: 'neutral' });
    expect(bodies[0]!.output?.annotations).toBeUndefined();
  });

  it('rethrows any other failure as a GitHub service error', async () => {
    nock(GITHUB).patch(PATH).reply(502, { message: 'Bad gateway' });
    const failed = await host().completeCheckRun(ref, 7, completion(1)).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(ServiceError);
    expect((failed as ServiceError).status).toBe(502);
  });
});

describe('batchAnnotations', () => {
  it('splits 120 annotations into 50, 50 and 20, in order', () => {
    const annotations = Array.from({ length: 120 }, (_, index) => index);
    const batches = batchAnnotations(annotations);
    expect(batches.map((batch) => batch.length)).toEqual([50, 50, 20]);
    expect(batches.flat()).toEqual(annotations);
  });

  it('gives no batches for no annotations and rejects a nonsensical size', () => {
    expect(batchAnnotations([])).toEqual([]);
    expect(batchAnnotations([1, 2, 3], 2)).toEqual([[1, 2], [3]]);
    expect(() => batchAnnotations([1], 0)).toThrow(RangeError);
  });
});
