/**
 * The benchmark's GitHub and Anthropic stand-ins, in their own process so the CPU time and memory the benchmark
 * measures are Bulwark's alone. Started by bench/pipeline.ts with its options as argv[2] (JSON); talks over IPC.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { messageResponse } from '../test/helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../test/helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../test/helpers/stand-ins/github-server.js';
import { syntheticHead, syntheticPullRequest } from './synthetic-pr.js';

export interface StandInsOptions {
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  baseSha: string;
  files: number;
  changedLines: number;
  githubLatencyMs: number;
  modelLatencyMs: number;
  config: string;
  /** Keep the model's request bodies, for the per-run timeline. */
  timeline: boolean;
  /** Digest every request (model bodies, GitHub calls) so two builds can be compared for identical behaviour. */
  verify?: boolean;
}

/** `reset` may set the model's latency from the next call on. */
export type ToStandIns = { type: 'reset'; modelLatencyMs?: number } | { type: 'stats' } | { type: 'stop' };

export type FromStandIns =
  | { type: 'ready'; githubUrl: string; modelUrl: string; files: number; changedLines: number }
  | { type: 'reset' }
  | { type: 'stats'; stats: StandInStats };

export interface StandInStats {
  githubRequests: number;
  githubByRoute: Record<string, number>;
  reviews: number;
  modelRequests: number;
  modelPeakConcurrency: number;
  cacheReads: number;
  cacheReadTokens: number;
  cacheWrites: number;
  /** count_tokens requests. */
  countRequests: number;
  /** Review calls (chunks) and the input tokens they carried (uncached + cache writes + reads). */
  reviewCalls: number;
  reviewInputTokens: number;
  /** The review calls' input tokens weighted as billed: cache writes ×1.25 (5-minute TTL), cache reads ×0.1. */
  reviewBilledInputTokens: number;
  /** Epoch ms of the last review call's answer. */
  lastReviewAnsweredAt: number;
  /** The verification pass: calls, their input and output tokens, when the first was sent and the last answered (epoch ms). */
  verification: { calls: number; inputTokens: number; billedInputTokens: number; outputTokens: number; firstAt: number; lastAnsweredAt: number };
  /** Epoch ms at which the stand-in answered each model call (it answers `modelLatencyMs` after the request). */
  modelAnsweredAt: number[];
  /** Epoch ms of each GitHub request (route) and, with `timeline`, of each model request. */
  timeline: { at: number; what: string }[];
  /** With `verify`: sha256 of the sorted model request bodies and of the GitHub requests (times and durations blanked). */
  digest?: { model: string; github: string };
}

const options = JSON.parse(process.argv[2] ?? '{}') as StandInsOptions;
const files = syntheticPullRequest({ files: options.files, changedLines: options.changedLines });

const github = await startGitHubStandIn({
  owner: options.owner,
  repo: options.repo,
  pullNumber: options.pullNumber,
  headSha: options.headSha,
  baseSha: options.baseSha,
  files,
  latencyMs: options.githubLatencyMs,
  config: options.config,
  // The head's text of each file, which the review reads to widen its hunks (BENCH_WIDEN=off: none, so no widening).
  headFiles: process.env.BENCH_WIDEN === 'off' ? {} : Object.fromEntries(files.map((file, index) => [file.filename, syntheticHead(file.patch ?? '', index)])),
});

/** One finding per chunk, on the first added line of the chunk's first file, so reviews carry inline comments. */
const FIRST_ADDED = /<file path="([^"]+)"[^>]*>\n[^\n]*\n(?:[^\n]*\n)*? {7}R(\d+) *\+ ([^\n]*)/;


let modelLatencyMs = options.modelLatencyMs;
const model = await startAnthropicStandIn({
  // ~2.7 characters per token, as measured for code with current tokenizers: a little under Bulwark's estimate.
  countTokens: (request) => ({ body: { input_tokens: Math.ceil(JSON.stringify(request.messages ?? []).length / 2.7) } }),
  latencyMs: () => modelLatencyMs,
  cache: 'at-response',
  keepBodies: options.timeline || options.verify === true,
  verify: (request) => {
    answeredAt.push(performance.timeOrigin + performance.now());
    const messages = request.messages as { content: unknown }[];
    const prompt = typeof messages[0]?.content === 'string' ? messages[0].content : '';
    // Every fourth finding scores 2 (dropped), the others 8: the pass both keeps and drops.
    const ids = [...prompt.matchAll(/<finding id="(\d+)">/g)].map((found) => Number(found[1]));
    const scores = ids.map((id) => ({ id, reason: 'Shown by the diff.', score: id % 4 === 0 ? 2 : 8 }));
    return { body: messageResponse(JSON.stringify({ scores }), { model: String(request.model) }) };
  },
  respond: (request) => {
    answeredAt.push(performance.timeOrigin + performance.now());
    const messages = request.messages as { content: unknown }[];
    const prompt = typeof messages[0]?.content === 'string' ? messages[0].content : '';
    const match = FIRST_ADDED.exec(prompt);
    const findings = match
      ? [
          {
            path: match[1],
            line: Number(match[2]),
            side: 'RIGHT',
            existing_code: match[3],
            failure: 'A lookup that finds nothing returns undefined, and the next line throws.',
            confidence: 0.8,
            severity: 'medium',
            category: 'reliability',
            title: `Unchecked result in ${match[1]}`,
            body: 'The lookup result is used without a null check.',
          },
        ]
      : [];
    return { body: messageResponse({ summary: 'Reviewed the chunk.', findings }, { model: String(request.model) }) };
  },
});

