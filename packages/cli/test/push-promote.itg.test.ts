import { listTags, removeImage } from '@container-ship/sdk';
import { afterAll, describe, expect, test } from 'vitest';
import { loadTestbed, repoRoot, uniqueName } from '../../sdk/src/testing/testbed.js';
import { ship } from './cli.js';

/** build → push → promote through the CLI, against the real engine and the test bed's registry. */
const image = `${loadTestbed().registries.plain.host}/${uniqueName('cli-itg-promote')}/flask-app`;

afterAll(async () => {
  for (const tag of ['edge', '0.9.0', '0.9']) await removeImage(`${image}:${tag}`, { force: true }).catch(() => {});
});

describe('ship build, push and promote', () => {
  test('a literal tag is built as given', async () => {
    const run = await ship(['build', 'examples/flask-app', '--image', image, '--tag', 'edge', '--json'], { cwd: repoRoot });
    expect(run.stderr).not.toMatch(/✖/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.tags).toEqual([`${image}:edge`]);
    expect(result.imageId).toMatch(/^sha256:/);
  });

  let digest: string;
  test('ship push prints the digest; with --tag it also pushes the planned tags', async () => {
    const run = await ship(['push', `${image}:edge`, '--tag', 'v0.9.0', '--flavor', 'latest=false', '--json'], { cwd: repoRoot });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    digest = result.digest;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Major version 0 never gets a bare `0` tag.
    expect((await listTags(image)).sort()).toEqual(['0.9', '0.9.0', 'edge']);
  });

  test('ship promote adds 1.2.3, 1.2, 1 and latest with the same digest and no blob upload', async () => {
    const run = await ship(['promote', `${image}:edge`, '--tag', 'v1.2.3', '--json'], { cwd: repoRoot });
    expect(run.stderr).not.toMatch(/✖/);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      digest,
      bytesUploaded: 0,
      refs: ['1.2.3', '1.2', '1', 'latest'].map((tag) => `${image}:${tag}`),
    });
    expect((await listTags(image)).sort()).toEqual(['0.9', '0.9.0', '1', '1.2', '1.2.3', 'edge', 'latest']);
  });
});
