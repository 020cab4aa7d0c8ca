import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import type { Probot } from 'probot';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createMemoryQueue } from '../../src/adapters/memory/memory-queue.js';
import { bulwark } from '../../src/index.js';
import { testSettings } from '../helpers/test-app.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const manifest = parse(read('app.yml')) as { default_events: string[]; default_permissions: Record<string, string> };

/** The permission rows (`| Name: level | why |`) of the section under `heading`, as app.yml spells them. */
function permissionTable(markdown: string, heading: string): Record<string, string> {
  const start = markdown.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf('\n## ', start + heading.length);
  const section = markdown.slice(start, end === -1 ? undefined : end);
  const table: Record<string, string> = {};
  for (const match of section.matchAll(/^\| ([A-Z][a-z ]+): (read|write) \|/gm)) table[match[1]!.toLowerCase().replace(/ /g, '_')] = match[2]!;
  return table;
}

/** The events the App registers handlers for, from loading it into a recording stand-in for Probot. */
function handledEvents(): string[] {
  const events: string[] = [];
  const log = pino({ level: 'silent' });
  const queue = createMemoryQueue({ concurrency: 1, log });
  const app = {
    log,
    on: (names: string | string[]) => events.push(...[names].flat()),
    onAny: () => undefined,
    auth: async () => undefined,
  } as unknown as Probot;
  void bulwark({ settings: testSettings(), queue })(app, { cwd: process.cwd(), addHandler: () => undefined });
  void queue.close(0);
  return events;
}

describe('app.yml', () => {
  it('subscribes to every event the App handles', () => {
    const handled = new Set(handledEvents().map((name) => name.split('.')[0]!));
    expect(handled.size).toBeGreaterThan(0);
    for (const event of handled) expect(manifest.default_events, event).toContain(event);
  });

  it('asks for exactly the permissions SECURITY.md and the README list, at the same levels', () => {
    expect(permissionTable(read('SECURITY.md'), '## GitHub App permissions')).toEqual(manifest.default_permissions);
    expect(permissionTable(read('README.md'), '## Permissions and events')).toEqual(manifest.default_permissions);
  });
});
