/**
 * The Bulwark side of the pipeline benchmark: the real Probot app, compiled by tsc and run by plain `node`, so
 * the CPU time and RSS it reports are the app's, without tsx's loader or the stand-ins (which run in a process
 * of their own). bench/pipeline.ts starts it and asks for runs over IPC.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { getHeapSpaceStatistics } from 'node:v8';
import { pino } from 'pino';
import { Probot, ProbotOctokit } from 'probot';
import type { Runtime } from '../src/composition.js';
import { readSettings } from '../src/config/env.js';
import { bulwark } from '../src/index.js';

export type ToWorker =
  | { type: 'init'; githubUrl: string; modelUrl: string; throttle: boolean; payloadFile: string }
  | { type: 'run'; index: number; trace: boolean }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'ready'; modelConcurrency: number; chunkTokens: number; rssMb: number; idleCpuMsPerSecond: number }
  | { type: 'ran'; figures: WorkerFigures }
  | { type: 'failed'; message: string };

export interface WorkerFigures {
  /** Epoch ms the run started at (to line up with the stand-ins' timeline). */
  startedAt: number;
  wallMs: number;
  cpuMs: number;
  /** The two halves of cpuMs: user time (JavaScript, GC, all threads) and system time (syscalls: sockets, memory). */
  cpuUserMs: number;
  cpuSystemMs: number;
  rssBeforeMb: number;
  peakRssMb: number;
  /** The kernel's high-water mark of the process so far (getrusage), which no sampling interval can miss. */
  maxRssMb: number;
  /** heapUsed / external+arrayBuffers at the peak RSS sample. */
  heapAtPeakMb?: number;
  externalAtPeakMb?: number;
  /** The longest event-loop stall seen (2 ms timer; BENCH_BLOCKS=1 only): how long the loop was blocked at most. */
  longestBlockMs?: number;
  /** `t:rss/heap/cpu` samples (ms, MB, MB, CPU ms since the start) every ~50 ms when asked for. */
  trace: string[];
}

let probot: Probot | undefined;
let runtime: Runtime | undefined;
let payload: unknown;

const send = (message: FromWorker) => process.send?.(message);
const mb = (bytes: number) => bytes / 1024 / 1024;

async function init(message: Extract<ToWorker, { type: 'init' }>): Promise<void> {
  const settings = readSettings({
    ANTHROPIC_API_KEY: 'bench',
    ANTHROPIC_BASE_URL: message.modelUrl,
    BULWARK_MODEL_MAX_RETRIES: '0',
    BULWARK_JOB_ATTEMPTS: '1',
    BULWARK_MAX_INPUT_TOKENS: '50000000',
    // The same pull request is reviewed again on every run: neither daily limit may refuse the later runs
    // (a run spends ~5.7 million tokens; the daily budget's default is 20 million, three automatic reviews a day).
    BULWARK_DAILY_TOKEN_BUDGET: '0',
    BULWARK_PR_DAILY_AUTO_REVIEWS: '0',
  });
  // Logs are written (at info, as in production), to nowhere.
  const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  probot = new Probot({
    appId: 1,
    privateKey: generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey,
    baseUrl: message.githubUrl,
    log,
    ...(message.throttle ? {} : { Octokit: ProbotOctokit.defaults((options: Record<string, unknown>) => ({ ...options, throttle: { enabled: false } })) }),
  });
  await probot.load(bulwark({ settings, onStarted: (started) => (runtime = started) }), { cwd: process.cwd(), addHandler: () => undefined });
  payload = JSON.parse(readFileSync(message.payloadFile, 'utf8'));
  if (process.env.BENCH_DIAG) {
    (globalThis as { gc?: () => void }).gc?.();
    console.error(`  diag at rest (after a full GC): ${memoryMap()}`);
  }
  send({
    type: 'ready',
    modelConcurrency: settings.modelConcurrency,
    chunkTokens: settings.chunkTokens,
    rssMb: mb(process.memoryUsage.rss()),
    idleCpuMsPerSecond: await idleCpu(3_000),
  });
}

