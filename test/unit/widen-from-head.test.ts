import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_HEAD_READ_LIMITS, filesToWiden, startWidening } from '../../src/context/widen-from-head.js';
import type { ChangedFile, DiffFile } from '../../src/review/types.js';
import { isWidened } from '../../src/review/widen-hunks.js';
import * as masking from '../../src/secrets/mask-secrets-in-files.js';
import type * as MaskModule from '../../src/secrets/mask-secrets-in-files.js';
import { fakeSecret, leakedPieces } from '../helpers/fake-secrets.js';
import { diffFileOf, patchAdding } from '../helpers/patch-adding.js';

vi.mock('../../src/secrets/mask-secrets-in-files.js', async (importOriginal) => {
  const real = await importOriginal<typeof MaskModule>();
  return { ...real, maskSecretsInFiles: vi.fn(real.maskSecretsInFiles) };
});

/** The patch adding head line `added` (three lines of context each side), parsed. */
const fileAdding = (path: string, head: readonly string[], added: number, status: ChangedFile['status'] = 'modified'): DiffFile => diffFileOf(path, patchAdding(head, [added]), status);

const HANDLER = ['export function handler(req, res) {', ...Array.from({ length: 30 }, (_, index) => `  step${index}(req);`), '}'];
const text = (lines: readonly string[]) => `${lines.join('\n')}\n`;
const ignore = () => undefined;

describe('startWidening', () => {
  it('reads modified files only, riskiest first, never a secret-by-nature or excluded file, at most maxFiles', () => {
    const files = [
      fileAdding('src/lib/util.ts', HANDLER, 20),
      fileAdding('src/routes/orders.ts', HANDLER, 20),
      fileAdding('src/new.ts', HANDLER, 20, 'added'),
      fileAdding('.env.production', HANDLER, 20),
      fileAdding('config/keys/server.pem', HANDLER, 20),
      fileAdding('web/app.ts', HANDLER, 20),
      fileAdding('src/auth/session.ts', HANDLER, 20),
    ];

    expect(filesToWiden(files, ['web/**'], 10).map((file) => file.path)).toEqual(['src/routes/orders.ts', 'src/auth/session.ts', 'src/lib/util.ts']);
    expect(filesToWiden(files, ['web/**'], 2).map((file) => file.path)).toEqual(['src/routes/orders.ts', 'src/auth/session.ts']);
  });

  it('widens each file read from the head, and leaves a file it could not read as it came', async () => {
    const files = [fileAdding('src/routes/a.ts', HANDLER, 20), fileAdding('src/routes/b.ts', HANDLER, 20)];
    const errors: unknown[] = [];
    const read = vi.fn(async (path: string) => {
      if (path === 'src/routes/b.ts') throw new Error('GitHub answered 502');
      return text(HANDLER);
    });

    const widened = await startWidening(files, read, [], (error) => errors.push(error))(files);

    expect(read.mock.calls.map(([path]) => path)).toEqual(['src/routes/a.ts', 'src/routes/b.ts']);
    expect(widened.map(isWidened)).toEqual([true, false]);
    expect(widened[1]).toBe(files[1]);
    expect(errors).toEqual([new Error('GitHub answered 502')]);
  });

  it('starts reading at once, before the redacted files are there', async () => {
    const files = [fileAdding('src/routes/a.ts', HANDLER, 20)];
    const read = vi.fn(async () => text(HANDLER));

    const widen = startWidening(files, read, [], ignore);
    await Promise.resolve();

    expect(read).toHaveBeenCalledTimes(1);
    expect((await widen(files)).map(isWidened)).toEqual([true]);
  });

  it('masks a secret in the widened lines, a private key cut by the window included (the whole file is scanned)', async () => {
    const key = fakeSecret.privateKeyPem().split('\n');
    const token = fakeSecret.githubToken();
    const steps = Array.from({ length: 10 }, (_, index) => `  step${index + 1}();`);
    const head = ['export function loadKey() {', '  const pem = `', ...key, '`;', `  const token = '${token}';`, ...steps, '  return pem;', '}'];
    const keyEnd = 2 + key.length;
    // The change is step6; its hunk starts at step3, so the 8 lines above it hold the key's last 4 lines and the token.
    const files = [fileAdding('src/auth/keys.ts', head, keyEnd + 8)];

    const [widened] = await startWidening(files, async () => text(head), [], ignore)(files);

    const shown = widened!.hunks[0]!.lines.filter((line) => line.widened === true && (line.newLine ?? 0) < keyEnd + 5);
    expect(shown.map((line) => line.newLine)).toEqual([keyEnd - 3, keyEnd - 2, keyEnd - 1, keyEnd, keyEnd + 1, keyEnd + 2, keyEnd + 3, keyEnd + 4]);
    expect(shown.slice(0, 4).every((line) => line.text.includes('[REDACTED secret:'))).toBe(true);
    expect(shown[5]?.text).toContain('[REDACTED secret:');
    expect(leakedPieces(widened, [key.join('\n'), token])).toEqual([]);
  });

  it('widens nothing when masking fails (fail closed)', async () => {
    vi.mocked(masking.maskSecretsInFiles).mockRejectedValueOnce(new Error('secretlint failed'));
    const files = [fileAdding('src/routes/a.ts', HANDLER, 20)];
    const errors: unknown[] = [];

    const widened = await startWidening(files, async () => text(HANDLER), [], (error) => errors.push(error))(files);

    expect(widened[0]).toBe(files[0]);
    expect(errors).toEqual([new Error('secretlint failed')]);
  });

  it('widens nothing when the reads run past their deadline', async () => {
    const files = [fileAdding('src/routes/a.ts', HANDLER, 20)];
    const errors: unknown[] = [];
    const never = () => new Promise<string>(() => undefined);

    const widened = await startWidening(files, never, [], (error) => errors.push(error), { ...DEFAULT_HEAD_READ_LIMITS, timeoutMs: 20 })(files);

    expect(widened[0]).toBe(files[0]);
    expect(String(errors[0])).toContain('longer than 20 ms');
  });

  it('does not widen a file longer than maxChars', async () => {
    const files = [fileAdding('src/routes/a.ts', HANDLER, 20)];

    const widened = await startWidening(files, async () => text(HANDLER), [], ignore, { ...DEFAULT_HEAD_READ_LIMITS, maxChars: 100 })(files);

    expect(widened[0]).toBe(files[0]);
  });
});
