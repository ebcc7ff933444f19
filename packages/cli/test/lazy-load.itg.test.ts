import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exampleAppDir, loadTestbed, repoRoot, uniqueName } from '@container-ship/test-utils';
import { pushSyntheticImage } from '@container-ship/test-utils/registry';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

/**
 * Runs the built bin with a tracer preloaded (test/trace-modules.mjs) and maps every loaded
 * chunk back to the packages esbuild put in it (dist/meta.json), so "ship promote loads no
 * dockerode" is checked on what a user runs, not on the source's import graph.
 */
const bin = fileURLToPath(new URL('../bin/ship.js', import.meta.url));
const tracer = fileURLToPath(new URL('./trace-modules.mjs', import.meta.url));
const metaPath = fileURLToPath(new URL('../dist/meta.json', import.meta.url));
/** The engine client and what comes with it, gRPC, and the cloud SDKs. */
const HEAVY = /^(dockerode|docker-modem|ssh2|cpu-features|@grpc\/|protobufjs|@aws-sdk\/|@smithy\/|@azure\/|google-auth-library)/;
/** The SDK is bundled from its source: a chunk with an SDK file in it counts as loading the SDK. */
const SDK = '@container-ship/sdk';
const SDK_SOURCE = /(^|\/)sdk\/src\//;
const { plain, auth } = loadTestbed().registries;

let work: string;
let chunkPackages: Map<string, string[]>;

beforeAll(async () => {
  execFileSync(process.execPath, [fileURLToPath(new URL('../build.mjs', import.meta.url))], { stdio: 'inherit' });
  work = await mkdtemp(join(tmpdir(), 'i12-lazy-'));
  const meta = JSON.parse(await readFile(metaPath, 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
  chunkPackages = new Map(
    Object.entries(meta.outputs).map(([output, { inputs }]) => [
      basename(output),
      [...new Set(Object.keys(inputs).flatMap((input) => packageOf(input) ?? (SDK_SOURCE.test(input) ? SDK : [])))],
    ]),
  );
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** `../../node_modules/@grpc/grpc-js/build/x.js` → `@grpc/grpc-js`; undefined outside node_modules. */
function packageOf(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  if (at === -1) return undefined;
  const parts = path.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** A bare `require('pkg/sub')` → `pkg`; relative paths and built-ins → undefined. */
function packageOfRequest(request: string): string | undefined {
  if (request.startsWith('.') || request.startsWith('/') || request.startsWith('node:') || !/^[@a-z]/.test(request))
    return undefined;
  const parts = request.split('/');
  return request.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Runs the bin; resolves with its exit code, output and every package it loaded. */
async function traced(
  name: string,
  args: string[],
  o: { env?: NodeJS.ProcessEnv; stdin?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; packages: string[] }> {
  const trace = join(work, `${name}.trace`);
  const child = spawn(process.execPath, ['--import', tracer, bin, ...args], {
    cwd: repoRoot,
    env: { ...process.env, CI: 'true', SHIP_TRACE_MODULES: trace, ...o.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdin.end(o.stdin ?? '');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const packages = new Set<string>();
  for (const line of (await readFile(trace, 'utf8').catch(() => '')).split('\n')) {
    const [kind, what = ''] = line.split(' ');
    if (kind === 'cjs') {
      const pkg = packageOfRequest(what);
      if (pkg) packages.add(pkg);
    } else if (kind === 'esm' && what.startsWith('file:')) {
      const path = fileURLToPath(what);
      const pkg = packageOf(path);
      if (pkg) packages.add(pkg);
      for (const bundled of chunkPackages.get(basename(path)) ?? []) packages.add(bundled);
    }
  }
  return { code, stdout, stderr, packages: [...packages].sort() };
}

const heavy = (packages: string[]) => packages.filter((name) => HEAVY.test(name));

describe('start-up', () => {
  test.each(['--version', '--help', 'tags --help'])('ship %s loads commander and nothing of the SDK', async (line) => {
    const run = await traced(`start${line.replace(/\W/g, '-')}`, line.split(' '));
    expect(run.code).toBe(0);
    expect(run.stdout).not.toBe('');
    expect(run.packages).toEqual(['@commander-js/extra-typings', 'commander']);
  });
});

describe('commands that never reach an engine load no engine client, gRPC or cloud SDK', () => {
  test('the tracer sees dockerode when a command does load it (ship ps)', async () => {
    const run = await traced('ps', ['ps', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.packages).toContain('dockerode');
    expect(run.packages).toContain('@grpc/grpc-js');
  });

  test('ship promote', async () => {
    const repository = `${plain.host}/${uniqueName('i12-lazy')}`;
    await pushSyntheticImage(`${repository}:src`, { layerSizes: [1000] });
    const run = await traced('promote', ['promote', `${repository}:src`, '--tag', 'v1.2.3']);
    expect(run.stderr).toContain(`Tagged ${repository}:1.2.3`);
    expect(run.code).toBe(0);
    expect(run.packages).toContain('undici');
    expect(heavy(run.packages)).toEqual([]);
  });

  test('ship tags', async () => {
    const run = await traced('tags', ['tags', '--image', 'app', '--tag', 'v1.1', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).tags).toEqual(['app:1.1', 'app:1', 'app:latest']);
    expect(heavy(run.packages)).toEqual([]);
  });

  test('ship lint', async () => {
    const run = await traced('lint', ['lint', join(exampleAppDir, 'Dockerfile')]);
    expect(run.code).toBe(0);
    expect(run.packages).toContain('dockerfile-ast');
    expect(heavy(run.packages)).toEqual([]);
  });

  test('ship login', async () => {
    const run = await traced('login', ['login', auth.host, '-u', auth.username, '--password-stdin'], {
      stdin: `${auth.password}\n`,
      env: { DOCKER_CONFIG: join(work, 'docker-config') },
    });
    expect(run.stdout).toContain(`Logged in to ${auth.host}`);
    expect(run.code).toBe(0);
    expect(heavy(run.packages)).toEqual([]);
  });
});
