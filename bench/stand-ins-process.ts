/**
 * The benchmark's GitHub and Anthropic stand-ins, in their own process so the CPU time and memory the benchmark
 * measures are Bulwark's alone. Started by bench/pipeline.ts with its options as argv[2] (JSON); talks over IPC.
 */
import { messageResponse } from '../test/helpers/model-stand-in.js';
import { startAnthropicStandIn } from '../test/helpers/stand-ins/anthropic-server.js';
import { startGitHubStandIn } from '../test/helpers/stand-ins/github-server.js';
import { syntheticPullRequest } from './synthetic-pr.js';

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
}

export type ToStandIns = { type: 'reset' } | { type: 'stats' } | { type: 'stop' };

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
  /** Epoch ms at which the stand-in answered each model call (it answers `modelLatencyMs` after the request). */
  modelAnsweredAt: number[];
  /** Epoch ms of each GitHub request (route) and, with `timeline`, of each model request. */
  timeline: { at: number; what: string }[];
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
});

/** One finding per chunk, on the first added line of the chunk's first file, so reviews carry inline comments. */
const FIRST_ADDED = /<file path="([^"]+)"[^>]*>\n[^\n]*\n(?:[^\n]*\n)*? {7}R(\d+) *\+ /;

const model = await startAnthropicStandIn({
  latencyMs: options.modelLatencyMs,
  cache: 'at-response',
  keepBodies: options.timeline,
  respond: (request) => {
    answeredAt.push(performance.timeOrigin + performance.now());
    const messages = request.messages as { content: unknown }[];
    const prompt = typeof messages[0]?.content === 'string' ? messages[0].content : '';
    const match = FIRST_ADDED.exec(prompt);
    const findings = match
      ? [{ path: match[1], line: Number(match[2]), side: 'RIGHT', severity: 'medium', category: 'reliability', title: `Unchecked result in ${match[1]}`, body: 'The lookup result is used without a null check.' }]
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
        cacheReads: model.cacheReads,
        cacheReadTokens: model.cacheReadTokens,
        cacheWrites: model.cacheWrites,
        modelAnsweredAt: [...answeredAt],
        timeline: [
          ...github.requests.map((request) => ({ at: performance.timeOrigin + request.at, what: `${request.method} ${request.path.replace(/\?.*$/, '').replace(/^\/api\/v3\/repos\/[^/]+\/[^/]+/, '')}` })),
          ...model.requests.map((request, index) => ({ at: performance.timeOrigin + request.at, what: `model request ${index + 1}` })),
        ].sort((a, b) => a.at - b.at),
      },
    });
  } else if (message.type === 'stop') {
    void Promise.all([github.close(), model.close()]).then(() => process.exit(0));
  }
});

const changedLines = files.reduce((sum, file) => sum + file.additions + file.deletions, 0);
send({ type: 'ready', githubUrl: github.url, modelUrl: model.url, files: files.length, changedLines });
