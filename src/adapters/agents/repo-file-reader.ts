import type { AgentFileReader } from '../../ports/agent-file-reader.js';
import type { DirectoryEntry, PullRequestHost, PullRequestRef } from '../../ports/pull-request-host.js';

/**
 * Reads agent and skill files of the reviewed repo at one ref — its default branch, never the PR's head or base
 * (both chosen by the author), so a PR cannot choose its own reviewer. Folder listings are memoised and every read first checks that each parent folder
 * exists, so a repo without agent files costs a couple of listings, not a request per possible path.
 */
export function createRepoFileReader(host: PullRequestHost, ref: PullRequestRef, at: string): AgentFileReader {
  const listings = new Map<string, Promise<DirectoryEntry[]>>();

  const listing = (dir: string): Promise<DirectoryEntry[]> => {
    let entries = listings.get(dir);
    if (!entries) {
      entries = host.listDirectory(ref, dir, at);
      listings.set(dir, entries);
    }
    return entries;
  };

  /** Whether `path` exists with the given type, walking down from the root through memoised listings. */
  const exists = async (path: string, type: 'file' | 'dir'): Promise<boolean> => {
    const parts = path.split('/').filter(Boolean);
    let dir = '';
    for (const [index, name] of parts.entries()) {
      const last = index === parts.length - 1;
      const entry = (await listing(dir)).find((candidate) => candidate.name === name);
      if (!entry || entry.type !== (last ? type : 'dir')) return false;
      dir = dir ? `${dir}/${name}` : name;
    }
    return true;
  };

  return {
    async read(path) {
      return (await exists(path, 'file')) ? host.readFile(ref, path, at) : undefined;
    },
    async list(dir) {
      if (!(await exists(dir, 'dir'))) return [];
      return (await listing(dir)).filter((entry) => entry.type === 'file').map((entry) => entry.name);
    },
  };
}
