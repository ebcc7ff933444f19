import { type PlanTagsOptions, planTags, type TagPlan } from '../tags/plan.js';
import { type ListTagsOptions, listTags } from './list-tags.js';

export interface PlanTagsInRepositoryOptions extends Omit<PlanTagsOptions, 'images' | 'existingTags'> {
  /** The repository the tags go to: `registry/name`. */
  repository: string;
  /** Move floating tags even backwards: the registry is not read and every planned tag is kept. */
  force?: boolean | undefined;
}

/**
 * The never-backwards guard that release, promote and push share: plans the tags of one
 * repository with the tags it already has, so a floating tag (X.Y, X, latest) never moves back
 * past a newer release there; `plan.skipped` says which stayed and why. `force` skips the guard
 * (and the registry read). `registry` is how to reach the repository (credentials, TLS, signal).
 */
export async function planTagsInRepository(
  options: PlanTagsInRepositoryOptions,
  registry: ListTagsOptions = {},
): Promise<TagPlan> {
  const { repository, force, ...plan } = options;
  const existingTags = force ? [] : await listTags(repository, registry);
  return planTags({ ...plan, images: [repository], existingTags });
}
