import { describe, expect, it } from 'vitest';
import { buildPrompt } from '../../src/review/build-prompt.js';
import { compressHunks, isOmissionMarker } from '../../src/review/compress-hunks.js';
import type { DiffLine, Hunk } from '../../src/review/types.js';
import { DEFAULT_WIDEN_BOUNDS, enclosingStart, isFunctionStart, languageOf, narrowHunks, widenHunks } from '../../src/review/widen-hunks.js';
import type { HeadText } from '../../src/review/widen-hunks.js';
import { diffFileOf, patchAdding } from '../helpers/patch-adding.js';

const asHead = (lines: readonly string[]): HeadText => ({ shown: lines, raw: lines });
const widenedLines = (hunk: Hunk | undefined): DiffLine[] => hunk?.lines.filter((line) => line.widened === true) ?? [];
const body = (count: number, indent: string, from = 1) => Array.from({ length: count }, (_, index) => `${indent}step${from + index}();`);

describe('widenHunks: up to the enclosing function', () => {
  const PYTHON = [
    'import logging',
    '',
    '',
    'class UserService:',
    '    def __init__(self, db):',
    '        self.db = db',
    '',
    '    def find(self, user_id):',
    ...body(20, '        '),
    '        return rows',
  ];
  const TYPESCRIPT = [
    "import { Body, Controller, Post } from '@nestjs/common';",
    '',
    "@Controller('orders')",
    'export class OrdersController {',
    '  constructor(private readonly orders: OrdersService) {}',
    '',
    "  @Post('/')",
    '  async create(@Body() body: CreateOrder): Promise<Order> {',
    ...body(20, '    '),
    '    return order;',
    '  }',
    '}',
  ];
  const GO = [
    'package api',
    '',
    'import "net/http"',
    '',
    'func (s *Server) HandleUser(w http.ResponseWriter, r *http.Request) {',
    '\tid := r.URL.Query().Get("id")',
    '\tif id == "" {',
    '\t\thttp.Error(w, "missing id", http.StatusBadRequest)',
    '\t\treturn',
    '\t}',
    ...body(16, '\t'),
    '}',
  ];
  const JAVA = [
    'package com.example.users;',
    '',
    '@RestController',
    'public class UserController {',
    '    private final UserRepository repo;',
    '',
    '    @GetMapping("/users/{id}")',
    '    @Transactional(readOnly = true)',
    '    public ResponseEntity<User> find(@PathVariable Long id) {',
    ...body(20, '        '),
    '        return ResponseEntity.ok(user);',
    '    }',
    '}',
  ];

  it.each([
    ['Python', 'app/users/service.py', PYTHON, 24, 8, '    def find(self, user_id):'],
    ['TypeScript (with its decorator)', 'src/orders/orders.controller.ts', TYPESCRIPT, 25, 7, "  @Post('/')"],
    ['Go', 'internal/api/users.go', GO, 22, 5, 'func (s *Server) HandleUser(w http.ResponseWriter, r *http.Request) {'],
    ['Java (with its annotations)', 'src/main/java/com/example/users/UserController.java', JAVA, 26, 7, '    @GetMapping("/users/{id}")'],
  ])('%s: the hunk starts at the function start, more than the plain bound above it', (_language, path, head, added, start, startText) => {
    const file = diffFileOf(path, patchAdding(head, [added]));

    const [hunk] = widenHunks(file, asHead(head)).hunks;

    const hunkFirst = added - 3;
    const extra = widenedLines(hunk).filter((line) => (line.newLine ?? 0) < hunkFirst);
    expect(extra).toHaveLength(hunkFirst - start);
    expect(extra.length).toBeGreaterThan(DEFAULT_WIDEN_BOUNDS.before);
    expect(extra[0]).toEqual({ kind: 'context', oldLine: start, newLine: start, text: startText, widened: true });
    expect(extra.map((line) => line.newLine)).toEqual(Array.from({ length: hunkFirst - start }, (_, index) => start + index));
    expect(hunk?.lines.slice(extra.length, extra.length + file.hunks[0]!.lines.length)).toEqual(file.hunks[0]!.lines);
  });

  it('stops at the plain bound when the function starts further up than beforeToStart', () => {
    const head = ['def handler(request):', ...body(60, '    ')];
    const file = diffFileOf('app/views.py', patchAdding(head, [50]));

    const [hunk] = widenHunks(file, asHead(head)).hunks;

    const leading = widenedLines(hunk).filter((line) => (line.newLine ?? 0) < 47);
    expect(leading.map((line) => line.newLine)).toEqual([39, 40, 41, 42, 43, 44, 45, 46]);
  });

  it('widens no further than beforeToStart even when the start is just beyond it', () => {
    const head = ['def handler(request):', ...body(60, '    ')];
    const file = diffFileOf('app/views.py', patchAdding(head, [35]));

    const within = widenHunks(file, asHead(head), { ...DEFAULT_WIDEN_BOUNDS, beforeToStart: 31 }).hunks[0];
    const beyond = widenHunks(file, asHead(head), { ...DEFAULT_WIDEN_BOUNDS, beforeToStart: 30 }).hunks[0];

    expect(widenedLines(within)[0]).toMatchObject({ newLine: 1, text: 'def handler(request):' });
    expect(widenedLines(beyond).filter((line) => (line.newLine ?? 0) < 32)).toHaveLength(DEFAULT_WIDEN_BOUNDS.before);
  });

  it('adds nothing above a hunk whose own context already shows the enclosing start', () => {
    const head = ['package api', '', 'func Handle() {', '\tstep1()', '\tstep2()', ...body(10, '\t', 3), '}'];
    const file = diffFileOf('api/handle.go', patchAdding(head, [5]));

    const [hunk] = widenHunks(file, asHead(head)).hunks;

    expect(hunk?.lines[0]).toEqual(file.hunks[0]!.lines[0]);
    expect(widenedLines(hunk).every((line) => (line.newLine ?? 0) > 8)).toBe(true);
  });

  it('adds the plain bound above a change at the margin (nothing encloses it) and a few lines below', () => {
    const head = [...Array.from({ length: 30 }, (_, index) => `const c${index} = ${index};`)];
    const file = diffFileOf('src/constants.ts', patchAdding(head, [20]));

    const [hunk] = widenHunks(file, asHead(head)).hunks;

    expect(widenedLines(hunk).map((line) => line.newLine)).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26]);
  });

  it('stops at the first line of the file and at its last', () => {
    const head = ['function f() {', '  a();', '  b();', '  c();', '  d();', '}'];
    const file = diffFileOf('src/f.js', patchAdding(head, [5]));

    const [hunk] = widenHunks(file, asHead(head)).hunks;

    expect(widenedLines(hunk).map((line) => line.newLine)).toEqual([1]);
    expect(hunk?.lines.at(-1)?.newLine).toBe(6);
  });
});

