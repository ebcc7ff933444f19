import { isShipError } from '../errors.js';
import { RegistryClient, type RegistryClientOptions } from './client.js';
import type { RegistryAuth } from './credentials.js';
import { parseRepositoryRef } from './reference.js';

export interface ListTagsOptions extends Omit<RegistryClientOptions, 'auth'> {
  auth?: RegistryAuth;
}

/**
 * Every tag of a repository (`registry/name`; a tag or digest on it is ignored), in the
 * registry's order. A repository that does not exist yet has no tags: `[]`, not an error.
 */
export async function listTags(repoRef: string, options: ListTagsOptions = {}): Promise<string[]> {
  const repo = parseRepositoryRef(repoRef);
  const client = new RegistryClient(repo.registry, { ...options, phase: options.phase ?? 'pull' });
  try {
    return await client.listTags(repo.name);
  } catch (error) {
    if (isShipError(error) && error.code === 'REGISTRY_NAME_UNKNOWN') return [];
    throw error;
  } finally {
    await client.close();
  }
}
