import { readdir, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { parseShellCommands } from './shell.js';

/**
 * What `ship init --template python` learns from a project directory. `detectPythonProject` reads the
 * files; the parsing helpers below it are pure and tested with tables. Every choice is recorded with
 * its reason in `detected`, which `ship init` prints.
 */
export type PythonFramework = 'flask' | 'fastapi' | 'starlette' | 'django';
export type PythonServer = 'gunicorn' | 'gunicorn-uvicorn' | 'uvicorn' | 'flask' | 'django' | 'python' | 'script' | 'custom';

/** How the dependencies are declared. */
export type PythonLayout = 'requirements' | 'pep621' | 'poetry';

export interface PythonProject {
  layout: PythonLayout;
  /** `requirements.txt` or `pyproject.toml`: where the dependencies are declared. */
  dependencyFile: 'requirements.txt' | 'pyproject.toml';
  /** requirements.txt and the files it includes (`-r`, `-c`), relative to the project, POSIX separators. */
  requirementFiles: string[];
  /** Normalised (lower-case, `-`) distribution names of the runtime dependencies. */
  dependencies: string[];
  /** The project itself is installed (`pip install --no-deps .`): `-e .` in requirements, a PEP 621 build, a src/ layout. */
  installsProject: boolean;
  /** The PEP 517 backend from `[build-system]`, when there is one. */
  buildBackend: string | undefined;
  /** Where test-only dependencies come from: a requirements file, PEP 621 extras or Poetry groups. */
  testDependencies: { requirementsFile?: string; groups?: string[] };
  framework: PythonFramework | undefined;
  server: PythonServer;
  /** The WSGI/ASGI target, e.g. `app:app`, `app:create_app()`, `mysite.wsgi:application`. */
  appTarget: string | undefined;
  /** The file that starts the app when no server is known, e.g. `app.py`. */
  entryFile: string | undefined;
  /** The exec-form command of the image. */
  command: string[];
  /** Serves HTTP: EXPOSE, a health check and a smoke test. False for workers. */
  web: boolean;
  /** The port it listens on (web apps only). */
  port: number | undefined;
  /** The path the health check and the smoke test request, the same one. */
  healthPath: string;
  /** `X.Y`. */
  pythonVersion: string;
  /** Where the version came from: `.python-version`, `pyproject.toml`, `runtime.txt` or `default`. */
  pythonVersionSource: string;
  /** The tests directory, when there is one (`.` for test files at the top). */
  testsDir: string | undefined;
  testRunner: 'pytest' | 'unittest' | 'django';
  /** pytest is used (conftest.py, config) but no dependency list declares it. */
  pytestUndeclared: boolean;
  /** Directory added to PYTHONPATH when the project is not installed but its code is under `src/`. */
  pythonPath: string | undefined;
  /** Django's settings module and whether `STATIC_ROOT` is set (then collectstatic runs in the image). */
  django: { settingsModule: string; collectStatic: boolean } | undefined;
  /** What was detected and why, one line each, as `ship init` prints them. */
  detected: string[];
}

/** Answers for what cannot be detected (as `docker init` asks): `ship init --port/--cmd/--health-path/--no-web`. */
export interface PythonProjectOverrides {
  port?: number | undefined;
  command?: string[] | undefined;
  healthPath?: string | undefined;
  web?: boolean | undefined;
}

export const DEFAULT_PYTHON_VERSION = '3.11';
const KNOWN_MINORS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14'];
const DEFAULT_PORT: Record<PythonFramework, number> = { flask: 5000, fastapi: 8000, starlette: 8000, django: 8000 };
const SKIPPED_DIRS = new Set([
  'tests',
  'test',
  'docs',
  'doc',
  'venv',
  '.venv',
  'env',
  'node_modules',
  'build',
  'dist',
  'htmlcov',
]);

interface SourceFile {
  /** Relative path, POSIX separators, e.g. `src/shop/app.py`. */
  path: string;
  /** The module to import it by, e.g. `shop.app`. */
  module: string;
  text: string;
}

export async function detectPythonProject(
  dir: string,
  overrides: PythonProjectOverrides = {},
): Promise<PythonProject | undefined> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  const read = async (name: string): Promise<string | undefined> => readFile(join(dir, name), 'utf8').catch(() => undefined);

  const requirements = names.has('requirements.txt') ? await read('requirements.txt') : undefined;
  const pyproject = names.has('pyproject.toml') ? await read('pyproject.toml') : undefined;
  if (requirements === undefined && pyproject === undefined) return undefined;
  const detected: string[] = [];

  const poetry = pyproject !== undefined && tomlSection(pyproject, 'tool.poetry') !== '';
  const layout: PythonLayout = requirements !== undefined ? 'requirements' : poetry ? 'poetry' : 'pep621';
  const requirementFiles = requirements === undefined ? [] : await includedRequirementFiles(dir, 'requirements.txt');
  const dependencies =
    layout === 'requirements'
      ? (await Promise.all(requirementFiles.map(async (f) => parseRequirementNames((await read(f)) ?? '')))).flat()
      : layout === 'poetry'
        ? parsePoetryDependencies(pyproject ?? '').main
        : parsePyprojectDependencies(pyproject ?? '');
  detected.push(
    layout === 'requirements'
      ? `dependencies: ${requirementFiles.join(', ')} (${count(dependencies.length, 'package')})`
      : `dependencies: pyproject.toml ${layout === 'poetry' ? '[tool.poetry.dependencies] (Poetry, exported at build time)' : '[project] dependencies'} (${count(dependencies.length, 'package')})`,
  );

  const hasSrc = entries.some((e) => e.isDirectory() && e.name === 'src');
  const buildBackend =
    pyproject === undefined
      ? undefined
      : /^build-backend\s*=\s*["']([^"']+)["']/m.exec(tomlSection(pyproject, 'build-system'))?.[1];
  const editableLine = requirements !== undefined && requirementsInstallProject(requirements);
  const scripts = pyproject === undefined ? {} : parseScripts(pyproject, poetry);
  const installsProject =
    editableLine || (layout === 'pep621' && (buildBackend !== undefined || hasSrc || Object.keys(scripts).length > 0));
  if (installsProject) {
    detected.push(
      `install: the project itself with pip install --no-deps . (${editableLine ? "requirements.txt has '-e .'" : buildBackend ? `[build-system] ${buildBackend}` : hasSrc ? 'src/ layout' : '[project.scripts]'})`,
    );
  }
  const pythonPath = !installsProject && hasSrc ? '/app/src' : undefined;

  const version = pickPythonVersion({
    pythonVersionFile: names.has('.python-version') ? await read('.python-version') : undefined,
    requiresPython: pyproject === undefined ? undefined : poetry ? parsePoetryPython(pyproject) : parseRequiresPython(pyproject),
    runtimeTxt: names.has('runtime.txt') ? await read('runtime.txt') : undefined,
  });
  detected.push(
    `python: ${version.version} (${version.source === 'default' ? 'nothing pins it; the default' : `from ${version.source}`})`,
  );

  const sources = await collectSources(dir);
  const framework = detectFramework(
    dependencies,
    sources.map((s) => s.text),
  );
  const django = framework === 'django' ? await detectDjango(sources, read) : undefined;
  const app = findAppTarget(framework, sources, django?.settingsModule.replace(/\.settings$/, ''));
  const procfile = names.has('Procfile') ? parseProcfile((await read('Procfile')) ?? '') : {};
  const gunicornConfig = ['gunicorn.conf.py', 'gunicorn_config.py', 'gunicorn.config.py'].find((n) => names.has(n));
  const gunicornBind = gunicornConfig ? findGunicornPort((await read(gunicornConfig)) ?? '') : undefined;

  // Web or worker, and the port: flags first, then what the files say.
  const entrySource = sources.find((s) => s.path === app.entryFile)?.text ?? '';
  const procfileCommand = procfile.web ?? (framework === undefined ? procfile.worker : undefined);
  const procfilePort = procfile.web ? findCommandPort(procfile.web) : undefined;
  const sourcePort = findPort(entrySource);
  let port = overrides.port ?? procfilePort ?? gunicornBind ?? sourcePort;
  const web =
    overrides.web ??
    (overrides.port !== undefined || framework !== undefined || port !== undefined || procfile.web !== undefined);
  if (web) {
    port ??= framework ? DEFAULT_PORT[framework] : 8000;
    const why =
      overrides.port !== undefined
        ? '--port'
        : procfilePort !== undefined
          ? 'Procfile'
          : gunicornBind !== undefined
            ? `${gunicornConfig} bind`
            : sourcePort !== undefined
              ? app.entryFile
              : framework
                ? `${framework}'s default`
                : 'the default';
    detected.push(`web: port ${port} (${why})`);
  } else {
    port = undefined;
    detected.push(
      `web: none (${overrides.web === false ? '--no-web' : 'no web framework, port or Procfile web process'}): no EXPOSE, no health check, smoke: false`,
    );
  }

  const chosen: { command: string[]; server: PythonServer; why: string } = overrides.command
    ? { command: overrides.command, server: 'custom', why: '--cmd' }
    : procfileCommand
      ? { command: substitutePort(procfileCommand, port), server: 'custom', why: 'Procfile' }
      : defaultCommand({
          server: pickServer(framework, dependencies, app.target),
          target: app.target,
          port,
          entryFile: app.entryFile,
          scripts: installsProject ? scripts : {},
          gunicornConfig,
        });
  const { command } = chosen;
  detected.push(`command: ${command.join(' ')} (${chosen.why})`);

  const health = overrides.healthPath ? { path: overrides.healthPath, why: '--health-path' } : findHealthPath(framework, sources);
  const healthPath = web ? health.path : '/';
  if (web) detected.push(`health and smoke: GET ${healthPath} (${health.why})`);

  const tests = await detectTests(dir, entries, read, { layout, pyproject, framework, requirementFiles });
  detected.push(
    tests.testsDir
      ? `tests: ${tests.testRunner} on ${tests.testsDir} (${tests.reason}); none found fails the build`
      : 'tests: none found, so no test stage',
  );
  if (django)
    detected.push(
      `django: settings ${django.settingsModule}${django.collectStatic ? ', collectstatic (STATIC_ROOT is set)' : ''}`,
    );

  return {
    layout,
    dependencyFile: requirements !== undefined ? 'requirements.txt' : 'pyproject.toml',
    requirementFiles,
    dependencies,
    installsProject,
    buildBackend,
    testDependencies: tests.testDependencies,
    framework,
    server: chosen.server,
    appTarget: app.target,
    entryFile: app.entryFile,
    command,
    web,
    port,
    healthPath,
    pythonVersion: version.version,
    pythonVersionSource: version.source,
    testsDir: tests.testsDir,
    testRunner: tests.testRunner,
    pytestUndeclared: tests.pytestUndeclared,
    pythonPath,
    django,
    detected,
  };
}