describe('widenHunks: bounds between hunks and line numbers', () => {
  const HEAD = Array.from({ length: 60 }, (_, index) => `value${index + 1} = ${index + 1}`);

  it('never crosses into the next hunk: the gap goes to the lower hunk first, then to the upper one', () => {
    // Hunks cover new lines 2..8 and 21..27 (each adds one line), a gap of 12 lines between them.
    const file = diffFileOf('config/values.py', patchAdding(HEAD, [5, 24]));

    const [first, second] = widenHunks(file, asHead(HEAD)).hunks;

    expect(widenedLines(second).filter((line) => (line.newLine ?? 0) < 21).map((line) => line.newLine)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
    expect(widenedLines(first).filter((line) => (line.newLine ?? 0) > 8).map((line) => line.newLine)).toEqual([9, 10, 11]);
  });

  it('fills a small gap from the lower hunk and leaves the upper one nothing below', () => {
    // Hunks cover new lines 2..8 and 13..19: a gap of 4 lines.
    const file = diffFileOf('config/values.py', patchAdding(HEAD, [5, 16]));

    const [first, second] = widenHunks(file, asHead(HEAD)).hunks;

    expect(widenedLines(second).filter((line) => (line.newLine ?? 0) < 13).map((line) => line.newLine)).toEqual([9, 10, 11, 12]);
    expect(widenedLines(first).filter((line) => (line.newLine ?? 0) > 8)).toEqual([]);
    const shown = [...(first?.lines ?? []), ...(second?.lines ?? [])].flatMap((line) => (line.newLine === undefined ? [] : [line.newLine]));
    expect(new Set(shown).size).toBe(shown.length);
  });

  it('numbers the widened lines on both sides from the hunk offsets', () => {
    // Old 1..40, new: 2 lines added at 10–11, 1 deleted after old 30: above the second hunk the offset is +2,
    // below it +1.
    const old = Array.from({ length: 40 }, (_, index) => `line ${index + 1}`);
    const head = [...old.slice(0, 9), 'added a', 'added b', ...old.slice(9, 30), ...old.slice(31)];
    const patch = [
      '@@ -7,6 +7,8 @@',
      ...old.slice(6, 9).map((text) => ` ${text}`),
      '+added a',
      '+added b',
      ...old.slice(9, 12).map((text) => ` ${text}`),
      '@@ -28,7 +30,6 @@',
      ...old.slice(27, 30).map((text) => ` ${text}`),
      `-${old[30]}`,
      ...old.slice(31, 34).map((text) => ` ${text}`),
    ].join('\n');
    const file = diffFileOf('src/numbers.ts', patch);

    const [, second] = widenHunks(file, asHead(head)).hunks;

    const above = widenedLines(second).filter((line) => (line.newLine ?? 0) < 30);
    const below = widenedLines(second).filter((line) => (line.newLine ?? 0) > 35);
    expect(above.map((line) => [line.oldLine, line.newLine])).toEqual([20, 21, 22, 23, 24, 25, 26, 27].map((oldLine) => [oldLine, oldLine + 2]));
    expect(above.map((line) => line.text)).toEqual(above.map((line) => `line ${line.oldLine}`));
    expect(below.map((line) => [line.oldLine, line.newLine])).toEqual([[35, 36], [36, 37], [37, 38]]);
    expect(below.map((line) => line.text)).toEqual(['line 35', 'line 36', 'line 37']);
  });

  it('keeps the omission marker right when a widened deletion-only hunk is compressed', () => {
    const old = ['function legacy() {', ...body(40, '  '), '}'];
    const head = [...old.slice(0, 15), ...old.slice(35)];
    const patch = ['@@ -13,26 +13,6 @@ function legacy() {', ...old.slice(12, 15).map((text) => ` ${text}`), ...old.slice(15, 35).map((text) => `-${text}`), ...old.slice(35, 38).map((text) => ` ${text}`)].join('\n');
    const file = diffFileOf('src/legacy.js', patch);

    const compressed = compressHunks(widenHunks(file, asHead(head)));

    const [hunk] = compressed.hunks;
    expect(hunk?.lines.filter(isOmissionMarker).map((line) => line.text)).toEqual(['… 14 deleted lines omitted …']);
    expect(widenedLines(hunk).map((line) => line.newLine)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 19, 20, 21]);
    expect(widenedLines(hunk).map((line) => line.oldLine)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 39, 40, 41]);
    const user = buildPrompt({ name: 'a', instructions: '', skills: [], checklist: [] }, { title: '', body: '' }, [compressed]).user;
    expect(user).toContain('L1     R1       function legacy() {');
    expect(user).toMatch(/ {14} {2}… 14 deleted lines omitted …/);
    expect(user).toContain('L39    R19        step38();');
  });
});

