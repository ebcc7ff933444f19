import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { type BuildContextPlan, packBuildContext, planBuildContext } from './context.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ship-context-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(tree: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(tree)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** Reads a ustar stream's entries (name, type, content) the way the engine will. */
async function packed(plan: BuildContextPlan): Promise<{ entries: Map<string, string>; bytes: number; counted: number }> {
  const { stream, bytes } = packBuildContext(plan);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const tar = Buffer.concat(chunks);
  const entries = new Map<string, string>();
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    const field = (start: number, length: number) => header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(0, 100);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    entries.set(type === '5' ? `${name.replace(/\/$/, '')}/` : name, tar.toString('utf8', offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return { entries, bytes: tar.length, counted: bytes() };
}

const example = {
  Dockerfile: 'FROM python:3.11-slim\nCOPY . /app\n',
  'app.py': 'print("hi")\n',
  'requirements.txt': 'Flask==2.2.2\n',
  'tests/test_app.py': 'import unittest\n',
  'tests/__pycache__/test_app.cpython-311.pyc': 'x'.repeat(4000),
  '.git/HEAD': 'ref: refs/heads/main\n',
  '.git/objects/ab/cdef': 'y'.repeat(20000),
  'README.md': '# app\n',
  'NOTES.md': 'z'.repeat(3000),
  '.venv/bin/python': 'w'.repeat(10000),
};

describe('planBuildContext + packBuildContext', () => {
  test('without .dockerignore everything goes', async () => {
    await files(example);
    const plan = await planBuildContext({ context: dir });
    expect(plan.ignoreFile).toBeUndefined();
    expect(plan.dockerfileInTar).toBe('Dockerfile');
    const { entries, bytes, counted } = await packed(plan);
    expect([...entries.keys()].sort()).toContain('.git/objects/ab/cdef');
    expect(counted).toBe(bytes);
    expect(bytes).toBeGreaterThan(37_000);
  });

  test('.dockerignore with a negation sends only what it must, and the Dockerfile and .dockerignore always', async () => {
    await files({
      ...example,
      '.dockerignore': '**/__pycache__\n.git\n.venv\n*.md\n!README.md\nDockerfile\n.dockerignore\n',
    });
    const plan = await planBuildContext({ context: dir });
    expect(plan.ignoreFile).toBe(join(dir, '.dockerignore'));
    expect(plan.entries).toEqual([
      '.dockerignore',
      'Dockerfile',
      'README.md',
      'app.py',
      'requirements.txt',
      'tests',
      'tests/test_app.py',
    ]);
    expect(plan.generated).toEqual([]);
    const { entries, bytes } = await packed(plan);
    expect([...entries.keys()]).toEqual([
      '.dockerignore',
      'Dockerfile',
      'README.md',
      'app.py',
      'requirements.txt',
      'tests/',
      'tests/test_app.py',
    ]);
    expect(entries.get('app.py')).toBe('print("hi")\n');
    expect(bytes).toBeLessThan(12_000);
  });

  test('an ignored directory is entered only for what a ! pattern names', async () => {
    await files({
      Dockerfile: 'FROM scratch\n',
      'vendor/keep/LICENSE': 'MIT',
      'vendor/big.bin': 'b'.repeat(5000),
      'docs/a.txt': 'a',
      '.dockerignore': 'vendor\ndocs\n!vendor/keep\n',
    });
    const plan = await planBuildContext({ context: dir });
    const { entries } = await packed(plan);
    expect([...entries.keys()]).toEqual(['.dockerignore', 'Dockerfile', 'vendor/', 'vendor/keep/', 'vendor/keep/LICENSE']);
  });

  test('a Dockerfile outside the context travels under a generated name the engine hides from COPY', async () => {
    await files({
      'ctx/app.py': 'print(1)\n',
      'ctx/.dockerignore': '*.log\n',
      'ctx/debug.log': 'log',
      'build/app.Dockerfile': 'FROM python:3.11-slim\nCOPY . /app\n',
    });
    const plan = await planBuildContext({ context: join(dir, 'ctx'), dockerfile: '../build/app.Dockerfile' });
    expect(plan.dockerfileInTar).toMatch(/^\.dockerfile\.[0-9a-f]{20}$/);
    const { entries } = await packed(plan);
    expect([...entries.keys()]).toEqual(['app.py', plan.dockerfileInTar, '.dockerignore']);
    expect(entries.get(plan.dockerfileInTar)).toBe('FROM python:3.11-slim\nCOPY . /app\n');
    expect(entries.get('.dockerignore')).toBe(`*.log\n${plan.dockerfileInTar}\n.dockerignore\n`);
  });

  test('<Dockerfile>.dockerignore next to the Dockerfile wins over the context root one', async () => {
    await files({
      'Dockerfile.prod': 'FROM python:3.11-slim\n',
      'Dockerfile.prod.dockerignore': 'tests\n',
      '.dockerignore': 'app.py\n',
      'app.py': 'x',
      'tests/t.py': 'y',
    });
    const plan = await planBuildContext({ context: dir, dockerfile: 'Dockerfile.prod' });
    expect(plan.ignoreFile).toBe(join(dir, 'Dockerfile.prod.dockerignore'));
    const { entries } = await packed(plan);
    expect([...entries.keys()]).toEqual(['Dockerfile.prod', 'Dockerfile.prod.dockerignore', 'app.py', '.dockerignore']);
    expect(entries.get('.dockerignore')).toBe('tests\n.dockerignore\n');
  });

  test.each([
    ['missing-dir', undefined, 'is not a directory; pass the directory that holds your app.'],
    ['.', 'Nope', "(ENOENT); create one (ship init) or point 'dockerfile' at it."],
  ])('bad input (context %s, dockerfile %s) is rejected clearly', async (context, dockerfile, message) => {
    await files({ 'app.py': 'x' });
    const promise = planBuildContext({ context: join(dir, context), dockerfile });
    await expect(promise).rejects.toBeInstanceOf(InvalidInputError);
    await expect(promise).rejects.toThrow(message);
  });
});
