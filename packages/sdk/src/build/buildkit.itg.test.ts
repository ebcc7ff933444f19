import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTestbed, uniqueName } from '@container-ship/test-utils';
import { writeTree } from '@container-ship/test-utils/tree';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { removeImage } from '../engine/images.js';
import { BuildError, InvalidInputError, ShipError } from '../errors.js';
import { runProcess } from '../process/run-process.js';
import type { ProgressEvent } from '../progress.js';
import { pushImage } from '../push/push-image.js';
import { buildImage } from './build-image.js';

// What only BuildKit does, against the real engine and registries: secrets, SSH forwarding, cache
// mounts, a private FROM through the session's Auth, and the errors and refusals around them.
const images: string[] = [];
let root: string;
let base: string;

beforeAll(async () => {
  base = loadTestbed().baseImage;
  root = await mkdtemp(join(tmpdir(), 'i11-buildkit-itg-'));
});
afterAll(async () => {
  for (const image of images) await removeImage(image, { force: true }).catch(() => {});
  await rm(root, { recursive: true, force: true });
});

const fixture = (name: string, tree: Record<string, string>) => writeTree(join(root, name), tree);

function tagFor(prefix: string): string {
  const tag = `${uniqueName(`i11-${prefix}`)}:itg`;
  images.push(tag);
  return tag;
}

/** A build that lists the forwarded agent's keys with the agent protocol itself (no ssh client in the base image). */
function sshFixture(name: string): Promise<string> {
  const listKeys = [
    'import os, socket, struct',
    's = socket.socket(socket.AF_UNIX); s.connect(os.environ["SSH_AUTH_SOCK"])',
    's.sendall(struct.pack(">IB", 1, 11))',
    'n = struct.unpack(">I", s.recv(4))[0]; d = b""',
    'while len(d) < n: d += s.recv(n - len(d))',
    'print("agent answered", d[0], "with", struct.unpack(">I", d[1:5])[0], "key(s):", d.decode("latin-1").split("\\x00")[-1])',
  ].join('\n');
  return fixture(name, {
    'list_keys.py': listKeys,
    Dockerfile: `FROM ${base}\nCOPY list_keys.py /\nRUN --mount=type=ssh,required=true python /list_keys.py\n`,
  });
}

/** Every place a value could leak from an image: `docker save` (all layers and the config), history, inspect. */
async function imageText(tag: string): Promise<{ save: Buffer; history: string; inspect: string }> {
  const save = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const child = spawn('docker', ['save', tag]);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`docker save exited ${code}`))));
  });
  const history = (await runProcess('docker', ['history', '--no-trunc', tag])).stdout;
  const inspect = (await runProcess('docker', ['inspect', tag])).stdout;
  return { save, history, inspect };
}

