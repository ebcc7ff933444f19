import { InvalidInputError } from '../errors.js';

/**
 * Pure: BuildKit's build inputs as `docker buildx build` spells them on the command line, parsed
 * into the SDK's options, and the checks that need no engine.
 */

/**
 * A build secret: `RUN --mount=type=secret,id=ID` reads it. At most one source; with none, as
 * buildx does, the environment variable named like the id when it is set, else the file at that path.
 */
export interface BuildSecret {
  id: string;
  /** Read from this environment variable. */
  env?: string;
  /** Read from this file. */
  src?: string;
  /** The value itself (the action's masked `secrets` input). */
  value?: string;
}

/** An SSH agent to forward: `RUN --mount=type=ssh[,id=ID]` uses it. */
export interface BuildSsh {
  /** `default` for `--mount=type=ssh` without an id. */
  id: string;
  /**
   * One agent socket, or private key files (OpenSSH or PEM, without a passphrase) that an
   * in-process agent offers; default the agent in `$SSH_AUTH_SOCK`.
   */
  paths?: string[];
}

const ID = /^[A-Za-z0-9_.-]+$/;

function fields(spec: string, flag: string, example = 'id=token,env=API_TOKEN'): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of spec.split(',')) {
    const equals = part.indexOf('=');
    if (equals <= 0) {
      throw new InvalidInputError(`'${spec}' is not a valid ${flag} value; write it as key=value pairs, e.g. ${example}.`);
    }
    result.set(part.slice(0, equals).trim().toLowerCase(), part.slice(equals + 1).trim());
  }
  return result;
}

/** `id=NAME,env=VAR` or `id=NAME,src=PATH` (also `source=`, `type=env|file`), as buildx reads `--secret`. */
export function parseSecretSpec(spec: string): BuildSecret {
  const parts = fields(spec.trim(), '--secret');
  const id = parts.get('id');
  if (!id || !ID.test(id)) {
    throw new InvalidInputError(
      `The secret '${spec}' has no valid id; write --secret id=NAME,env=VAR or --secret id=NAME,src=FILE.`,
    );
  }
  const type = parts.get('type');
  const src = parts.get('src') ?? parts.get('source');
  const env = parts.get('env') ?? (type === 'env' ? src : undefined);
  if (env !== undefined && type !== 'file') return { id, env };
  if (src !== undefined) return { id, src };
  // buildx: with neither, the id names an environment variable if one is set, else a file (read at build time).
  return { id };
}

/** `default`, `ID=SOCKET` or `ID=KEYFILE[,KEYFILE...]`, as buildx reads `--ssh`. */
export function parseSshSpec(spec: string): BuildSsh {
  const text = spec.trim();
  const equals = text.indexOf('=');
  const id = equals < 0 ? text : text.slice(0, equals);
  const paths = equals < 0 ? undefined : text.slice(equals + 1).split(',');
  if (!id || !ID.test(id) || paths?.some((path) => path.trim() === '')) {
    throw new InvalidInputError(
      `'${spec}' is not a valid --ssh value; write --ssh default (the agent in SSH_AUTH_SOCK), --ssh ID=SOCKET or --ssh ID=KEYFILE.`,
    );
  }
  return paths === undefined ? { id } : { id, paths: paths.map((path) => path.trim()) };
}

/**
 * Only inline cache can be exported by this engine's BuildKit: `inline` or `type=inline`; `none` (or
 * `type=none`) writes no cache, which turns off the release's default.
 */
export function parseCacheTo(spec: string): 'inline' | 'none' {
  const text = spec.trim();
  if (text === 'inline' || /^type=inline(,.*)?$/.test(text)) return 'inline';
  if (text === 'none' || text === 'type=none') return 'none';
  throw new InvalidInputError(
    `The cache export '${spec}' is not supported: the engine's built-in BuildKit exports only inline cache; use --cache-to inline (or none).`,
  );
}

/**
 * Docker before 23 (BuildKit 0.8 in Docker 20.10) can die of a stack overflow in BuildKit's inline cache
 * export (moby/buildkit#1609) when a build reads cache from an image (`cacheFrom`) and writes inline cache
 * (`cacheTo: inline`): measured here with a cache-from image whose cache came from a long-lived engine
 * (docs/buildkit.md). Pure: true for such an engine; an engine version that does not parse is not one.
 */
export function inlineCacheCanCrash(engineVersion: string): boolean {
  const major = /^v?(\d+)\.\d+/.exec(engineVersion.trim());
  return major !== null && Number(major[1]) < 23;
}

/** Pure: the warning for an explicit `cacheFrom` + `cacheTo: inline` on an engine where that can crash, else undefined. */
export function inlineCacheCrashWarning(
  engineVersion: string,
  cacheFrom: readonly string[] | undefined,
  cacheTo: readonly string[] | undefined,
): string | undefined {
  if (!cacheFrom?.length || !cacheTo?.includes('inline') || !inlineCacheCanCrash(engineVersion)) return undefined;
  return `cache-from together with cache-to inline can crash this engine (Docker ${engineVersion}): its BuildKit may kill dockerd with a stack overflow (moby/buildkit#1609) when a cache-from image's inline cache came from a long-lived engine; use cache-from images pushed from fresh CI runners, drop cache-from or cache-to inline, or upgrade to Docker 23 or later.`;
}

