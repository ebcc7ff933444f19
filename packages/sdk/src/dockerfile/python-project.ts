import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What `ship init --template python` learns from a project directory. Detection reads files;
 * the parsing helpers below it are pure and tested with tables.
 */
export type PythonFramework = 'flask' | 'fastapi' | 'django';
export type PythonServer = 'gunicorn' | 'gunicorn-uvicorn' | 'uvicorn' | 'flask' | 'django' | 'python';

export interface PythonProject {
  /** `requirements.txt` or `pyproject.toml`: where the dependencies are declared. */
  dependencyFile: 'requirements.txt' | 'pyproject.toml';
  /** Normalised (lower-case, `-`) distribution names of the runtime dependencies. */
  dependencies: string[];
  framework: PythonFramework | undefined;
  server: PythonServer;
  /** The WSGI/ASGI target, e.g. `app:app`, `app:create_app()`, `mysite.wsgi:application`. */
  appTarget: string | undefined;
  /** The file that starts the app when no server is known, e.g. `app.py`. */
  entryFile: string | undefined;
  port: number;
  /** `X.Y`. */
  pythonVersion: string;
  /** Where the version came from: `.python-version`, `pyproject.toml`, `runtime.txt` or `default`. */
  pythonVersionSource: string;
  /** The tests directory, when there is one. */
  testsDir: string | undefined;
  testRunner: 'pytest' | 'unittest' | 'django';
  /** A requirements file with test-only dependencies (installed into the test stage only). */
  devRequirements: string | undefined;
  /** Top-level files and directories the app needs at run time (what the runtime stage copies). */
  runtimePaths: Array<{ path: string; directory: boolean }>;
  /** `/healthz` or `/health` when the app defines one, else `/`. */
  healthPath: string;
}

export const DEFAULT_PYTHON_VERSION = '3.11';
const KNOWN_MINORS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14'];
const DEFAULT_PORT: Record<PythonFramework, number> = { flask: 5000, fastapi: 8000, django: 8000 };

export async function detectPythonProject(dir: string): Promise<PythonProject | undefined> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = new Set(entries.map((e) => e.name));
  const read = async (name: string): Promise<string | undefined> =>
    names.has(name) ? readFile(join(dir, name), 'utf8').catch(() => undefined) : undefined;

  const requirements = await read('requirements.txt');
  const pyproject = await read('pyproject.toml');
  if (requirements === undefined && pyproject === undefined) return undefined;
  const dependencies =
    requirements !== undefined ? parseRequirementNames(requirements) : parsePyprojectDependencies(pyproject ?? '');

  const version = pickPythonVersion({
    pythonVersionFile: await read('.python-version'),
    requiresPython: pyproject === undefined ? undefined : parseRequiresPython(pyproject),
    runtimeTxt: await read('runtime.txt'),
  });

  const sources = new Map<string, string>();
  for (const entry of entries) {
    if (entry.isFile() && entry.name.endsWith('.py') && !isTestPath(entry.name)) {
      const text = await read(entry.name);
      if (text !== undefined) sources.set(entry.name, text);
    }
  }
  const framework = detectFramework(dependencies, [...sources.values()]);
  const app = findAppTarget(framework, sources, await findDjangoProject(dir, names, sources));
  const entrySource = app.entryFile === undefined ? '' : (sources.get(app.entryFile) ?? '');
  const port = findPort(entrySource) ?? (framework ? DEFAULT_PORT[framework] : 8000);

  const testsDir = ['tests', 'test'].find((name) => entries.some((e) => e.isDirectory() && e.name === name));
  const devRequirements = ['requirements-dev.txt', 'requirements-test.txt', 'requirements_dev.txt', 'dev-requirements.txt'].find(
    (n) => names.has(n),
  );
  const devDeps = devRequirements ? parseRequirementNames((await read(devRequirements)) ?? '') : [];
  const usesPytest = [...dependencies, ...devDeps].includes('pytest');

  return {
    dependencyFile: requirements !== undefined ? 'requirements.txt' : 'pyproject.toml',
    dependencies,
    framework,
    server: pickServer(framework, dependencies, app.target),
    appTarget: app.target,
    entryFile: app.entryFile,
    port,
    pythonVersion: version.version,
    pythonVersionSource: version.source,
    testsDir: testsDir ?? (entries.some((e) => e.isFile() && isTestPath(e.name)) ? '.' : undefined),
    testRunner: framework === 'django' && !usesPytest ? 'django' : usesPytest ? 'pytest' : 'unittest',
    devRequirements,
    runtimePaths: await runtimePaths(dir, entries),
    healthPath: /["']\/healthz["']/.test(entrySource) ? '/healthz' : /["']\/health["']/.test(entrySource) ? '/health' : '/',
  };
}

/** `Flask[async]==2.2.2 ; python_version>"3"` -> `flask`; comments, options and includes dropped. */
export function parseRequirementNames(text: string): string[] {
  const names: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '' || line.startsWith('-')) continue;
    const name = /^([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line)?.[1];
    if (name) names.push(normaliseName(name));
  }
  return names;
}

