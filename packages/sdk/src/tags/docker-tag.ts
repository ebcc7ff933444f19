import { InvalidInputError } from '../errors.js';

/** Docker's tag grammar: a word character first, then up to 127 of `[\w.-]`. */
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export function isDockerTag(tag: string): boolean {
  return DOCKER_TAG.test(tag);
}

/** Throws when `tag` can never be a Docker tag; `origin` names where it came from. */
export function assertDockerTag(tag: string, origin: string): void {
  if (isDockerTag(tag)) return;
  const why =
    tag.length === 0
      ? 'is empty'
      : tag.length > 128
        ? `is ${tag.length} characters long (the limit is 128)`
        : /^[.-]/.test(tag)
          ? `starts with '${tag[0]}'`
          : 'contains characters other than letters, digits, _ . and -';
  throw new InvalidInputError(
    `The tag "${shorten(tag)}" from ${origin} ${why}, so Docker cannot use it; pick a tag of letters, digits, _ . and - that starts with a letter, digit or _.`,
  );
}

/** metadata-action's sanitising: every run of characters a tag cannot hold becomes one `-`. */
export function sanitizeTag(value: string): string {
  return value.replace(/[^a-zA-Z0-9._-]+/g, '-');
}

/** Lower-cases an image name and rejects one that already carries a tag or digest. */
export function normalizeImageName(image: string): string {
  const name = image.trim().toLowerCase();
  if (name.length === 0) throw new InvalidInputError('An image name is empty; pass names like ghcr.io/org/app.');
  if (name.includes('@') || name.lastIndexOf(':') > name.lastIndexOf('/')) {
    throw new InvalidInputError(
      `The image "${image}" already has a tag or digest; pass the name alone (for example ghcr.io/org/app) and let the plan add tags.`,
    );
  }
  if (/\s/.test(name)) throw new InvalidInputError(`The image name "${image}" contains whitespace; remove it.`);
  return name;
}

export function shorten(text: string, max = 60): string {
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
