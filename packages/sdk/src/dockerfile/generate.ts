import { access, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { InvalidInputError, ShipError } from '../errors.js';
import { detectPythonProject, type PythonProject, type PythonProjectOverrides } from './python-project.js';
import {
  defaultBaseImage,
  generationNotes,
  renderDockerignore,
  renderPythonDockerfile,
  renderShipYaml,
} from './python-template.js';
import { parseShellCommands } from './shell.js';

export interface GenerateOptions {
  /** The project directory; the files are written there. */
  dir: string;
  template: 'python';
  /** Overrides the `python:X.Y-slim` base image picked from the project's Python version. */
  base?: string | undefined;
  /** Overwrite existing files. Without it, an existing Dockerfile, .dockerignore or ship.yaml stops generation. */
  force?: boolean | undefined;
  /** The `image:` written to ship.yaml; defaults to the directory's name. */
  image?: string | undefined;
  /** The builder the Dockerfile is for: `buildkit` (default) gets a pip cache mount, `classic` cannot have one. */
  builder?: 'buildkit' | 'classic' | undefined;
  /** The port the app listens on, when detection cannot tell (or gets it wrong). */
  port?: number | undefined;
  /** The command to run instead of the detected one: exec form, or a command line (`gunicorn app:app`). */
  command?: string[] | string | undefined;
  /** The path the health check and the smoke test request. */
  healthPath?: string | undefined;
  /** `false` for a worker: no EXPOSE, no HTTP health check, `smoke: false`. */
  web?: boolean | undefined;
}

export interface GeneratedFile {
  path: string;
  kind: 'dockerfile' | 'dockerignore' | 'config';
  /** True when an existing file was replaced (only with `force`). */
  overwritten: boolean;
}

export interface GenerateResult {
  dir: string;
  files: GeneratedFile[];
  /** The base image the Dockerfile uses. */
  base: string;
  project: PythonProject;
  /** Choices the user may want to revisit (development server, no tests...). */
  notes: string[];
  /** What was detected and why, one line each. */
  detected: string[];
}

/** Writes an optimised multi-stage Dockerfile, a .dockerignore and a ship.yaml for a Python web app. */
export async function generateDockerfile(options: GenerateOptions): Promise<GenerateResult> {
  if (options.template !== 'python') {
    throw new InvalidInputError(`Unknown template '${String(options.template)}'; the templates are: python.`);
  }
  const dir = resolve(options.dir);
  if (options.healthPath !== undefined && !options.healthPath.startsWith('/')) {
    throw new InvalidInputError(`--health-path '${options.healthPath}' must start with /; pass e.g. /healthz.`);
  }
  const command = typeof options.command === 'string' ? commandWords(options.command) : options.command;
  if (command !== undefined && command.length === 0) {
    throw new InvalidInputError('--cmd is empty; pass the command that starts the app, e.g. --cmd "gunicorn app:app".');
  }
  const overrides: PythonProjectOverrides = { port: options.port, command, healthPath: options.healthPath, web: options.web };
  if (options.web === false && (options.port !== undefined || options.healthPath !== undefined)) {
    throw new InvalidInputError('--no-web takes no --port or --health-path; drop one or the other.');
  }
  const project = await detectPythonProject(dir, overrides).catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === 'ENOENT' || cause.code === 'ENOTDIR') {
      throw new InvalidInputError(`Directory ${dir} does not exist; pass the project directory.`, { cause });
    }
    throw cause;
  });
  if (!project) {
    throw new InvalidInputError(
      `No requirements.txt or pyproject.toml in ${dir}; the python template needs one of them to install the dependencies.`,
    );
  }
  const base = options.base ?? defaultBaseImage(project.pythonVersion);
  const image = options.image ?? imageNameFor(dir);
  const planned: Array<{ name: string; kind: GeneratedFile['kind']; content: string }> = [
    {
      name: 'Dockerfile',
      kind: 'dockerfile',
      content: renderPythonDockerfile(project, { base, builder: options.builder }),
    },
    { name: '.dockerignore', kind: 'dockerignore', content: renderDockerignore() },
    { name: 'ship.yaml', kind: 'config', content: renderShipYaml(project, image) },
  ];

  const existing = (
    await Promise.all(planned.map(async (file) => ((await exists(join(dir, file.name))) ? file.name : undefined)))
  ).filter((name): name is string => name !== undefined);
  if (existing.length > 0 && !options.force) throw fileExists(existing, dir);

  const files: GeneratedFile[] = [];
  for (const file of planned) {
    const path = join(dir, file.name);
    try {
      // `wx` also refuses a file that appeared since the check above.
      await writeFile(path, file.content, { flag: options.force ? 'w' : 'wx' });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') throw fileExists([file.name], dir);
      throw cause;
    }
    files.push({ path, kind: file.kind, overwritten: existing.includes(file.name) });
  }
  return { dir, files, base, project, notes: generationNotes(project), detected: project.detected };
}

/** `["gunicorn", "app:app"]` (JSON exec form) or `gunicorn app:app` (split as the shell would). */
function commandWords(text: string): string[] {
  if (text.trim().startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed) && parsed.every((w) => typeof w === 'string')) return parsed;
    } catch (cause) {
      throw new InvalidInputError(`--cmd ${text} is not a JSON array of strings; write it as a command line or fix the JSON.`, {
        cause,
      });
    }
  }
  return parseShellCommands(text)[0]?.words ?? [];
}

function fileExists(names: readonly string[], dir: string): ShipError {
  const list =
    names.length === 1 ? `${names[0]} already exists` : `${names.slice(0, -1).join(', ')} and ${names.at(-1)} already exist`;
  return new ShipError('FILE_EXISTS', `${list} in ${dir}; pass --force to overwrite ${names.length === 1 ? 'it' : 'them'}.`);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** A repository name from a directory name: lower case, `[a-z0-9._-]`, starting with a letter or digit. */
export function imageNameFor(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name === '' ? 'app' : name;
}
