import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { removeImage } from '@container-ship/sdk';
import { readImageLayers } from '@container-ship/sdk/dockerfile';
import { loadTestbed, uniqueName } from '@container-ship/test-utils';
import { afterAll, describe, expect, test } from 'vitest';
import { ship } from './cli.js';

// `ship init` then `ship release` on the project layouts that install offline here (the wheelhouse has
// Flask 2.2.2, gunicorn 20.1.0 and their dependencies; no pytest), against the real engine and registry.
// The generated files use BuildKit's pip cache mounts, and ship builds with BuildKit by default.
const testbed = loadTestbed();
const registry = testbed.registries.plain.host;
const dirs: string[] = [];
const images: string[] = [];

afterAll(async () => {
  for (const image of images) await removeImage(image, { force: true }).catch(() => undefined);
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'i17-init-')), name);
  dirs.push(dirname(dir));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  return dir;
}

async function tagsOf(repository: string): Promise<{ status: number; tags: string[] }> {
  const response = await fetch(`http://${registry}/v2/${repository}/tags/list`);
  const body = (await response.json()) as { tags?: string[] | null };
  return { status: response.status, tags: [...(body.tags ?? [])].sort() };
}

/** `ship init` then `ship release --json`; returns the release run and the repository. */
async function initAndRelease(dir: string, repoName: string) {
  const init = await ship(['init'], { cwd: dir });
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  const repository = uniqueName(`i17-init/${repoName}`);
  images.push(`${registry}/${repository}:0.1.0`);
  const release = await ship(['release', '.', '--image', `${registry}/${repository}`, '--tag', 'v0.1.0', '--json'], {
    cwd: dir,
  });
  return { init, release, repository };
}

const FLASK_APP = [
  'from flask import Flask',
  '',
  'from later import greeting',
  '',
  'app = Flask(__name__)',
  '',
  '',
  '@app.get("/")',
  'def index():',
  '    return greeting()',
  '',
  '',
  '@app.get("/healthz")',
  'def healthz():',
  '    return "ok"',
  '',
].join('\n');

const UNITTEST = (module: string, expression: string, expected: string) =>
  `import unittest\n\nfrom ${module}\n\n\nclass AppTest(unittest.TestCase):\n    def test_index(self):\n        self.assertEqual(${expression}, ${expected})\n`;