/** requirements.txt and every file it pulls in with `-r`/`-c` (relative to the including file), in order. */
async function includedRequirementFiles(dir: string, first: string): Promise<string[]> {
  const files: string[] = [];
  const visit = async (file: string): Promise<void> => {
    if (files.includes(file) || files.length > 20) return;
    const text = await readFile(join(dir, file), 'utf8').catch(() => undefined);
    if (text === undefined) return;
    files.push(file);
    for (const include of parseRequirementIncludes(text)) await visit(posix.normalize(posix.join(posix.dirname(file), include)));
  };
  await visit(first);
  return files;
}

/** The files named by `-r`, `--requirement`, `-c`, `--constraint` lines. */
export function parseRequirementIncludes(text: string): string[] {
  const files: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const match = /^\s*(?:-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)/.exec(raw);
    if (match && !/^[a-z]+:\/\//i.test(match[1] as string)) files.push(match[1] as string);
  }
  return files;
}

/** True when a requirements file installs the project itself (`-e .`, `.`, `./`, `.[extra]`). */
export function requirementsInstallProject(text: string): boolean {
  return text.split(/\r?\n/).some((line) => /^\s*(?:(?:-e|--editable)\s+)?\.\/?(?:\[[^\]]*\])?\s*(?:#.*)?$/.test(line));
}

/** `Flask[async]==2.2.2 ; python_version>"3"` -> `flask`; comments, options, includes and local paths dropped. */
export function parseRequirementNames(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '' || line.startsWith('-') || line.startsWith('.')) continue;
    const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line)?.[1];
    if (name) names.push(normaliseName(name));
  }
  return names;
}

