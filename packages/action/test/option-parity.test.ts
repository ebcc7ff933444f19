import { mkdtempSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedReleaseOptions } from '@container-ship/sdk/config';
import { afterAll, describe, expect, test, vi } from 'vitest';
// The CLI's own commander program and `ship release` settings, driven in-process.
import { releaseSettings as cliReleaseSettings } from '../../cli/src/commands/release.js';
import { createContext } from '../../cli/src/context.js';
import { globalOptions } from '../../cli/src/main.js';
import { createProgram, type Flags } from '../../cli/src/program.js';
import { getInputs } from '../src/inputs.js';
import { releaseSettings as actionReleaseSettings } from '../src/release-options.js';

/**
 * The parity table: the same ship.yaml and the same settings, once as `ship release` flags
 * (through the CLI's real commander program) and once as action inputs (through the action's
 * real input reader, from INPUT_* variables as the runner sets them), must give identical
 * release options. One row per ship.yaml key: first ship.yaml alone, then overridden where
 * both adapters can override it. A new ship.yaml key gets a row here.
 */
interface Row {
  name: string;
  yaml: string;
  /** `ship` argv after `release`. */
  cli?: string[];
  /** Action inputs, by their action.yml name. */
  action?: Record<string, string>;
  expected: Partial<ResolvedReleaseOptions>;
}

const dir = mkdtempSync(join(tmpdir(), 'i13-parity-'));
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const IMAGE = 'image: localhost:5001/i13/app\n';