describe('ship init + ship release on real layouts', () => {
  test('Flask + requirements.txt: released; secrets, keys, credentials and the database stay out; a module added after init ships; the app user has a home', async () => {
    const dir = await project('flask-shop', {
      'requirements.txt': 'Flask==2.2.2\ngunicorn==20.1.0\n',
      'app.py': FLASK_APP,
      'tests/__init__.py': '',
      'tests/test_app.py': UNITTEST('app import app', 'app.test_client().get("/").data', 'b"Hello from later"'),
      'service-account.json': '{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----"}\n',
      'config/.env.production': 'DATABASE_URL=postgres://app:hunter2@db/app\n',
      '.env': 'SECRET_KEY=abc\n',
      'certs/server.key': 'key\n',
      'certs/server.pem': 'pem\n',
      'db.sqlite3': 'SQLite format 3\n',
      '.npmrc': '//registry.npmjs.org/:_authToken=x\n',
    });
    const init = await ship(['init'], { cwd: dir });
    expect(init.code).toBe(0);
    // Added after `ship init`: the old fixed copy list would have left it out and the app would crash at start.
    await writeFile(join(dir, 'later.py'), 'def greeting():\n    return "Hello from later"\n');
    const repository = uniqueName('i17-init/flask');
    const image = `${registry}/${repository}`;
    images.push(`${image}:0.1.0`);
    const release = await ship(['release', '.', '--image', image, '--tag', 'v0.1.0', '--json'], { cwd: dir });
    expect(release.stderr, release.stdout).not.toMatch(/✖/);
    expect(release.code).toBe(0);
    const result = JSON.parse(release.stdout);
    // BuildKit ran it (the pip cache mounts need it), so the test stage ran because the runtime needs it.
    expect(release.stderr).toMatch(/Builder: BuildKit/);
    expect(result.smoke).toMatchObject({ status: 'passed', httpStatus: 200 });
    expect(result.smoke.url).toMatch(/\/healthz$/);
    expect(await tagsOf(repository)).toEqual({ status: 200, tags: ['0.1', '0.1.0', 'latest'] });

    const files = (await readImageLayers(`${image}:0.1.0`)).flat().map((f) => f.path.replace(/\/$/, ''));
    const app = files.filter((path) => path.startsWith('app/')).sort();
    console.log(JSON.stringify({ flaskImageAppFiles: app }));
    expect(app).toEqual(expect.arrayContaining(['app/app.py', 'app/later.py', 'app/tests/test_app.py', 'app/requirements.txt']));
    const leaked = files.filter(
      (path) =>
        /(^|\/)\.env($|\.)|\.(key|pem|sqlite3)$|service-account|(^|\/)\.npmrc$/.test(path) &&
        !path.startsWith('usr/') &&
        !path.startsWith('etc/'),
    );
    expect(leaked).toEqual([]);
    expect(files).toContain('home/app');
  });

  test('src/ layout with PEP 621 and [project.scripts]: the package is installed, the app found in it, released', async () => {
    const dir = await project('shop-src', {
      'pyproject.toml': [
        '[build-system]',
        'requires = ["setuptools>=61"]',
        'build-backend = "setuptools.build_meta"',
        '',
        '[project]',
        'name = "shop"',
        'version = "0.1.0"',
        'requires-python = ">=3.10"',
        'dependencies = ["Flask==2.2.2", "gunicorn==20.1.0"]',
        '',
        '[project.scripts]',
        'shop-admin = "shop.cli:main"',
        '',
      ].join('\n'),
      'src/shop/__init__.py':
        'from flask import Flask\n\n\ndef create_app():\n    app = Flask(__name__)\n\n    @app.get("/")\n    def index():\n        return "shop"\n\n    return app\n',
      'src/shop/cli.py': 'def main():\n    print("admin")\n',
      'tests/test_shop.py': UNITTEST('shop import create_app', 'create_app().test_client().get("/").data', 'b"shop"'),
    });
    const { init, release, repository } = await initAndRelease(dir, 'src-layout');
    expect(init.stdout).toMatch(
      /install: the project itself with pip install --no-deps \. \(\[build-system\] setuptools\.build_meta\)/,
    );
    expect(init.stdout).toMatch(/command: gunicorn .* shop:create_app\(\)/);
    expect(release.stderr, release.stdout).not.toMatch(/✖/);
    expect(release.code).toBe(0);
    expect(await tagsOf(repository)).toEqual({ status: 200, tags: ['0.1', '0.1.0', 'latest'] });
    const files = (await readImageLayers(`${registry}/${repository}:0.1.0`)).flat().map((f) => f.path);
    expect(files.some((path) => /^opt\/venv\/lib\/python3\.\d+\/site-packages\/shop\/__init__\.py$/.test(path))).toBe(true);
    expect(files).toContain('opt/venv/bin/shop-admin');
  });

  test('Poetry: dependencies exported from [tool.poetry.dependencies] at build time, src/ on PYTHONPATH, released', async () => {
    const dir = await project('notes-poetry', {
      'pyproject.toml': [
        '[tool.poetry]',
        'name = "notes"',
        'version = "0.1.0"',
        'description = ""',
        'authors = ["A <a@example.com>"]',
        'packages = [{ include = "notes", from = "src" }]',
        '',
        '[tool.poetry.dependencies]',
        'python = "^3.11"',
        'flask = "~2.2"',
        'gunicorn = "^20.1"',
        '',
        '[build-system]',
        'requires = ["poetry-core"]',
        'build-backend = "poetry.core.masonry.api"',
        '',
      ].join('\n'),
      'src/notes/__init__.py':
        'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/health")\ndef health():\n    return "ok"\n',
      'tests/test_notes.py': UNITTEST('notes import app', 'app.test_client().get("/health").status_code', '200'),
    });
    const { init, release, repository } = await initAndRelease(dir, 'poetry');
    expect(init.stdout).toMatch(
      /dependencies: pyproject\.toml \[tool\.poetry\.dependencies\] \(Poetry, exported at build time\) \(2 packages\)/,
    );
    expect(release.stderr, release.stdout).not.toMatch(/✖/);
    expect(release.code).toBe(0);
    expect(JSON.parse(release.stdout).smoke.url).toMatch(/\/health$/);
    expect(await tagsOf(repository)).toEqual({ status: 200, tags: ['0.1', '0.1.0', 'latest'] });
  });
});