/** `--cache-from` takes `REF` or `type=registry,ref=REF` (buildx's spelling). */
export function parseCacheFrom(spec: string): string {
  const text = spec.trim();
  if (!text.includes('=')) return text;
  const parts = fields(text, '--cache-from');
  const ref = parts.get('ref');
  if ((parts.get('type') ?? 'registry') !== 'registry' || !ref) {
    throw new InvalidInputError(
      `The cache source '${spec}' is not supported: the engine reads cache only from images; write --cache-from REF or type=registry,ref=REF.`,
    );
  }
  return ref;
}

/**
 * Where a BuildKit build exports its result instead of making an image: the final stage's files
 * as a tar (`dest` a file, or `-` for standard output) or into a directory (`local`).
 */
export type BuildOutputSpec = { type: 'tar'; dest: string } | { type: 'local'; dest: string };

const OUTPUT_EXAMPLE = 'type=tar,dest=out.tar';
const ARCHIVE_NAME = /\.(tar|tar\.gz|tgz)$/i;

/**
 * `--output` as buildx reads it: `type=tar[,dest=FILE|-]` (no dest: standard output),
 * `type=local,dest=DIR`, a bare `-` (a tar on standard output) or a bare `PATH` (a directory).
 * This engine's BuildKit has only these two exporters; a bare path that looks like a tar is
 * refused rather than turned into a directory of that name.
 */
export function parseOutputSpec(spec: string): BuildOutputSpec {
  const text = spec.trim();
  if (text === '') {
    throw new InvalidInputError(
      'The --output value is empty; write type=tar,dest=FILE, type=local,dest=DIR, a directory path, or - for a tar on standard output.',
    );
  }
  if (text === '-') return { type: 'tar', dest: '-' };
  if (!text.includes('=')) {
    if (ARCHIVE_NAME.test(text)) {
      throw new InvalidInputError(
        `--output ${text} would write a directory named ${text} (a bare path means type=local, as in buildx); write --output type=tar,dest=${text} for a tar.`,
      );
    }
    return { type: 'local', dest: text };
  }
  const parts = fields(text, '--output', OUTPUT_EXAMPLE);
  const type = parts.get('type');
  if (type === undefined) {
    throw new InvalidInputError(`The output '${spec}' names no type; write type=tar,dest=FILE or type=local,dest=DIR.`);
  }
  if (type !== 'tar' && type !== 'local') {
    throw new InvalidInputError(
      `The output type '${type}' is not supported: this engine's BuildKit exports only type=tar and type=local; use one of them, or leave --output out to build an image.`,
    );
  }
  const unknown = [...parts.keys()].filter((key) => key !== 'type' && key !== 'dest');
  if (unknown.length > 0) {
    throw new InvalidInputError(
      `The output option${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not supported: type=${type} takes only dest; remove ${unknown.length === 1 ? 'it' : 'them'}.`,
    );
  }
  const dest = parts.get('dest');
  if (type === 'tar') {
    if (dest === '')
      throw new InvalidInputError(`The output '${spec}' has an empty dest; write dest=FILE, or dest=- for standard output.`);
    return { type, dest: dest ?? '-' };
  }
  if (dest === undefined || dest === '') {
    throw new InvalidInputError(`type=local needs a directory; write --output type=local,dest=DIR.`);
  }
  if (dest === '-') {
    throw new InvalidInputError(
      'type=local writes a directory and cannot go to standard output; write type=local,dest=DIR, or type=tar,dest=- for a tar on standard output.',
    );
  }
  return { type, dest };
}

/** Build args the builder reads itself; the unused-build-arg warning never names them. */
const PREDEFINED_ARGS = new Set([
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'FTP_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'ftp_proxy',
  'no_proxy',
  'all_proxy',
  'BUILDKIT_INLINE_CACHE',
  'BUILDKIT_MULTI_PLATFORM',
  'BUILDKIT_SYNTAX',
  'BUILDKIT_CONTEXT_KEEP_GIT_DIR',
  'BUILDKIT_SANDBOX_HOSTNAME',
  'SOURCE_DATE_EPOCH',
]);

/**
 * The warning the classic builder prints for build args no `ARG` consumes; BuildKit prints none,
 * so it is derived from the Dockerfile: `declared` is every ARG name in the stages being built
 * and before the first FROM.
 */
export function unusedBuildArgWarning(
  buildArgs: Record<string, string> | undefined,
  declared: ReadonlySet<string>,
): string | undefined {
  const unused = Object.keys(buildArgs ?? {}).filter((name) => !declared.has(name) && !PREDEFINED_ARGS.has(name));
  if (unused.length === 0) return undefined;
  return `One or more build-args [${unused.join(' ')}] were not consumed`;
}

/** The `# syntax=` frontend a Dockerfile asks for: only comment lines before the first instruction count. */
export function dockerfileSyntax(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (!trimmed.startsWith('#')) return undefined;
    const match = /^#\s*syntax\s*=\s*(\S+)/i.exec(trimmed);
    if (match) return match[1];
  }
  return undefined;
}

/** `os/arch[/variant]` reduced to `os/arch` for comparison with the engine's own platform. */
export function samePlatform(requested: string, engine: string): boolean {
  const [os, arch] = requested.trim().toLowerCase().split('/');
  const [engineOs, engineArch] = engine.toLowerCase().split('/');
  return os === engineOs && (arch === undefined || arch === engineArch || (arch === 'x86_64' && engineArch === 'amd64'));
}
