import { beforeEach, describe, expect, it, vi } from 'vitest';
import { executeTool } from '../../src/context/tools.js';
import type { Snapshot } from '../../src/context/snapshot.js';
import type * as MaskModule from '../../src/secrets/mask-secrets-in-files.js';

// secretlint failing on the files of a call: the tool must show nothing of them (fail closed, like the diff).
const failures = vi.hoisted(() => ({ left: 0 }));
vi.mock('../../src/secrets/mask-secrets-in-files.js', async (importOriginal) => {
  const actual = await importOriginal<typeof MaskModule>();
  return {
    maskSecretsInFiles: (...args: Parameters<typeof actual.maskSecretsInFiles>) => {
      if (failures.left > 0) {
        failures.left -= 1;
        return Promise.reject(new Error('secretlint broke on SECRET-CONTENT'));
      }
      return actual.maskSecretsInFiles(...args);
    },
  };
});

const snapshotOf = (): Snapshot => ({ files: new Map([['src/a.ts', { size: 30, binary: false, text: 'const token = "SECRET-CONTENT";\n' }]]), truncated: false, refused: [] });

beforeEach(() => {
  failures.left = 1;
});

describe('when the secret scan fails', () => {
  it.each([
    ['Read', { path: 'src/a.ts' }],
    ['Grep', { pattern: 'token' }],
  ])('%s shows nothing of the files and says why', async (name, input) => {
    const result = await executeTool(snapshotOf(), name, input);

    expect(result).toEqual({ isError: true, masked: 0, content: `The ${name} tool could not check the files for secrets, so it shows nothing of them. Go on without it.` });
  });

  it('scans again on the next call instead of keeping the failure', async () => {
    const snapshot = snapshotOf();
    expect((await executeTool(snapshot, 'Read', { path: 'src/a.ts' })).isError).toBe(true);

    expect(await executeTool(snapshot, 'Read', { path: 'src/a.ts' })).toEqual({ isError: false, masked: 0, content: '1\tconst token = "SECRET-CONTENT";' });
  });
});
