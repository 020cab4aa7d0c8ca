import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createToolSandbox } from '../../src/context/tool-sandbox.js';
import type { ToolSandbox } from '../../src/context/tool-sandbox.js';
import { buildTarball, hostileEntries, TOP } from './context-fixtures.js';

/** Small, so the tests stay fast; the App's default is BULWARK_TOOL_TIMEOUT_MS. */
const DEADLINE_MS = 300;
const ALL = ['Read', 'Grep', 'Glob'];

let archive: Buffer;
let sandbox: ToolSandbox | undefined;

beforeAll(async () => {
  archive = await buildTarball([
    ...hostileEntries(),
    { name: `${TOP}/src/min.js`, content: `${'a'.repeat(2_000)}\n` },
    { name: `${TOP}/${'a'.repeat(200)}`, content: 'a\n' },
  ]);
});

afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

function open(options: { download?: () => Promise<{ kind: 'archive'; bytes: Uint8Array } | { kind: 'too-large'; maxBytes: number }>; honoured?: string[] } = {}) {
  sandbox = createToolSandbox({
    download: options.download ?? (() => Promise.resolve({ kind: 'archive', bytes: archive })),
    honoured: options.honoured ?? ALL,
    callTimeoutMs: DEADLINE_MS,
  });
  return sandbox;
}

/**
 * Runs `call` and says how long it took and how much CPU the main thread spent meanwhile: a tool running on the
 * main thread would spend all of it there. (CPU, not event-loop delay: on a loaded 2-core machine the scheduler
 * alone delays timers by tens of milliseconds.)
 */
async function measured<T>(call: () => Promise<T>): Promise<{ value: T; ms: number; mainThreadCpuMs: number }> {
  const cpu = process.threadCpuUsage();
  const started = performance.now();
  const value = await call();
  const ms = performance.now() - started;
  const spent = process.threadCpuUsage(cpu);
  return { value, ms, mainThreadCpuMs: (spent.user + spent.system) / 1_000 };
}

describe('tool sandbox', () => {
  it('serves Read, Grep and Glob from the snapshot, in a worker', async () => {
    const tools = open();

    expect(await tools.execute('Read', { path: 'src/a.ts' })).toMatchObject({ isError: false, content: expect.stringContaining('1\texport const a = 1;') });
    expect(await tools.execute('Grep', { pattern: 'SELECT', path: 'src/db' })).toMatchObject({ isError: false, content: expect.stringContaining('src/db/users.ts:2:') });
    expect(await tools.execute('Glob', { pattern: 'src/**/*.ts' })).toMatchObject({ isError: false, content: 'src/a.ts\nsrc/db/users.ts' });
    expect(await tools.execute('Read', { path: 'link' })).toMatchObject({ isError: true, content: expect.stringContaining('symbolic link') });
    expect(tools.contextTooLarge()).toBe(false);
  });

  it('only runs the tools the agent honours', async () => {
    const tools = open({ honoured: ['Read'] });

    expect(await tools.execute('Grep', { pattern: 'x' })).toMatchObject({ isError: true, content: expect.stringContaining('Unknown tool "Grep"') });
  });

  it('answers Grep (a|a)*b, (a+){16}b and .*a.*a.*a.*b on a 2,000-character line in linear time, never holding the main thread', async () => {
    const tools = open();
    await tools.execute('Read', { path: 'README.md' });

    for (const pattern of ['(a|a)*b', '(a+){16}b', '.*a.*a.*a.*b']) {
      const { value, ms, mainThreadCpuMs } = await measured(() => tools.execute('Grep', { pattern }));

      // An answer, not a timeout: the long line is searched and does not match.
      expect(value).toMatchObject({ isError: false });
      expect(value.content).not.toMatch(/min\.js|ran out of time/);
      expect(ms).toBeLessThan(DEADLINE_MS);
      expect(mainThreadCpuMs).toBeLessThan(50);
    }
    expect(tools.threads()).toBe(1);
  });

  it.each([
    ['Glob', { pattern: '*a*a*a*a*a*a*a*b' }],
    ['Grep', { pattern: 'a', glob: '*a*a*a*a*a*a*a*b' }],
  ])('stops %s %j at the deadline with a clear error, and the next call runs in a fresh worker', async (name, input) => {
    const tools = open();
    await tools.execute('Read', { path: 'README.md' });

    const { value, ms, mainThreadCpuMs } = await measured(() => tools.execute(name, input));

    expect(value).toMatchObject({ isError: true, content: expect.stringContaining('ran out of time') });
    expect(value.content).toContain('narrow');
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(ms).toBeLessThan(DEADLINE_MS + 150);
    expect(mainThreadCpuMs).toBeLessThan(50);
    expect(await tools.execute('Glob', { pattern: '**/*.yml' })).toMatchObject({ isError: false, content: '.github/workflows/ci.yml' });
  });

  it('runs calls asked at once one after the other, so a call stuck at the deadline fails alone', async () => {
    const tools = open();

    const [stuck, after] = await Promise.all([tools.execute('Glob', { pattern: '*a*a*a*a*a*a*a*b' }), tools.execute('Glob', { pattern: 'README.md' })]);

    expect(stuck).toMatchObject({ isError: true, content: expect.stringContaining('ran out of time') });
    expect(after).toMatchObject({ isError: false, content: 'README.md' });
  });

  it('downloads once, on the first call, and not at all when no tool is called', async () => {
    const download = vi.fn(() => Promise.resolve({ kind: 'archive' as const, bytes: archive }));
    const unused = open({ download });
    await unused.close();
    expect(download).not.toHaveBeenCalled();

    const tools = open({ download });
    await tools.execute('Glob', { pattern: '*a*a*a*a*a*a*a*b' });
    await tools.execute('Read', { path: 'README.md' });

    expect(download).toHaveBeenCalledTimes(1);
  });

  it('answers every call with the reason when the archive is over the compressed cap, and says so', async () => {
    const tools = open({ download: () => Promise.resolve({ kind: 'too-large', maxBytes: 1_000 }) });

    const result = await tools.execute('Read', { path: 'src/a.ts' });

    expect(result).toEqual({ isError: true, content: expect.stringContaining('too large') });
    expect(tools.contextTooLarge()).toBe(true);
  });

  it('answers with an error, every time, when the archive cannot be read', async () => {
    const download = vi.fn(() => Promise.resolve({ kind: 'archive' as const, bytes: new Uint8Array(Buffer.from('not gzip at all')) }));
    const tools = open({ download });

    expect(await tools.execute('Read', { path: 'src/a.ts' })).toEqual({ isError: true, content: expect.stringContaining('could not be read') });
    expect(await tools.execute('Read', { path: 'src/a.ts' })).toEqual({ isError: true, content: expect.stringContaining('could not be read') });
    expect(download).toHaveBeenCalledTimes(1);
  });

  it('answers with an error when the download fails', async () => {
    const tools = open({ download: () => Promise.reject(new Error('GitHub said 502')) });

    expect(await tools.execute('Read', { path: 'src/a.ts' })).toEqual({ isError: true, content: expect.stringContaining('GitHub said 502') });
  });

  it('ends its worker on close: later calls are refused and nothing keeps running', async () => {
    const tools = open();
    await tools.execute('Read', { path: 'README.md' });
    expect(tools.threads()).toBe(1);

    await tools.close();

    expect(tools.threads()).toBe(0);
    expect(await tools.execute('Read', { path: 'README.md' })).toMatchObject({ isError: true, content: expect.stringContaining('ended') });
  });
});