async function run(index: number, trace: boolean): Promise<WorkerFigures> {
  (globalThis as { gc?: () => void }).gc?.();
  const samples: string[] = [];
  const rssBefore = process.memoryUsage.rss();
  let peak = process.memoryUsage();
  let peakRss = peak.rss;
  let peakSpaces = '';
  // The kernel's own high-water mark, reset here, is the exact peak (Linux). Then nothing samples during a run
  // unless asked (BENCH_TRACE, BENCH_DIAG, BENCH_BLOCKS): a sampler's or an event-loop monitor's timers cost the
  // process CPU for as long as the run lasts (~2 and ~4 ms per second), which is the benchmark's, not Bulwark's.
  const kernelPeak = resetPeakRss();
  const sampling = !kernelPeak || trace || Boolean(process.env.BENCH_DIAG);
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const sampler = sampling ? setInterval(() => {
    const now = performance.now();
    const rss = process.memoryUsage.rss();
    // The full breakdown (heap statistics) only when the peak grew by a megabyte: the sampler's own CPU counts too.
    if (rss > peak.rss + 1024 * 1024) {
      peak = process.memoryUsage();
      if (process.env.BENCH_DIAG) peakSpaces = `+${(now - started).toFixed(0)} ms, RSS ${mb(rss).toFixed(0)} MB: ${heapSpaces()} · external ${mb(peak.external).toFixed(0)}`;
    }
    peakRss = Math.max(peakRss, rss);
    if (trace && samples.length < 1000) {
      const cpu = process.cpuUsage(cpuAtStart);
      samples.push(`${(now - started).toFixed(0)}:${mb(rss).toFixed(0)}/${mb(process.memoryUsage().heapUsed).toFixed(0)}/${((cpu.user + cpu.system) / 1000).toFixed(0)}`);
    }
  }, 10) : undefined;
  const startedAt = performance.timeOrigin + started;
  const heapProfile = process.env.BENCH_HEAP_PROF && index > 0 ? await startAllocationSampling() : undefined;
  if (process.env.BENCH_SNAPSHOT && index === 1) setTimeout(() => void writeSnapshot(process.env.BENCH_SNAPSHOT!), Number(process.env.BENCH_SNAPSHOT_AT ?? 3000));
  const blocks = process.env.BENCH_BLOCKS === '1' ? watchBlocks(started) : undefined;
  const threadsBefore = process.env.BENCH_THREADS === '1' ? threadCpu() : undefined;
  const cpuStart = process.cpuUsage();
  await probot!.receive({ id: `bench-${index}`, name: 'pull_request', payload: payload as never });
  await runtime!.queue.onIdle();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const stalls = blocks?.();
  if (stalls) console.error(`  event-loop blocks over 40 ms (start+ms:length): ${stalls.list.join(' ')}`);
  if (threadsBefore) {
    const after = threadCpu();
    const used = [...after].map(([name, ms]) => [name, ms - (threadsBefore.get(name) ?? 0)] as const).filter(([, ms]) => ms > 0);
    console.error(`  CPU by thread (ms): ${used.sort((a, b) => b[1] - a[1]).map(([name, ms]) => `${name} ${ms}`).join(' · ')}`);
  }
  if (heapProfile) await heapProfile(`${process.env.BENCH_HEAP_PROF}/run-${index}.heapprofile`);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss(), kernelPeak ? peakRssKb() * 1024 : 0);
  if (process.env.BENCH_DIAG) {
    console.error(`  diag at the peak (V8 spaces committed/used, MB): ${peakSpaces}`);
    (globalThis as { gc?: () => void }).gc?.();
    console.error(`  diag after the run and a full GC: ${heapSpaces()} · ${memoryMap()}`);
  }
  return {
    startedAt,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    cpuUserMs: cpu.user / 1000,
    cpuSystemMs: cpu.system / 1000,
    rssBeforeMb: mb(rssBefore),
    peakRssMb: mb(peakRss),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    ...(sampling ? { heapAtPeakMb: mb(peak.heapUsed), externalAtPeakMb: mb(peak.external + peak.arrayBuffers) } : {}),
    ...(stalls ? { longestBlockMs: stalls.longestMs } : {}),
    trace: samples.filter((_, i) => i % 5 === 0),
  };
}

