import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.js';
import type { BuildSecret } from './build-options.js';
import { readSecrets } from './read-secrets.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'read-secrets-'));
  await writeFile(join(dir, 'npmrc'), 'from-file');
  await writeFile(join(dir, 'TOKEN'), 'token-file');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('readSecrets: where each secret value comes from, as buildx reads them', () => {
  test.each<[string, BuildSecret, NodeJS.ProcessEnv, string]>([
    ['a value', { id: 'a', value: 'literal' }, {}, 'literal'],
    ['a file, relative to cwd', { id: 'a', src: 'npmrc' }, {}, 'from-file'],
    ['a variable', { id: 'a', env: 'API_TOKEN' }, { API_TOKEN: 'from-env' }, 'from-env'],
    ['an empty variable is a value', { id: 'a', env: 'EMPTY' }, { EMPTY: '' }, ''],
    ['only an id: the variable of that name first', { id: 'TOKEN' }, { TOKEN: 'token-env' }, 'token-env'],
    ['only an id: else the file of that name', { id: 'TOKEN' }, {}, 'token-file'],
  ])('%s', async (_, secret, env, expected) => {
    const values = await readSecrets([secret], env, dir);
    expect(values.get(secret.id)?.toString()).toBe(expected);
  });

  test.each<[string, BuildSecret, string]>([
    [
      'an unset variable',
      { id: 'a', env: 'NOT_SET' },
      "The secret 'a' reads the environment variable NOT_SET, which is not set; set it or use src=FILE.",
    ],
    [
      'only an id, with neither a variable nor a file of that name',
      { id: 'nowhere' },
      "The secret 'nowhere' has no source: no environment variable nowhere is set and no file 'nowhere' exists; pass --secret id=nowhere,env=VAR or id=nowhere,src=FILE.",
    ],
    ['a directory is not a file', { id: 'a', src: '.' }, "The secret 'a' could not be read from"],
    ['a src file that is missing, named like the id', { id: 'gone', src: 'gone' }, "The secret 'gone' could not be read from"],
  ])('refused: %s', async (_, secret, message) => {
    const failure = await readSecrets([secret], {}, dir).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(InvalidInputError);
    expect((failure as Error).message).toContain(message);
  });
});
