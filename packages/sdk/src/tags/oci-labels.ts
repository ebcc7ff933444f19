import { InvalidInputError } from '../errors.js';
import type { GitContext } from './git-types.js';

export interface OciLabelsOptions {
  git?: Partial<GitContext> | undefined;
  /** The image's version (the plan's main tag). */
  version?: string | undefined;
  /** Build time; defaults to now. */
  created?: Date | number | string | undefined;
  title?: string | undefined;
  description?: string | undefined;
  licenses?: string | undefined;
}

/**
 * The standard `org.opencontainers.image.*` labels. Unknown values are left out rather than
 * written as empty strings (metadata-action writes `revision=` and the like).
 */
export function ociLabels(options: OciLabelsOptions = {}): Record<string, string> {
  const git = options.git ?? {};
  const created = new Date(options.created ?? Date.now());
  const entries: Array<[string, string | undefined]> = [
    ['org.opencontainers.image.created', Number.isNaN(created.getTime()) ? undefined : created.toISOString()],
    ['org.opencontainers.image.description', options.description ?? git.description],
    ['org.opencontainers.image.licenses', options.licenses ?? git.license],
    ['org.opencontainers.image.revision', git.sha],
    ['org.opencontainers.image.source', git.sourceUrl],
    ['org.opencontainers.image.title', options.title ?? git.title],
    ['org.opencontainers.image.url', git.sourceUrl],
    ['org.opencontainers.image.version', options.version],
  ];
  const labels: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (value !== undefined && value.trim() !== '') labels[key] = value;
  }
  return labels;
}

/**
 * `SOURCE_DATE_EPOCH` (seconds since 1970, as reproducible-builds.org defines it) as a date, or
 * undefined when it is unset or empty. Builds given it stamp it as their `created` time.
 */
export function sourceDateEpoch(env: NodeJS.ProcessEnv = process.env): Date | undefined {
  const raw = env.SOURCE_DATE_EPOCH?.trim();
  if (!raw) return undefined;
  if (!/^\d{1,12}$/.test(raw)) {
    throw new InvalidInputError(
      `SOURCE_DATE_EPOCH is "${raw}", not a number of seconds since 1970; set it to a whole number such as $(git log -1 --format=%ct) or unset it.`,
    );
  }
  return new Date(Number(raw) * 1000);
}
