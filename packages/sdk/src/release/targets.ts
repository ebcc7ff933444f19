import type { RegistryAuth } from '../auth/registry-auth.js';
import { InvalidInputError } from '../errors.js';
import { DOCKER_HUB, parseImageRef } from '../image-ref.js';

/** Where a release publishes: a registry (optionally with a namespace), or a whole image name. */
export interface ReleaseRegistry {
  /** `ghcr.io`, `localhost:5001`, `ghcr.io/acme`: the image's name is put under it. */
  registry?: string | undefined;
  /** The whole repository name in that registry (`ghcr.io/acme/web`), when it differs from the image's. */
  image?: string | undefined;
  auth?: RegistryAuth | undefined;
}

/** One repository a release pushes to. */
export interface PublishTarget {
  /** Registry host (`localhost:5001`, `docker.io`). */
  registry: string;
  /** Full repository name without a tag (`localhost:5001/app`). */
  repository: string;
  auth?: RegistryAuth;
}

function untagged(name: string, what: string): string {
  // Image names are lower case (as planTags makes them); the registry host is case-insensitive.
  const text = name.trim().toLowerCase();
  const ref = parseImageRef(text);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw new InvalidInputError(
      `The ${what} '${text}' has a tag or digest; give the repository alone (e.g. localhost:5001/app) and the version separately.`,
    );
  }
  return text;
}

/** `app`, `docker.io/acme/app`, `localhost:5001/acme/app` → the path under the registry (`app`, `acme/app`). */
function pathOf(image: string): string {
  const ref = parseImageRef(image);
  if (ref.registry !== DOCKER_HUB) return ref.repository;
  const written = image.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  return written.startsWith('library/') ? ref.repository : ref.repository.replace(/^library\//, '');
}

/** `localhost:5001/app`, `ghcr.io/acme/app`, `docker.io/app`: the name was written with its registry host. */
function namesItsRegistry(image: string): boolean {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
}

/**
 * Pure: the repositories a release publishes to. Each image whose name includes its registry
 * host (`localhost:5001/app`, `ghcr.io/acme/app`) is a target; `registries` ADD to those: each
 * registry gets each image's path under it (or the registry's own `image`), with that
 * registry's credentials. A bare name (`app`, `acme/app`) with `registries` is only the path
 * under them, so nothing goes to Docker Hub by accident. Duplicates are dropped, order is kept.
 */
export function releaseTargets(images: string | string[], registries?: ReleaseRegistry[]): PublishTarget[] {
  const names = (Array.isArray(images) ? images : [images]).map((image) => untagged(image, 'image'));
  if (names.length === 0)
    throw new InvalidInputError('No image was given to release; pass an image name such as localhost:5001/app.');
  const targets: PublishTarget[] = [];
  const add = (repository: string, auth: RegistryAuth | undefined) => {
    const known = targets.find((t) => t.repository === repository);
    if (known) {
      // The image's own repository named again as a registry: keep it once, with that entry's credentials.
      if (auth && !known.auth) known.auth = auth;
      return;
    }
    targets.push({ registry: parseImageRef(repository).registry, repository, ...(auth ? { auth } : {}) });
  };
  const withRegistries = registries !== undefined && registries.length > 0;
  for (const name of names) if (!withRegistries || namesItsRegistry(name)) add(name, undefined);
  if (!withRegistries) return targets;
  for (const target of registries) {
    if (target.image) {
      const image = untagged(target.image, 'registry image');
      const explicitHost = parseImageRef(image).registry !== DOCKER_HUB || /^(docker\.io|index\.docker\.io)\//.test(image);
      add(
        target.registry && !explicitHost ? untagged(`${target.registry.replace(/\/+$/, '')}/${image}`, 'registry image') : image,
        target.auth,
      );
      continue;
    }
    if (!target.registry) {
      throw new InvalidInputError(
        'A registry entry names neither a registry nor an image; give registry (e.g. ghcr.io/acme) or image.',
      );
    }
    const prefix = target.registry.trim().replace(/\/+$/, '').toLowerCase();
    for (const name of names) add(untagged(`${prefix}/${pathOf(name)}`, 'registry'), target.auth);
  }
  return targets;
}

/**
 * Pure: one notice per name given with capitals. Registries take only lower-case repository
 * names, so a release lower-cases them; it says so instead of doing it silently.
 */
export function lowerCaseNotices(images: string | string[], registries?: ReleaseRegistry[]): string[] {
  const given = [
    ...(Array.isArray(images) ? images : [images]),
    ...(registries ?? []).flatMap((target) => [target.registry, target.image]),
  ];
  return given
    .filter((name): name is string => name !== undefined && name.trim() !== name.trim().toLowerCase())
    .map(
      (name) =>
        `The image name '${name.trim()}' has capitals, which registries do not accept; it is published as '${name.trim().toLowerCase()}' (write it in lower case to silence this).`,
    );
}
