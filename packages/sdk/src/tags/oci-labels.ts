import type { GitContext } from './git-types.js';

export interface OciLabelsOptions {
  git?: Partial<GitContext>;
  /** The image's version (the plan's main tag). */
  version?: string;
  /** Build time; defaults to now. */
  created?: Date | number | string;
  title?: string;
  description?: string;
  licenses?: string;
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
