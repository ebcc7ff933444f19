import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-fs';
import { afterAll, describe, expect, test } from 'vitest';
import { biggestLayers, findWastedFiles, instructionOf, type LayerFile } from './build-report.js';
import { NotTarError, readTar, type TarEntry } from './tar-reader.js';

const file = (path: string, size: number): LayerFile => ({ path, type: 'file', size });
const dir = (path: string): LayerFile => ({ path, type: 'directory', size: 0 });

describe('findWastedFiles', () => {
  test.each<[string, LayerFile[][], Array<{ path: string; bytes: number; layers: number[] }>]>([
    [
      'written then deleted by a whiteout',
      [[file('big', 100)], [file('.wh.big', 0)]],
      [{ path: 'big', bytes: 100, layers: [0] }],
    ],
    [
      'overwritten in a later layer (only the hidden copy counts)',
      [
        [dir('app'), file('app/data', 40)],
        [dir('app'), file('app/data', 50)],
      ],
      [{ path: 'app/data', bytes: 40, layers: [0] }],
    ],
    [
      'a deleted directory hides everything under it',
      [
        [dir('tmp/build'), file('tmp/build/a.o', 10), file('tmp/build/sub/b.o', 20), file('tmp/buildx', 5)],
        [file('tmp/.wh.build', 0)],
      ],
      [
        { path: 'tmp/build/sub/b.o', bytes: 20, layers: [0] },
        { path: 'tmp/build/a.o', bytes: 10, layers: [0] },
      ],
    ],
    [
      'an opaque directory hides its old contents but not its new ones',
      [
        [file('cache/x', 7), file('cachey', 3)],
        [file('cache/.wh..wh..opq', 0), file('cache/y', 9)],
      ],
      [{ path: 'cache/x', bytes: 7, layers: [0] }],
    ],
    [
      'copies in several layers add up',
      [[file('f', 1)], [file('f', 2)], [file('f', 4)], [file('.wh.f', 0)]],
      [{ path: 'f', bytes: 7, layers: [0, 1, 2] }],
    ],
    [
      'a file replaced by a symlink',
      [[file('bin/tool', 30)], [{ path: 'bin/tool', type: 'symlink', size: 0 }]],
      [{ path: 'bin/tool', bytes: 30, layers: [0] }],
    ],
    ['nothing hidden', [[file('a', 1)], [file('b', 2)], [dir('a-dir')]], []],
    ['a whiteout for a path that never existed', [[file('a', 1)], [file('.wh.zzz', 0)]], []],
    ['empty files waste nothing', [[file('empty', 0)], [file('.wh.empty', 0)]], []],
  ])('%s', (_name, layers, expected) => {
    const result = findWastedFiles(layers);
    expect(result.files).toEqual(expected);
    expect(result.bytes).toBe(expected.reduce((sum, f) => sum + f.bytes, 0));
  });
});

describe('instructionOf and biggestLayers', () => {
  test.each([
    ['/bin/sh -c #(nop) COPY dir:83fe in /opt/venv ', 'COPY dir:83fe in /opt/venv'],
    ['/bin/sh -c #(nop)  CMD ["gunicorn"]', 'CMD ["gunicorn"]'],
    ['/bin/sh -c pip install -r requirements.txt', 'RUN pip install -r requirements.txt'],
    ['|1 BASE_IMAGE=python:3.11-slim /bin/sh -c useradd app', 'RUN useradd app'],
    ['', '(base image layer)'],
    ['RUN /bin/sh -c head -c 3000000 /dev/zero > /big.bin # buildkit', 'RUN head -c 3000000 /dev/zero > /big.bin'],
    ['RUN |1 BASE_IMAGE=python:3.11-slim /bin/sh -c useradd app # buildkit', 'RUN useradd app'],
    ['COPY /opt/venv /opt/venv # buildkit', 'COPY /opt/venv /opt/venv'],
  ])('instructionOf(%j) = %j', (createdBy, instruction) => {
    expect(instructionOf(createdBy)).toBe(instruction);
  });

  test('lists non-empty layers, largest first, up to the limit', () => {
    const history = [
      { createdBy: '/bin/sh -c #(nop)  CMD ["x"]', size: 0 },
      { createdBy: '/bin/sh -c #(nop) COPY file:1 in ./', size: 400 },
      { createdBy: '/bin/sh -c pip install x', size: 5_000 },
      { createdBy: '', size: 150_000 },
    ];
    expect(biggestLayers(history, 2)).toEqual([
      { size: 150_000, instruction: '(base image layer)' },
      { size: 5_000, instruction: 'RUN pip install x' },
    ]);
  });
});

describe('readTar', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  test('walks files, directories and long (pax/GNU) names with their sizes, and reads content', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ship-tar-'));
    dirs.push(root);
    const longDir = `deep/${'d'.repeat(60)}/${'e'.repeat(60)}`;
    await mkdir(join(root, longDir), { recursive: true });
    await writeFile(join(root, longDir, 'file.txt'), 'x'.repeat(1500));
    await writeFile(join(root, 'small'), 'hello');
    const entries: TarEntry[] = [];
    let small = '';
    await readTar(pack(root) as unknown as AsyncIterable<Uint8Array>, async (entry, content) => {
      entries.push(entry);
      if (entry.path === 'small') for await (const chunk of content) small += Buffer.from(chunk).toString();
    });
    expect(small).toBe('hello');
    const byPath = new Map(entries.map((e) => [e.path, e]));
    expect(byPath.get(`${longDir}/file.txt`)).toMatchObject({ type: 'file', size: 1500 });
    expect(byPath.get('deep')).toMatchObject({ type: 'directory', size: 0 });
  });

  test('rejects a stream that is not a tar', async () => {
    const json = Readable.from([Buffer.from(JSON.stringify({ a: 'b'.repeat(600) }))]);
    await expect(readTar(json, () => undefined)).rejects.toBeInstanceOf(NotTarError);
  });
});