const answeredAt: number[] = [];
const send = (message: FromStandIns) => process.send?.(message);

process.on('message', (message: ToStandIns) => {
  if (message.type === 'reset') {
    github.reset();
    model.reset();
    answeredAt.length = 0;
    if (message.modelLatencyMs !== undefined) modelLatencyMs = message.modelLatencyMs;
    send({ type: 'reset' });
  } else if (message.type === 'stats') {
    const githubByRoute: Record<string, number> = {};
    for (const request of github.requests) {
      const route = `${request.method} ${request.path.replace(/\?.*$/, '').replace(/^\/api\/v3\/repos\/[^/]+\/[^/]+/, '')}`;
      githubByRoute[route] = (githubByRoute[route] ?? 0) + 1;
    }
    send({
      type: 'stats',
      stats: {
        githubRequests: github.requests.length,
        githubByRoute,
        reviews: github.reviews.length,
        modelRequests: model.received,
        modelPeakConcurrency: model.peakConcurrency,
        ...callFigures(),
        cacheReads: model.cacheReads,
        cacheReadTokens: model.cacheReadTokens,
        cacheWrites: model.cacheWrites,
        countRequests: model.counts.length,
        modelAnsweredAt: [...answeredAt],
        timeline: [
          ...github.requests.map((request) => ({ at: performance.timeOrigin + request.at, what: `${request.method} ${request.path.replace(/\?.*$/, '').replace(/^\/api\/v3\/repos\/[^/]+\/[^/]+/, '')}` })),
          ...model.requests.map((request, index) => ({ at: performance.timeOrigin + request.at, what: `model request ${index + 1}` })),
        ].sort((a, b) => a.at - b.at),
        ...(options.verify ? { digest: digest() } : {}),
      },
    });
  } else if (message.type === 'stop') {
    void Promise.all([github.close(), model.close()]).then(() => process.exit(0));
  }
});

/** Review and verification calls apart: the verification pass's added calls, tokens and time. */
function callFigures(): Pick<StandInStats, 'reviewCalls' | 'reviewInputTokens' | 'reviewBilledInputTokens' | 'lastReviewAnsweredAt' | 'verification'> {
  const epoch = (at: number) => performance.timeOrigin + at;
  const input = (call: (typeof model.calls)[number]) => call.inputTokens + call.cacheReadTokens + call.cacheWriteTokens;
  // Anthropic's prices for prompt caching (5-minute writes): a cache write costs 1.25 × an input token, a read 0.1 ×.
  const billed = (call: (typeof model.calls)[number]) => call.inputTokens + 1.25 * call.cacheWriteTokens + 0.1 * call.cacheReadTokens;
  const reviews = model.calls.filter((call) => call.kind === 'review');
  const verifications = model.calls.filter((call) => call.kind === 'verification');
  return {
    reviewCalls: reviews.length,
    reviewInputTokens: reviews.reduce((sum, call) => sum + input(call), 0),
    reviewBilledInputTokens: reviews.reduce((sum, call) => sum + billed(call), 0),
    lastReviewAnsweredAt: epoch(Math.max(0, ...reviews.map((call) => call.answeredAt))),
    verification: {
      calls: verifications.length,
      inputTokens: verifications.reduce((sum, call) => sum + input(call), 0),
      billedInputTokens: verifications.reduce((sum, call) => sum + billed(call), 0),
      outputTokens: verifications.reduce((sum, call) => sum + call.outputTokens, 0),
      firstAt: verifications.length ? epoch(Math.min(...verifications.map((call) => call.at))) : 0,
      lastAnsweredAt: verifications.length ? epoch(Math.max(...verifications.map((call) => call.answeredAt))) : 0,
    },
  };
}

/** Requests as a reviewer of behaviour sees them: order of concurrent calls, clocks and durations do not count. */
let dumps = 0;
function digest(): { model: string; github: string } {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  const modelBodies = model.requests.map((request) => sha(JSON.stringify(request.body))).sort();
  const blank = (text: string) =>
    text
      .replace(/"(started_at|completed_at|expires_at)":"[^"]*"/g, '"$1":"…"')
      .replace(/\d+(\.\d+)? s\b/g, '… s')
      .replace(/took \d+ min \d+ s/g, 'took …')
      .replace(/check-runs\/\d+/g, 'check-runs/…');
  const githubCalls = github.requests.map((request) => blank(`${request.method} ${request.path} ${JSON.stringify(request.body ?? null)}`));
  // Reads of the file pages go out a few at a time, in any order; writes are serialised by throttling.
  const reads = githubCalls.filter((call) => call.startsWith('GET ')).sort();
  const writes = githubCalls.filter((call) => !call.startsWith('GET '));
  if (process.env.BENCH_VERIFY_DUMP) writeFileSync(`${process.env.BENCH_VERIFY_DUMP}.${(dumps += 1)}`, JSON.stringify({ modelBodies, reads, writes, prompts: model.requests.map((request) => request.body) }));
  return { model: `${sha(modelBodies.join('\n'))} (${modelBodies.length} bodies)`, github: `${sha([...reads, ...writes].join('\n'))} (${githubCalls.length} calls)` };
}

const changedLines = files.reduce((sum, file) => sum + file.additions + file.deletions, 0);
send({ type: 'ready', githubUrl: github.url, modelUrl: model.url, files: files.length, changedLines });