describe('BuildKit through our own session (real engine)', () => {
  test('a secret read with RUN --mount=type=secret builds, and its value is nowhere: image layers, config, history, inspect, progress', async () => {
    const value = `i11-${randomBytes(16).toString('hex')}`;
    const context = await fixture('secret', {
      Dockerfile: [
        `FROM ${base}`,
        'RUN --mount=type=secret,id=token test "$(cat /run/secrets/token)" != "" && echo "secret has $(wc -c < /run/secrets/token) bytes"',
        // A careless step that prints it: the progress stream must still not carry it.
        'RUN --mount=type=secret,id=token cat /run/secrets/token && echo',
        'RUN --mount=type=secret,id=token cp /run/secrets/token /tmp/copy && rm /tmp/copy && ls /run/secrets',
        '',
      ].join('\n'),
    });
    const tag = tagFor('secret');
    const events: ProgressEvent[] = [];
    const result = await buildImage({
      context,
      tags: [tag],
      builder: 'buildkit',
      noCache: true,
      secrets: [{ id: 'token', env: 'API_TOKEN' }],
      env: { API_TOKEN: value },
      onProgress: (event) => events.push(event),
    });
    expect(result.builder).toBe('buildkit');
    const lines = events.map((event) => JSON.stringify(event));
    expect(lines).toContainEqual(expect.stringContaining(`secret has ${value.length} bytes`));
    expect(lines).toContainEqual(expect.stringContaining('"line":"***"'));
    const { save, history, inspect } = await imageText(tag);
    console.info(
      `secret scan: docker save ${save.length} bytes, history ${history.length} chars, inspect ${inspect.length} chars, ${lines.length} progress lines`,
    );
    expect(save.includes(Buffer.from(value))).toBe(false);
    expect(history.includes(value)).toBe(false);
    expect(inspect.includes(value)).toBe(false);
    expect(lines.filter((line) => line.includes(value))).toEqual([]);
    expect(JSON.stringify(result).includes(value)).toBe(false);
  });

  test('a secret from a file; a required secret nobody gave fails naming its id; an unset variable is refused before the build', async () => {
    const secretFile = join(root, 'npmrc');
    await writeFile(secretFile, 'registry-token-from-file');
    const context = await fixture('secret-file', {
      Dockerfile: `FROM ${base}\nRUN --mount=type=secret,id=npmrc,required=true grep -c registry-token /run/secrets/npmrc\n`,
    });
    const result = await buildImage({ context, builder: 'buildkit', noCache: true, secrets: [{ id: 'npmrc', src: secretFile }] });
    images.push(result.imageId);

    const missing = await buildImage({ context, builder: 'buildkit', noCache: true }).catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(BuildError);
    expect((missing as BuildError).code).toBe('BUILD_SECRET_MISSING');
    expect((missing as BuildError).message).toContain("The build needs the secret 'npmrc'");

    const unset = await buildImage({
      context,
      builder: 'buildkit',
      secrets: [{ id: 'npmrc', env: 'I11_NOT_SET' }],
      env: {},
    }).catch((caught: unknown) => caught);
    expect(unset).toBeInstanceOf(InvalidInputError);
    expect((unset as Error).message).toBe(
      "The secret 'npmrc' reads the environment variable I11_NOT_SET, which is not set; set it or use src=FILE.",
    );
  });

  test('--ssh default forwards a real ssh-agent holding a key made here', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'i11-ssh-'));
    const socket = join(dir, 'agent.sock');
    const comment = uniqueName('i11-key');
    let agent: ChildProcess | undefined;
    try {
      agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
      await runProcess('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', join(dir, 'key')]);
      // runProcess resolves with the exit code: retry until the agent's socket is up and took the key.
      for (let i = 0; i < 100; i++) {
        const added = await runProcess('ssh-add', [join(dir, 'key')], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
        if (added.exitCode === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const context = await sshFixture('ssh');
      const logs: string[] = [];
      const result = await buildImage({
        context,
        builder: 'buildkit',
        noCache: true,
        ssh: [{ id: 'default' }],
        env: { SSH_AUTH_SOCK: socket },
        onProgress: (event) => {
          if (event.type === 'log') logs.push(event.line);
        },
      });
      images.push(result.imageId);
      expect(logs.join('\n')).toContain('agent answered 12 with 1 key(s):');
      expect(logs.join('\n')).toContain(comment);

      const without = await buildImage({ context, builder: 'buildkit', noCache: true }).catch((caught: unknown) => caught);
      expect(without).toBeInstanceOf(BuildError);
      expect((without as BuildError).message).toBe(
        "The build needs SSH agent forwarding for 'default' at `RUN --mount=type=ssh,required=true python /list_keys.py`, and none was given; pass --ssh default with an ssh-agent holding the key.",
      );
      expect((without as BuildError).code).toBe('BUILD_SSH_MISSING');
    } finally {
      agent?.kill();
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('--ssh default=KEYFILE: a key made here is seen inside the build with no agent running, and never printed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'i11b-ssh-key-'));
    try {
      const comment = uniqueName('i11b-key');
      const keyFile = join(dir, 'id_ed25519');
      await runProcess('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', keyFile]);
      const context = await sshFixture('ssh-key-file');
      const events: ProgressEvent[] = [];
      const result = await buildImage({
        context,
        builder: 'buildkit',
        noCache: true,
        ssh: [{ id: 'default', paths: [keyFile] }],
        env: {},
        onProgress: (event) => events.push(event),
      });
      images.push(result.imageId);
      const progress = events.map((event) => JSON.stringify(event)).join('\n');
      expect(progress).toContain('agent answered 12 with 1 key(s):');
      expect(progress).toContain(comment);
      const keyLines = (await readFile(keyFile, 'utf8')).split('\n').filter((line) => line.length > 20);
      expect(keyLines.filter((line) => progress.includes(line) || JSON.stringify(result).includes(line))).toEqual([]);

      const lockedFile = join(dir, 'id_locked');
      await runProcess('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'i11b-passphrase', '-f', lockedFile]);
      const locked = await buildImage({ context, builder: 'buildkit', ssh: [{ id: 'default', paths: [lockedFile] }] }).catch(
        (caught: unknown) => caught,
      );
      expect(locked).toBeInstanceOf(InvalidInputError);
      expect((locked as Error).message).toBe(
        `The SSH key '${lockedFile}' for 'default' is protected by a passphrase; load it into an agent (ssh-add ${lockedFile}) and pass --ssh default or default=SOCKET instead.`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a pip cache mount builds with BuildKit; the classic builder cannot', async () => {
    const context = await fixture('cache-mount', {
      'requirements.txt': 'Flask==2.2.2\n',
      Dockerfile: `FROM ${base}\nCOPY requirements.txt .\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\nRUN python -c "import flask; print('flask', flask.__version__)"\n`,
    });
    const result = await buildImage({ context, tags: [tagFor('cache-mount')] });
    expect(result.builder).toBe('buildkit');
    const classic = await buildImage({ context, builder: 'classic' }).catch((caught: unknown) => caught);
    expect(classic).toBeInstanceOf(BuildError);
    expect((classic as Error).message).toContain('--mount');
  });

  test('a private FROM is pulled with the credentials the push uses (the session answers Auth)', async () => {
    const { host, username, password } = loadTestbed().registries.auth;
    const privateRef = `${host}/${uniqueName('i11-private-base')}:1`;
    const baseContext = await fixture('private-base', {
      'hello.txt': 'hello from a private base\n',
      Dockerfile: 'FROM scratch\nCOPY hello.txt /\n',
    });
    const built = await buildImage({ context: baseContext, tags: [privateRef] });
    const auth = { username, password };
    await pushImage({ image: built.imageId, tags: [privateRef], auth });
    await removeImage(privateRef, { force: true });

    const context = await fixture('private-from', { 'more.txt': 'more\n', Dockerfile: `FROM ${privateRef}\nCOPY more.txt /\n` });
    const anonymous = await buildImage({ context, builder: 'buildkit', env: { HOME: root } }).catch((caught: unknown) => caught);
    expect(anonymous).toBeInstanceOf(BuildError);
    expect((anonymous as BuildError).code).toBe('BASE_IMAGE_NOT_FOUND');
    const result = await buildImage({ context, builder: 'buildkit', auth, tags: [tagFor('private-from')] });
    expect(result.builder).toBe('buildkit');
    images.push(privateRef);
  });

  test.each(['buildkit', 'classic'] as const)(
    'a platform other than the engine’s is refused by the %s builder',
    async (builder) => {
      const context = await fixture(`platform-${builder}`, { Dockerfile: `FROM ${base}\n` });
      const error = await buildImage({ context, builder, platform: 'linux/arm64' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ShipError);
      expect((error as ShipError).code).toBe('PLATFORM_UNSUPPORTED');
      expect((error as Error).message).toBe(
        'This engine builds only linux/amd64, not linux/arm64; drop the platform option or build on a linux/arm64 engine.',
      );
    },
  );

  test('a # syntax= frontend that cannot be pulled gets an error that says so and how to preload it', async () => {
    const context = await fixture('syntax', { Dockerfile: `# syntax=docker/dockerfile:1.4\nFROM ${base}\nRUN true\n` });
    const error = await buildImage({ context, builder: 'buildkit' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).code).toBe('BUILD_FRONTEND_UNAVAILABLE');
    expect((error as Error).message).toMatch(
      /^The Dockerfile's '# syntax=docker\/dockerfile:1\.4' frontend could not be pulled \(.*\); remove the syntax line/,
    );
  });

  test('cache-to inline writes cache metadata only when asked; cache-from takes an image; both together warn on Docker before 23', async () => {
    const context = await fixture('inline', {
      'a.txt': 'a\n',
      Dockerfile: `FROM ${base}\nCOPY a.txt /\nRUN cat /a.txt > /b.txt\n`,
    });
    const plain = await buildImage({ context, tags: [tagFor('inline-plain')] });
    const again = await buildImage({ context, tags: [tagFor('inline-again')] });
    // Without inline cache, a cached rebuild is the same image (issue 12's same source, same digest).
    expect(again.imageId).toBe(plain.imageId);
    const warnings: string[] = [];
    const inline = await buildImage({
      context,
      tags: [tagFor('inline-on')],
      cacheTo: ['inline'],
      cacheFrom: [plain.tags[0] as string],
      onProgress: (event) => event.type === 'warning' && warnings.push(event.message),
    });
    expect(inline.imageId).not.toBe(plain.imageId);
    // Both together can crash Docker before 23 (moby/buildkit#1609): one warning, in the progress and the result.
    const engineVersion = (await runProcess('docker', ['version', '--format', '{{.Server.Version}}'])).stdout.trim();
    const crash = Number(engineVersion.split('.')[0]) < 23 ? [expect.stringContaining('moby/buildkit#1609')] : [];
    expect(warnings).toEqual(crash);
    expect(inline.warnings).toEqual(crash);
    expect(plain.warnings).toEqual([]);
    const inspect = (
      await runProcess('docker', ['inspect', '--format', '{{json .Config.Labels}} {{.Id}}', inline.tags[0] as string])
    ).stdout;
    expect(inspect).toContain(inline.imageId);

    // Inline cache is written in an unstable order: a cached rebuild keeps the image its tag named when all the
    // engine shows of the two is the same, so the id (and a pushed digest) stays.
    const rebuilt = await buildImage({ context, tags: [inline.tags[0] as string], cacheTo: ['inline'] });
    expect(rebuilt.imageId).toBe(inline.imageId);

    // 'auto' (the release's default): inline cache, but not with a cache-from image that exists on Docker before 23.
    const autoInfos: string[] = [];
    const autoWarnings: string[] = [];
    await buildImage({
      context,
      tags: [tagFor('inline-auto')],
      cacheTo: 'auto',
      cacheFrom: [plain.tags[0] as string],
      onProgress: (event) => {
        if (event.type === 'info') autoInfos.push(event.message);
        if (event.type === 'warning') autoWarnings.push(event.message);
      },
    });
    expect(autoWarnings).toEqual([]);
    expect(autoInfos.filter((message) => message.startsWith('Inline cache: not written'))).toHaveLength(crash.length);
    const noCacheSource = await buildImage({
      context,
      tags: [tagFor('inline-auto-new')],
      cacheTo: 'auto',
      // A repository nobody pushed to: there is no cache to read, so nothing can crash.
      cacheFrom: [`${loadTestbed().registries.plain.host}/${uniqueName('i11-nobody')}:1`],
      onProgress: (event) => event.type === 'info' && autoInfos.push(event.message),
    });
    expect(noCacheSource.warnings).toEqual([]);
    expect(autoInfos.filter((message) => message.startsWith('Inline cache: not written'))).toHaveLength(crash.length);

    const classic = await buildImage({ context, builder: 'classic', cacheTo: ['inline'] }).catch((caught: unknown) => caught);
    expect(classic).toBeInstanceOf(InvalidInputError);
    expect((classic as Error).message).toMatch(
      /^cache-to needs BuildKit, and this build uses the classic builder \(Docker .*\); drop it or build with BuildKit/,
    );
  });
});
