/**
 * Credentials for one registry, shaped like the engine's `AuthConfig` (and the contract's
 * `RegistryAuth`): a username and password (or access token), or an OAuth2 refresh token.
 */
export type RegistryAuth =
  | { username: string; password: string; serveraddress?: string }
  | { identitytoken: string; serveraddress?: string };

export function basicAuthorization(auth: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

export function hasPassword(auth: RegistryAuth | undefined): auth is { username: string; password: string } {
  return auth !== undefined && 'password' in auth;
}
