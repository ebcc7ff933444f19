import { InvalidInputError } from './errors.js';

/**
 * An image reference split the way the docker CLI normalises it: `python:3.11` is
 * `docker.io/library/python:3.11`, `localhost:5001/app` is on `localhost:5001`.
 */
export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = 'docker.io';
/** The host Docker Hub's Registry HTTP API answers on. */
export const DOCKER_HUB_API = 'registry-1.docker.io';
const DOCKER_HUB_ALIASES = new Set([DOCKER_HUB, 'index.docker.io', DOCKER_HUB_API]);

// The grammar of github.com/distribution/reference, in the parts that matter for errors.
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

/** Pure: parses `[registry/]repository[:tag][@digest]`; throws InvalidInputError naming what is wrong. */
export function parseImageRef(ref: string): ImageRef {
  const input = ref.trim();
  const invalid = (why: string) =>
    new InvalidInputError(
      `'${ref}' is not a valid image reference (${why}); use [registry/]name[:tag], e.g. localhost:5001/app:1.0.`,
    );
  if (input === '') throw invalid('it is empty');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(`bad digest '${digest}'`);
  }

  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(`bad tag '${tag}'`);
  }

  let registry = DOCKER_HUB;
  const slash = rest.indexOf('/');
  const first = slash === -1 ? '' : rest.slice(0, slash);
  if (slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    if (!HOST.test(first)) throw invalid(`bad registry host '${first}'`);
    registry = DOCKER_HUB_ALIASES.has(first) ? DOCKER_HUB : first;
    rest = rest.slice(slash + 1);
  }

  if (rest === '') throw invalid('the name is missing');
  if (rest !== rest.toLowerCase()) throw invalid('the name must be lower case');
  for (const component of rest.split('/')) {
    if (!PATH_COMPONENT.test(component)) throw invalid(`bad name component '${component}'`);
  }
  const repository = registry === DOCKER_HUB && !rest.includes('/') ? `library/${rest}` : rest;

  return {
    registry,
    repository,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

export interface FormatImageRefOptions {
  /** Keep `docker.io/library/` instead of the short form the docker CLI shows. Default false. */
  canonical?: boolean | undefined;
  /** Add `:latest` when the reference has neither tag nor digest. Default false. */
  defaultTag?: boolean | undefined;
}

/** Pure: the reference as text; the short (familiar) form for Docker Hub unless `canonical`. */
export function formatImageRef(ref: ImageRef, options: FormatImageRefOptions = {}): string {
  let name = `${ref.registry}/${ref.repository}`;
  if (ref.registry === DOCKER_HUB && !options.canonical) {
    name = ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
  }
  const tag = ref.tag ?? (options.defaultTag && !ref.digest ? 'latest' : undefined);
  return `${name}${tag === undefined ? '' : `:${tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** The registry host a reference pushes to or pulls from (`docker.io` when none is named). */
export function registryOf(ref: string): string {
  return parseImageRef(ref).registry;
}

/**
 * Pure: a registry as people and docker config files write it (`https://index.docker.io/v1/`,
 * `localhost:5001/`, `https://localhost:5002/v2/`) to the one spelling every lookup uses: lower
 * case, no scheme, no path, Docker Hub's aliases as `docker.io`. Credentials are per host, as
 * the docker CLI keys them.
 */
export function normalizeRegistry(registry: string): string {
  const host = registry
    .trim()
    .toLowerCase()
    .replace(/^[a-z]+:\/\//, '')
    .replace(/\/.*$/, '');
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

/** Pure: the host the Registry HTTP API answers on for a registry (Docker Hub's is not `docker.io`). */
export function registryApiHost(registry: string): string {
  const normalized = normalizeRegistry(registry);
  return normalized === DOCKER_HUB ? DOCKER_HUB_API : normalized;
}
