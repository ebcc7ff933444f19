import { removeImage } from '@container-ship/sdk';
import { listTags } from '@container-ship/sdk/registry';
import { loadTestbed, repoRoot, uniqueName } from '@container-ship/test-utils';
import { afterAll, describe, expect, test } from 'vitest';

import { ship } from './cli.js';

/** build → push → promote through the CLI, against the real engine and the test bed's registry. */
const registry = loadTestbed().registries.plain.host;
const image = `${registry}/${uniqueName('cli-itg-promote')}/flask-app`;

/** The digest a tag points at, as the registry says. */
async function digestOf(tag: string): Promise<string | null> {
  const path = image.slice(registry.length + 1);
  const response = await fetch(`http://${registry}/v2/${path}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json' },
  });
  return response.headers.get('docker-content-digest');
}

afterAll(async () => {
  for (const tag of ['edge', '0.9.0', '0.9', 'older', '1.1.5', '1.1'])
    await removeImage(`${image}:${tag}`, { force: true }).catch(() => {});
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

  test('an older version never moves latest or 1 backwards: promote and push --tag say so; --force moves them', async () => {
    // A second image (another label, so another digest) released as the older 1.1.x.
    const built = await ship(
      ['build', 'examples/flask-app', '--image', image, '--tag', 'older', '--label', 'i18.test=older', '--no-report'],
      {
        cwd: repoRoot,
      },
    );
    expect(built.code).toBe(0);
    const pushed = await ship(['push', `${image}:older`, '--tag', 'v1.1.5', '--json'], { cwd: repoRoot });
    expect(pushed.stderr).not.toMatch(/✖/);
    expect(pushed.code).toBe(0);
    const older = JSON.parse(pushed.stdout);
    expect(older.digest).not.toBe(digest);
    expect(older.refs).toEqual([`${image}:older`, `${image}:1.1.5`, `${image}:1.1`]);
    expect(older.skipped.map((s: { tag: string }) => s.tag)).toEqual([`${image}:1`, `${image}:latest`]);
    expect(pushed.stderr).toContain(
      `Not moving ${image}:latest: ${image}:1.2.3 already exists and is newer than 1.1.5, so latest stays where it is.`,
    );

    const promoted = await ship(['promote', `${image}:older`, '--tag', 'v1.1.4'], { cwd: repoRoot });
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toContain(
      [`kept      ${image}:1.1 (a newer release has it)`, `${image}:1 (a newer release has it)`, `${image}:latest (a newer`].join(
        '\n          ',
      ),
    );
    expect(promoted.stderr).toContain(`Not moving ${image}:latest: ${image}:1.2.3 already exists and is newer than 1.1.4`);
    expect(await digestOf('latest')).toBe(digest);
    expect(await digestOf('1')).toBe(digest);
    expect(await digestOf('1.1.4')).toBe(older.digest);

    const forced = await ship(['promote', `${image}:older`, '--tag', 'v1.1.4', '--force', '--json'], { cwd: repoRoot });
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ skipped: [] });
    expect(await digestOf('latest')).toBe(older.digest);
    expect(await digestOf('1')).toBe(older.digest);
  });

  test('ship tags reads the registry, so its plan is the one a release would make; --offline reads none', async () => {
    const read = await ship(['tags', '--image', image, '--tag', 'v1.1.6'], { cwd: repoRoot });
    expect(read.code).toBe(0);
    expect(read.stdout).toBe(`${image}:1.1.6\n${image}:1.1\n`);
    expect(read.stderr).toContain(`skipped ${image}:latest: ${image}:1.2.3 already exists and is newer than 1.1.6`);

    const offline = await ship(['tags', '--image', image, '--tag', 'v1.1.6', '--offline'], { cwd: repoRoot });
    expect(offline.stdout).toBe(['1.1.6', '1.1', '1', 'latest'].map((tag) => `${image}:${tag}\n`).join(''));

    // Nothing listens on port 1: the plan is made without the registry, and says so.
    const unreachable = await ship(['tags', '--image', '127.0.0.1:1/i18/app', '--tag', 'v1'], { cwd: repoRoot });
    expect(unreachable.code).toBe(0);
    expect(unreachable.stdout).toBe('127.0.0.1:1/i18/app:1\n127.0.0.1:1/i18/app:latest\n');
    expect(unreachable.stderr).toMatch(/Could not read the tags of 127\.0\.0\.1:1\/i18\/app \(.+\); planned without them/);
  });
});
