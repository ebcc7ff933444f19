import { InvalidInputError } from '../errors.js';

/**
 * A repository in a registry, as the registry's HTTP API names it: `host` is where requests
 * go (Docker Hub's API host for `docker.io`), `name` is the path under `/v2/`.
 */
export interface RepositoryRef {
  /** The registry as users write it (`docker.io`, `ghcr.io`, `localhost:5001`). */
  registry: string;
  /** The host:port the HTTP API answers on. */
  host: string;
  name: string;
  tag?: string;
  digest?: string;
}

const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API = 'registry-1.docker.io';
const NAME_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/** `docker.io`, `index.docker.io` and `registry-1.docker.io` are one registry. */
export function normalizeRegistry(registry: string): string {
  const lower = registry
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  if (lower === 'index.docker.io' || lower === DOCKER_HUB_API || lower === 'docker.io/v1') return DOCKER_HUB;
  if (lower.startsWith('index.docker.io/')) return DOCKER_HUB;
  return lower;
}

/** The host the Registry HTTP API answers on for a registry. */
export function apiHost(registry: string): string {
  return normalizeRegistry(registry) === DOCKER_HUB ? DOCKER_HUB_API : normalizeRegistry(registry);
}

function looksLikeHost(component: string): boolean {
  return component.includes('.') || component.includes(':') || component === 'localhost';
}

/** Parses `[host/]name[:tag][@digest]` the way the engine does (Docker Hub and `library/` by default). */
export function parseRepositoryRef(ref: string): RepositoryRef {
  const input = ref.trim();
  if (input === '') throw new InvalidInputError('An image reference is empty; pass one like registry.example.com/app:1.0.');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      throw new InvalidInputError(`The digest in '${ref}' is not valid; use the form sha256:<64 hex digits>.`);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag))
      throw new InvalidInputError(
        `The tag '${tag}' in '${ref}' is not valid; tags use letters, digits, '_', '.' and '-' (at most 128).`,
      );
  }
  const parts = rest.split('/');
  let registry = DOCKER_HUB;
  const first = parts[0];
  if (parts.length > 1 && first !== undefined && looksLikeHost(first)) {
    registry = normalizeRegistry(first);
    parts.shift();
  }
  if (registry === DOCKER_HUB && parts.length === 1) parts.unshift('library');
  const name = parts.join('/');
  if (parts.length === 0 || !parts.every((part) => NAME_COMPONENT.test(part))) {
    throw new InvalidInputError(
      `The repository name in '${ref}' is not valid; use lower-case letters, digits and separators like my-team/app.`,
    );
  }
  return {
    registry,
    host: apiHost(registry),
    name,
    ...(tag === undefined ? {} : { tag }),
    ...(digest === undefined ? {} : { digest }),
  };
}

/** `registry/name:tag` or `registry/name@digest`, as users write it. */
export function formatRef(repo: Pick<RepositoryRef, 'registry' | 'name'>, reference?: string): string {
  const base = `${repo.registry}/${repo.name}`;
  if (reference === undefined) return base;
  return reference.includes(':') ? `${base}@${reference}` : `${base}:${reference}`;
}

export function isDigest(reference: string): boolean {
  return DIGEST.test(reference);
}
