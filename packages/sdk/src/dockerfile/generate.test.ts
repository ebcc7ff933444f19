import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
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
  test('a Flask app with gunicorn and tests gets builder, test and runtime stages that lint clean', async () => {
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
    expect(analysis.stages.map((s) => s.name)).toEqual(['builder', 'test', 'runtime']);
    expect(analysis.stages[2]?.baseImage).toBe('python:3.11-slim');
    expect(analysis.finalUser).toBe('10001:10001');
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
    // The runtime copies the app (from the test stage, so BuildKit runs the tests), not the tests or the README.
    const runtimeCopies = analysis.finalStage?.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(runtimeCopies).toEqual(['/opt/venv /opt/venv', '/app/app.py ./']);
    expect(analysis.stagesForTarget().map((s) => s.name)).toEqual(['builder', 'test', 'runtime']);
    expect(analysis.stages[1]?.instructions.at(-1)?.args).toBe(
      '/opt/venv/bin/python -m unittest discover --start-directory tests',
    );

    const lint = await lintDockerfile({ dockerfile: join(dir, 'Dockerfile'), smokePort: 5000 });
    expect(lint.findings).toEqual([]);

    const config = shipConfigSchema.parse(parseYaml(await readFile(join(dir, 'ship.yaml'), 'utf8')));
    expect(config).toEqual({ image: imageNameFor(dir), smoke: { port: 5000, path: '/', expectStatus: 200 } });
  });

  test('a FastAPI pyproject app with uvicorn, a pinned Python, a package and pytest', async () => {
    const dir = await project({
      'pyproject.toml': '[project]\nname = "svc"\nrequires-python = ">=3.12"\ndependencies = ["fastapi", "uvicorn"]\n',
      'requirements-dev.txt': 'pytest\n',
      'main.py': 'from fastapi import FastAPI\nfrom svc import routes\napp = FastAPI()\n',
      'svc/__init__.py': '',
      'tests/test_main.py': '',
    });
    const result = await generateDockerfile({ dir, template: 'python' });
    const dockerfile = await readFile(join(dir, 'Dockerfile'), 'utf8');
    const analysis = analyzeDockerfile(dockerfile);
    expect(result.base).toBe('python:3.12-slim');
    expect(result.project).toMatchObject({
      framework: 'fastapi',
      server: 'uvicorn',
      port: 8000,
      testRunner: 'pytest',
      pythonVersionSource: 'pyproject.toml',
    });
    expect(analysis.finalStage?.instructions.at(-1)?.execForm).toEqual([
      'uvicorn',
      'main:app',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
    ]);
    expect(dockerfile).toContain('COPY pyproject.toml /tmp/pyproject.toml');
    expect(dockerfile).toContain('import tomllib');
    expect(dockerfile).toContain('COPY requirements-dev.txt /tmp/requirements-dev.txt');
    expect(dockerfile).toContain('COPY --from=test /app/svc ./svc');
    expect(dockerfile).toContain('RUN /opt/venv/bin/python -m pytest tests');
    expect(result.notes).toContain('The image runs a single uvicorn process; add gunicorn for several workers.');
    expect((await lintDockerfile({ dockerfile: join(dir, 'Dockerfile'), smokePort: 8000 })).findings).toEqual([]);
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
    expect(await readFile(join(dir, 'Dockerfile'), 'utf8')).toContain('-r /tmp/requirements.txt setuptools\n');
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
