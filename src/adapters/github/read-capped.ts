import type { TarballDownload } from '../../ports/pull-request-host.js';

/**
 * Reads a response body up to `maxBytes`, never holding more than that: a declared `content-length` over the cap
 * is refused before the first byte is read, and the bytes are counted as they arrive (GitHub's archives come from
 * codeload, which may send no length at all). Past the cap the stream is cancelled, which closes the connection.
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null | undefined, contentLength: string | number | undefined, maxBytes: number): Promise<TarballDownload> {
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await body?.cancel().catch(() => undefined);
    return { kind: 'too-large', maxBytes };
  }
  if (!body) return { kind: 'archive', bytes: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      await reader.cancel().catch(() => undefined);
      return { kind: 'too-large', maxBytes };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return { kind: 'archive', bytes };
}
