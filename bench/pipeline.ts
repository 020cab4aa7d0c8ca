import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import type { Runtime } from '../src/composition.js';
import { readSettings } from '../src/config/env.js';
import { bulwark } from '../src/index.js';
import { median, spread } from './benchmark.js';
import type { Benchmark, BenchmarkResult } from './benchmark.js';
import type { FromStandIns, StandInsOptions, StandInStats, ToStandIns } from './stand-ins-process.js';

/**
 * The whole pipeline on a very large pull request: the real Probot app (`probot.receive` → queue → job →
 * GitHub and model over real HTTP) against local stand-ins with set latencies, run in a child process so the
 * CPU time and RSS measured here are Bulwark's alone (nothing the stand-ins do is counted; the model's 300 ms
 * are waiting, not CPU).
 *
 * GitHub goes through Probot's default Octokit, as in production: retries and throttling on. Throttling spaces
 * mutating requests (and GraphQL) 1 s apart, process-wide, which is part of what a review costs in wall time.
 *
 * Env knobs: BENCH_RUNS (3), BENCH_FILES (3000), BENCH_LINES (100000), BENCH_GITHUB_MS (5), BENCH_MODEL_MS (300),
 * BENCH_THROTTLE (on; `off` disables Octokit throttling to show its share of the wall time).
 */

const OWNER = 'Codertocat';
const REPO = 'Hello-World';
const PULL = 2;
const HEAD = 'ec26c3e57ca3a959ca5aad62de7213c562f8c821';
const BASE = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';

const TARGETS = { cpuMs: 1500, rssMb: 300, wallRatio: 1.2 };

interface RunFigures {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  idealMs: number;
  ratio: number;
  stats: StandInStats;
}

const envNumber = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};

export const pipelineBenchmark: Benchmark = {
  name: 'pipeline: a 3,000-file pull request through the whole review',
  run: runPipelineBenchmark,
};

