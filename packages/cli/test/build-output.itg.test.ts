import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectImage } from '@container-ship/sdk';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { errorLines, ship } from './cli.js';
import { tarNames } from './tar.js';

/** `ship build --output` against the real engine, in-process; `-o -` through the real bin is in bin.itg.test.ts. */
let root: string;
let context: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'i11c-cli-output-'));
  context = join(root, 'context');
  await mkdir(join(context, 'site'), { recursive: true });
  await writeFile(join(context, 'site', 'index.html'), '<h1>i11c</h1>\n');
  await writeFile(join(context, 'Dockerfile'), 'FROM scratch\nCOPY site/ /www/\n');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('ship build --output (real engine)', () => {
  test('--output type=tar,dest=FILE writes the tar, tags nothing and says where it went', async () => {
    const run = await ship(['build', context, '--image', 'i11c-never-tagged', '--output', 'type=tar,dest=out/site.tar'], {
      cwd: root,
    });
    expect(run.code).toBe(0);
    expect(await inspectImage('i11c-never-tagged')).toBeUndefined();
    const tar = await readFile(join(root, 'out', 'site.tar'));
    expect(tarNames(tar)).toEqual(expect.arrayContaining(['www/', 'www/index.html']));
    expect(run.stdout).toMatch(new RegExp(`output +tar ${join(root, 'out', 'site.tar')}`));
    expect(run.stdout).toMatch(/image +\(none: --output exports files, not an image\)/);
    const json = await ship(['build', context, '-o', 'type=tar,dest=out/again.tar', '--json'], { cwd: root });
    expect(JSON.parse(json.stdout).output).toEqual({ type: 'tar', dest: join(root, 'out', 'again.tar'), bytes: tar.length });
  });

  test('-o DIR writes the files into a directory', async () => {
    const run = await ship(['build', context, '-o', 'site-out', '--quiet'], { cwd: root });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${join(root, 'site-out')}\n`);
    expect(await readFile(join(root, 'site-out', 'www', 'index.html'), 'utf8')).toBe('<h1>i11c</h1>\n');
  });

  test('-o - on a terminal, a bad spec and the classic builder are refused in one sentence, exit 2, nothing written', async () => {
    const tty = await ship(['build', context, '-o', '-', '--no-color'], { cwd: root, tty: true });
    expect(tty.code).toBe(2);
    expect(errorLines(tty.stderr)).toEqual([
      '✖ Not writing a tar to the terminal; redirect standard output (ship build -o - > out.tar) or write a file with --output type=tar,dest=FILE.',
    ]);
    const bad = await ship(['build', context, '-o', 'type=oci,dest=x.tar'], { cwd: root });
    expect(bad.code).toBe(2);
    expect(errorLines(bad.stderr)).toEqual([
      "✖ The output type 'oci' is not supported: this engine's BuildKit exports only type=tar and type=local; use one of them, or leave --output out to build an image.",
    ]);
    const classic = await ship(['build', context, '--builder', 'classic', '-o', 'type=tar,dest=classic.tar'], { cwd: root });
    expect(classic.code).toBe(2);
    expect(errorLines(classic.stderr)).toEqual([
      "✖ An output (--output) needs BuildKit, and the classic builder was chosen; use builder 'buildkit' or 'auto' (--builder buildkit), or leave the output out.",
    ]);
    expect((await readdir(root)).filter((name) => name.endsWith('.tar') || name.startsWith('.ship-output-'))).toEqual([]);
  });
});
