/**
 * What engine discovery reads, as plain data: the shape of the SDK's internal `DiscoveryInput`,
 * written out here so the SDK keeps that type internal. The compiler checks the match where a
 * test passes a table input to the discovery code.
 */
export interface TableInput {
  env: Record<string, string>;
  home: string;
  uid: number;
  exists(path: string): boolean;
  readFile(path: string): string | undefined;
}

/** A discovery input from a table: environment variables and the files that exist (with their text). */
export function tableInput(env: Record<string, string> = {}, files: Record<string, string> = {}, uid = 1000): TableInput {
  return {
    env,
    home: '/home/dev',
    uid,
    exists: (path) => path in files,
    readFile: (path) => files[path],
  };
}