describe('widenHunks: what it refuses', () => {
  const HEAD = ['def f():', ...body(30, '    ')];
  const FILE = diffFileOf('app/f.py', patchAdding(HEAD, [20]));

  it('returns the file as it came when the head does not read like the patch', () => {
    const other = HEAD.map((line, index) => (index === 19 ? '    something else' : line));

    expect(widenHunks(FILE, asHead(other))).toBe(FILE);
  });

  it('returns an added file as it came: its hunk is the whole file', () => {
    const added = { ...FILE, status: 'added' as const };

    expect(widenHunks(added, asHead(HEAD))).toBe(added);
  });

  it('shows the masked text and matches the patch against the raw one', () => {
    const raw = HEAD.map((line, index) => (index === 12 ? '    token = "ghp_raw"' : line));
    const shown = raw.map((line) => line.replace('ghp_raw', '[REDACTED secret: github]'));

    const [hunk] = widenHunks(FILE, { shown, raw }).hunks;

    expect(widenedLines(hunk).find((line) => line.newLine === 13)?.text).toBe('    token = "[REDACTED secret: github]"');
    expect(JSON.stringify(hunk)).not.toContain('ghp_raw');
  });

  it('narrowHunks takes the widened lines out again', () => {
    const widened = widenHunks(FILE, asHead(HEAD));

    expect(widened).not.toEqual(FILE);
    expect(narrowHunks(widened)).toEqual(FILE);
    expect(narrowHunks(FILE)).toBe(FILE);
  });
});

