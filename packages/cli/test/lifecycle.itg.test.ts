import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectImage, listShipContainers, removeImage } from '@container-ship/sdk';
import { listTags } from '@container-ship/sdk/registry';
import { exampleAppDir, loadTestbed, repoRoot, uniqueName } from '@container-ship/test-utils';
import { afterAll, describe, expect, test } from 'vitest';
import { errorLines, ship } from './cli.js';

/**
 * The CLI against the real engine and the test bed's registry, in-process (runCli). Every
 * repository is unique, every image this file builds is removed afterwards.
 */
const registry = loadTestbed().registries.plain.host;
const builtImages: string[] = [];
const tempDirs: string[] = [];

async function tagsIn(repository: string): Promise<string[]> {
  try {
    return (await listTags(repository)).sort();
  } catch (error) {
    // A repository that was never pushed to does not exist; that is "no tags".
    if ((error as { code?: string }).code === 'REGISTRY_NAME_UNKNOWN') return [];
    throw error;
  }
}

async function brokenAppCopy(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ship-broken-app-'));
  tempDirs.push(dir);
  await cp(exampleAppDir, dir, { recursive: true });
  const app = [
    'from flask import Flask',
    'app = Flask(__name__)',
    '',
    '@app.get("/")',
    'def index():',
    '    return "broken on purpose", 500',
    '',
  ].join('\n');
  await writeFile(join(dir, 'app.py'), app);
  // The example's unit tests would stop the build; this app must build and fail only its smoke test.
  await writeFile(
    join(dir, 'tests', 'test_app.py'),
    'import unittest\n\nclass Nothing(unittest.TestCase):\n    def test_nothing(self):\n        pass\n',
  );
  return dir;
}

afterAll(async () => {
  for (const image of builtImages) await removeImage(image, { force: true }).catch(() => {});
  for (const dir of tempDirs) await rm(dir, { recursive: true, force: true });
  const leftovers = (await listShipContainers()).filter((c) =>
    // The repository of each image (the last colon is the tag's; a registry's port has one too).
    builtImages.some((image) => c.image.startsWith(image.slice(0, image.lastIndexOf(':')))),
  );
  expect(leftovers).toEqual([]);
});