const rows: Row[] = [
  {
    name: 'image',
    yaml: 'image: [localhost:5001/i13/a, localhost:5001/i13/b]',
    expected: { image: ['localhost:5001/i13/a', 'localhost:5001/i13/b'] },
  },
  {
    name: 'image, overridden',
    yaml: IMAGE,
    cli: ['--image', 'ghcr.io/i13/x', '--image', 'ghcr.io/i13/y'],
    action: { images: 'ghcr.io/i13/x\nghcr.io/i13/y' },
    expected: { image: ['ghcr.io/i13/x', 'ghcr.io/i13/y'] },
  },
  { name: 'context', yaml: `${IMAGE}context: app`, expected: { context: join(dir, 'app') } },
  // The CLI finds ship.yaml in the context it is given, so --config keeps both on the same file.
  {
    name: 'context, overridden',
    yaml: `${IMAGE}context: app`,
    cli: ['--config', 'ship.yaml', 'release', 'other'],
    action: { context: 'other' },
    expected: { context: join(dir, 'other') },
  },
  { name: 'dockerfile', yaml: `${IMAGE}dockerfile: docker/Dockerfile`, expected: { dockerfile: join(dir, 'docker/Dockerfile') } },
  {
    name: 'dockerfile, overridden (--file is context-relative, file workspace-relative)',
    yaml: `${IMAGE}dockerfile: docker/Dockerfile`,
    cli: ['--file', 'Dockerfile.prod'],
    action: { file: 'Dockerfile.prod' },
    expected: { dockerfile: join(dir, 'Dockerfile.prod') },
  },
  { name: 'target', yaml: `${IMAGE}target: runtime`, expected: { target: 'runtime' } },
  {
    name: 'target, overridden',
    yaml: `${IMAGE}target: runtime`,
    cli: ['--target', 'test'],
    action: { target: 'test' },
    expected: { target: 'test' },
  },
  { name: 'platform', yaml: `${IMAGE}platform: linux/amd64`, expected: { platform: 'linux/amd64' } },
  { name: 'buildArgs', yaml: `${IMAGE}buildArgs: { A: 1, B: two }`, expected: { buildArgs: { A: '1', B: 'two' } } },
  {
    name: 'buildArgs, merged',
    yaml: `${IMAGE}buildArgs: { A: 1, B: two }`,
    cli: ['--build-arg', 'B=flag', '--build-arg', 'C=3'],
    action: { 'build-args': 'B=flag\nC=3' },
    expected: { buildArgs: { A: '1', B: 'flag', C: '3' } },
  },
  { name: 'labels', yaml: `${IMAGE}labels: { team: web }`, expected: { labels: { team: 'web' } } },
  {
    name: 'labels, merged',
    yaml: `${IMAGE}labels: { team: web, tier: 1 }`,
    cli: ['--label', 'team=api'],
    action: { labels: 'team=api' },
    expected: { labels: { team: 'api', tier: '1' } },
  },
  { name: 'pull', yaml: `${IMAGE}pull: true`, expected: { pull: true } },
  { name: 'noCache', yaml: `${IMAGE}noCache: true`, expected: { noCache: true } },
  {
    name: 'registries',
    yaml: `${IMAGE}registries: [{ registry: localhost:5002 }, { image: ghcr.io/i13/mirror }]`,
    expected: { registries: [{ registry: 'localhost:5002' }, { image: 'ghcr.io/i13/mirror' }] },
  },
  {
    name: 'smoke',
    yaml: `${IMAGE}smoke: { port: 8000, path: /healthz, expectStatus: 204, expectBody: ok, timeout: 45s, env: { MODE: test } }`,
    expected: {
      smoke: { port: 8000, path: '/healthz', expectStatus: 204, expectBody: 'ok', timeoutMs: 45_000, env: { MODE: 'test' } },
    },
  },
  {
    name: 'smoke, overridden field by field',
    yaml: `${IMAGE}smoke: { port: 8000, path: /healthz, expectBody: ok }`,
    cli: ['--port', '9000', '--expect-status', '201', '--timeout', '90s'],
    action: { 'smoke-port': '9000', 'smoke-expect-status': '201', 'smoke-timeout': '90' },
    expected: { smoke: { port: 9000, path: '/healthz', expectStatus: 201, expectBody: 'ok', timeoutMs: 90_000 } },
  },
  { name: 'smoke: false', yaml: `${IMAGE}smoke: false`, expected: { smoke: false } },
  {
    name: 'smoke: false, a port asked for turns it on',
    yaml: `${IMAGE}smoke: false`,
    cli: ['--port', '8080'],
    action: { 'smoke-port': '8080' },
    expected: { smoke: { port: 8080 } },
  },
  {
    name: 'smoke, turned off',
    yaml: `${IMAGE}smoke: { port: 8000 }`,
    cli: ['--no-smoke'],
    action: { 'smoke-test': 'false' },
    expected: { smoke: false },
  },
  { name: 'tags.version', yaml: `${IMAGE}tags: { version: v1.2.3 }`, expected: { version: 'v1.2.3' } },
  {
    name: 'tags.version, overridden',
    yaml: `${IMAGE}tags: { version: v1.2.3 }`,
    cli: ['--tag', 'v2.0.0'],
    action: { tag: 'v2.0.0' },
    expected: { version: 'v2.0.0' },
  },
  { name: 'tags.rules', yaml: `${IMAGE}tags: { rules: ['type=sha'] }`, expected: { tagRules: ['type=sha'] } },
  {
    name: 'tags.rules, replaced',
    yaml: `${IMAGE}tags: { rules: ['type=sha'] }`,
    cli: ['--rule', 'type=semver,pattern={{version}}', '--rule', 'type=ref,event=branch'],
    action: { tags: 'type=semver,pattern={{version}}\ntype=ref,event=branch' },
    expected: { tagRules: ['type=semver,pattern={{version}}', 'type=ref,event=branch'] },
  },
  { name: 'tags.flavor', yaml: `${IMAGE}tags: { flavor: ['latest=false'] }`, expected: { flavor: ['latest=false'] } },
  {
    name: 'tags.flavor, replaced',
    yaml: `${IMAGE}tags: { flavor: ['latest=false'] }`,
    cli: ['--flavor', 'prefix=api-'],
    action: { flavor: 'prefix=api-' },
    expected: { flavor: ['prefix=api-'] },
  },
  { name: 'tags.latest', yaml: `${IMAGE}tags: { latest: false }`, expected: { latest: false } },
  { name: 'tags.floating', yaml: `${IMAGE}tags: { floating: false }`, expected: { floating: false } },
  { name: 'tags.keepV', yaml: `${IMAGE}tags: { keepV: true }`, expected: { keepV: true } },
  {
    name: 'build: builder, secrets, ssh, cacheFrom, cacheTo',
    yaml: `${IMAGE}build:\n  builder: classic\n  secrets:\n    - id=npmrc,src=.npmrc\n  ssh: [default]\n  cacheFrom: [localhost:5001/i13/app:main]\n  cacheTo: [inline]\n`,
    expected: {
      builder: 'classic',
      secrets: [{ id: 'npmrc', src: join(dir, '.npmrc') }],
      ssh: [{ id: 'default' }],
      cacheFrom: ['localhost:5001/i13/app:main'],
      cacheTo: ['inline'],
    },
  },
  {
    name: 'build, overridden (a secret file is relative to the current directory, or the workspace)',
    yaml: `${IMAGE}build:\n  builder: classic\n  secrets:\n    - id=npmrc,src=.npmrc\n  cacheFrom: [localhost:5001/i13/app:main]\n`,
    cli: [
      '--builder',
      'buildkit',
      '--secret',
      'id=key,src=keys/k',
      '--cache-from',
      'localhost:5001/i13/app:dev',
      '--cache-to',
      'inline',
    ],
    action: {
      builder: 'buildkit',
      'secret-files': 'key=keys/k',
      'cache-from': 'localhost:5001/i13/app:dev',
      'cache-to': 'inline',
    },
    expected: {
      builder: 'buildkit',
      secrets: [{ id: 'key', src: join(dir, 'keys/k') }],
      cacheFrom: ['localhost:5001/i13/app:dev'],
      cacheTo: ['inline'],
    },
  },
  { name: 'push, turned off', yaml: IMAGE, cli: ['--no-push'], action: { push: 'false' }, expected: { push: false } },
];

