import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { type PackOptions, pack } from 'tar-fs';
import { InvalidInputError } from '../errors.js';
import { DockerignoreMatcher, parseDockerignore } from './dockerignore.js';

/**
 * The build context, decided before anything is sent: which files go, under which names, and
 * which Dockerfile the engine reads. Packing follows the docker CLI: `.dockerignore`
 * (or `<Dockerfile>.dockerignore` next to the Dockerfile, which wins) says what stays home,
 * the Dockerfile and `.dockerignore` always go, and a Dockerfile outside the context travels
 * inside the tar under a generated name.
 */
export interface BuildContextPlan {
  contextDir: string;
  /** The Dockerfile as the engine sees it: a path inside the tar. */
  dockerfileInTar: string;
  /** The Dockerfile's text (read once: for target validation and, if outside the context, to send). */
  dockerfileText: string;
  /** The ignore file that applied, if any, and its text ('' when none). */
  ignoreFile: string | undefined;
  ignoreText: string;
  /** Paths sent from the context directory, `/`-separated, sorted. */
  entries: string[];
  /** Files made up for the tar (a Dockerfile from outside the context, the effective `.dockerignore`). */
  generated: Array<{ name: string; content: string }>;
}

export interface PlanBuildContextOptions {
  context: string;
  /** Relative to the context directory, or absolute; may be outside the context. Default `Dockerfile`. */
  dockerfile?: string | undefined;
}

const toPosix = (path: string) => path.split(sep).join('/');

export async function planBuildContext(options: PlanBuildContextOptions): Promise<BuildContextPlan> {
  const contextDir = resolve(options.context);
  const contextStat = await stat(contextDir).catch(() => undefined);
  if (!contextStat?.isDirectory()) {
    throw new InvalidInputError(
      `The build context '${options.context}' is not a directory; pass the directory that holds your app.`,
    );
  }
  const dockerfilePath = resolve(contextDir, options.dockerfile ?? 'Dockerfile');
  const dockerfileText = await readFile(dockerfilePath, 'utf8').catch((cause: NodeJS.ErrnoException) => {
    throw new InvalidInputError(
      `No Dockerfile at '${dockerfilePath}' (${cause.code ?? cause.message}); create one (ship init) or point 'dockerfile' at it.`,
      { cause },
    );
  });

  const relativeDockerfile = toPosix(relative(contextDir, dockerfilePath));
  const insideContext = relativeDockerfile !== '' && !relativeDockerfile.startsWith('../') && !isAbsolute(relativeDockerfile);
  const dockerfileInTar = insideContext ? relativeDockerfile : `.dockerfile.${randomBytes(10).toString('hex')}`;

  const specificIgnore = `${dockerfilePath}.dockerignore`;
  const rootIgnore = join(contextDir, '.dockerignore');
  let ignoreFile: string | undefined;
  let ignoreText = '';
  for (const candidate of [specificIgnore, rootIgnore]) {
    const text = await readFile(candidate, 'utf8').catch(() => undefined);
    if (text !== undefined) {
      ignoreFile = candidate;
      ignoreText = text;
      break;
    }
  }
  const patterns = parseDockerignore(ignoreText);

  // As the CLI does: the Dockerfile and .dockerignore always go; the engine hides them from COPY when ignored.
  const walkPatterns = [...patterns];
  const matcher = new DockerignoreMatcher(patterns);
  if (matcher.ignores('.dockerignore')) walkPatterns.push('!.dockerignore');
  if (insideContext && matcher.ignores(relativeDockerfile)) walkPatterns.push(`!${relativeDockerfile}`);

  const sendsOwnIgnoreFile = ignoreFile === rootIgnore && insideContext;
  const entries = await walk(contextDir, new DockerignoreMatcher(walkPatterns), sendsOwnIgnoreFile);

  const generated: BuildContextPlan['generated'] = [];
  if (!insideContext) generated.push({ name: dockerfileInTar, content: dockerfileText });
  if (!sendsOwnIgnoreFile && (ignoreFile !== undefined || !insideContext)) {
    // The engine reads .dockerignore to hide the Dockerfile from COPY: give it the rules that applied,
    // and hide this made-up file too, which is not the user's.
    const lines = ignoreText === '' ? [] : [ignoreText.replace(/\n?$/, '\n')];
    if (!insideContext) lines.push(`${dockerfileInTar}\n`);
    lines.push('.dockerignore\n');
    generated.push({ name: '.dockerignore', content: lines.join('') });
  }

  return { contextDir, dockerfileInTar, dockerfileText, ignoreFile, ignoreText, entries, generated };
}

/** Walks the context like the CLI: an ignored directory is skipped unless a `!` pattern names something in it. */
async function walk(contextDir: string, matcher: DockerignoreMatcher, sendsOwnIgnoreFile: boolean): Promise<string[]> {
  const entries: string[] = [];
  const visit = async (relativeDir: string): Promise<void> => {
    const names = (await readdir(join(contextDir, relativeDir))).sort();
    for (const name of names) {
      const path = relativeDir === '' ? name : `${relativeDir}/${name}`;
      if (path === '.dockerignore' && !sendsOwnIgnoreFile) continue;
      const info: Stats = await lstat(join(contextDir, path));
      if (info.isSocket() || info.isFIFO() || info.isBlockDevice() || info.isCharacterDevice()) continue;
      const ignored = matcher.ignores(path);
      if (!ignored) entries.push(path);
      if (info.isDirectory() && (!ignored || (matcher.hasExclusions && matcher.mayReincludeUnder(path)))) {
        await visit(path);
      }
    }
  };
  await visit('');
  return entries;
}

export interface PackedContext {
  stream: Readable;
  /** Bytes of tar sent so far (all of them once the stream has ended). */
  bytes(): number;
}

/** Streams the plan as a tar; parents of re-included files go as directory entries so their files land. */
export function packBuildContext(plan: BuildContextPlan): PackedContext {
  const send = new Set(plan.entries);
  for (const entry of plan.entries) {
    const parts = entry.split('/');
    for (let i = 1; i < parts.length; i++) send.add(parts.slice(0, i).join('/'));
  }
  const topLevel = [...send].filter((entry) => !entry.includes('/')).sort();
  const contextDir = plan.contextDir;
  const options: PackOptions & { sort: boolean } = {
    entries: topLevel,
    sort: true,
    ignore: (name: string) => !send.has(toPosix(relative(contextDir, name))),
    // Owners on this machine mean nothing in the image; the builder uses root unless COPY --chown says.
    map: (header) => ({ ...header, uid: 0, gid: 0 }),
    finalize: false,
    finish: (tarPack) => {
      for (const file of plan.generated) {
        tarPack.entry({ name: file.name, mode: 0o644, mtime: new Date(0) }, file.content);
      }
      tarPack.finalize();
    },
  };
  const tar = pack(contextDir, options);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback(null, chunk);
    },
  });
  tar.on('error', (error) => counter.destroy(error));
  counter.on('close', () => {
    if (!tar.destroyed) tar.destroy();
  });
  tar.pipe(counter);
  return { stream: counter, bytes: () => bytes };
}