/** The names in `[project] dependencies = [...]` (PEP 621). */
export function parsePyprojectDependencies(text: string): string[] {
  return namesInArray(/^dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(tomlSection(text, 'project'))?.[1]);
}

function namesInArray(array: string | undefined): string[] {
  if (array === undefined) return [];
  return [...array.matchAll(/["']([A-Za-z0-9][A-Za-z0-9._-]*)/g)].map((m) => normaliseName(m[1] as string));
}

/** `[project.optional-dependencies]` group names, e.g. `test`, `dev`. */
export function parseOptionalDependencyGroups(text: string): Record<string, string[]> {
  const section = tomlSection(text, 'project.optional-dependencies');
  const groups: Record<string, string[]> = {};
  for (const match of section.matchAll(/^([A-Za-z0-9_-]+)\s*=\s*\[([\s\S]*?)\]/gm)) {
    groups[match[1] as string] = namesInArray(match[2]);
  }
  return groups;
}

/** Poetry's dependencies (without `python`) and its groups, including the legacy `dev-dependencies`. */
export function parsePoetryDependencies(text: string): { main: string[]; groups: Record<string, string[]> } {
  const keys = (section: string): string[] =>
    [...section.matchAll(/^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=/gm)]
      .map((m) => normaliseName(m[1] as string))
      .filter((n) => n !== 'python');
  const groups: Record<string, string[]> = {};
  for (const match of text.matchAll(/^\[tool\.poetry\.group\.([A-Za-z0-9_-]+)\.dependencies\]\s*$/gm)) {
    groups[match[1] as string] = keys(tomlSection(text, `tool.poetry.group.${match[1]}.dependencies`));
  }
  const legacyDev = tomlSection(text, 'tool.poetry.dev-dependencies');
  if (legacyDev !== '') groups.dev = [...(groups.dev ?? []), ...keys(legacyDev)];
  return { main: keys(tomlSection(text, 'tool.poetry.dependencies')), groups };
}

export function parseRequiresPython(text: string): string | undefined {
  return /^requires-python\s*=\s*["']([^"']+)["']/m.exec(tomlSection(text, 'project'))?.[1];
}

/** Poetry's `python = "^3.11"` as a PEP 440 specifier (`>=3.11,<4.0`). */
export function parsePoetryPython(text: string): string | undefined {
  const constraint = /^python\s*=\s*["']([^"']+)["']/m.exec(tomlSection(text, 'tool.poetry.dependencies'))?.[1];
  return constraint === undefined ? undefined : poetryToPep440(constraint);
}

/** Poetry constraints to PEP 440: `^1.2.3` -> `>=1.2.3,<2.0.0`, `~1.2` -> `>=1.2,<1.3`, `1.2.3` -> `==1.2.3`, `*` -> ``. */
export function poetryToPep440(constraint: string): string {
  return constraint
    .split(',')
    .map((clause) => clause.trim())
    .filter((clause) => clause !== '' && clause !== '*')
    .map((clause) => {
      const caret = /^\^\s*(\d+(?:\.\d+)*)$/.exec(clause);
      if (caret) {
        const parts = (caret[1] as string).split('.').map(Number);
        const first = parts.findIndex((n) => n !== 0);
        const bump = first === -1 ? parts.length - 1 : first;
        return `>=${caret[1]},<${[...parts.slice(0, bump), (parts[bump] ?? 0) + 1].join('.')}`;
      }
      const tilde = /^~\s*(\d+(?:\.\d+)*)$/.exec(clause);
      if (tilde) {
        const parts = (tilde[1] as string).split('.').map(Number);
        const upper = parts.length === 1 ? [(parts[0] ?? 0) + 1] : [parts[0], (parts[1] ?? 0) + 1];
        return `>=${tilde[1]},<${upper.join('.')}`;
      }
      return /^\d/.test(clause) ? `==${clause}` : clause.replace(/\s+/g, '');
    })
    .join(',');
}

/** `[project.scripts]` (or Poetry's `[tool.poetry.scripts]`): name -> `module:function`. */
export function parseScripts(text: string, poetry: boolean): Record<string, string> {
  const section = tomlSection(text, poetry ? 'tool.poetry.scripts' : 'project.scripts');
  const scripts: Record<string, string> = {};
  for (const match of section.matchAll(/^["']?([A-Za-z0-9_.-]+)["']?\s*=\s*["']([^"']+)["']/gm)) {
    scripts[match[1] as string] = match[2] as string;
  }
  return scripts;
}

function tomlSection(text: string, name: string): string {
  const start = new RegExp(`^\\[${name.replaceAll('.', '\\.')}\\]\\s*$`, 'm').exec(text);
  if (!start) return '';
  const rest = text.slice(start.index + start[0].length);
  const next = /^\[[^\]]+\]\s*$/m.exec(rest);
  return next ? rest.slice(0, next.index) : rest;
}

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[._]+/g, '-');
}

/** The Python `X.Y` to build with, from the first source that names one, in the documented order. */
export function pickPythonVersion(sources: {
  pythonVersionFile?: string | undefined;
  requiresPython?: string | undefined;
  runtimeTxt?: string | undefined;
}): { version: string; source: string } {
  const fromFile = sources.pythonVersionFile
    ?.split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  const fileMatch = fromFile === undefined ? null : /^(?:python-?|cpython-?)?(3\.\d+)/.exec(fromFile);
  if (fileMatch) return { version: fileMatch[1] as string, source: '.python-version' };
  if (sources.requiresPython !== undefined) {
    const version = versionForSpecifier(sources.requiresPython);
    if (version) return { version, source: 'pyproject.toml' };
  }
  const runtime = sources.runtimeTxt === undefined ? null : /python-(3\.\d+)/.exec(sources.runtimeTxt);
  if (runtime) return { version: runtime[1] as string, source: 'runtime.txt' };
  return { version: DEFAULT_PYTHON_VERSION, source: 'default' };
}

/** For `>=3.9,<3.13` the default 3.11; for `>=3.12` 3.12; for `~=3.10` 3.10 or later, preferring the default. */
export function versionForSpecifier(specifier: string): string | undefined {
  const clauses = specifier
    .split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  const allowed = KNOWN_MINORS.filter((minor) => clauses.every((clause) => minorSatisfies(minor, clause)));
  if (allowed.length === 0) return undefined;
  if (allowed.includes(DEFAULT_PYTHON_VERSION)) return DEFAULT_PYTHON_VERSION;
  const distance = (v: string): number => Math.abs(minorOf(v) - minorOf(DEFAULT_PYTHON_VERSION));
  return [...allowed].sort((a, b) => distance(a) - distance(b) || minorOf(a) - minorOf(b))[0];
}

function minorOf(version: string): number {
  return Number(version.split('.')[1] ?? 0);
}

function minorSatisfies(minor: string, clause: string): boolean {
  const match = /^(==|!=|>=|<=|~=|>|<)\s*3(?:\.(\d+|\*))?/.exec(clause);
  if (!match) return true;
  const op = match[1] as string;
  if (match[2] === undefined || match[2] === '*') return op !== '!=' && op !== '<';
  const bound = Number(match[2]);
  const m = minorOf(minor);
  switch (op) {
    case '==':
      return m === bound;
    case '!=':
      return m !== bound || /\.\d+\.\d+/.test(clause);
    case '>=':
    case '~=':
      return m >= bound;
    case '>':
      return m > bound || /3\.\d+\.\d+/.test(clause);
    case '<=':
      return m <= bound;
    case '<':
      return m < bound || (m === bound && /3\.\d+\.[1-9]/.test(clause));
    default:
      return true;
  }
}

/** Top-level modules and packages (also under `src/`), two levels deep, without tests and virtualenvs. */
async function collectSources(dir: string): Promise<SourceFile[]> {
  const sources: SourceFile[] = [];
  const walk = async (relative: string, modulePrefix: string, depth: number): Promise<void> => {
    const entries = await readdir(join(dir, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (sources.length >= 200 || entry.name.startsWith('.')) continue;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isFile() && entry.name.endsWith('.py') && !isTestPath(entry.name)) {
        const text = await readFile(join(dir, path), 'utf8').catch(() => '');
        sources.push({ path, module: `${modulePrefix}${entry.name.replace(/\.py$/, '')}`, text });
      } else if (
        entry.isDirectory() &&
        depth < 2 &&
        !SKIPPED_DIRS.has(entry.name) &&
        /^[A-Za-z_][A-Za-z0-9_]*$/.test(entry.name)
      ) {
        const src = relative === '' && entry.name === 'src';
        await walk(path, src ? '' : `${modulePrefix}${entry.name}.`, src ? depth : depth + 1);
      }
    }
  };
  await walk('', '', 0);
  return sources;
}

function detectFramework(dependencies: readonly string[], sources: readonly string[]): PythonFramework | undefined {
  if (dependencies.includes('django')) return 'django';
  if (dependencies.includes('fastapi')) return 'fastapi';
  if (dependencies.includes('starlette')) return 'starlette';
  if (dependencies.includes('flask')) return 'flask';
  const text = sources.join('\n');
  if (/^\s*(from|import)\s+django\b/m.test(text)) return 'django';
  if (/^\s*(from|import)\s+fastapi\b/m.test(text)) return 'fastapi';
  if (/^\s*(from|import)\s+flask\b/m.test(text)) return 'flask';
  return undefined;
}

const ENTRY_PREFERENCE = [
  'app.py',
  'main.py',
  'wsgi.py',
  'asgi.py',
  'application.py',
  'server.py',
  'run.py',
  'api.py',
  '__init__.py',
];
const APP_CLASS: Record<Exclude<PythonFramework, 'django'>, string> = {
  flask: 'Flask',
  fastapi: 'FastAPI',
  starlette: 'Starlette',
};

/** Finds `name = Flask(...)` / `FastAPI(...)` / `Starlette(...)` or a `create_app` factory; Django's wsgi module. */
export function findAppTarget(
  framework: PythonFramework | undefined,
  sources: readonly SourceFile[] | ReadonlyMap<string, string>,
  djangoProject?: string,
): { target: string | undefined; entryFile: string | undefined } {
  const files: SourceFile[] =
    sources instanceof Map
      ? [...sources].map(([path, text]) => ({ path, module: path.replace(/\.py$/, '').replaceAll('/', '.'), text }))
      : [...(sources as readonly SourceFile[])];
  if (framework === 'django') {
    return {
      target: djangoProject ? `${djangoProject}.wsgi:application` : undefined,
      entryFile: files.some((f) => f.path === 'manage.py') ? 'manage.py' : undefined,
    };
  }
  const ranked = files.sort(
    (a, b) => a.path.split('/').length - b.path.split('/').length || rank(a.path) - rank(b.path) || a.path.localeCompare(b.path),
  );
  const className = framework ? APP_CLASS[framework] : 'Flask';
  for (const file of ranked) {
    const module = file.module.replace(/\.__init__$/, '');
    const instance = new RegExp(`^([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(?:[A-Za-z_][A-Za-z0-9_]*\\.)?${className}\\(`, 'm').exec(
      file.text,
    );
    if (instance) return { target: `${module}:${instance[1]}`, entryFile: file.path };
    if (/^def\s+create_app\s*\(/m.test(file.text)) return { target: `${module}:create_app()`, entryFile: file.path };
  }
  const main = ranked.find((f) => /^if\s+__name__\s*==\s*["']__main__["']/m.test(f.text));
  return { target: undefined, entryFile: main?.path ?? ranked.find((f) => !f.path.includes('/'))?.path };
}

function rank(path: string): number {
  const index = ENTRY_PREFERENCE.indexOf(posix.basename(path));
  return index === -1 ? ENTRY_PREFERENCE.length : index;
}

async function detectDjango(
  sources: readonly SourceFile[],
  read: (name: string) => Promise<string | undefined>,
): Promise<{ settingsModule: string; collectStatic: boolean } | undefined> {
  const fromManage = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][A-Za-z0-9_.]*)["']/.exec(
    sources.find((s) => s.path === 'manage.py')?.text ?? '',
  )?.[1];
  const settingsFile = sources.find((s) => s.path.endsWith('/settings.py'));
  const settingsModule = fromManage ?? settingsFile?.module;
  if (settingsModule === undefined) return undefined;
  const settings =
    sources.find((s) => s.module === settingsModule)?.text ?? (await read(`${settingsModule.replaceAll('.', '/')}.py`)) ?? '';
  return { settingsModule, collectStatic: /^STATIC_ROOT\s*=/m.test(settings) };
}

/** `app.run(port=8080)`, `port=int(os.environ.get("PORT", 8080))`, `--port 8080`, `PORT = 8080`. */
export function findPort(source: string): number | undefined {
  const patterns = [
    /\bport\s*=\s*(\d{2,5})\b/,
    /\bport\s*=\s*int\(\s*os\.(?:environ\.get|getenv)\(\s*["']PORT["']\s*,\s*["']?(\d{2,5})/,
    /["']PORT["']\s*,\s*["']?(\d{2,5})/,
    /^PORT\s*=\s*(\d{2,5})\b/m,
  ];
  for (const pattern of patterns) {
    const port = Number(pattern.exec(source)?.[1]);
    if (port > 0 && port < 65_536) return port;
  }
  return undefined;
}

/** gunicorn's `bind = "0.0.0.0:8000"` (or a list of them). */
export function findGunicornPort(config: string): number | undefined {
  const port = Number(/^bind\s*=\s*\[?\s*["'][^"':]*:(\d{2,5})["']/m.exec(config)?.[1]);
  return port > 0 && port < 65_536 ? port : undefined;
}

/** `--bind 0.0.0.0:8000`, `-b :8000`, `--port 8000`, `runserver 0.0.0.0:8000`. */
function findCommandPort(command: string): number | undefined {
  const match = /(?:--bind[= ]|-b\s+|runserver\s+)[^\s:]*:(\d{2,5})\b|--port[= ](\d{2,5})\b/.exec(command);
  const port = Number(match?.[1] ?? match?.[2]);
  return port > 0 && port < 65_536 ? port : undefined;
}

/** Procfile process types: `web: gunicorn app:app` -> { web: 'gunicorn app:app' }. */
export function parseProcfile(text: string): Record<string, string> {
  const processes: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^([A-Za-z0-9_-]+):\s*(.+?)\s*$/.exec(line);
    if (match) processes[match[1] as string] = match[2] as string;
  }
  return processes;
}

/** A shell command line to exec form, with `$PORT`/`${PORT}` replaced by the port (which exec form cannot expand). */
function substitutePort(command: string, port: number | undefined): string[] {
  const words = parseShellCommands(command)[0]?.words ?? [command];
  return words.map((word) => word.replace(/\$\{?PORT\}?/g, String(port ?? 8000)));
}

function pickServer(
  framework: PythonFramework | undefined,
  dependencies: readonly string[],
  target: string | undefined,
): PythonServer {
  const has = (name: string): boolean => dependencies.includes(name);
  if (target !== undefined) {
    if (framework === 'fastapi' || framework === 'starlette') {
      if (has('gunicorn') && (has('uvicorn') || has('uvicorn-worker'))) return 'gunicorn-uvicorn';
      if (has('uvicorn')) return 'uvicorn';
    } else if (has('gunicorn')) return 'gunicorn';
  }
  if (framework === 'flask' && target !== undefined) return 'flask';
  if (framework === 'django') return 'django';
  return 'python';
}

/** The command for what was found: a server for a WSGI/ASGI app, a console script, the dev server, the entry file. */
function defaultCommand(options: {
  server: PythonServer;
  target: string | undefined;
  port: number | undefined;
  entryFile: string | undefined;
  scripts: Record<string, string>;
  gunicornConfig: string | undefined;
}): { command: string[]; server: PythonServer; why: string } {
  const { server, target = '', port = 8000 } = options;
  const bind = `0.0.0.0:${port}`;
  const config = options.gunicornConfig ? ['--config', options.gunicornConfig] : [];
  const script = Object.keys(options.scripts)[0];
  const app = `serving ${target}`;
  switch (server) {
    case 'gunicorn':
      return {
        command: ['gunicorn', ...config, '--bind', bind, '--workers', '2', '--access-logfile', '-', target],
        server,
        why: `gunicorn ${app}`,
      };
    case 'gunicorn-uvicorn':
      return {
        command: [
          'gunicorn',
          ...config,
          '--bind',
          bind,
          '--workers',
          '2',
          '--worker-class',
          'uvicorn.workers.UvicornWorker',
          '--access-logfile',
          '-',
          target,
        ],
        server,
        why: `gunicorn with uvicorn workers ${app}`,
      };
    case 'uvicorn':
      return { command: ['uvicorn', target, '--host', '0.0.0.0', '--port', String(port)], server, why: `uvicorn ${app}` };
    case 'django':
      return {
        command: ['python', 'manage.py', 'runserver', '--noreload', bind],
        server,
        why: "Django's development server (no gunicorn)",
      };
    default:
      if (script) return { command: [script], server: 'script', why: `[project.scripts] ${script} = ${options.scripts[script]}` };
      if (server === 'flask') {
        return {
          command: ['flask', '--app', target, 'run', '--host', '0.0.0.0', '--port', String(port)],
          server,
          why: `Flask's development server (no gunicorn), ${app}`,
        };
      }
      return {
        command: ['python', options.entryFile ?? 'app.py'],
        server: 'python',
        why: options.entryFile ? `runs ${options.entryFile}` : 'nothing better found',
      };
  }
}

const HEALTH_ROUTES = ['/healthz', '/health', '/livez', '/ping', '/status'];

/** A health route the app defines, else `/` when it has one, else a page the framework serves itself. */
export function findHealthPath(
  framework: PythonFramework | undefined,
  sources: ReadonlyArray<{ text: string }>,
): { path: string; why: string } {
  const routes = new Set<string>();
  for (const { text } of sources) {
    for (const m of text.matchAll(/\.(?:route|get|api_route|head)\(\s*["']([^"']*)["']/g)) routes.add(m[1] as string);
    for (const m of text.matchAll(/\b(?:re_)?path\(\s*r?["']\^?([^"'$]*)\$?["']/g)) routes.add(`/${m[1] as string}`);
  }
  const health = HEALTH_ROUTES.flatMap((path) => [path, `${path}/`]).find((path) => routes.has(path));
  if (health) return { path: health, why: `the app's ${health} route` };
  if (routes.has('/')) return { path: '/', why: "the app's / route" };
  if (framework === 'fastapi') return { path: '/docs', why: "no health or / route; FastAPI's own /docs page" };
  if (framework === 'django' && [...routes].some((r) => r.startsWith('/admin'))) {
    return { path: '/admin/login/', why: "no health or / route; Django admin's login page" };
  }
  return { path: '/', why: 'no route found; check it, or pass --health-path' };
}

const DEV_REQUIREMENTS = [
  'requirements-dev.txt',
  'requirements-test.txt',
  'requirements_dev.txt',
  'requirements_test.txt',
  'dev-requirements.txt',
  'test-requirements.txt',
  'requirements/dev.txt',
  'requirements/test.txt',
  'requirements/testing.txt',
];
const TEST_GROUPS = ['test', 'tests', 'testing', 'dev'];

async function detectTests(
  dir: string,
  entries: Array<{ name: string; isDirectory(): boolean; isFile(): boolean }>,
  read: (name: string) => Promise<string | undefined>,
  project: {
    layout: PythonLayout;
    pyproject: string | undefined;
    framework: PythonFramework | undefined;
    requirementFiles: string[];
  },
): Promise<{
  testsDir: string | undefined;
  testRunner: PythonProject['testRunner'];
  reason: string;
  pytestUndeclared: boolean;
  testDependencies: PythonProject['testDependencies'];
}> {
  const djangoAppTests =
    project.framework === 'django' &&
    (
      await Promise.all(
        entries
          .filter((e) => e.isDirectory() && !SKIPPED_DIRS.has(e.name))
          .map(async (e) =>
            (await readdir(join(dir, e.name)).catch(() => [] as string[])).some((n) => n === 'tests.py' || n === 'tests'),
          ),
      )
    ).some(Boolean);
  const testsDir =
    ['tests', 'test'].find((name) => entries.some((e) => e.isDirectory() && e.name === name)) ??
    (djangoAppTests || entries.some((e) => e.isFile() && isTestPath(e.name)) ? '.' : undefined);

  let testDependencies: PythonProject['testDependencies'] = {};
  let declared: string[] = [];
  if (project.layout === 'requirements') {
    for (const file of DEV_REQUIREMENTS) {
      const text = await read(file);
      if (text !== undefined) {
        testDependencies = { requirementsFile: file };
        declared = parseRequirementNames(text);
        break;
      }
    }
  } else if (project.pyproject !== undefined) {
    const groups =
      project.layout === 'poetry'
        ? parsePoetryDependencies(project.pyproject).groups
        : parseOptionalDependencyGroups(project.pyproject);
    const used = TEST_GROUPS.filter((g) => groups[g] !== undefined);
    if (used.length > 0) testDependencies = { groups: used };
    declared = used.flatMap((g) => groups[g] ?? []);
  }
  const pytestConfig =
    entries.some((e) => e.name === 'conftest.py' || e.name === 'pytest.ini') ||
    (project.pyproject?.includes('[tool.pytest.ini_options]') ?? false) ||
    ((await read('setup.cfg'))?.includes('[tool:pytest]') ?? false) ||
    (testsDir !== undefined && (await readdir(join(dir, testsDir)).catch(() => [] as string[])).includes('conftest.py'));
  const declaresPytest = declared.includes('pytest');
  const usesPytest = declaresPytest || pytestConfig;
  const testRunner = project.framework === 'django' && !usesPytest ? 'django' : usesPytest ? 'pytest' : 'unittest';
  const reason =
    testRunner === 'pytest'
      ? declaresPytest
        ? `pytest in ${testDependencies.requirementsFile ?? `the ${testDependencies.groups?.join(', ')} dependencies`}`
        : 'conftest.py or pytest configuration'
      : testRunner === 'django'
        ? "Django's test runner"
        : 'no pytest anywhere, so unittest';
  return { testsDir, testRunner, reason, pytestUndeclared: testRunner === 'pytest' && !declaresPytest, testDependencies };
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function isTestPath(name: string): boolean {
  return /^test_.*\.py$|_test\.py$|^conftest\.py$/.test(name);
}