/** The names in `[project] dependencies = [...]` (PEP 621). */
export function parsePyprojectDependencies(text: string): string[] {
  const project = tomlSection(text, 'project');
  const array = /^dependencies\s*=\s*\[([\s\S]*?)\]/m.exec(project)?.[1];
  if (array === undefined) return [];
  return [...array.matchAll(/["']([A-Za-z0-9][A-Za-z0-9._-]*)/g)].map((m) => normaliseName(m[1] as string));
}

export function parseRequiresPython(text: string): string | undefined {
  return /^requires-python\s*=\s*["']([^"']+)["']/m.exec(tomlSection(text, 'project'))?.[1];
}

function tomlSection(text: string, name: string): string {
  const start = new RegExp(`^\\[${name.replace('.', '\\.')}\\]\\s*$`, 'm').exec(text);
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

function detectFramework(dependencies: readonly string[], sources: readonly string[]): PythonFramework | undefined {
  if (dependencies.includes('django')) return 'django';
  if (dependencies.includes('fastapi')) return 'fastapi';
  if (dependencies.includes('flask')) return 'flask';
  const text = sources.join('\n');
  if (/^\s*(from|import)\s+fastapi\b/m.test(text)) return 'fastapi';
  if (/^\s*(from|import)\s+flask\b/m.test(text)) return 'flask';
  return undefined;
}

const ENTRY_PREFERENCE = ['app.py', 'main.py', 'wsgi.py', 'asgi.py', 'application.py', 'server.py', 'run.py', 'api.py'];

/** Finds `name = Flask(...)` / `FastAPI(...)` or a `create_app` factory in the top-level modules. */
export function findAppTarget(
  framework: PythonFramework | undefined,
  sources: ReadonlyMap<string, string>,
  djangoProject?: string,
): { target: string | undefined; entryFile: string | undefined } {
  if (framework === 'django') {
    return {
      target: djangoProject ? `${djangoProject}.wsgi:application` : undefined,
      entryFile: sources.has('manage.py') ? 'manage.py' : undefined,
    };
  }
  const files = [...sources.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const className = framework === 'fastapi' ? 'FastAPI' : 'Flask';
  for (const file of files) {
    const text = sources.get(file) ?? '';
    const module = file.replace(/\.py$/, '');
    const instance = new RegExp(`^([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(?:[A-Za-z_][A-Za-z0-9_]*\\.)?${className}\\(`, 'm').exec(
      text,
    );
    if (instance) return { target: `${module}:${instance[1]}`, entryFile: file };
    if (/^def\s+create_app\s*\(/m.test(text)) return { target: `${module}:create_app()`, entryFile: file };
  }
  const fallback = files.find((f) => /^if\s+__name__\s*==\s*["']__main__["']/m.test(sources.get(f) ?? '')) ?? files[0];
  return { target: undefined, entryFile: fallback };
}

function rank(file: string): number {
  const index = ENTRY_PREFERENCE.indexOf(file);
  return index === -1 ? ENTRY_PREFERENCE.length : index;
}

async function findDjangoProject(
  dir: string,
  names: ReadonlySet<string>,
  sources: ReadonlyMap<string, string>,
): Promise<string | undefined> {
  const fromManage = /DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][A-Za-z0-9_]*)\.settings/.exec(
    sources.get('manage.py') ?? '',
  )?.[1];
  if (fromManage) return fromManage;
  for (const name of names) {
    const isProject = await stat(join(dir, name, 'wsgi.py')).then(
      (s) => s.isFile(),
      () => false,
    );
    if (isProject) return name;
  }
  return undefined;
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

function pickServer(
  framework: PythonFramework | undefined,
  dependencies: readonly string[],
  target: string | undefined,
): PythonServer {
  const has = (name: string): boolean => dependencies.includes(name);
  if (target !== undefined) {
    if (framework === 'fastapi') {
      if (has('gunicorn') && (has('uvicorn') || has('uvicorn-worker'))) return 'gunicorn-uvicorn';
      if (has('uvicorn')) return 'uvicorn';
    } else if (has('gunicorn')) return 'gunicorn';
  }
  if (framework === 'flask' && target !== undefined) return 'flask';
  if (framework === 'django') return 'django';
  return 'python';
}

const NOT_AT_RUN_TIME = new Set([
  'tests',
  'test',
  'docs',
  'doc',
  'venv',
  'env',
  'node_modules',
  '__pycache__',
  'build',
  'dist',
  'htmlcov',
  'Dockerfile',
  'ship.yaml',
  'Makefile',
  'setup.py',
  'setup.cfg',
  'tox.ini',
  'noxfile.py',
  'conftest.py',
  'pyproject.toml',
  'runtime.txt',
  'Procfile',
]);

function isTestPath(name: string): boolean {
  return /^test_.*\.py$|_test\.py$|^conftest\.py$/.test(name);
}

async function runtimePaths(dir: string, entries: Array<{ name: string; isDirectory(): boolean; isFile(): boolean }>) {
  const paths: Array<{ path: string; directory: boolean }> = [];
  for (const entry of entries) {
    const { name } = entry;
    if (name.startsWith('.') || NOT_AT_RUN_TIME.has(name) || isTestPath(name)) continue;
    if (/^(Dockerfile|README|LICENSE|CHANGELOG|requirements).*|\.(md|rst|txt|lock|egg-info)$/i.test(name)) continue;
    if (entry.isDirectory()) {
      const hasFiles = (await readdir(join(dir, name))).length > 0;
      if (hasFiles) paths.push({ path: name, directory: true });
    } else if (entry.isFile()) paths.push({ path: name, directory: false });
  }
  return paths.sort((a, b) => Number(a.directory) - Number(b.directory) || a.path.localeCompare(b.path));
}