/** `ship release ARGV` parsed by the real program; the settings its release would use. */
async function throughCli(argv: string[]): Promise<ResolvedReleaseOptions> {
  let settings: Promise<ResolvedReleaseOptions> | undefined;
  const program = createProgram(
    async (_load, args, flags: unknown) => {
      const ctx = createContext(
        { stdout: { write: () => true }, stderr: { write: () => true }, env: {}, cwd: dir },
        globalOptions(program.opts()),
        new AbortController().signal,
      );
      settings = cliReleaseSettings(ctx, args, flags as Flags<'release'>).then((resolved) => resolved.settings);
    },
    { writeOut: () => {}, writeErr: () => {} },
  );
  await program.parseAsync(argv.includes('release') ? argv : ['release', ...argv], { from: 'user' });
  if (settings === undefined) throw new Error(`ship ${argv.join(' ')} ran no command`);
  return settings;
}

/** The action's inputs as the runner passes them (INPUT_<NAME>), read by the real getInputs. */
async function throughAction(inputs: Record<string, string>): Promise<ResolvedReleaseOptions> {
  vi.stubEnv('GITHUB_EVENT_NAME', 'push');
  for (const [name, value] of Object.entries(inputs)) vi.stubEnv(`INPUT_${name.toUpperCase()}`, value);
  try {
    const { options } = await actionReleaseSettings(getInputs(), { eventName: 'push', workspace: dir, env: {} });
    return options;
  } finally {
    vi.unstubAllEnvs();
  }
}

describe('ship release and the action resolve the same options', () => {
  test.each(rows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    await writeFile(join(dir, 'ship.yaml'), row.yaml);
    const cli = await throughCli(row.cli ?? []);
    const action = await throughAction(row.action ?? {});
    expect(cli).toEqual(action);
    expect(cli).toMatchObject(row.expected);
  });

  test('every ship.yaml key has a row', async () => {
    const { shipConfigSchema } = await import('@container-ship/sdk/config');
    const covered = new Set(rows.map((row) => row.name.split(/[ ,:]/)[0]));
    const keys = Object.keys(shipConfigSchema.shape).flatMap((key) =>
      key === 'tags' ? Object.keys(shipConfigSchema.shape.tags.unwrap().shape).map((sub) => `tags.${sub}`) : [key],
    );
    // `lint` is read by lint, not by a release.
    expect(keys.filter((key) => key !== 'lint' && !covered.has(key))).toEqual([]);
  });
});
