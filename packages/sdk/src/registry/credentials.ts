import type { RegistryAuth } from '../auth/registry-auth.js';

export type { RegistryAuth } from '../auth/registry-auth.js';

export function basicAuthorization(auth: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
}

export function hasPassword(auth: RegistryAuth | undefined): auth is { username: string; password: string } {
  return auth !== undefined && 'password' in auth;
}
