import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { loadTestbed, uniqueName } from '@container-ship/test-utils';
import { writeTree } from '@container-ship/test-utils/tree';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { inspectImage } from '../engine/images.js';
import { AbortedError, BuildError, InvalidInputError } from '../errors.js';
import { runProcess } from '../process/run-process.js';
import { buildImage } from './build-image.js';

// `--output` against the real engine: BuildKit calls our session's FileSend and we write a tar or
// a directory, never an image; a failed build leaves nothing at the destination.
let root: string;
let base: string;

beforeAll(async () => {
  base = loadTestbed().baseImage;
  root = await mkdtemp(join(tmpdir(), 'i11c-output-itg-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const fixture = (name: string, tree: Record<string, string>) => writeTree(join(root, name), tree);

// A build stage makes the artifact (a file, an executable, a symlink, a hard link, a private
// directory); the exported stage holds only it, the usual way to get build results out.
const artifactDockerfile = (baseImage: string) =>
  [
    `FROM ${baseImage} AS build`,
    'COPY notes.txt /src/notes.txt',
    'RUN mkdir -p /dist/bin /dist/private && cp /src/notes.txt /dist/notes.txt \\',
    '  && printf "#!/bin/sh\\necho hi\\n" > /dist/bin/run && chmod 755 /dist/bin/run \\',
    '  && ln -s notes.txt /dist/latest && ln /dist/notes.txt /dist/notes-hard.txt \\',
    '  && echo secret > /dist/private/key && chmod 700 /dist/private && touch /dist/empty',
    'FROM scratch',
    'COPY --from=build /dist /',
    '',
  ].join('\n');

describe('--output (real engine, BuildKit)', () => {
  test('type=tar writes the final stage as a tar and makes no image', async () => {
    const context = await fixture('tar', { Dockerfile: artifactDockerfile(base), 'notes.txt': 'i11c notes\n' });
    const dest = join(root, 'out', 'artifact.tar');
    const tag = `${uniqueName('i11c-output')}:itg`;
    const started = Date.now();
    const result = await buildImage({ context, tags: [tag], output: { type: 'tar', dest }, noCache: true });
    console.info(`type=tar: ${result.output.bytes} bytes in ${Date.now() - started} ms`);
    expect(result.builder).toBe('buildkit');
    expect(result.output).toEqual({ type: 'tar', dest, bytes: (await stat(dest)).size });
    expect('imageId' in result).toBe(false);
    expect(await inspectImage(tag)).toBeUndefined();

    const listing = (await runProcess('tar', ['-tvf', dest])).stdout;
    const names = (await runProcess('tar', ['-tf', dest])).stdout.split('\n').filter(Boolean).sort();
    expect(names).toEqual(
      expect.arrayContaining(['bin/', 'bin/run', 'empty', 'latest', 'notes-hard.txt', 'notes.txt', 'private/', 'private/key']),
    );
    expect(listing).toMatch(/-rwxr-xr-x .* bin\/run/);
    expect(listing).toMatch(/latest -> notes\.txt/);
    expect(listing).toMatch(/drwx------ .* private\//);
    // The two names of the hard link are one file in the tar; extracted, both hold the content.
    const extracted = join(root, 'tar-extracted');
    await mkdir(extracted);
    await runProcess('tar', ['-xf', dest, '-C', extracted]);
    expect(await readFile(join(extracted, 'notes.txt'), 'utf8')).toBe('i11c notes\n');
    expect((await lstat(join(extracted, 'notes-hard.txt'))).ino).toBe((await lstat(join(extracted, 'notes.txt'))).ino);
    // Only the destination was written next to it: no temporary file stays.
    expect(await readdir(dirname(dest))).toEqual(['artifact.tar']);
  });

  test('type=tar to a stream: the bytes go to the caller, which keeps the stream open', async () => {
    const context = await fixture('tar-stream', { Dockerfile: 'FROM scratch\nCOPY notes.txt /\n', 'notes.txt': 'streamed\n' });
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const result = await buildImage({ context, output: { type: 'tar', stream } });
    const tar = Buffer.concat(chunks);
    expect(result.output).toEqual({ type: 'tar', dest: '-', bytes: tar.length });
    expect(stream.writableEnded).toBe(false);
    const file = join(root, 'streamed.tar');
    await writeFile(file, tar);
    expect((await runProcess('tar', ['-xOf', file, 'notes.txt'])).stdout).toBe('streamed\n');
  });

  test('type=local writes files, modes, links and times into a directory, merging with what is there', async () => {
    const context = await fixture('local', { Dockerfile: artifactDockerfile(base), 'notes.txt': 'i11c local\n' });
    const dest = join(root, 'local-out');
    await mkdir(join(dest, 'bin'), { recursive: true });
    await writeFile(join(dest, 'kept.txt'), 'mine');
    await writeFile(join(dest, 'bin', 'old'), 'mine too');
    const started = Date.now();
    const result = await buildImage({ context, output: { type: 'local', dest }, noCache: true });
    console.info(`type=local: ${result.output.entries} entries, ${result.output.bytes} bytes in ${Date.now() - started} ms`);
    expect(result.output).toMatchObject({ type: 'local', dest, entries: 8 });
    expect(await readFile(join(dest, 'notes.txt'), 'utf8')).toBe('i11c local\n');
    expect(await readFile(join(dest, 'private', 'key'), 'utf8')).toBe('secret\n');
    expect(await readFile(join(dest, 'empty'), 'utf8')).toBe('');
    expect((await stat(join(dest, 'bin', 'run'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(dest, 'private'))).mode & 0o777).toBe(0o700);
    expect(await readlink(join(dest, 'latest'))).toBe('notes.txt');
    expect((await lstat(join(dest, 'notes-hard.txt'))).ino).toBe((await lstat(join(dest, 'notes.txt'))).ino);
    expect((await runProcess(join(dest, 'bin', 'run'), [])).stdout).toBe('hi\n');
    // buildx merges: what was there and is not in the output stays.
    expect(await readFile(join(dest, 'kept.txt'), 'utf8')).toBe('mine');
    expect(await readFile(join(dest, 'bin', 'old'), 'utf8')).toBe('mine too');
    expect((await readdir(root)).filter((name) => name.startsWith('.ship-output-'))).toEqual([]);
  });

  test('a failed build leaves no file, no partial file and an existing destination untouched', async () => {
    const context = await fixture('fails', {
      Dockerfile: `FROM ${base}\nRUN echo about to fail && exit 3\n`,
    });
    const outDir = join(root, 'failed-out');
    await mkdir(outDir);
    const fresh = join(outDir, 'fresh.tar');
    const error = await buildImage({ context, output: { type: 'tar', dest: fresh } }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).exitCode).toBe(3);
    const existing = join(outDir, 'existing.tar');
    await writeFile(existing, 'previous build');
    await buildImage({ context, output: { type: 'tar', dest: existing } }).catch(() => {});
    const localDest = join(outDir, 'dir');
    await buildImage({ context, output: { type: 'local', dest: localDest } }).catch(() => {});
    expect(await readdir(outDir)).toEqual(['existing.tar']);
    expect(await readFile(existing, 'utf8')).toBe('previous build');
  });

  test('aborted during a step: the build stops and neither a tar nor a directory is left', async () => {
    const marker = uniqueName('i11c-output-abort');
    const context = await fixture('abort', { Dockerfile: `FROM ${base}\nRUN echo ${marker} && sleep 300\n` });
    const outDir = join(root, 'aborted-out');
    await mkdir(outDir);
    for (const output of [
      { type: 'tar', dest: join(outDir, 'rootfs.tar') },
      { type: 'local', dest: join(outDir, 'rootfs') },
    ] as const) {
      const controller = new AbortController();
      const started = buildImage({
        context,
        output,
        noCache: true,
        signal: controller.signal,
        onProgress: (event) => {
          if (event.type === 'log' && event.line === marker) controller.abort();
        },
      });
      await expect(started).rejects.toBeInstanceOf(AbortedError);
    }
    expect(await readdir(outDir)).toEqual([]);
  });

  test('refused before anything is built: a directory as tar dest, a file as local dest, the classic builder', async () => {
    const context = await fixture('refused', { Dockerfile: 'FROM scratch\nCOPY Dockerfile /\n' });
    const dirError = await buildImage({ context, output: { type: 'tar', dest: root } }).catch((caught: unknown) => caught);
    expect(dirError).toBeInstanceOf(InvalidInputError);
    expect((dirError as Error).message).toBe(
      `The output '${root}' is a directory; name a file for type=tar (e.g. dest=${join(root, 'rootfs.tar')}) or use type=local,dest=${root}.`,
    );
    const file = join(root, 'a-file');
    await writeFile(file, '');
    const fileError = await buildImage({ context, output: { type: 'local', dest: file } }).catch((caught: unknown) => caught);
    expect((fileError as Error).message).toBe(
      `The output directory '${file}' is a file; name a directory for type=local, or use type=tar,dest=${file} for a tar.`,
    );
    const classic = await buildImage({ context, builder: 'classic', output: { type: 'tar', dest: join(root, 'c.tar') } }).catch(
      (caught: unknown) => caught,
    );
    expect(classic).toBeInstanceOf(InvalidInputError);
    expect((classic as Error).message).toBe(
      "An output (--output) needs BuildKit, and the classic builder was chosen; use builder 'buildkit' or 'auto' (--builder buildkit), or leave the output out.",
    );
    expect(await readdir(root)).not.toContain('c.tar');
  });
});
