import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadSnapshot, SnapshotError } from '../../src/context/snapshot.js';
import { buildTar, buildTarball, hostileEntries, TOP } from './context-fixtures.js';

describe('loadSnapshot', () => {
  it('strips the top-level folder and keeps text files', async () => {
    const snapshot = await loadSnapshot(await buildTarball(hostileEntries()));

    expect([...snapshot.files.keys()].sort()).toEqual([
      '.github/workflows/ci.yml',
      'README.md',
      'assets/logo.png',
      'src/a.ts',
      'src/db/users.ts',
    ]);
    expect(snapshot.files.get('src/a.ts')).toMatchObject({ binary: false, text: expect.stringContaining('export const a = 1;') });
    expect(snapshot.truncated).toBe(false);
  });

  it('lists binary files without their content', async () => {
    const snapshot = await loadSnapshot(await buildTarball(hostileEntries()));

    expect(snapshot.files.get('assets/logo.png')).toEqual({ size: 8, binary: true });
  });

  it('refuses links, devices, absolute paths and paths that climb out', async () => {
    const snapshot = await loadSnapshot(await buildTarball(hostileEntries()));

    const refused = Object.fromEntries(snapshot.refused.map((entry) => [entry.path, entry.reason]));
    expect(refused).toEqual({
      link: expect.stringMatching(/^symbolic link to \.\.\/\.\.\/etc\/passwd/),
      linkdir: expect.stringMatching(/^symbolic link/),
      hard: expect.stringMatching(/^hard link/),
      dev: 'device file',
      '../evil.txt': 'path leaves the archive',
      [`${TOP}/../../escape.txt`]: 'path leaves the archive',
      '/etc/x': 'absolute path',
      'other-top/stray.txt': 'outside the top-level folder',
    });
    const everything = [...snapshot.files.values()].map((file) => file.text ?? '').join('\n');
    expect(everything).not.toContain('evil');
  });

  it('does not let an entry that climbs out become the top-level folder', async () => {
    const snapshot = await loadSnapshot(
      await buildTarball([{ name: '../evil.txt', content: 'evil' }, { name: `${TOP}/src/a.ts`, content: 'a' }]),
    );

    expect([...snapshot.files.keys()]).toEqual(['src/a.ts']);
  });

  it('reads an archive shaped like GitHub\'s, pax global header first', async () => {
    const record = (text: string) => {
      const length = text.length + 2 + String(text.length + 4).length;
      return `${length} ${text}\n`;
    };
    const comment = record('comment=0123abc0123abc0123abc0123abc0123abc');
    const tarBytes = await buildTar([{ name: 'pax_global_header', content: comment }, { name: `${TOP}/`, type: 'directory' }, { name: `${TOP}/a.ts`, content: 'a' }]);
    setTypeflag(tarBytes, 0, 'g');
    const snapshot = await loadSnapshot(gzipSync(tarBytes));

    expect([...snapshot.files.keys()]).toEqual(['a.ts']);
    expect(snapshot.refused).toEqual([]);
  });

  it('refuses entry types it does not know instead of reading them as files', async () => {
    const tarBytes = await buildTar([{ name: `${TOP}/odd`, content: 'secret' }, { name: `${TOP}/ok.txt`, content: 'ok' }]);
    setTypeflag(tarBytes, 0, 'X');
    const snapshot = await loadSnapshot(gzipSync(tarBytes));

    expect([...snapshot.files.keys()]).toEqual(['ok.txt']);
    expect(snapshot.refused).toEqual([{ path: 'odd', reason: 'unsupported entry type (unknown)' }]);
  });

  it('lets a later link replace an earlier file of the same path, as extraction would', async () => {
    const snapshot = await loadSnapshot(
      await buildTarball([{ name: `${TOP}/config.ts`, content: 'x' }, { name: `${TOP}/config.ts`, type: 'symlink', linkname: '/etc/passwd' }]),
    );

    expect(snapshot.files.has('config.ts')).toBe(false);
    expect(snapshot.refused[0]?.path).toBe('config.ts');
  });

  it('lists files over the per-file cap without keeping their content', async () => {
    const big = 'x'.repeat(5_000);
    const snapshot = await loadSnapshot(await buildTarball([{ name: `${TOP}/big.txt`, content: big }, { name: `${TOP}/small.txt`, content: 'ok' }]), {
      maxFileBytes: 1_000,
    });

    expect(snapshot.files.get('big.txt')).toEqual({ size: 5_000, binary: false });
    expect(snapshot.files.get('small.txt')?.text).toBe('ok');
  });

  it('stops at the file cap and marks the snapshot truncated', async () => {
    const entries = Array.from({ length: 10 }, (_, i) => ({ name: `${TOP}/f${i}.txt`, content: `file ${i}` }));
    const snapshot = await loadSnapshot(await buildTarball(entries), { maxFiles: 4 });

    expect(snapshot.files.size).toBe(4);
    expect(snapshot.truncated).toBe(true);
  });

  it('stops at the byte cap (uncompressed) and marks the snapshot truncated', async () => {
    const entries = Array.from({ length: 20 }, (_, i) => ({ name: `${TOP}/f${String(i).padStart(2, '0')}.txt`, content: 'y'.repeat(10_000) }));
    const snapshot = await loadSnapshot(await buildTarball(entries), { maxBytes: 50_000 });

    expect(snapshot.truncated).toBe(true);
    expect(snapshot.files.size).toBeGreaterThan(0);
    expect(snapshot.files.size).toBeLessThan(5);
    for (const file of snapshot.files.values()) expect(file.text).toHaveLength(10_000);
  });

  it('counts headers too, so a flood of empty entries is bounded', async () => {
    const entries = [
      { name: `${TOP}/first.txt`, content: 'first' },
      ...Array.from({ length: 500 }, (_, i) => ({ name: `${TOP}/l${i}`, type: 'symlink' as const, linkname: 'x' })),
    ];
    const snapshot = await loadSnapshot(await buildTarball(entries), { maxBytes: 20_000 });

    expect(snapshot.truncated).toBe(true);
    expect(snapshot.files.has('first.txt')).toBe(true);
  });

  it('reads a stream of chunks as well as one buffer', async () => {
    const gz = await buildTarball(hostileEntries());
    async function* chunks() {
      for (let i = 0; i < gz.length; i += 37) yield gz.subarray(i, i + 37);
    }
    const snapshot = await loadSnapshot(chunks());

    expect(snapshot.files.get('src/db/users.ts')?.text).toContain('findUser');
  });

  it('rejects what is not a gzip tarball', async () => {
    await expect(loadSnapshot(Buffer.from('not gzip at all'))).rejects.toBeInstanceOf(SnapshotError);
    await expect(loadSnapshot(gzipSync(Buffer.alloc(700, 7)))).rejects.toBeInstanceOf(SnapshotError);
  });

  it('rejects a tarball cut short', async () => {
    const tarBytes = await buildTar([{ name: `${TOP}/a.txt`, content: 'z'.repeat(4_000) }]);
    await expect(loadSnapshot(gzipSync(tarBytes.subarray(0, 1_500)))).rejects.toBeInstanceOf(SnapshotError);
  });
});

/** Rewrites the typeflag of the header at `offset` and fixes its checksum. */
function setTypeflag(tarBytes: Buffer, offset: number, flag: string) {
  tarBytes[offset + 156] = flag.charCodeAt(0);
  tarBytes.fill(0x20, offset + 148, offset + 156);
  let sum = 0;
  for (let i = offset; i < offset + 512; i += 1) sum += tarBytes[i] ?? 0;
  tarBytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, offset + 148, 'latin1');
}
