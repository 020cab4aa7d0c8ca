import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubHost } from '../../src/adapters/github/github-host.js';

/** The body the stand-in offers: far over the cap, produced only as the client reads it. */
const OFFERED = 120 * 1024 * 1024;
const CAP = 1024 * 1024;
const CHUNK = 64 * 1024;
/** What socket buffers on both ends may hold beyond what the client read (loopback buffers are a few MB). */
const SLACK = 12 * 1024 * 1024;
const REF = { installationId: 1, owner: 'acme', repo: 'shop', pullNumber: 1 };

/**
 * GitHub's archive endpoint as a local server that counts the bytes it actually sent, produced on demand (a
 * Readable honouring backpressure): if the client stops reading at the cap, the server stops producing near it.
 */
describe('downloadTarball', () => {
  let server: Server;
  let url: string;
  const sent = { bytes: 0 };

  beforeAll(async () => {
    nock.enableNetConnect('127.0.0.1');
    server = createServer((req, res) => {
      const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size') ?? OFFERED);
      const declare = !req.url?.includes('/undeclared/');
      const small = req.url?.includes('/small/');
      const total = small ? 1_000 : size;
      res.writeHead(200, { 'content-type': 'application/x-gzip', ...(declare ? { 'content-length': String(total) } : {}) });
      let produced = 0;
      const body = new Readable({
        highWaterMark: CHUNK,
        read() {
          if (produced >= total) {
            this.push(null);
            return;
          }
          const length = Math.min(CHUNK, total - produced);
          produced += length;
          sent.bytes += length;
          this.push(Buffer.alloc(length, 7));
        },
      });
      body.pipe(res);
      res.on('close', () => body.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    nock.disableNetConnect();
  });

  const hostAt = (prefix: string) =>
    createGitHubHost(new ProbotOctokit({ auth: { token: 'test-token' }, baseUrl: `${url}${prefix}`, retry: { enabled: false }, throttle: { enabled: false } }));

  it('stops at the cap, counting the bytes, when no length is declared: it reads about the cap, never the whole body', async () => {
    sent.bytes = 0;
    const before = process.memoryUsage().arrayBuffers;

    const result = await hostAt('/undeclared').downloadTarball(REF, 'abc', CAP);

    expect(result).toEqual({ kind: 'too-large', maxBytes: CAP });
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.info(`downloadTarball: ${(sent.bytes / 1024 / 1024).toFixed(1)} MB sent of ${OFFERED / 1024 / 1024} MB offered, cap ${CAP / 1024 / 1024} MB`);
    expect(sent.bytes).toBeGreaterThan(CAP);
    expect(sent.bytes).toBeLessThan(CAP + SLACK);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(CAP + SLACK);
  });

  it('refuses a declared content-length over the cap before reading the body', async () => {
    sent.bytes = 0;

    const result = await hostAt('/declared').downloadTarball(REF, 'abc', CAP);

    expect(result).toEqual({ kind: 'too-large', maxBytes: CAP });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(sent.bytes).toBeLessThan(SLACK);
  });

  it('returns the archive when it is under the cap', async () => {
    const result = await hostAt('/small').downloadTarball(REF, 'abc', CAP);

    expect(result.kind).toBe('archive');
    expect(result.kind === 'archive' ? [...result.bytes.subarray(0, 3)] : []).toEqual([7, 7, 7]);
    expect(result.kind === 'archive' ? result.bytes.byteLength : 0).toBe(1_000);
  });
});
