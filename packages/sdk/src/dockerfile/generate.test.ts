import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DockerignoreMatcher } from '../build/dockerignore.js';
import { shipConfigSchema } from '../config/schema.js';
import { ShipError } from '../errors.js';
import { analyzeDockerfile } from './analysis.js';
import { generateDockerfile, imageNameFor } from './generate.js';
import { lintDockerfile } from './lint.js';
import {
  findAppTarget,
  findPort,
  parsePyprojectDependencies,
  parseRequirementNames,
  pickPythonVersion,
  versionForSpecifier,
} from './python-project.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ship-init-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

const FLASK_APP = 'from flask import Flask\n\napp = Flask(__name__)\n\n@app.get("/healthz")\ndef healthz():\n    return "ok"\n';

describe('detection helpers', () => {
  test.each([
    ['Flask==2.2.2\ngunicorn==20.1.0\n', ['flask', 'gunicorn']],
    [
      '# comment\n-r base.txt\n--index-url https://x\nFlask[async]>=2 ; python_version > "3"\nzope.interface\n',
      ['flask', 'zope-interface'],
    ],
    ['Django_REST_framework==3.14  # api\n', ['django-rest-framework']],
  ])('parseRequirementNames(%j)', (text, names) => {
    expect(parseRequirementNames(text)).toEqual(names);
  });

  test('parsePyprojectDependencies reads [project] dependencies only', () => {
    const text =
      '[build-system]\nrequires = ["setuptools"]\n\n[project]\nname = "x"\ndependencies = [\n  "fastapi>=0.110",\n  "uvicorn[standard]",\n]\n\n[tool.x]\ndependencies = ["nope"]\n';
    expect(parsePyprojectDependencies(text)).toEqual(['fastapi', 'uvicorn']);
  });

  test.each([
    [{ pythonVersionFile: '3.12.1\n' }, { version: '3.12', source: '.python-version' }],
    [
      { pythonVersionFile: '# pyenv\n3.10\n', runtimeTxt: 'python-3.9.18' },
      { version: '3.10', source: '.python-version' },
    ],
    [
      { requiresPython: '>=3.12', runtimeTxt: 'python-3.9.18' },
      { version: '3.12', source: 'pyproject.toml' },
    ],
    [{ runtimeTxt: 'python-3.9.18\n' }, { version: '3.9', source: 'runtime.txt' }],
    [{ pythonVersionFile: 'pypy3.9' }, { version: '3.11', source: 'default' }],
    [{}, { version: '3.11', source: 'default' }],
  ])('pickPythonVersion(%j)', (sources, expected) => {
    expect(pickPythonVersion(sources)).toEqual(expected);
  });

  test.each([
    ['>=3.8', '3.11'],
    ['>=3.12', '3.12'],
    ['>=3.9,<3.11', '3.10'],
    ['~=3.10', '3.11'],
    ['==3.9.*', '3.9'],
    ['<3', undefined],
  ])('versionForSpecifier(%s) = %s', (specifier, version) => {
    expect(versionForSpecifier(specifier)).toBe(version);
  });

  test.each([
    ['app.run(host="0.0.0.0", port=8080)', 8080],
    ['port = int(os.environ.get("PORT", 9000))', 9000],
    ['PORT = 7000\n', 7000],
    ['app.run()', undefined],
  ])('findPort(%j) = %s', (source, port) => {
    expect(findPort(source)).toBe(port);
  });

  test.each([
    ['flask' as const, { 'app.py': FLASK_APP }, 'app:app', 'app.py'],
    [
      'flask' as const,
      { 'wsgi.py': 'from flask import Flask\napplication = Flask(__name__)\n', 'app.py': 'print(1)\n' },
      'wsgi:application',
      'wsgi.py',
    ],
    ['flask' as const, { 'main.py': 'def create_app():\n    return Flask(__name__)\n' }, 'main:create_app()', 'main.py'],
    ['fastapi' as const, { 'main.py': 'import fastapi\napi = fastapi.FastAPI()\n' }, 'main:api', 'main.py'],
    [undefined, { 'run.py': 'if __name__ == "__main__":\n    serve()\n' }, undefined, 'run.py'],
  ])('findAppTarget(%s, %j)', (framework, sources, target, entryFile) => {
    expect(findAppTarget(framework, new Map(Object.entries(sources)))).toEqual({ target, entryFile });
  });

  test.each([
    ['/work/My App!', 'my-app'],
    ['/tmp/flask-app', 'flask-app'],
    ['/tmp/___', 'app'],
  ])('imageNameFor(%s) = %s', (dir, name) => {
    expect(imageNameFor(dir)).toBe(name);
  });
});