async function runPipelineBenchmark(): Promise<BenchmarkResult> {
  const runs = envNumber('BENCH_RUNS', 3);
  const githubLatencyMs = envNumber('BENCH_GITHUB_MS', 5);
  const modelLatencyMs = envNumber('BENCH_MODEL_MS', 300);
  const throttle = process.env.BENCH_THROTTLE !== 'off';
  const standIns = await startStandIns({
    owner: OWNER,
    repo: REPO,
    pullNumber: PULL,
    headSha: HEAD,
    baseSha: BASE,
    files: envNumber('BENCH_FILES', 3000),
    changedLines: envNumber('BENCH_LINES', 100_000),
    githubLatencyMs,
    modelLatencyMs,
    // The whole PR fits the budget, so every file goes through planning, the model and anchoring.
    config: 'budget:\n  max_input_tokens: 50000000\n',
  });
  const lines: string[] = [];
  const print = (line: string) => {
    lines.push(line);
    console.info(line);
  };

  try {
    const settings = readSettings({
      ANTHROPIC_API_KEY: 'bench',
      ANTHROPIC_BASE_URL: standIns.modelUrl,
      BULWARK_MODEL_MAX_RETRIES: '0',
      BULWARK_JOB_ATTEMPTS: '1',
      BULWARK_MAX_INPUT_TOKENS: '50000000',
    });
    let runtime: Runtime | undefined;
    const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
    const probot = new Probot({
      appId: 1,
      privateKey: generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey,
      baseUrl: standIns.githubUrl,
      log,
      ...(throttle ? {} : { Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { enabled: false } })) }),
    });
    await probot.load(bulwark({ settings, onStarted: (started) => (runtime = started) }), { cwd: process.cwd(), addHandler: () => undefined });
    const payload = JSON.parse(readFileSync(new URL('../test/fixtures/pull_request.opened.json', import.meta.url), 'utf8')) as Record<string, unknown>;

    print(
      `PR: ${standIns.files} files, ${standIns.changedLines} changed lines · GitHub stand-in ${githubLatencyMs} ms, model stand-in ${modelLatencyMs} ms · ` +
        `model concurrency ${settings.modelConcurrency}, chunk ${settings.chunkTokens} tokens · Octokit throttling ${throttle ? 'on (production default)' : 'off'}`,
    );

    const once = async (index: number): Promise<RunFigures> => {
      await standIns.request({ type: 'reset' });
      (globalThis as { gc?: () => void }).gc?.();
      const rssBefore = process.memoryUsage.rss();
      let peakRss = rssBefore;
      let atPeak = process.memoryUsage();
      const sampler = setInterval(() => {
        const rss = process.memoryUsage.rss();
        if (rss > peakRss) {
          peakRss = rss;
          if (process.env.BENCH_MEMORY === '1') atPeak = process.memoryUsage();
        }
      }, 10);
      const epochStart = performance.timeOrigin + performance.now();
      const cpuStart = process.cpuUsage();
      const started = performance.now();
      await probot.receive({ id: `bench-${index}`, name: 'pull_request', payload: payload as never });
      await runtime!.queue.onIdle();
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuStart);
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      const stats = (await standIns.request({ type: 'stats' })) as StandInStats;
      if (process.env.BENCH_MEMORY === '1') {
        const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
        console.info(`  memory: RSS before ${mb(rssBefore)}; at peak RSS ${mb(atPeak.rss)}: heap used ${mb(atPeak.heapUsed)} of ${mb(atPeak.heapTotal)}, external ${mb(atPeak.external)}, array buffers ${mb(atPeak.arrayBuffers)}`);
      }
      if (process.env.BENCH_TIMELINE === '1') {
        for (const entry of stats.timeline) console.info(`  +${(entry.at - epochStart).toFixed(0).padStart(6)} ms  ${entry.what}`);
      }
      if (stats.reviews !== 1 || stats.modelRequests === 0) throw new Error(`run ${index} did not review: ${JSON.stringify(stats)}`);
      const idealMs = Math.ceil(stats.modelRequests / settings.modelConcurrency) * modelLatencyMs;
      return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: peakRss / 1024 / 1024, idealMs, ratio: wallMs / idealMs, stats };
    };

    const describe = (label: string, run: RunFigures) =>
      `${label}: wall ${run.wallMs.toFixed(0)} ms (ideal ${run.idealMs} ms, ×${run.ratio.toFixed(2)}) · CPU ${run.cpuMs.toFixed(0)} ms · peak RSS ${run.peakRssMb.toFixed(0)} MB · ` +
      `GitHub requests ${run.stats.githubRequests} · model calls ${run.stats.modelRequests} (peak ${run.stats.modelPeakConcurrency} in flight) · ` +
      `cache reads ${run.stats.cacheReads}/${run.stats.modelRequests} (${run.stats.cacheReadTokens} tokens), writes ${run.stats.cacheWrites}`;

    print(describe('cold run (not counted)', await once(0)));
    const measured: RunFigures[] = [];
    for (let index = 1; index <= runs; index += 1) {
      const run = await once(index);
      measured.push(run);
      print(describe(`run ${index}`, run));
    }

    const cpu = median(measured.map((run) => run.cpuMs));
    const rss = median(measured.map((run) => run.peakRssMb));
    const ratio = median(measured.map((run) => run.ratio));
    const wall = median(measured.map((run) => run.wallMs));
    const last = measured.at(-1)!;
    print(`GitHub requests by route (last run): ${Object.entries(last.stats.githubByRoute).map(([route, count]) => `${route} ×${count}`).join(', ')}`);
    print(
      `median of ${runs}: wall ${wall.toFixed(0)} ms (spread ${spread(measured.map((run) => run.wallMs))}) vs ideal ${last.idealMs} ms = ×${ratio.toFixed(2)} · ` +
        `CPU ${cpu.toFixed(0)} ms (spread ${spread(measured.map((run) => run.cpuMs))}) · peak RSS ${rss.toFixed(0)} MB (spread ${spread(measured.map((run) => run.peakRssMb))}) · ` +
        `maxRSS of the process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
    const targets = [
      { name: `CPU < ${TARGETS.cpuMs} ms`, met: cpu < TARGETS.cpuMs },
      { name: `peak RSS < ${TARGETS.rssMb} MB`, met: rss < TARGETS.rssMb },
      { name: `wall ≤ ${TARGETS.wallRatio} × ideal`, met: ratio <= TARGETS.wallRatio },
    ];
    print(`targets: ${targets.map((target) => `${target.name} ${target.met ? 'met' : 'MISSED'}`).join(' · ')}`);
    await runtime?.queue.close(5_000);
    return { lines, targets };
  } finally {
    await standIns.stop();
  }
}

interface StandIns {
  githubUrl: string;
  modelUrl: string;
  files: number;
  changedLines: number;
  request(message: ToStandIns): Promise<unknown>;
  stop(): Promise<void>;
}

/** Forks bench/stand-ins-process.ts (with tsx's loader) and waits until both servers listen. */
async function startStandIns(options: StandInsOptions): Promise<StandIns> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./stand-ins-process.ts', import.meta.url)), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: FromStandIns['type']) =>
    new Promise<FromStandIns>((resolve, reject) => {
      const onMessage = (message: FromStandIns) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code: number | null) => reject(new Error(`the stand-ins process exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = (await next('ready')) as Extract<FromStandIns, { type: 'ready' }>;
  return {
    githubUrl: ready.githubUrl,
    modelUrl: ready.modelUrl,
    files: ready.files,
    changedLines: ready.changedLines,
    request: async (message) => {
      const answer = next(message.type === 'stop' ? 'reset' : message.type);
      child.send(message);
      const reply = await answer;
      return reply.type === 'stats' ? reply.stats : undefined;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'stop' } satisfies ToStandIns);
      }),
  };
}
