import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { errorLines, ship } from './cli.js';

// Bad input fails before any engine is asked: one line naming the problem and the fix, exit 2, no stack.
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'i14-bad-input-'));
  await writeFile(join(dir, 'Dockerfile'), 'FROM scratch\n');
  const bomb = await mkdtemp(join(tmpdir(), 'i14-bomb-'));
  await writeFile(
    join(bomb, 'ship.yaml'),
    [
      'a: &a [x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'f: [*e, *e, *e, *e, *e, *e, *e, *e, *e]',
      '',
    ].join('\n'),
  );
  dirs.push(bomb);
  bombDir = bomb;
});

const dirs: string[] = [];
let bombDir = '';

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test.each([
  {
    name: 'a context that is a file',
    argv: () => ['release', join(dir, 'Dockerfile'), '--image', 'localhost:5001/i14/app', '--tag', 'v1.0.0'],
    cwd: () => dir,
    line: () =>
      `✖ The build context '${join(dir, 'Dockerfile')}' is a file, not a directory; pass the directory that holds your app (and the Dockerfile with --file).`,
  },
  {
    name: 'a ship.yaml YAML bomb',
    argv: () => ['release', '.', '--image', 'localhost:5001/i14/app', '--tag', 'v1.0.0'],
    cwd: () => bombDir,
    line: () =>
      `✖ ship.yaml:2: the YAML's aliases expand too many times (a "billion laughs" document); write the values out instead of through aliases.`,
  },
])('$name: exit 2 and one line', async ({ argv, cwd, line }) => {
  const started = Date.now();
  const run = await ship(argv(), { cwd: cwd(), env: { DOCKER_HOST: 'unix:///nonexistent-i14.sock' } });
  expect(run.code).toBe(2);
  expect(errorLines(run.stderr)).toEqual([line()]);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  console.info(`${argv()[0]} with bad input failed in ${Date.now() - started} ms`);
});