/** A stand-in for pytest, which the offline wheelhouse lacks: collects `test_*` functions, exits 1 on a failure and 5 (as pytest does) when it collects none. */
const PYTEST_STAND_IN = [
  'import importlib.util, pathlib, sys',
  'roots = [a for a in sys.argv[1:] if not a.startswith("-") and a != "no:cacheprovider"] or ["."]',
  'tests = []',
  'for path in sorted(p for root in roots for p in pathlib.Path(root).rglob("test_*.py")):',
  '    spec = importlib.util.spec_from_file_location(path.stem, path)',
  '    module = importlib.util.module_from_spec(spec)',
  '    spec.loader.exec_module(module)',
  '    tests += [getattr(module, n) for n in dir(module) if n.startswith("test_")]',
  'if not tests:',
  '    print("collected 0 items")',
  '    sys.exit(5)',
  'failed = 0',
  'for t in tests:',
  '    try:',
  '        t()',
  '    except AssertionError:',
  '        failed += 1',
  '        print("FAILED", t.__name__)',
  'print(len(tests) - failed, "passed,", failed, "failed")',
  'sys.exit(1 if failed else 0)',
  '',
].join('\n');

describe('tests that cannot pass silently', () => {
  const flask = {
    'requirements.txt': 'Flask==2.2.2\ngunicorn==20.1.0\n',
    'app.py': FLASK_APP,
    'later.py': 'def greeting():\n    return "hi"\n',
  };

  test('a failing pytest test (pytest stand-in) makes ship release fail and push nothing', async () => {
    const dir = await project('pytest-fails', {
      ...flask,
      'conftest.py': '',
      'pytest.py': PYTEST_STAND_IN,
      'tests/test_app.py': 'def test_ok():\n    assert True\n\n\ndef test_broken():\n    assert False\n',
    });
    const { init, release, repository } = await initAndRelease(dir, 'pytest-fails');
    expect(init.stdout).toMatch(/tests: pytest on tests \(conftest\.py or pytest configuration\)/);
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toContain(
      'RUN /opt/venv/bin/python -m pytest -p no:cacheprovider tests',
    );
    expect(release.code).toBe(1);
    expect(release.stdout + release.stderr).toMatch(/FAILED test_broken/);
    expect(await tagsOf(repository)).toMatchObject({ status: 404, tags: [] });
  });

  test.each([
    ['unittest', { 'tests/__init__.py': '', 'tests/helpers.py': 'X = 1\n' }, /No tests were found/],
    [
      'pytest (stand-in, exit 5)',
      { 'conftest.py': '', 'pytest.py': PYTEST_STAND_IN, 'tests/helpers.py': 'X = 1\n' },
      /collected 0 items/,
    ],
  ])('zero tests with %s fail the build', async (_runner, files, message) => {
    const dir = await project('zero-tests', { ...flask, ...files });
    expect((await ship(['init'], { cwd: dir })).code).toBe(0);
    const image = `${uniqueName('i17-init-zero')}:x`;
    images.push(image);
    const build = await ship(['build', '.', '--image', image.split(':')[0] as string, '--tag', 'x'], { cwd: dir });
    expect(build.code).not.toBe(0);
    expect(build.stdout + build.stderr).toMatch(message);
  });
});
