import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeImage } from '@container-ship/sdk';
import { RegistryClient } from '@container-ship/sdk/registry';
import { loadTestbed, uniqueName } from '@container-ship/test-utils';
import { type RegistryProxy, type StartedRegistry, startRegistry, startRegistryProxy } from '@container-ship/test-utils/registry';
import { afterAll, beforeAll, expect, test } from 'vitest';

// Two real `ship release` processes of the same repository, 1.0.0 and 1.1.0, started together,
// ten rounds with the start order alternating. A proxy in front of a registry of the test's own
// delays manifest and tag-list requests by a seeded random 0-250 ms, so the two runs' reads and
// writes interleave differently from round to round. Whatever the interleaving, 1, latest (and
// 1.1) must end at 1.1.0's digest and 1.0 at 1.0.0's.
const ROUNDS = 10;
const outdir = fileURLToPath(new URL(`../node_modules/.cache/i14-ship-${randomBytes(4).toString('hex')}/`, import.meta.url));
let registry: StartedRegistry;
let proxy: RegistryProxy;
let app: string;
const localRefs: string[] = [];

beforeAll(async () => {
  execFileSync(process.execPath, [fileURLToPath(new URL('../build.mjs', import.meta.url))], {
    stdio: 'inherit',
    env: { ...process.env, SHIP_CLI_OUTDIR: outdir },
  });
  registry = await startRegistry();
  let seed = 14;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  proxy = await startRegistryProxy({
    upstream: registry.url,
    fault: ({ path }) => (/\/(manifests|tags)\//.test(path) ? { kind: 'delay', ms: Math.floor(random() * 250) } : undefined),
  });
  app = await mkdtemp(join(tmpdir(), 'i14-concurrent-app-'));
  await writeFile(join(app, 'Dockerfile'), `FROM ${loadTestbed().baseImage}\nRUN echo i14-concurrent > /i14\n`);
});

afterAll(async () => {
  for (const ref of localRefs) await removeImage(ref, { force: true }).catch(() => {});
  await proxy?.stop();
  await registry?.stop();
  await rm(outdir, { recursive: true, force: true });
  if (app) await rm(app, { recursive: true, force: true });
});

function shipRelease(image: string, version: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    [join(outdir, 'ship.js'), 'release', app, '--image', image, '--tag', version, '--no-smoke', '--json'],
    { env: { ...process.env, CI: 'true' } },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function digests(repository: string, tags: string[]): Promise<Record<string, string | undefined>> {
  const client = new RegistryClient(registry.host);
  try {
    const entries = await Promise.all(tags.map(async (tag) => [tag, (await client.headManifest(repository, tag))?.digest]));
    return Object.fromEntries(entries);
  } finally {
    await client.close();
  }
}

test(`two concurrent releases, ${ROUNDS} rounds: 1, 1.1 and latest always end at the newest version`, async () => {
  const outcomes: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const repository = uniqueName(`i14-concurrent/app-${round}`);
    const image = `${proxy.host}/${repository}`;
    localRefs.push(`${image}:1.0.0`, `${image}:1.1.0`);
    const order = round % 2 === 0 ? ['1.0.0', '1.1.0'] : ['1.1.0', '1.0.0'];
    const runs = await Promise.all(order.map((version) => shipRelease(image, version)));
    for (const run of runs) expect(run.code, run.stderr).toBe(0);

    const stored = await digests(repository, ['1.0.0', '1.1.0', '1.0', '1.1', '1', 'latest']);
    expect(stored['1.0.0']).toMatch(/^sha256:/);
    expect(stored['1.1.0']).toMatch(/^sha256:/);
    expect(stored['1.0.0']).not.toBe(stored['1.1.0']);
    const newest = stored['1.1.0'];
    expect({ round, order, '1': stored['1'], '1.1': stored['1.1'], latest: stored.latest, '1.0': stored['1.0'] }).toEqual({
      round,
      order,
      '1': newest,
      '1.1': newest,
      latest: newest,
      '1.0': stored['1.0.0'],
    });
    // Each run's report agrees with the registry: a floating tag is in `tags` only if it holds that run's digest.
    for (const run of runs) {
      const json = JSON.parse(run.stdout) as { version: string; digest: string; tags: string[] };
      for (const ref of json.tags) expect(stored[ref.slice(ref.lastIndexOf(':') + 1)]).toBe(json.digest);
    }
    const older = JSON.parse(runs[order.indexOf('1.0.0')]?.stdout ?? '{}') as {
      skipped: Array<{ tag: string; reason: string }>;
    };
    const how = (reason: string) =>
      reason.includes('points at it')
        ? 'repointed after writing'
        : reason.includes('is being published')
          ? 'left to the newer run'
          : 'saw 1.1.0 before writing';
    outcomes.push(
      `round ${round} (${order[0]} started first): 1.0.0 ${older.skipped.map((s) => `${s.tag.slice(s.tag.lastIndexOf(':') + 1)}: ${how(s.reason)}`).join(', ') || 'moved nothing back'}`,
    );
  }
  console.info(outcomes.join('\n'));
}, 1_200_000);
