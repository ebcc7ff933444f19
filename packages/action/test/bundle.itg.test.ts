import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { removeImage } from '@container-ship/sdk';
import { loadTestbed, uniqueName } from '@container-ship/test-utils';
import { authRegistryDigest, cacheMountStep, writeCacheMountApp } from '@container-ship/test-utils/cache-mount-app';
import { sshKeyCountDockerfile } from '@container-ship/test-utils/ssh-probe';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { node24, versionOf } from './node24.js';
import { bundlePath, FakeRunner } from './runner.js';

/*
 * The action as `uses: org/container-ship@v1` gets it: the built dist/ copied into an empty
 * folder (no node_modules anywhere above it), run by the runner's Node 24 and by this machine's
 * Node 20. Each cloud login must load its SDK from the bundle's chunks and get as far as its
 * token endpoint: ECR and ECR Public reach a local stand-in of their API (the AWS SDK's own
 * AWS_ENDPOINT_URL_* setting), ACR and Artifact Registry their real endpoints, which cannot be
 * reached here (on a machine with internet they refuse the dummy credentials instead).
 */

interface AwsCall {
  target: string | undefined;
  authorization: string | undefined;
}

const awsCalls: AwsCall[] = [];
let aws: Server;
let awsUrl = '';
let workspace: string;
let keyFile: string;
const nodes: string[] = [];