describe('generateDockerfile', () => {
  test('a Flask app with gunicorn and tests gets builder, deps, test and runtime stages that lint clean', async () => {
    const dir = await project({
      'app.py': FLASK_APP,
      'requirements.txt': 'Flask==2.2.2\ngunicorn==20.1.0\n',
      'tests/__init__.py': '',
      'tests/test_app.py': 'import unittest\n',
      'README.md': '# x\n',
    });
    const result = await generateDockerfile({ dir, template: 'python' });
    expect(result.files.map((f) => f.kind)).toEqual(['dockerfile', 'dockerignore', 'config']);
    expect(result.base).toBe('python:3.11-slim');
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    const analysis = analyzeDockerfile(dockerfile);
    expect(analysis.stages.map((s) => s.name)).toEqual(['builder', 'deps', 'test', 'runtime']);
    // BuildKit builds only what the target needs: the runtime needs the test stage, so the tests always run.
    expect(analysis.stagesForTarget().map((s) => s.name)).toEqual(['builder', 'deps', 'test', 'runtime']);
    // Both start from deps: inline cache records only the image's own layers, so a test stage on top of the
    // builder would make a fresh CI runner install the dependencies again.
    const base = 'python:3.11-slim';
    expect(analysis.stages.map((s) => s.baseImage)).toEqual([base, base, 'deps', 'deps']);
    expect(analysis.finalUser).toBe('app');
    expect(dockerfile).toContain(
      'RUN groupadd --system --gid 10001 app \\\n && useradd --system --no-log-init --uid 10001 --gid app --create-home --home-dir /home/app',
    );
    expect(analysis.exposedPorts.map((p) => p.port)).toEqual([5000]);
    expect(analysis.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:5000/healthz');
    expect(analysis.finalStage?.instructions.at(-1)?.execForm).toEqual([
      'gunicorn',
      '--bind',
      '0.0.0.0:5000',
      '--workers',
      '2',
      '--access-logfile',
      '-',
      'app:app',
    ]);
    // The whole source (filtered by .dockerignore) from the test stage: a module added later ships.
    const copies = (stage: number) =>
      analysis.stages[stage]?.instructions.filter((i) => i.keyword === 'COPY').map((i) => [i.flags.from, i.args]);
    expect(copies(1)).toEqual([['builder', '/opt/venv /opt/venv']]);
    expect(copies(3)).toEqual([['test', '/app ./']]);
    expect(dockerfile).toContain(
      'RUN --mount=type=cache,target=/root/.cache/pip \\\n    python -m pip --python /opt/venv/bin/python install',
    );
    expect(dockerfile).toContain("unittest.defaultTestLoader.discover('tests')");
    expect(dockerfile).toContain("sys.exit('No tests were found;");

    const lint = await lintDockerfile({ dockerfile: join(dir, 'Dockerfile'), smokePort: 5000 });
    expect(lint.findings).toEqual([]);

    // One truth: the smoke test requests the health check's port and path.
    const config = shipConfigSchema.parse(parseYaml(await readFile(join(dir, 'ship.yaml'), 'utf8')));
    expect(config).toEqual({ image: imageNameFor(dir), smoke: { port: 5000, path: '/healthz', expectStatus: 200 } });
    expect(result.detected).toEqual([
      'dependencies: requirements.txt (2 packages)',
      'python: 3.11 (nothing pins it; the default)',
      "web: port 5000 (flask's default)",
      'command: gunicorn --bind 0.0.0.0:5000 --workers 2 --access-logfile - app:app (gunicorn serving app:app)',
      "health and smoke: GET /healthz (the app's /healthz route)",
      'tests: unittest on tests (no pytest anywhere, so unittest); none found fails the build',
    ]);
  });

  test('the .dockerignore is recursive and keeps secrets, keys, credentials and databases out anywhere in the tree', async () => {
    const dir = await project({ 'app.py': FLASK_APP, 'requirements.txt': 'flask\n' });
    await generateDockerfile({ dir, template: 'python' });
    const matcher = DockerignoreMatcher.fromText(await readFile(join(dir, '.dockerignore'), 'utf8'));
    for (const path of [
      '.env',
      'config/.env.production',
      'deploy/service-account.json',
      'gcp-service-account-prod.json',
      'certs/server.key',
      'certs/tls.pem',
      '.ssh/id_ed25519',
      'id_rsa.pub',
      'credentials',
      'aws/credentials.json',
      'db.sqlite3',
      'data/app.sqlite3',
      '.npmrc',
      'sub/.pypirc',
      '.git',
      'pkg/__pycache__/x.pyc',
      '.venv',
    ]) {
      expect(matcher.ignores(path), path).toBe(true);
    }
    for (const path of [
      'app.py',
      'helpers.py',
      'pkg/credentials.py',
      'id_utils.py',
      'tests/test_app.py',
      'templates/index.html',
    ]) {
      expect(matcher.ignores(path), path).toBe(false);
    }
  });

  test('a src/ layout with PEP 621 installs the project itself after its dependencies, and takes the app from the package', async () => {
    const dir = await project({
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "shop"\nversion = "0.1.0"\nrequires-python = ">=3.12"\ndependencies = ["Flask==2.2.2", "gunicorn==20.1.0"]\n\n[project.optional-dependencies]\ntest = ["pytest>=8"]\n\n[project.scripts]\nshop = "shop.cli:main"\n',
      'src/shop/__init__.py': 'from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n',
      'tests/test_shop.py': 'def test_x():\n    assert True\n',
    });
    const result = await generateDockerfile({ dir, template: 'python' });
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    expect(result.base).toBe('python:3.12-slim');
    expect(result.project).toMatchObject({
      layout: 'pep621',
      installsProject: true,
      buildBackend: 'setuptools.build_meta',
      appTarget: 'shop:create_app()',
      testRunner: 'pytest',
      testDependencies: { groups: ['test'] },
    });
    expect(result.project.command.at(-1)).toBe('shop:create_app()');
    const copyProject = dockerfile.indexOf('COPY . /tmp/project/src');
    expect(dockerfile.indexOf('/tmp/project/requirements.txt setuptools')).toBeLessThan(copyProject);
    expect(dockerfile).toContain('install --disable-pip-version-check --no-deps --no-build-isolation /tmp/project/src');
    // The test stage installs the `test` extra, exported from pyproject.toml at build time.
    expect(dockerfile).toMatch(
      /print\(chr\(10\)\.join\(r for r in reqs if r\)\)'\)" test > \/tmp\/project\/test-requirements\.txt/,
    );
    expect(dockerfile).toContain('RUN /opt/venv/bin/python -m pytest -p no:cacheprovider tests');
    expect((await lintDockerfile({ dockerfile: join(dir, 'Dockerfile'), smokePort: 5000 })).findings).toEqual([]);
  });

  test('a Poetry project: its dependencies are exported at build time, src/ goes on PYTHONPATH, Python from ^3.11', async () => {
    const dir = await project({
      'pyproject.toml':
        '[tool.poetry]\nname = "notes"\nversion = "0.1.0"\npackages = [{ include = "notes", from = "src" }]\n\n[tool.poetry.dependencies]\npython = "^3.11"\nflask = "~2.2"\ngunicorn = "^20.1"\n\n[tool.poetry.group.dev.dependencies]\npytest = "^8.0"\n\n[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n',
      'src/notes/__init__.py':
        'from flask import Flask\n\napp = Flask(__name__)\n\n@app.get("/health")\ndef health():\n    return "ok"\n',
      'tests/test_notes.py': 'def test_x():\n    assert True\n',
    });
    const result = await generateDockerfile({ dir, template: 'python' });
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    expect(result.project).toMatchObject({
      layout: 'poetry',
      dependencies: ['flask', 'gunicorn'],
      installsProject: false,
      pythonPath: '/app/src',
      pythonVersion: '3.11',
      appTarget: 'notes:app',
      healthPath: '/health',
      testRunner: 'pytest',
      testDependencies: { groups: ['dev'] },
    });
    expect(dockerfile).not.toContain('KeyError');
    expect(dockerfile).toContain("(Poetry's constraints as pip requirements)");
    expect(dockerfile).toContain('    PYTHONPATH=/app/src');
    expect(dockerfile).toContain('" dev > /tmp/project/test-requirements.txt');
    expect(dockerfile).not.toContain('/tmp/project/src');
  });

  test('requirements with -r includes and -e . copy every file and install the project after the dependencies', async () => {
    const dir = await project({
      'requirements.txt': '-r requirements/prod.txt\n-e .\n',
      'requirements/prod.txt': '-r base.txt\ngunicorn==20.1.0\n',
      'requirements/base.txt': 'Flask==2.2.2\n',
      'setup.py': 'from setuptools import setup\nsetup(name="x")\n',
      'app.py': FLASK_APP,
    });
    const result = await generateDockerfile({ dir, template: 'python' });
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    expect(result.project.requirementFiles).toEqual(['requirements.txt', 'requirements/prod.txt', 'requirements/base.txt']);
    expect(result.project.dependencies).toEqual(['gunicorn', 'flask']);
    expect(result.project.installsProject).toBe(true);
    expect(dockerfile).toContain('COPY requirements/prod.txt /tmp/project/requirements/prod.txt');
    expect(dockerfile).toContain('COPY requirements/base.txt /tmp/project/requirements/base.txt');
    expect(dockerfile).toContain('/tmp/project/requirements.txt > /tmp/project/dependencies.txt');
    expect(dockerfile).toContain('install --disable-pip-version-check --no-build-isolation /tmp/project/src');
  });

  test('FastAPI with no / route: health and smoke both use /docs, pytest from requirements-dev.txt', async () => {
    const dir = await project({
      'requirements.txt': 'fastapi==0.110.0\nuvicorn==0.29.0\n',
      'requirements-dev.txt': 'pytest==8.1.1\nhttpx==0.27.0\n',
      'main.py':
        'from fastapi import FastAPI\n\napp = FastAPI()\n\n@app.get("/items/{item_id}")\ndef item(item_id: int):\n    return {}\n',
      'tests/test_main.py': 'def test_x():\n    assert True\n',
    });
    const result = await generateDockerfile({ dir, template: 'python' });
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    const analysis = analyzeDockerfile(dockerfile);
    expect(analysis.finalStage?.instructions.at(-1)?.execForm).toEqual([
      'uvicorn',
      'main:app',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
    ]);
    expect(analysis.healthcheck?.test.join(' ')).toContain("'http://127.0.0.1:8000/docs'");
    const config = shipConfigSchema.parse(parseYaml(await readFile(join(dir, 'ship.yaml'), 'utf8')));
    expect(config.smoke).toEqual({ port: 8000, path: '/docs', expectStatus: 200 });
    expect(dockerfile).toContain('COPY requirements-dev.txt /tmp/project/requirements-dev.txt');
    expect(result.notes).toContain('The image runs a single uvicorn process; add gunicorn for several workers.');
    expect((await lintDockerfile({ dockerfile: join(dir, 'Dockerfile'), smokePort: 8000 })).findings).toEqual([]);
  });

  test("Django: settings, per-app tests with Django's runner guarded against none, collectstatic, no database file", async () => {
    const dir = await project({
      'requirements.txt': 'Django==4.2.11\ngunicorn==21.2.0\n',
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n',
      'mysite/__init__.py': '',
      'mysite/settings.py': 'STATIC_ROOT = "staticfiles"\n',
      'mysite/urls.py': 'from django.urls import path\nurlpatterns = [path("admin/", admin.site.urls)]\n',
      'mysite/wsgi.py': '',
      'polls/__init__.py': '',
      'polls/tests.py': 'from django.test import TestCase\n',
      'db.sqlite3': '',
    });
    const result = await generateDockerfile({ dir, template: 'python' });
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    expect(result.project).toMatchObject({
      framework: 'django',
      testsDir: '.',
      testRunner: 'django',
      healthPath: '/admin/login/',
    });
    expect(result.project.command).toEqual([
      'gunicorn',
      '--bind',
      '0.0.0.0:8000',
      '--workers',
      '2',
      '--access-logfile',
      '-',
      'mysite.wsgi:application',
    ]);
    expect(dockerfile).toContain('ENV DJANGO_SETTINGS_MODULE=mysite.settings');
    expect(dockerfile).toContain('build_suite([]).countTestCases()');
    expect(dockerfile).toContain(' && /opt/venv/bin/python manage.py test --verbosity 2');
    expect(dockerfile).toContain('RUN python manage.py collectstatic --noinput');
    expect(DockerignoreMatcher.fromText(await readFile(join(dir, '.dockerignore'), 'utf8')).ignores('db.sqlite3')).toBe(true);
  });

  test('a worker gets no EXPOSE, no HTTP health check and smoke: false', async () => {
    const dir = await project({
      'requirements.txt': 'redis==5.0.3\n',
      'worker.py': 'import time\n\nif __name__ == "__main__":\n    time.sleep(1)\n',
    });
    const result = await generateDockerfile({ dir, template: 'python' });
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    const analysis = analyzeDockerfile(dockerfile);
    expect(result.project.web).toBe(false);
    expect(analysis.exposedPorts).toEqual([]);
    expect(analysis.healthcheck).toBeUndefined();
    expect(analysis.finalStage?.instructions.at(-1)?.execForm).toEqual(['python', 'worker.py']);
    expect(parseYaml(await readFile(join(dir, 'ship.yaml'), 'utf8'))).toEqual({ image: imageNameFor(dir), smoke: false });
    expect(result.detected).toContain(
      'web: none (no web framework, port or Procfile web process): no EXPOSE, no health check, smoke: false',
    );
  });

  test.each([
    [{ port: 9000 }, 9000, '/healthz', 'gunicorn'],
    [{ command: 'gunicorn -c conf.py app:app', port: 8080 }, 8080, '/healthz', 'gunicorn -c conf.py app:app'],
    [{ command: '["python", "-m", "app"]', healthPath: '/ping' }, 5000, '/ping', 'python -m app'],
  ])('flags answer what detection cannot: %j', async (flags, port, path, command) => {
    const dir = await project({ 'app.py': FLASK_APP, 'requirements.txt': 'flask\ngunicorn\n' });
    const result = await generateDockerfile({ dir, template: 'python', ...flags });
    expect(result.project.port).toBe(port);
    expect(result.project.healthPath).toBe(path);
    expect(result.project.command.join(' ')).toContain(command);
    expect(parseYaml(await readFile(join(dir, 'ship.yaml'), 'utf8')).smoke).toEqual({ port, path, expectStatus: 200 });
  });

  test('--no-web on a Flask app makes it a worker; a Procfile web line gives the command and port', async () => {
    const worker = await project({ 'app.py': FLASK_APP, 'requirements.txt': 'flask\n' });
    expect((await generateDockerfile({ dir: worker, template: 'python', web: false })).project.web).toBe(false);
    const procfile = await project({
      'app.py': FLASK_APP,
      'requirements.txt': 'flask\ngunicorn\n',
      Procfile: 'web: gunicorn --bind 0.0.0.0:$PORT --workers 3 app:app\nworker: python jobs.py\n',
      'gunicorn.conf.py': 'bind = "0.0.0.0:7000"\n',
    });
    const result = await generateDockerfile({ dir: procfile, template: 'python' });
    expect(result.project.command).toEqual(['gunicorn', '--bind', '0.0.0.0:7000', '--workers', '3', 'app:app']);
    expect(result.project.port).toBe(7000);
  });

  test.each([
    [{ healthPath: 'healthz' }, "--health-path 'healthz' must start with /; pass e.g. /healthz."],
    [{ web: false, port: 80 }, '--no-web takes no --port or --health-path; drop one or the other.'],
    [{ command: '' }, '--cmd is empty; pass the command that starts the app, e.g. --cmd "gunicorn app:app".'],
  ])('bad flags are one sentence: %j', async (flags, message) => {
    const dir = await project({ 'app.py': FLASK_APP, 'requirements.txt': 'flask\n' });
    await expect(generateDockerfile({ dir, template: 'python', ...flags })).rejects.toThrow(message);
  });

  test('the classic builder gets --no-cache-dir instead of cache mounts, and lints clean for it', async () => {
    const dir = await project({ 'app.py': FLASK_APP, 'requirements.txt': 'flask\n', 'tests/test_a.py': '' });
    await generateDockerfile({ dir, template: 'python', builder: 'classic' });
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    expect(dockerfile).not.toContain('--mount');
    expect(dockerfile).toContain('--no-cache-dir');
    const lint = await lintDockerfile({ dockerfile: join(dir, 'Dockerfile'), smokePort: 5000, builder: 'classic' });
    expect(lint.findings.filter((f) => f.id !== 'CS014')).toEqual([]);
  });

  test('base overrides the image, .python-version picks the default, no tests means no test stage', async () => {
    const dir = await project({ 'app.py': FLASK_APP, 'requirements.txt': 'flask\n', '.python-version': '3.10.13\n' });
    const result = await generateDockerfile({ dir, template: 'python', base: 'localhost:5001/python:3.10-slim' });
    const analysis = analyzeDockerfile(await readFile(join(dir, 'Dockerfile'), 'utf8'));
    expect(analysis.stages.map((s) => [s.name, s.baseImage])).toEqual([
      ['builder', 'localhost:5001/python:3.10-slim'],
      ['runtime', 'localhost:5001/python:3.10-slim'],
    ]);
    expect(result.project.pythonVersion).toBe('3.10');
    expect(result.project.server).toBe('flask');
    expect(analysis.finalStage?.instructions.at(-1)?.execForm).toEqual([
      'flask',
      '--app',
      'app:app',
      'run',
      '--host',
      '0.0.0.0',
      '--port',
      '5000',
    ]);
    expect(result.notes).toEqual([
      "The image runs Flask's development server; add gunicorn to requirements.txt and run ship init --force for production.",
      'No tests directory was found, so the Dockerfile has no test stage.',
    ]);
  });

  test('gunicorn on Python 3.12+ also installs setuptools (pkg_resources is gone from the base)', async () => {
    const dir = await project({ 'app.py': FLASK_APP, 'requirements.txt': 'flask\ngunicorn\n', 'runtime.txt': 'python-3.12.2\n' });
    await generateDockerfile({ dir, template: 'python' });
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toContain('-r /tmp/project/requirements.txt setuptools\n');
  });

  test('never overwrites without force, and names the files and the flag', async () => {
    const dir = await project({
      'app.py': FLASK_APP,
      'requirements.txt': 'flask\n',
      Dockerfile: 'FROM mine\n',
      'ship.yaml': 'image: mine\n',
    });
    const error = await generateDockerfile({ dir, template: 'python' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShipError);
    expect((error as ShipError).code).toBe('FILE_EXISTS');
    expect((error as ShipError).message).toBe(
      `Dockerfile and ship.yaml already exist in ${dir}; pass --force to overwrite them.`,
    );
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toBe('FROM mine\n');
    await expect(readFile(join(dir, '.dockerignore'), 'utf8')).rejects.toThrow();

    const forced = await generateDockerfile({ dir, template: 'python', force: true });
    expect(forced.files.map((f) => f.overwritten)).toEqual([true, false, true]);
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toContain('AS runtime');
  });

  test.each([
    [{}, 'No requirements.txt or pyproject.toml in'],
    [{ 'requirements.txt': 'flask\n' }, "Unknown template 'node'; the templates are: python."],
  ])('clear errors: %j', async (files, message) => {
    const dir = await project(files);
    const template = 'requirements.txt' in files ? 'node' : 'python';
    await expect(generateDockerfile({ dir, template: template as 'python' })).rejects.toThrow(message);
  });

  test('a missing directory is an input error', async () => {
    await expect(generateDockerfile({ dir: '/nonexistent/ship-init', template: 'python' })).rejects.toThrow(
      'Directory /nonexistent/ship-init does not exist; pass the project directory.',
    );
  });
});
