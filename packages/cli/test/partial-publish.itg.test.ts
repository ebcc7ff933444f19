import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeImage } from '@container-ship/sdk';
import { RegistryClient } from '@container-ship/sdk/registry';
import { loadTestbed, uniqueName } from '@container-ship/test-utils';
import { type RegistryProxy, type StartedRegistry, startRegistry, startRegistryProxy } from '@container-ship/test-utils/registry';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { errorLines, ship } from './cli.js';

// `ship release` when the registry takes 1.0.0 and then answers 500 to the manifest PUT of 1.0:
// exit 1, and every output says exactly what the registry holds.
let registry: StartedRegistry;
let proxy: RegistryProxy;
let app: string;
const localRefs: string[] = [];

beforeAll(async () => {
  registry = await startRegistry();
  proxy = await startRegistryProxy({
    upstream: registry.url,
    fault: ({ method, path }) =>
      method === 'PUT' && path.endsWith('/manifests/1.0') ? { kind: 'answer', status: 500 } : undefined,
  });
  app = await mkdtemp(join(tmpdir(), 'i14-cli-partial-'));
  await writeFile(join(app, 'Dockerfile'), `FROM ${loadTestbed().baseImage}\nRUN echo i14-cli > /i14\n`);
});

afterAll(async () => {
  for (const ref of localRefs) await removeImage(ref, { force: true }).catch(() => {});
  await proxy?.stop();
  await registry?.stop();
  if (app) await rm(app, { recursive: true, force: true });
});

test.each([
  { format: 'text', flags: [] },
  { format: '--json', flags: ['--json'] },
])(
  'a partial publish ($format): exit 1, "published 1.0.0; 1.0, 1, latest failed", and the registry agrees',
  async ({ flags }) => {
    const repository = uniqueName('i14-cli-partial/app');
    const image = `${proxy.host}/${repository}`;
    localRefs.push(`${image}:1.0.0`);
    const run = await ship(['release', app, '--image', image, '--tag', 'v1.0.0', '--no-smoke', ...flags], {
      env: { DOCKER_CONFIG: app },
    });

    expect(run.code, run.stderr).toBe(1);
    const [line] = errorLines(run.stderr);
    expect(line).toMatch(/; published 1\.0\.0; 1\.0, 1, latest failed; fix it and release again\.$/);
    if (flags.includes('--json')) {
      const json = JSON.parse(run.stdout) as { tags: string[]; failedTags: string[]; pushed: boolean };
      expect(json).toMatchObject({
        tags: [`${image}:1.0.0`],
        failedTags: ['1.0', '1', 'latest'].map((tag) => `${image}:${tag}`),
        pushed: false,
      });
    } else {
      expect(run.stdout).toMatch(new RegExp(`tags\\s+${image.replace(/[.]/g, '\\.')}:1\\.0\\.0\\n`));
      expect(run.stdout).toMatch(/failed\s+\S+:1\.0\n/);
      expect(run.stdout).not.toContain('(none published)');
    }
    const client = new RegistryClient(registry.host);
    try {
      expect(await client.listTags(repository)).toEqual(['1.0.0']);
    } finally {
      await client.close();
    }
  },
  300_000,
);