/** V8's spaces over 1 MB, committed/used in MB. */
function heapSpaces(): string {
  return getHeapSpaceStatistics()
    .filter((space) => space.space_size > 1024 * 1024)
    .map((space) => `${space.space_name.replace(/_space$/, '')} ${mb(space.space_size).toFixed(0)}/${mb(space.space_used_size).toFixed(0)}`)
    .join(', ');
}

/**
 * Where the RSS is (BENCH_DIAG=1), from /proc/self/smaps: the node binary, malloc's heap, V8's pages (256 KB
 * anonymous mappings, pooled ones included: V8 keeps freed pages resident for reuse) and the rest.
 */
function memoryMap(): string {
  const totals = new Map<string, number>();
  let region = '';
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const header = /^([0-9a-f]+)-([0-9a-f]+) \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (header) {
      const kb = (parseInt(header[2]!, 16) - parseInt(header[1]!, 16)) / 1024;
      const name = header[3] ?? '';
      region = name === '' ? (kb === 256 ? 'V8 pages' : 'other anonymous') : name === '[heap]' ? 'malloc heap' : name.endsWith('/node') ? 'node binary' : 'other';
    } else if (line.startsWith('Rss:')) {
      totals.set(region, (totals.get(region) ?? 0) + Number(/\d+/.exec(line)?.[0] ?? 0));
    }
  }
  return `RSS by mapping (MB): ${[...totals].map(([name, kb]) => `${name} ${(kb / 1024).toFixed(0)}`).join(', ')}`;
}

/** A heap snapshot (BENCH_SNAPSHOT=<file>, BENCH_SNAPSHOT_AT=<ms into run 1>): what is alive mid-run. */
async function writeSnapshot(file: string): Promise<void> {
  const session = new Session();
  session.connect();
  const chunks: string[] = [];
  session.on('HeapProfiler.addHeapSnapshotChunk', (message) => chunks.push(message.params.chunk));
  await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  session.disconnect();
  writeFileSync(file, chunks.join(''));
}

/** Every allocation sampled, collected or not (BENCH_HEAP_PROF=<dir>): where the garbage comes from. */
async function startAllocationSampling(): Promise<(file: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: process.env.BENCH_HEAP_PROF_SURVIVORS !== '1' });
  return async (file) => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

process.on('message', (message: ToWorker) => {
  const handle = async () => {
    if (message.type === 'init') await init(message);
    else if (message.type === 'run') send({ type: 'ran', figures: await run(message.index, message.trace) });
    else {
      await runtime?.queue.close(5_000);
      process.exit(0);
    }
  };
  handle().catch((error: unknown) => send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});

/** CPU time (user + system, ms) per thread name, from Linux's /proc (threads of one name are summed). */
function threadCpu(): Map<string, number> {
  const byName = new Map<string, number>();
  const ticksMs = 10;
  for (const task of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * ticksMs;
      byName.set(name, (byName.get(name) ?? 0) + ms);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return byName;
}

/** Resets the kernel's peak RSS of this process (Linux: `5` into /proc/self/clear_refs); false where it cannot. */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return peakRssKb() > 0;
  } catch {
    return false;
  }
}

/** The kernel's peak RSS since the last reset, in KiB (VmHWM); 0 where /proc is not there. */
function peakRssKb(): number {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Event-loop stalls: a 2 ms timer's gaps. Stop by calling; it gives the longest gap and those over 40 ms, as
 * `+start:length` (ms after `started`), to see where the loop was held.
 */
function watchBlocks(started: number): () => { longestMs: number; list: string[] } {
  const list: string[] = [];
  let longestMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    longestMs = Math.max(longestMs, now - last);
    if (now - last > 40) list.push(`+${(last - started).toFixed(0)}:${(now - last).toFixed(0)}`);
    last = now;
  }, 2);
  return () => {
    clearInterval(timer);
    return { longestMs, list };
  };
}

/**
 * CPU per second of the started app doing nothing (its own timers): what a run spends by merely lasting, mostly
 * while it waits for the model. Reported next to the runs, not subtracted.
 */
async function idleCpu(ms: number): Promise<number> {
  const start = process.cpuUsage();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / (ms / 1000);
}