describe('ship release', () => {
  test('builds, smoke-tests and pushes 1.1, 1 and latest; --json prints one object', async () => {
    const image = `${registry}/${uniqueName('cli-itg')}/flask-app`;
    builtImages.push(`${image}:1.1`, `${image}:1`, `${image}:latest`);
    const run = await ship(['release', 'examples/flask-app', '--image', image, '--tag', 'v1.1', '--json'], { cwd: repoRoot });
    expect(run.stderr).not.toMatch(/✖/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      image,
      version: '1.1',
      tags: [`${image}:1.1`, `${image}:1`, `${image}:latest`],
      digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      size: expect.any(Number),
      smoke: { status: 'passed', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/$/), durationMs: expect.any(Number) },
      pushed: true,
      durations: { build: expect.any(Number), smoke: expect.any(Number), push: expect.any(Number) },
    });
    expect(await tagsIn(image)).toEqual(['1', '1.1', 'latest']);

    const smoke = await ship(['smoke', `${image}:1.1`, '--path', '/healthz', '--expect-body', 'ok', '--json']);
    expect(smoke.code).toBe(0);
    expect(JSON.parse(smoke.stdout)).toMatchObject({
      status: 'passed',
      httpStatus: 200,
      url: expect.stringMatching(/\/healthz$/),
    });
  });

  test('a broken app (500 on /) exits 1 with the reason and pushes nothing', async () => {
    const dir = await brokenAppCopy();
    const image = `${registry}/${uniqueName('cli-itg-broken')}/flask-app`;
    builtImages.push(`${image}:2.0.0`, `${image}:2.0`, `${image}:2`, `${image}:latest`);
    const run = await ship(['release', dir, '--image', image, '--tag', 'v2.0.0', '--timeout', '20s'], { cwd: repoRoot });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^smoke test failed after [\d.]+m?s: GET \/ answered 500/m);
    expect(errorLines(run.stderr)).toEqual([
      expect.stringMatching(/^✖ The smoke test of .* failed \(.*500.*\); nothing was pushed/),
    ]);
    expect(run.stdout).toMatch(/pushed\s+no/);
    expect(await tagsIn(image)).toEqual([]);

    // The image it built is still here to debug: ship smoke says the same, with the app's last log lines.
    const smoke = await ship(['smoke', `${image}:2.0.0`, '--timeout', '20s']);
    expect(smoke.code).toBe(1);
    expect(smoke.stdout).toMatch(
      /^✖ smoke test failed after [\d.]+m?s: GET \/ answered 500[^\n]*\n {2}url: http:\/\/127\.0\.0\.1:\d+\/ → HTTP 500\n {2}last log lines:\n/,
    );
    expect(smoke.stdout).toMatch(/"GET \/ HTTP\/1\.1" 500/);
  });

  test('the example with a broken unit test: the BuildKit build runs the test stage, fails on it, and nothing is pushed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ship-broken-test-'));
    tempDirs.push(dir);
    await cp(exampleAppDir, dir, { recursive: true });
    // The example's own test file, with one expectation broken: what a developer's slip looks like.
    const tests = join(dir, 'tests', 'test_app.py');
    const original = await readFile(tests, 'utf8');
    const broken = original.replace('"Hello from Docker!"', '"Hello from a test that is wrong"');
    expect(broken).not.toBe(original);
    await writeFile(tests, broken);
    const image = `${registry}/${uniqueName('cli-itg-broken-test')}/flask-app`;
    builtImages.push(`${image}:3.0.0`);
    const run = await ship(['release', dir, '--image', image, '--tag', 'v3.0.0', '--builder', 'buildkit'], { cwd: repoRoot });
    expect(run.code).toBe(1);
    // Progress goes to stderr when stdout is not a terminal; the failing test's own lines are attached to its step.
    expect(run.stderr).toMatch(/Builder: BuildKit/);
    expect(run.stderr).toMatch(/\[test \d+\/\d+\] RUN .*unittest[^\n]*\n(?: {2}│ [^\n]*\n)*? {2}│ FAIL: test_index_greets/);
    expect(errorLines(run.stderr)).toEqual([
      expect.stringMatching(
        /^✖ The build failed at step test \d+\/\d+ `RUN .*unittest.*` with exit code 1 \(FAILED \(failures=1\)\)/,
      ),
    ]);
    expect(run.stdout).toBe('');
    expect(await tagsIn(image)).toEqual([]);
    expect(await inspectImage(`${image}:3.0.0`)).toBeUndefined();
  });

  test('release takes the smoke flags (--env reaches the container under test) and the build flags (--report)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'i18-env-app-'));
    tempDirs.push(dir);
    await cp(exampleAppDir, dir, { recursive: true });
    const app = [
      'import os',
      'from flask import Flask',
      'app = Flask(__name__)',
      '',
      '@app.get("/")',
      'def index():',
      '    return os.environ.get("I18_GREETING", "unset")',
      '',
      '@app.get("/healthz")',
      'def healthz():',
      '    return {"status": "ok"}',
      '',
    ].join('\n');
    await writeFile(join(dir, 'app.py'), app);
    await writeFile(
      join(dir, 'tests', 'test_app.py'),
      'import unittest\n\nclass Nothing(unittest.TestCase):\n    def test_nothing(self):\n        pass\n',
    );
    const image = `${registry}/${uniqueName('i18-cli-env')}/flask-app`;
    builtImages.push(`${image}:1.0.0`);
    const common = ['release', dir, '--image', image, '--tag', 'v1.0.0', '--no-push', '--expect-body', 'hello-from-env'];
    const withEnv = await ship([...common, '--env', 'I18_GREETING=hello-from-env', '--report', '--json'], { cwd: repoRoot });
    expect(withEnv.stderr).not.toMatch(/✖/);
    expect(withEnv.code).toBe(0);
    const result = JSON.parse(withEnv.stdout);
    expect(result.smoke.status).toBe('passed');
    expect(result.report.layers).toBeGreaterThan(0);

    const without = await ship([...common, '--no-report', '--json'], { cwd: repoRoot });
    expect(without.code).toBe(1);
    expect(JSON.parse(without.stdout)).not.toHaveProperty('report');
    expect(errorLines(without.stderr)[0]).toMatch(/^✖ The smoke test of .* failed \(.*hello-from-env/);
  });

  test('--registry adds a registry: the image goes to its own repository and to the other registry', async () => {
    const auth = loadTestbed().registries.auth;
    const name = uniqueName('i18-cli-add');
    const image = `${registry}/${name}/flask-app`;
    const second = `${auth.host}/${name}/flask-app`;
    builtImages.push(`${image}:2.0.0`, `${second}:2.0.0`);
    const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    const run = await ship(
      ['release', exampleAppDir, '--image', image, '--registry', auth.host, '--tag', 'v2.0.0', '--no-smoke', '--json'],
      { cwd: repoRoot, env: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [auth.host]: { auth: basic } } }) } },
    );
    expect(run.stderr).not.toMatch(/✖/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.publish.map((p: { repository: string; ok: boolean }) => [p.repository, p.ok])).toEqual([
      [image, true],
      [second, true],
    ]);
    expect(await tagsIn(image)).toEqual(['2', '2.0', '2.0.0', 'latest']);
    expect((await listTags(second, { auth: { username: auth.username, password: auth.password } })).sort()).toEqual([
      '2',
      '2.0',
      '2.0.0',
      'latest',
    ]);
  });

  test('ship.yaml registries: add a second registry whose password comes from the environment', async () => {
    const auth = loadTestbed().registries.auth;
    const dir = await mkdtemp(join(tmpdir(), 'ship-two-registries-'));
    tempDirs.push(dir);
    await cp(exampleAppDir, dir, { recursive: true });
    const name = uniqueName('cli-itg-two');
    const image = `${registry}/${name}/flask-app`;
    const second = `${auth.host}/${name}/flask-app`;
    builtImages.push(`${image}:3.1.0`, `${second}:3.1.0`);
    await writeFile(
      join(dir, 'ship.yaml'),
      `image: ${image}\nregistries:\n  - image: ${second}\n    username: ${auth.username}\n    passwordEnv: SECOND_REGISTRY_PASSWORD\nsmoke:\n  path: /healthz\n  expectBody: ok\n`,
    );
    const run = await ship(['release', '--tag', 'v3.1.0', '--json'], {
      cwd: dir,
      env: { SECOND_REGISTRY_PASSWORD: auth.password },
    });
    expect(run.stderr).not.toMatch(/✖/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.smoke.url).toMatch(/\/healthz$/);
    expect(result.publish.map((p: { repository: string; ok: boolean }) => [p.repository, p.ok])).toEqual([
      [image, true],
      [second, true],
    ]);
    expect(await tagsIn(image)).toEqual(['3', '3.1', '3.1.0', 'latest']);
    expect((await listTags(second, { auth: { username: auth.username, password: auth.password } })).sort()).toEqual([
      '3',
      '3.1',
      '3.1.0',
      'latest',
    ]);
    expect(run.stdout + run.stderr).not.toContain(auth.password);

    const missing = await ship(['release', '--tag', 'v3.1.1'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      '✖ registries[0].passwordEnv in ship.yaml names SECOND_REGISTRY_PASSWORD, which is not set; export SECOND_REGISTRY_PASSWORD before running ship.\n',
    );
  });

  test('SIGTERM during the smoke test removes its container, pushes nothing and exits 143', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ship-slow-app-'));
    tempDirs.push(dir);
    await cp(exampleAppDir, dir, { recursive: true });
    const image = `${registry}/${uniqueName('cli-itg-abort')}/flask-app`;
    builtImages.push(`${image}:4.0.0`);
    const controller = new AbortController();
    // Nothing listens on 5999 in the app, so the smoke test waits (until its 2m timeout) and the abort lands mid-smoke.
    const running = ship(['release', dir, '--image', image, '--tag', 'v4.0.0', '--port', '5999', '--timeout', '2m'], {
      cwd: repoRoot,
      signal: controller.signal,
    });
    const deadline = Date.now() + 120_000;
    let smokeContainer: string | undefined;
    while (smokeContainer === undefined) {
      if (Date.now() > deadline) throw new Error('the smoke container never started');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const built = await inspectImage(`${image}:4.0.0`);
      if (built) smokeContainer = (await listShipContainers()).find((c) => c.purpose === 'smoke' && c.image === built.id)?.name;
    }
    controller.abort('SIGTERM');
    const run = await running;
    expect(run.code).toBe(143);
    expect(run.stderr).toMatch(/✖ Stopped by SIGTERM; what this command started has been removed\.\n$/);
    expect((await listShipContainers()).some((c) => c.name === smokeContainer)).toBe(false);
    expect(await tagsIn(image)).toEqual([]);
  });

  test('with no engine reachable it exits 1 with one line and no stack', async () => {
    const run = await ship(['release', 'examples/flask-app', '--image', `${registry}/nope/app`, '--tag', 'v1'], {
      cwd: repoRoot,
      env: { DOCKER_HOST: 'unix:///nope.sock' },
    });
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([
      expect.stringMatching(/^✖ No Docker engine answers at unix:\/\/\/nope\.sock; start Docker/),
    ]);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });

  test('an invalid ship.yaml exits 2 with the file, line and key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ship-bad-config-'));
    tempDirs.push(dir);
    await cp(exampleAppDir, dir, { recursive: true });
    await writeFile(
      join(dir, 'ship.yaml'),
      `image: ${registry}/nope/app\nregistries:\n  - registry: ${registry}\n    password: hunter2\n`,
    );
    const run = await ship(['release', dir, '--tag', 'v1'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      '✖ ship.yaml:4: "password" in registries[0] would put a secret in the file; store it in an environment variable and write passwordEnv: VARIABLE_NAME instead.\n',
    );
    expect(run.stderr).not.toContain('hunter2');
  });
});

