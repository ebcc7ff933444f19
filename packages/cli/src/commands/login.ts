import { InvalidInputError } from '@container-ship/sdk';
import { login, storeCredentials } from '@container-ship/sdk/registry';
import type { CliContext, CommandResult } from '../context.js';
import { registryTls } from '../inputs.js';
import type { Flags } from '../program.js';

/** Where a password may come from besides stdin: never a flag, so it never shows in `ps`. */
export const PASSWORD_ENV = 'SHIP_PASSWORD';

async function readAll(input: NodeJS.ReadableStream | string | undefined): Promise<string> {
  if (input === undefined) return '';
  if (typeof input === 'string') return input;
  let text = '';
  for await (const chunk of input) text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  return text;
}

/** The password from stdin (--password-stdin) or SHIP_PASSWORD; undefined for providers that need none (ECR, GAR, ACR). */
export async function readPassword(ctx: Pick<CliContext, 'stdin' | 'env'>, flags: Flags<'login'>): Promise<string | undefined> {
  if (flags.password !== undefined) {
    throw new InvalidInputError(
      `A password given as a flag shows in the process list and shell history; pipe it with --password-stdin or set ${PASSWORD_ENV}.`,
    );
  }
  if (flags.passwordStdin) {
    const password = (await readAll(ctx.stdin ?? process.stdin)).replace(/\r?\n$/, '');
    if (password === '')
      throw new InvalidInputError(
        '--password-stdin read an empty password; pipe the password or token in, e.g. echo "$TOKEN" | ship login ...',
      );
    return password;
  }
  const fromEnv = ctx.env[PASSWORD_ENV];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

/** `ship login`: the SDK's provider-aware login, then the credentials stored like docker login does. */
export async function run(ctx: CliContext, [registry = '']: string[], flags: Flags<'login'>): Promise<CommandResult> {
  const password = await readPassword(ctx, flags);
  const result = await login({
    registry,
    // An empty --username counts as none: ghcr.io then takes GITHUB_ACTOR.
    ...(flags.username ? { username: flags.username } : {}),
    password,
    env: ctx.env,
    ...registryTls(ctx, flags),
    signal: ctx.signal,
    onProgress: ctx.onProgress,
  });
  const stored = await storeCredentials({ registry: result.registry, auth: result.auth, env: ctx.env });
  const username = 'username' in result.auth ? result.auth.username : undefined;
  const where = stored.helper ? `the docker-credential-${stored.helper} helper` : stored.configPath;
  return {
    data: {
      registry: result.registry,
      provider: result.provider,
      ...(username === undefined ? {} : { username }),
      configPath: stored.configPath,
      ...(stored.helper ? { helper: stored.helper } : {}),
      ...(result.expiresAt ? { expiresAt: result.expiresAt.toISOString() } : {}),
    },
    text: ctx.out.green(
      `✔ Logged in to ${result.registry}${username ? ` as ${username}` : ''} (${result.provider}); credentials stored in ${where}.`,
    ),
    quietText: result.registry,
  };
}
