#!/usr/bin/env node
// `npx bulwark` and the package's `bin`. From a clone (after `npm ci`) it runs the TypeScript sources through tsx,
// so no build step is needed and a `git pull` is never masked by a stale dist/; an installed package or the
// Docker image (no src/, no tsx) runs the compiled dist/. The Node version is checked by src/cli/main.ts before
// anything else loads.
/* global URL, console, process */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = `${root}src/cli/main.ts`;
const built = `${root}dist/cli/main.js`;

async function tsxRegistered() {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    return true;
  } catch {
    return false;
  }
}

if (existsSync(source) && (await tsxRegistered())) {
  await import(pathToFileURL(source).href);
} else if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  console.error('bulwark: neither the sources with their dev dependencies (run `npm ci`) nor a build (run `npm run build`) were found.');
  process.exitCode = 1;
}