/** GetAuthorizationToken as ECR (a list) and ECR Public (one object) answer it: base64 `AWS:<password>`. */
function startAwsStandIn(): Promise<string> {
  aws = createServer((request, response) => {
    const headers: IncomingHttpHeaders = request.headers;
    awsCalls.push({ target: headers['x-amz-target'] as string | undefined, authorization: headers.authorization });
    request.resume();
    request.on('end', () => {
      const data = { authorizationToken: Buffer.from('AWS:i13-password').toString('base64'), expiresAt: 1_900_000_000 };
      const isPublic = String(headers['x-amz-target']).startsWith('SpencerFrontendService.');
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ authorizationData: isPublic ? data : [data] }));
    });
  });
  return new Promise((resolve) =>
    aws.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(aws.address() as AddressInfo).port}`)),
  );
}

beforeAll(async () => {
  awsUrl = await startAwsStandIn();
  const root = await mkdtemp(join(tmpdir(), 'i13-bundle-'));
  workspace = join(root, 'workspace');
  await cp(dirname(bundlePath), join(root, 'action', 'dist'), { recursive: true });
  await cp(join(root, 'action'), workspace, { recursive: true });
  // A syntactically real service-account key, so google-auth-library signs a JWT and calls its token endpoint.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  keyFile = join(root, 'gcp-key.json');
  await writeFile(
    keyFile,
    JSON.stringify({
      type: 'service_account',
      project_id: 'i13-project',
      private_key_id: 'i13',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      client_email: 'i13@i13-project.iam.gserviceaccount.com',
      client_id: '113',
      token_uri: 'https://oauth2.googleapis.com/token',
    }),
  );
  nodes.push(await node24(), process.execPath);
}, 360_000);

afterAll(async () => {
  await new Promise((resolve) => aws?.close(resolve));
  if (workspace) await rm(dirname(workspace), { recursive: true, force: true });
});

test('the copy has no node_modules: the bundle, its chunks, the source map and the licences only', async () => {
  const entries = await readdir(join(workspace, 'dist'), { recursive: true });
  expect(entries.some((entry) => entry.includes('node_modules'))).toBe(false);
  expect(entries).toEqual(expect.arrayContaining(['index.js', 'index.js.map', 'licenses.txt']));
  expect(entries.some((entry) => entry.startsWith('chunks/') && entry.endsWith('.js'))).toBe(true);
});

test('the runner’s Node is 24', async () => {
  expect(await versionOf(nodes[0] ?? '')).toMatch(/^v24\./);
});

const cases = [
  {
    cloud: 'ECR',
    image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/i13/app',
    env: (): Record<string, string> => ({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_ECR: awsUrl }),
    reached: () => awsCalls.filter((call) => call.target === 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken'),
    // With the token in hand, only the registry itself (unreachable here) stops it.
    failure: /^(Could not reach the registry 123456789012\.dkr\.ecr|Login to 123456789012\.dkr\.ecr\S+ as AWS failed)/,
  },
  {
    cloud: 'ECR Public',
    image: 'public.ecr.aws/i13/app',
    env: (): Record<string, string> => ({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_ECR_PUBLIC: awsUrl }),
    reached: () => awsCalls.filter((call) => call.target === 'SpencerFrontendService.GetAuthorizationToken'),
    failure: /^(Could not reach the registry public\.ecr\.aws|Login to public\.ecr\.aws as AWS failed)/,
  },
  {
    cloud: 'ACR',
    image: 'i13example.azurecr.io/app',
    env: (): Record<string, string> => ({
      AZURE_TENANT_ID: '11111111-1111-1111-1111-111111111113',
      AZURE_CLIENT_ID: '22222222-2222-2222-2222-222222222213',
      AZURE_CLIENT_SECRET: 'i13-dummy-secret',
    }),
    failure: /^Microsoft Entra ID gave no token for i13example\.azurecr\.io \(/,
  },
  {
    cloud: 'Artifact Registry',
    image: 'europe-west1-docker.pkg.dev/i13-project/repo/app',
    env: (): Record<string, string> => ({ GOOGLE_APPLICATION_CREDENTIALS: keyFile }),
    failure: /^Google gave no access token for europe-west1-docker\.pkg\.dev \(/,
  },
];

describe.each([
  { label: 'Node 24, the runner’s', index: 0 },
  { label: `this machine’s Node ${process.version}`, index: 1 },
])('on $label', ({ index }) => {
  test.each(cases)(
    '$cloud: the login loads its SDK from the bundle and reaches the token endpoint',
    async (c) => {
      const node = nodes[index];
      if (node === undefined) throw new Error('no Node.js binary');
      const runner = await FakeRunner.create({ node, bundle: join(workspace, 'dist', 'index.js'), workspace });
      try {
        const before = c.reached?.().length ?? 0;
        const host = c.image.split('/')[0] ?? '';
        const step = await runner.main(
          { images: c.image, registry: host, context: 'i13-no-such-dir', push: 'false' },
          { AWS_ACCESS_KEY_ID: 'AKIAI13DUMMYDUMMY', AWS_SECRET_ACCESS_KEY: 'i13-dummy', ...c.env(), HOME: runner.home },
        );
        const output = step.stdout + step.stderr;
        expect(output).not.toMatch(/optional package|Cannot find (module|package)|ERR_MODULE_NOT_FOUND/);
        expect(step.exitCode).toBe(1);
        const error = /^::error::(.*)$/m.exec(step.stdout)?.[1] ?? '';
        if (c.reached) {
          // The SDK signed a GetAuthorizationToken call with the dummy key and sent it to the stand-in.
          const calls = c.reached().slice(before);
          expect(calls.length, output).toBeGreaterThan(0);
          expect(calls[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAI13DUMMYDUMMY\//);
          // With the token in hand, only the registry itself (unreachable here) stops it.
          expect(error, output).not.toMatch(/ECR (Public )?(refused|returned no)|No AWS credentials/);
        } else {
          expect(error, output).toMatch(c.failure ?? /^$/);
        }
      } finally {
        await rm(runner.dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});

/** A push to main, as the runner describes it to the step. */
const pushToMain = {
  GITHUB_EVENT_NAME: 'push',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_SHA: 'c0ffee0000000000000000000000000000000000',
};

test('on Node 24, a Dockerfile with a pip cache mount is built, smoke-tested and pushed to the htpasswd registry', async () => {
  const { host, username, password } = loadTestbed().registries.auth;
  const repository = `${uniqueName('i11b-bundle-cache-mount')}/app`;
  const image = `${host}/${repository}`;
  const marker = uniqueName('i11b-bundle-runs');
  await writeCacheMountApp(join(workspace, 'app'), { marker, requirements: ['Flask==2.2.2'] });
  const runner = await FakeRunner.create({ node: nodes[0] ?? '', bundle: join(workspace, 'dist', 'index.js'), workspace });
  try {
    const step = await runner.main(
      {
        context: 'app',
        images: image,
        tag: 'v2.0.0',
        push: 'true',
        username,
        password,
        'smoke-port': '5000',
        'smoke-expect-body': 'cache-mount build',
      },
      pushToMain,
    );
    const output = step.stdout + step.stderr;
    expect(step.exitCode, output).toBe(0);
    expect(step.stdout).toMatch(cacheMountStep);
    expect(step.stdout).toContain('cache mount runs: 1');
    // The password is only ever in the mask command.
    expect(step.stdout.split('\n').filter((line) => line.includes(password))).toEqual([`::add-mask::${password}`]);
    expect([step.stderr, step.files.outputs, step.files.summary, step.files.state].some((text) => text.includes(password))).toBe(
      false,
    );
    expect(step.outputs).toMatchObject({ version: '2.0.0', 'smoke-status': 'passed', 'already-published': 'false' });
    const digest = step.outputs.digest ?? '';
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(step.outputs['image-ref']).toBe(`${image}@${digest}`);
    expect(step.outputs.tags?.split('\n')).toEqual(['2.0.0', '2.0', '2', 'latest'].map((tag) => `${image}:${tag}`));
    for (const tag of ['2.0.0', '2.0', '2', 'latest']) expect(await authRegistryDigest(repository, tag)).toBe(digest);
    const post = await runner.post(step.state);
    expect(post.exitCode, post.stdout + post.stderr).toBe(0);
  } finally {
    for (const tag of ['2.0.0', '2.0', '2', 'latest']) await removeImage(`${image}:${tag}`, { force: true }).catch(() => {});
    await rm(runner.dir, { recursive: true, force: true });
  }
}, 300_000);

test('on Node 24, the ssh input forwards a key file (no agent on the runner) to RUN --mount=type=ssh', async () => {
  const dir = join(workspace, 'ssh-app');
  const image = `${uniqueName('i11b-bundle-ssh')}/app`;
  await mkdir(dir, { recursive: true });
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'i11b-deploy-key', '-f', join(dir, 'deploy_key')]);
  await writeFile(join(dir, 'Dockerfile'), sshKeyCountDockerfile(image));
  await writeFile(join(dir, '.dockerignore'), 'deploy_key*\n');
  const runner = await FakeRunner.create({ node: nodes[0] ?? '', bundle: join(workspace, 'dist', 'index.js'), workspace });
  try {
    const step = await runner.main(
      {
        context: 'ssh-app',
        images: image,
        tag: 'v1.0.0',
        push: 'false',
        'smoke-test': 'false',
        ssh: 'default=ssh-app/deploy_key',
      },
      pushToMain,
    );
    const output = step.stdout + step.stderr;
    expect(step.exitCode, output).toBe(0);
    expect(step.stdout).toContain('agent keys: 1');
    expect(step.stdout).toContain('Built 1.0.0; nothing pushed (push: false)');
    const key = await readFile(join(dir, 'deploy_key'), 'utf8');
    const keyLines = key.split('\n').filter((line) => line.length > 20);
    expect(keyLines.filter((line) => output.includes(line) || step.files.summary.includes(line))).toEqual([]);
  } finally {
    await removeImage(`${image}:1.0.0`, { force: true }).catch(() => {});
    await rm(runner.dir, { recursive: true, force: true });
  }
}, 300_000);
