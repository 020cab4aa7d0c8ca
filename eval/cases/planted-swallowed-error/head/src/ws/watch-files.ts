import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { log } from '../log';

/** Tells a client which files of its project changed; the watcher lives exactly as long as the socket. */
export function watchProject(root: string, notify: (path: string) => void): () => void {
  const watcher: FSWatcher = watch(root, { recursive: true }, (_event, file) => {
    if (file) notify(file.toString());
  });
  watcher.on('error', () => {});
  return () => watcher.close();
}
