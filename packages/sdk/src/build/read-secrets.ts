import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvalidInputError } from '../errors.js';
import type { BuildSecret } from './build-options.js';

/** Secret values, read before anything is sent: a missing variable or file is the caller's to fix. */
export async function readSecrets(
  secrets: readonly BuildSecret[],
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
): Promise<Map<string, Buffer>> {
  const values = new Map<string, Buffer>();
  for (const secret of secrets) {
    if (secret.value !== undefined) values.set(secret.id, Buffer.from(secret.value));
    else if (secret.src !== undefined) values.set(secret.id, await readSecretFile(secret.id, resolve(cwd, secret.src)));
    else if (secret.env !== undefined) {
      const value = env[secret.env];
      if (value === undefined) {
        throw new InvalidInputError(
          `The secret '${secret.id}' reads the environment variable ${secret.env}, which is not set; set it or use src=FILE.`,
        );
      }
      values.set(secret.id, Buffer.from(value));
    } else {
      // Only an id: buildx reads the variable of that name when it is set, else the file at that path.
      const value = env[secret.id];
      const noSource = `The secret '${secret.id}' has no source: no environment variable ${secret.id} is set and no file '${secret.id}' exists; pass --secret id=${secret.id},env=VAR or id=${secret.id},src=FILE.`;
      values.set(
        secret.id,
        value !== undefined ? Buffer.from(value) : await readSecretFile(secret.id, resolve(cwd, secret.id), noSource),
      );
    }
  }
  return values;
}

/** `whenMissing`: the sentence for a file that does not exist, when that means something else than a bad path. */
async function readSecretFile(id: string, path: string, whenMissing?: string): Promise<Buffer> {
  return readFile(path).catch((cause: NodeJS.ErrnoException) => {
    if (whenMissing !== undefined && cause.code === 'ENOENT') throw new InvalidInputError(whenMissing, { cause });
    throw new InvalidInputError(
      `The secret '${id}' could not be read from '${path}' (${cause.code ?? cause.message}); point src at a readable file.`,
      { cause },
    );
  });
}