describe('the section-header heuristic', () => {
  it.each([
    ['def find(self, user_id):', 'python'],
    ['    async def handle(request):', 'python'],
    ['class Order(Base):', 'python'],
    ['func (s *Server) Handle(w http.ResponseWriter, r *http.Request) {', 'go'],
    ['type Store struct {', 'go'],
    ['export async function handler(req: Request) {', 'js'],
    ['export default class Service {', 'js'],
    ['  async create(@Body() body: CreateOrder): Promise<Order> {', 'js'],
    ['const handler = async (req, res) => {', 'js'],
    ["router.get('/users/:id', async (req, res) => {", 'js'],
    ["app.post('/orders',", 'js'],
    ["describe('orders', () => {", 'js'],
    ['    public ResponseEntity<User> find(@PathVariable Long id) {', 'c-family'],
    ['    User find(Long id) {', 'c-family'],
    ['public final class UserController {', 'c-family'],
    ['    suspend fun find(id: Long): User {', 'c-family'],
    ['pub async fn handle(req: Request) -> Response {', 'rust'],
    ['impl Server {', 'rust'],
    ['  def create', 'ruby'],
  ] as const)('%s starts a function (%s)', (text, language) => {
    expect(isFunctionStart(text, language)).toBe(true);
    expect(isFunctionStart(text, 'any')).toBe(true);
  });

  it.each([
    ['    if (user == null) {', 'c-family'],
    ['    return find(id);', 'c-family'],
    ['    String name = format(user);', 'c-family'],
    ['    } else if (x) {', 'c-family'],
    ['  for (const item of items) {', 'js'],
    ['  await save(order);', 'js'],
    ['  cache.delete(key);', 'js'],
    ["  router.use(auth);", 'js'],
    ['  const total = (a + b) * 2;', 'js'],
    ['    if not rows:', 'python'],
    ['\tif err != nil {', 'go'],
  ] as const)('%s does not (%s)', (text, language) => {
    expect(isFunctionStart(text, language)).toBe(false);
  });

  it('finds the innermost enclosing start, past blocks and closing brackets', () => {
    const lines = ['class A {', '  m1() {', '  }', '  m2(', '    a,', '  ) {', '    if (a) {', '      x();', '    } else {'];

    expect(enclosingStart(lines, 6, 'js')).toBe(3);
  });

  it('uses the section git names in the hunk header for languages the patterns miss', () => {
    const lines = ['build: deps', '\tgo vet ./...', '\tgo build ./...'];

    expect(enclosingStart(lines, 1, 'any')).toBeUndefined();
    expect(enclosingStart(lines, 1, 'any', 'build: deps')).toBe(0);
  });

  it.each([
    ['app/models.py', 'python'],
    ['cmd/main.go', 'go'],
    ['src/a.tsx', 'js'],
    ['Main.JAVA', 'c-family'],
    ['Makefile', 'any'],
    ['.env', 'any'],
  ])('%s is read as %s', (path, language) => {
    expect(languageOf(path)).toBe(language);
  });
});
