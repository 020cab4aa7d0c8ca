/**
 * GitHub and the model for the replica benchmarks (ack-latency, jobs-throughput), in a process of their own so the
 * load generator and the App under test share no event loop with them. The GitHub stand-in serves any number of
 * pull requests of one repository: PR `n` (n ≥ FIRST_PULL) has head `headOf(n)`, the same one-file diff, and its
 * own reviews, so every webhook is a new, independent job. The model answers with one finding after a set latency.
 *
 * Run as a child (`node --import tsx bench/replica-stand-ins.ts <options JSON>`) by `startReplicaStandIns`.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const OWNER = 'Codertocat';
export const REPO = 'Hello-World';
export const BASE_SHA = 'f95f852bd8fca8fcc58a9a2d6c842781e32a215e';
/** Pull requests the stand-in serves start here; each benchmark run takes a fresh range. */
export const FIRST_PULL = 1000;

/** The head sha of benchmark PR `n`, known to both the load generator and the GitHub stand-in. */
export function headOf(pullNumber: number): string {
  return createHash('sha1').update(`bench-pr-${pullNumber}`).digest('hex');
}

export interface ReplicaStandInsOptions {
  githubLatencyMs: number;
  modelLatencyMs: number;
}

export interface ReplicaStandInsStats {
  githubRequests: number;
  reviews: number;
  checkRunsCreated: number;
  checkRunsCompleted: number;
  modelRequests: number;
  modelPeakConcurrency: number;
}

type ToChild = { type: 'stats' } | { type: 'reset' } | { type: 'stop' };
type FromChild = { type: 'ready'; githubUrl: string; modelUrl: string } | { type: 'stats'; stats: ReplicaStandInsStats } | { type: 'reset' };

export interface ReplicaStandIns {
  githubUrl: string;
  modelUrl: string;
  stats(): Promise<ReplicaStandInsStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Forks the stand-ins process and waits until both servers listen. */
export async function startReplicaStandIns(options: ReplicaStandInsOptions): Promise<ReplicaStandIns> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  const next = <T extends FromChild['type']>(type: T) =>
    new Promise<Extract<FromChild, { type: T }>>((resolve, reject) => {
      const onMessage = (message: FromChild) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as Extract<FromChild, { type: T }>);
      };
      const onExit = (code: number | null) => reject(new Error(`the stand-ins process exited (${String(code)})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ready = await next('ready');
  const ask = async <T extends 'stats' | 'reset'>(type: T) => {
    const answer = next(type);
    child.send({ type } satisfies ToChild);
    return answer;
  };
  return {
    githubUrl: ready.githubUrl,
    modelUrl: ready.modelUrl,
    stats: async () => (await ask('stats')).stats,
    reset: async () => {
      await ask('reset');
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'stop' } satisfies ToChild);
      }),
  };
}

/**
 * Signed `pull_request.opened` bodies for PR `n` (GitHub's own example payload, about 28 KB), built from one
 * serialised template: what varies per request costs a string join and an HMAC.
 */
export function openedBodies(): (pullNumber: number) => string {
  const payload = JSON.parse(readFileSync(new URL('../test/fixtures/pull_request.opened.json', import.meta.url), 'utf8')) as {
    number: number;
    pull_request: { number: number; head: { sha: string } };
  };
  const NUMBER = 987_654_321;
  const SHA = 'HEAD_SHA_PLACEHOLDER';
  const template = JSON.stringify({ ...payload, number: NUMBER, pull_request: { ...payload.pull_request, number: NUMBER, head: { ...payload.pull_request.head, sha: SHA } } });
  const parts = template.split(new RegExp(`${NUMBER}|${SHA}`));
  const order = [...template.matchAll(new RegExp(`${NUMBER}|${SHA}`, 'g'))].map((match) => match[0]);
  return (pullNumber) => {
    const head = headOf(pullNumber);
    let body = parts[0]!;
    for (let index = 0; index < order.length; index += 1) body += (order[index] === SHA ? head : String(pullNumber)) + parts[index + 1]!;
    return body;
  };
}

export const deliveryId = () => randomUUID();

async function serve(): Promise<void> {
  const { startGitHubStandIn } = await import('../test/helpers/stand-ins/github-server.js');
  const { startAnthropicStandIn } = await import('../test/helpers/stand-ins/anthropic-server.js');
  const { USERS_PATCH } = await import('../test/helpers/github-stand-in.js');
  const { finding, messageResponse } = await import('../test/helpers/model-stand-in.js');
  const options = JSON.parse(process.argv[2] ?? '{}') as ReplicaStandInsOptions;

  const github = await startGitHubStandIn({
    owner: OWNER,
    repo: REPO,
    pullNumber: 2,
    headSha: headOf(2),
    baseSha: BASE_SHA,
    files: [{ filename: 'src/server/routes/users.ts', status: 'modified', additions: 2, deletions: 1, patch: USERS_PATCH }],
    latencyMs: options.githubLatencyMs,
    // One model call per job, as the ideal assumes: this measures the queue; the verification pass's own cost is
    // measured by the pipeline benchmark.
    config: 'review:\n  verify: false\n',
    otherPullRequests: (pullNumber) => (pullNumber >= FIRST_PULL ? headOf(pullNumber) : undefined),
  });
  const model = await startAnthropicStandIn({
    latencyMs: options.modelLatencyMs,
    keepBodies: false,
    respond: () => ({ body: messageResponse({ summary: 'Adds a lookup route.', findings: [finding()] }) }),
  });
  // Counted as they happen: the stand-in's own check-run view is rebuilt on every call.
  let created = 0;
  let completed = 0;
  let seen = 0;
  const count = () => {
    for (; seen < github.requests.length; seen += 1) {
      const request = github.requests[seen]!;
      if (request.method === 'POST' && request.path.endsWith('/check-runs')) created += 1;
      if (request.method === 'PATCH' && (request.body as { status?: string } | undefined)?.status === 'completed') completed += 1;
    }
  };

  const send = (message: FromChild) => process.send?.(message);
  process.on('message', (message: ToChild) => {
    if (message.type === 'stats') {
      count();
      send({
        type: 'stats',
        stats: {
          githubRequests: github.requests.length,
          reviews: github.reviews.length,
          checkRunsCreated: created,
          checkRunsCompleted: completed,
          modelRequests: model.received,
          modelPeakConcurrency: model.peakConcurrency,
        },
      });
    } else if (message.type === 'reset') {
      github.reset();
      model.reset();
      created = 0;
      completed = 0;
      seen = 0;
      send({ type: 'reset' });
    } else if (message.type === 'stop') {
      void Promise.all([github.close(), model.close()]).finally(() => process.exit(0));
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', githubUrl: github.url, modelUrl: model.url });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await serve();