describe('ship build and smoke', () => {
  test("--tag 'bad tag' exits 2 with one line", async () => {
    const run = await ship(['build', 'examples/flask-app', '--image', `${registry}/nope/app`, '--tag', 'bad tag'], {
      cwd: repoRoot,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^✖ .*"bad tag".*\n$/);
  });

  test('ship smoke of a missing image exits 1 with one line', async () => {
    const image = `${registry}/${uniqueName('cli-itg-missing')}/app:1`;
    const run = await ship(['smoke', image], { cwd: repoRoot });
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^✖ Image '${image.replace(/[.]/g, '\\.')}' is not in the engine`)),
    ]);
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('ship run, ps and stop', () => {
  const base = loadTestbed().baseImage;
  const server = ['--', 'python3', '-m', 'http.server', '5000'];

  test('--detach starts it, ps lists it, stop removes it', async () => {
    const name = uniqueName('cli-itg-detached');
    const started = await ship(['run', base, '-p', '5000', '--name', name, '--detach', ...server]);
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(new RegExp(`^started ${name}\n  5000 → http://127\\.0\\.0\\.1:\\d+\n`));
    try {
      const ps = await ship(['ps', '--json']);
      expect(JSON.parse(ps.stdout).containers).toContainEqual(
        expect.objectContaining({ name, state: 'running', purpose: 'run' }),
      );
      const table = await ship(['ps']);
      expect(table.stdout).toMatch(
        new RegExp(`^NAME\\s+IMAGE\\s+STATE\\s+PURPOSE\\s+CREATED\n(.*\n)*${name}\\s+${base}\\s+running\\s+run\\s`),
      );
      const url = /→ (http:\/\/127\.0\.0\.1:\d+)/.exec(started.stdout)?.[1];
      let answered = false;
      for (let attempt = 0; attempt < 50 && !answered; attempt++) {
        answered = await fetch(`${url}/logs-probe`).then(
          () => true,
          () => new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100)),
        );
      }
      const logs = await ship(['logs', name, '--tail', '5']);
      expect(logs.code).toBe(0);
      expect(logs.stdout).toContain('GET /logs-probe');
    } finally {
      const stopped = await ship(['stop', name]);
      expect(stopped).toMatchObject({ code: 0, stdout: `✔ removed ${name}\n` });
    }
    expect((await listShipContainers()).some((c) => c.name === name)).toBe(false);
  });

  test('stop of a name ship did not start exits 2', async () => {
    const run = await ship(['stop', 'no-such-container']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("✖ No container named 'no-such-container' was started by ship; see ship ps for the names.\n");
  });

  test('an abort (Ctrl-C) during a foreground run removes the container and exits 130', async () => {
    const name = uniqueName('cli-itg-abort');
    const controller = new AbortController();
    const running = ship(['run', base, '-p', '5000', '--name', name, ...server], { signal: controller.signal });
    const deadline = Date.now() + 60_000;
    while (!(await listShipContainers()).some((c) => c.name === name && c.state === 'running')) {
      if (Date.now() > deadline) throw new Error('the container never started');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    controller.abort('SIGINT');
    const run = await running;
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/✖ Stopped by SIGINT; what this command started has been removed\.\n$/);
    expect((await listShipContainers()).some((c) => c.name === name)).toBe(false);
  });

  test('a foreground container that exits non-zero exits 1 and is removed', async () => {
    const name = uniqueName('cli-itg-exit');
    const run = await ship(['run', base, '--name', name, '--', 'python3', '-c', 'import sys; print("bye"); sys.exit(3)']);
    expect(run.code).toBe(1);
    // The last log lines may race the exit; the verdict line may not.
    expect(run.stdout).toMatch(new RegExp(`✖ ${name} exited with code 3\\.\\n$`));
    expect((await listShipContainers()).some((c) => c.name === name)).toBe(false);
  });
});
