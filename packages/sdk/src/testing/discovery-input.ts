import type { DiscoveryInput } from '../engine/discovery/strategy.js';

/** A discovery input from a table: environment variables and the files that exist (with their text). */
export function tableInput(env: Record<string, string> = {}, files: Record<string, string> = {}, uid = 1000): DiscoveryInput {
  return {
    env,
    home: '/home/dev',
    uid,
    exists: (path) => path in files,
    readFile: (path) => files[path],
  };
}
