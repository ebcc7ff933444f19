import { execFileSync } from 'node:child_process';
import { cp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { listShipContainers, removeImage } from '@container-ship/sdk';
import { exampleAppDir, loadTestbed, repoRoot, uniqueName } from '@container-ship/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakeGitHub } from './fake-github.js';
import { FakeRunner, type StepResult } from './runner.js';

// Contract tests: the COMMITTED bundle, spawned like the runner spawns it, against the real
// engine and the htpasswd registry. GitHub's API is the only fake (a local server, real Octokit).
const testbed = loadTestbed();
const registry = testbed.registries.auth;
const github = new FakeGitHub('acme', 'shop');
const localTags: string[] = [];
let runner: FakeRunner;
let apiUrl = '';

beforeAll(async () => {
  runner = await FakeRunner.create();
  apiUrl = await github.start();
});

afterAll(async () => {
  await github.stop();
  for (const tag of localTags) await removeImage(tag, { force: true }).catch(() => undefined);
  await rm(runner.dir, { recursive: true, force: true });
});

async function registryTags(repository: string): Promise<string[]> {
  const response = await fetch(`http://${registry.host}/v2/${repository}/tags/list`, {
    headers: { authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}` },
  });
  if (response.status === 404) return [];
  expect(response.status).toBe(200);
  return ((await response.json()) as { tags: string[] | null }).tags ?? [];
}

async function registryDigest(repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: {
      authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`,
      accept: 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json',
    },
  });
  return response.headers.get('docker-content-digest');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Where the secret shows up: only the mask command may carry it. */
function leaks(step: StepResult, secret: string): string[] {
  const where: string[] = [];
  const unmasked = step.stdout.split('\n').filter((line) => line.includes(secret) && line.trim() !== `::add-mask::${secret}`);
  if (unmasked.length > 0) where.push(`stdout: ${unmasked.length} line(s)`);
  if (step.stderr.includes(secret)) where.push('stderr');
  if (step.files.outputs.includes(secret)) where.push('outputs');
  if (step.files.summary.includes(secret)) where.push('summary');
  if (step.files.state.includes(secret)) where.push('state');
  return where;
}

async function postAndCheckClean(step: StepResult): Promise<void> {
  const configDir = step.state.dockerConfigDir;
  const post = await runner.post(step.state);
  expect(post.exitCode, post.stdout + post.stderr).toBe(0);
  if (configDir) expect(await exists(configDir)).toBe(false);
  expect(await listShipContainers({ runId: step.state.runId })).toEqual([]);
}

describe('a tag push', () => {
  const repository = `${uniqueName('ship-action')}/flask-app`;
  const image = `${registry.host}/${repository}`;
  const buildSecret = `npm_${uniqueName('secret')}`;

  test('builds, smoke-tests and pushes with a temporary login, sets outputs and the summary, and leaks no secret', async () => {
    github.addRelease('v1.4.2', 'Faster checkout.');
    const eventPath = await runner.writeEvent('push-tag', { ref: 'refs/tags/v1.4.2' });
    const inputs = {
      context: 'examples/flask-app',
      images: image,
      username: registry.username,
      password: registry.password,
      'build-args': `NPM_TOKEN=${buildSecret}`,
      'smoke-port': '5000',
      'smoke-path': '/',
      'smoke-expect-body': 'Hello',
      'github-token': 'write-token',
    };
    const env = {
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REF: 'refs/tags/v1.4.2',
      GITHUB_SHA: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim(),
      GITHUB_API_URL: apiUrl,
    };
    const step = await runner.main(inputs, env);
    localTags.push(...(step.outputs.tags?.split('\n').filter(Boolean) ?? []));
    expect(step.exitCode, step.stdout + step.stderr).toBe(0);

    // outputs
    const digest = step.outputs.digest ?? '';
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(step.outputs['image-id']).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(step.outputs['image-ref']).toBe(`${image}@${digest}`);
    expect(step.outputs.version).toBe('1.4.2');
    expect(step.outputs.tags?.split('\n')).toContain(`${image}:1.4.2`);
    expect(Number(step.outputs.size)).toBeGreaterThan(10_000_000);
    expect(step.outputs['smoke-status']).toBe('passed');
    expect(step.outputs['already-published']).toBe('false');
    expect(JSON.parse(step.outputs.metadata ?? '{}')).toMatchObject({ digest, pushed: true });

    // the registry really has it, under the digest the step reported
    expect(await registryTags(repository)).toContain('1.4.2');
    expect(await registryDigest(repository, '1.4.2')).toBe(digest);

    // summary, groups, masks
    expect(step.summary).toContain(digest);
    expect(step.summary).toContain('| Smoke test | ✅ passed');
    expect(step.summary).toMatch(/\| build \| [\d.]+ (ms|s) \|/);
    expect(step.stdout).toMatch(/^::group::/m);
    expect(step.stdout).toContain(`::add-mask::${registry.password}`);
    expect(step.stdout).toContain(`::add-mask::${buildSecret}`);
    expect(leaks(step, registry.password)).toEqual([]);
    expect(leaks(step, buildSecret)).toEqual([]);

    // the login lived in a Docker config of this run's own, not in ~/.docker
    const configDir = step.state.dockerConfigDir ?? '';
    expect(configDir.startsWith(runner.runnerTemp)).toBe(true);
    expect(await exists(join(configDir, 'config.json'))).toBe(true);
    expect(await exists(join(runner.home, '.docker', 'config.json'))).toBe(false);

    // the release notes got the refs once; a re-run of the job on the same commit builds the
    // same image (created is the commit date), finds it published, and replaces that section
    const notes = github.releases.find((r) => r.tag === 'v1.4.2')?.body ?? '';
    expect(notes.startsWith('Faster checkout.\n\n')).toBe(true);
    expect(notes).toContain(`\`${image}:1.4.2\``);
    expect(notes.split(`\`${image}@${digest}\``)).toHaveLength(2);
    const again = await runner.main(inputs, env);
    expect(again.exitCode, again.stdout + again.stderr).toBe(0);
    expect(again.outputs.digest).toBe(digest);
    expect(again.outputs['image-id']).toBe(step.outputs['image-id']);
    expect(again.outputs['already-published']).toBe('true');
    expect(await registryDigest(repository, '1.4.2')).toBe(digest);
    const notesAfter = github.releases.find((r) => r.tag === 'v1.4.2')?.body ?? '';
    expect(notesAfter.startsWith('Faster checkout.\n\n')).toBe(true);
    expect(notesAfter.match(/### Container image/g)).toHaveLength(1);
    expect(notesAfter.split(`\`${image}@${again.outputs.digest}\``)).toHaveLength(2);

    await postAndCheckClean(step);
    await postAndCheckClean(again);
  });
});

describe('a pull request', () => {
  const repository = `${uniqueName('ship-action-pr')}/flask-app`;
  const image = `${registry.host}/${repository}`;

  test('builds and smoke-tests, pushes nothing, and keeps one sticky comment across runs', async () => {
    const eventPath = await runner.writeEvent('pull-request', {
      action: 'synchronize',
      number: 42,
      pull_request: { number: 42 },
    });
    const inputs = { context: 'examples/flask-app', images: image, 'github-token': 'write-token', 'smoke-timeout': '60' };
    const env = {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REF: 'refs/pull/42/merge',
      GITHUB_API_URL: apiUrl,
    };

    const first = await runner.main(inputs, env);
    localTags.push(...(first.outputs.tags?.split('\n').filter(Boolean) ?? []));
    expect(first.exitCode, first.stdout + first.stderr).toBe(0);
    expect(first.outputs['smoke-status']).toBe('passed');
    expect(first.outputs.digest).toBe('');
    expect(first.outputs['image-ref']).toBe('');
    const second = await runner.main(inputs, env);
    expect(second.exitCode, second.stdout + second.stderr).toBe(0);

    const comments = github.comments.filter((c) => c.issueNumber === 42);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toContain(image);
    expect(comments[0]?.body).toContain(second.outputs['image-id']);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/issues/comments/'))).toHaveLength(1);
    expect(await registryTags(repository)).toEqual([]);

    await postAndCheckClean(first);
    await postAndCheckClean(second);
  });
});

describe('a failing smoke test', () => {
  const repository = `${uniqueName('ship-action-broken')}/flask-app`;
  const image = `${registry.host}/${repository}`;
  let brokenApp = '';

  beforeAll(async () => {
    // The example, with `/` answering 500 (and its unit test agreeing, so the build passes).
    brokenApp = join(runner.dir, 'broken-app');
    await cp(exampleAppDir, brokenApp, { recursive: true });
    const app = await readFile(join(brokenApp, 'app.py'), 'utf8');
    await writeFile(join(brokenApp, 'app.py'), app.replace('return "Hello from Docker!"', 'return "broken", 500'));
    const tests = await readFile(join(brokenApp, 'tests/test_app.py'), 'utf8');
    await writeFile(
      join(brokenApp, 'tests/test_app.py'),
      tests.replace(
        'self.assertEqual(response.status_code, 200)\n        self.assertEqual(response.get_data(as_text=True), "Hello from Docker!")',
        'self.assertEqual(response.status_code, 500)',
      ),
    );
  });

  test('fails the step with one sentence and pushes nothing', async () => {
    const step = await runner.main(
      {
        context: brokenApp,
        images: image,
        push: 'true',
        username: registry.username,
        password: registry.password,
        'smoke-timeout': '20',
      },
      { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main', GITHUB_API_URL: apiUrl },
    );
    localTags.push(`${image}:main`);
    expect(step.exitCode).toBe(1);
    const errors = step.stdout.split('\n').filter((line) => line.startsWith('::error::'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/500/);
    expect(step.stdout).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m);
    expect(step.outputs['smoke-status']).toBe('failed');
    expect(step.summary).toContain('Nothing was pushed.');
    expect(leaks(step, registry.password)).toEqual([]);
    expect(await registryTags(repository)).toEqual([]);
    await postAndCheckClean(step);
  });
});

test('a cancelled job (SIGINT mid smoke test) stops, fails, and leaves no container after post', async () => {
  const image = `${registry.host}/${uniqueName('ship-action-cancel')}/flask-app`;
  let signalled = false;
  const step = await runner.main(
    { context: 'examples/flask-app', images: image, push: 'false' },
    { GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' },
    (stdout, kill) => {
      if (!signalled && stdout.includes('::group::Smoke testing')) {
        signalled = true;
        kill('SIGINT');
      }
    },
  );
  localTags.push(`${image}:main`);
  expect(signalled).toBe(true);
  expect(step.exitCode).toBe(1);
  expect(step.stdout.split('\n').filter((line) => line.startsWith('::error::'))).toHaveLength(1);
  expect(step.stdout).not.toContain('✓ Smoke test passed');
  await postAndCheckClean(step);
});

test('a bad input fails at once with one sentence, before any engine work', async () => {
  const step = await runner.main(
    { images: `${registry.host}/never`, username: 'ci', password: 'hunter2-secret', 'smoke-port': 'http' },
    { GITHUB_EVENT_NAME: 'push' },
  );
  expect(step.exitCode).toBe(1);
  expect(step.stdout).toContain(
    "::error::Input smoke-port must be a port number from 1 to 65535, not 'http'; use the port the app listens on.",
  );
  expect(step.stdout).not.toMatch(/^\s+at /m);
  expect(step.stdout.split('\n')[0]).toBe('::add-mask::hunter2-secret');
  expect(leaks(step, 'hunter2-secret')).toEqual([]);
  const post = await runner.post(step.state);
  expect(post.exitCode).toBe(0);
});

test('the bundle is the one action.yml runs, for both main and post', async () => {
  const actionYml = await readFile(join(repoRoot, 'action.yml'), 'utf8');
  expect(actionYml).toMatch(/^\s+using: node24$/m);
  expect(actionYml).toMatch(/^\s+main: packages\/action\/dist\/index\.js$/m);
  expect(actionYml).toMatch(/^\s+post: packages\/action\/dist\/index\.js$/m);
});
