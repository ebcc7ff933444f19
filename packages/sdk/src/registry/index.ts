// @container-ship/sdk/registry: registry HTTP (tags, promote, logins, credentials).

export {
  DOCKER_HUB_AUTH_KEY,
  type RegistryAuth,
  type ResolveRegistryAuthOptions,
  resolveRegistryAuth,
} from '../auth/registry-auth.js';
export { type BlobSource, type Manifest, RegistryClient, type RegistryClientOptions } from './client.js';
export { type PlanTagsInRepositoryOptions, planTagsInRepository } from './guarded-plan.js';
export { type ListTagsOptions, listTags } from './list-tags.js';
export { type LoginOptions, type LoginResult, login } from './login.js';
export { type PromoteOptions, type PromoteResult, promote } from './promote.js';
export { ACR_REFRESH_TOKEN_USERNAME } from './providers/acr.js';
export { detectProvider, type RegistryProvider } from './providers/detect.js';
export { type StoreCredentialsOptions, type StoredCredentials, storeCredentials } from './store-credentials.js';
