import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleAppDir } from '@container-ship/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ship } from '../../test/cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ship-lint-init-'));
  for (const file of ['app.py', 'requirements.txt', 'tests'])
    await cp(join(exampleAppDir, file), join(dir, file), { recursive: true });
  await cp(join(exampleAppDir, 'Dockerfile.naive'), join(dir, 'Dockerfile.naive'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ship lint', () => {
  test('the naive Dockerfile: findings with lines, exit 1', async () => {
    const run = await ship(['lint', 'Dockerfile.naive'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^Dockerfile\.naive:\d+ warning CS007: 'pip install' runs after 'COPY \.'/m);
    expect(run.stdout).toMatch(/^Dockerfile\.naive:\d+ warning CS008 \(hadolint DL3002\)/m);
  });

  test.each([
    [['--format', 'json'], (out: unknown) => expect((out as Array<{ file: string }>)[0]?.file).toBe('Dockerfile.naive')],
    [['--json'], (out: unknown) => expect((out as Array<{ findings: unknown[] }>)[0]?.findings.length).toBeGreaterThan(3)],
    [['--format', 'sarif'], (out: unknown) => expect((out as { version: string }).version).toBe('2.1.0')],
  ])('%j prints one JSON document', async (flags, check) => {
    const run = await ship(['lint', 'Dockerfile.naive', ...flags], { cwd: dir });
    expect(run.code).toBe(1);
    check(JSON.parse(run.stdout));
  });

  test('--ignore drops rule ids; --quiet prints nothing and keeps the exit code', async () => {
    const all = JSON.parse((await ship(['lint', 'Dockerfile.naive', '--json'], { cwd: dir })).stdout)[0].findings.length;
    const fewer = JSON.parse((await ship(['lint', 'Dockerfile.naive', '--json', '--ignore', 'CS007'], { cwd: dir })).stdout)[0]
      .findings.length;
    expect(fewer).toBe(all - 1);
    expect(await ship(['lint', 'Dockerfile.naive', '--quiet'], { cwd: dir })).toEqual({ code: 1, stdout: '', stderr: '' });
  });

  test('a directory means the Dockerfile in it, as ship build DIR reads its context', async () => {
    const sub = join(dir, 'naive-app');
    await cp(join(dir, 'Dockerfile.naive'), join(sub, 'Dockerfile'), { recursive: true });
    const run = await ship(['lint', 'naive-app', '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(1);
    const [result] = JSON.parse(run.stdout) as Array<{ file: string; findings: Array<{ id: string }> }>;
    expect(result?.file).toBe(join('naive-app', 'Dockerfile'));
    expect(result?.findings.map((finding) => finding.id)).toContain('CS007');
  });

  test('a missing Dockerfile is one line, exit 2', async () => {
    const run = await ship(['lint', 'Nope.dockerfile'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^✖ Cannot read Dockerfile .*Nope\.dockerfile; check the path/);
  });
});

describe('ship init', () => {
  test('writes a Dockerfile that lints clean, a .dockerignore and a ship.yaml, and never overwrites without --force', async () => {
    const run = await ship(['init', '--template', 'python'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^detected:\n {2}dependencies: requirements\.txt \(2 packages\)\n/);
    expect(run.stdout).toMatch(/^ {2}health and smoke: GET \/healthz \(the app's \/healthz route\)$/m);
    expect(run.stdout).toMatch(/^✔ wrote .*Dockerfile\n✔ wrote .*\.dockerignore\n✔ wrote .*ship\.yaml\n/m);
    expect(await readFile(join(dir, 'ship.yaml'), 'utf8')).toMatch(/smoke:\n {2}port: 5000\n {2}path: \/healthz\n/);
    expect(await ship(['lint'], { cwd: dir })).toMatchObject({ code: 0 });

    const again = await ship(['init'], { cwd: dir });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^✖ .*already exist.*; pass --force to overwrite them\.\n$/);
    expect((await ship(['init', '--force'], { cwd: dir })).code).toBe(0);
  });

  test('--no-web writes a worker; a bad --health-path is one line, exit 2, nothing written', async () => {
    const worker = await ship(['init', '--no-web', '--force'], { cwd: dir });
    expect(worker.code).toBe(0);
    expect(worker.stdout).toMatch(/^ {2}web: none \(--no-web\)/m);
    expect(await readFile(join(dir, 'ship.yaml'), 'utf8')).toMatch(/^smoke: false$/m);

    const before = await readFile(join(dir, 'Dockerfile'), 'utf8');
    const bad = await ship(['init', '--health-path', 'healthz', '--force'], { cwd: dir });
    expect(bad).toEqual({ code: 2, stdout: '', stderr: "✖ --health-path 'healthz' must start with /; pass e.g. /healthz.\n" });
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toBe(before);
  });
});
