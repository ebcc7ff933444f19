// A second dockerd that stands in for a fresh CI runner: an empty layer and build cache, its own
// data root, exec root, pidfile, socket, containerd namespace and network bridge. Used by the
// fresh-runner engine test (packages/sdk/src/build/fresh-runner.itg.test.ts) and by `npm run bench`.
//
// Never `--bridge none`: that makes dockerd delete the host engine's docker0 bridge. The engine gets a
// bridge of its own (`ip link add ... type bridge`) and touches no iptables rules.
//
// Everything a run makes lives under one directory, `$TMPDIR/<prefix>-engine-<random>/`, with a
// `second-engine.json` that names the bridge and the processes. `stop()` removes all of it: dockerd,
// its containerd and shims, every mount under the directory (overlay mounts first), the bridge and the
// directory. A run that crashed before `stop()` is swept by the next `startSecondEngine()`: any
// directory whose owner process is gone is taken down the same way. No npm dependencies.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandLineOf, isAlive } from './processes.mjs';

const STATE_FILE = 'second-engine.json';
const DIR_PATTERN = /^[a-z0-9]+-engine-[0-9a-f]{8}$/;

/**
 * Starts a second engine and waits until it answers. `images`: references copied from the host engine
 * (`docker save | docker load`), so builds on it find their base image offline.
 *
 * @param {{ prefix?: string, images?: string[], sourceHost?: string, timeoutMs?: number }} [options]
 */
export async function startSecondEngine({ prefix = 'ship', images = [], sourceHost, timeoutMs = 60_000 } = {}) {
  if (process.getuid?.() !== 0) {
    throw new Error(
      'A second dockerd needs root (a bridge of its own, mounts, its own containerd); run this as root, as CI does.',
    );
  }
  await sweepSecondEngines();
  const suffix = randomBytes(4).toString('hex');
  const root = join(tmpdir(), `${prefix}-engine-${suffix}`);
  // Linux interface names have at most 15 characters.
  const bridge = `${prefix.slice(0, 5)}br${suffix}`;
  const state = { owner: process.pid, root, bridge, dockerd: undefined, created: new Date().toISOString() };
  mkdirSync(root, { recursive: true });
  saveState(state);
  const engine = {
    root,
    bridge,
    socketPath: join(root, 'docker.sock'),
    get host() {
      return `unix://${this.socketPath}`;
    },
    /** For child processes: the docker CLI talks to this engine. */
    get env() {
      return { ...process.env, DOCKER_HOST: this.host };
    },
    pid: undefined,
    subnet: undefined,
    log: join(root, 'dockerd.log'),
    loadImages: (refs) => copyImages(refs, { from: sourceHost, to: engine.host }),
    stop: () => takeDown(root),
    [Symbol.asyncDispose]: () => takeDown(root),
  };
  try {
    engine.subnet = freeSubnet();
    ip(['link', 'add', bridge, 'type', 'bridge']);
    ip(['addr', 'add', `${engine.subnet}.1/24`, 'dev', bridge]);
    ip(['link', 'set', bridge, 'up']);
    const configFile = join(root, 'daemon.json');
    // Its own (empty) configuration: /etc/docker/daemon.json belongs to the host engine.
    writeFileSync(configFile, '{}\n');
    const log = openSync(engine.log, 'a');
    const dockerd = spawn(
      'dockerd',
      [
        '--config-file',
        configFile,
        '--data-root',
        join(root, 'data'),
        '--exec-root',
        join(root, 'exec'),
        '--pidfile',
        join(root, 'docker.pid'),
        '--host',
        engine.host,
        '--bridge',
        bridge,
        '--iptables=false',
        '--ip6tables=false',
        '--ip-masq=false',
        '--ip-forward=false',
        // Separate even when a system containerd is shared (dockerd uses /run/containerd when it runs).
        '--containerd-namespace',
        `${prefix}-${suffix}`,
        '--containerd-plugins-namespace',
        `${prefix}-${suffix}-plugins`,
      ],
      {
        detached: true,
        stdio: ['ignore', log, log],
        env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin` },
      },
    );
    dockerd.unref();
    engine.pid = dockerd.pid;
    state.dockerd = dockerd.pid;
    saveState(state);
    let exited;
    dockerd.once('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
    dockerd.once('error', (error) => (exited = error.message));
    const deadline = Date.now() + timeoutMs;
    while (!(await ping(engine.socketPath))) {
      if (exited || Date.now() > deadline) {
        throw new Error(
          `The second dockerd ${exited ? `stopped (${exited})` : `did not answer within ${timeoutMs / 1000} s`}: ${logTail(engine.log)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (images.length > 0) await engine.loadImages(images);
    return engine;
  } catch (error) {
    await takeDown(root);
    throw error;
  }
}

/** Takes down every second engine whose owner process is gone (a crashed run); returns their directories. */
export async function sweepSecondEngines() {
  const swept = [];
  for (const name of readdirSync(tmpdir())) {
    if (!DIR_PATTERN.test(name)) continue;
    const root = join(tmpdir(), name);
    const state = readState(root);
    if (!state || isAlive(state.owner)) continue;
    await takeDown(root);
    swept.push(root);
  }
  return swept;
}

/**
 * `docker save REFS | docker load`, from the host engine (or `from`) into `to`: one engine's DOCKER_HOST
 * or several (one save feeds every load).
 */
export function copyImages(refs, { from, to }) {
  const targets = [to].flat();
  return new Promise((resolve, reject) => {
    const save = spawn('docker', ['save', ...refs], {
      env: from ? { ...process.env, DOCKER_HOST: from } : process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    save.stderr.on('data', (chunk) => (errors += chunk));
    const exits = [new Promise((done) => save.once('close', done))];
    save.once('error', reject);
    for (const host of targets) {
      const load = spawn('docker', ['load', '-q'], {
        env: { ...process.env, DOCKER_HOST: host },
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      load.stderr.on('data', (chunk) => (errors += chunk));
      load.once('error', reject);
      // A load that stops reading must not stall the others' pipe: its error is reported below.
      load.stdin.on('error', () => {});
      save.stdout.pipe(load.stdin);
      exits.push(new Promise((done) => load.once('close', done)));
    }
    Promise.all(exits).then((codes) => {
      if (codes.every((code) => code === 0)) resolve();
      else
        reject(
          new Error(
            `Copying ${refs.join(', ')} into the second engine failed: ${errors.trim() || `exit codes ${codes.join('/')}`}`,
          ),
        );
    });
  });
}

/** Stops what `root`'s state names and removes it all; safe to call twice and on half-started engines. */
async function takeDown(root) {
  const state = readState(root);
  if (state?.dockerd && isOurs(state.dockerd, root)) {
    // dockerd stops its own containerd on SIGTERM; give it 3 s (it holds nothing worth saving), then stop it hard.
    process.kill(state.dockerd, 'SIGTERM');
    await waitForExit(state.dockerd, 3_000);
    if (isAlive(state.dockerd)) process.kill(state.dockerd, 'SIGKILL');
    await waitForExit(state.dockerd, 5_000);
  }
  // A containerd or shim left behind by a dockerd that was killed: found by its command line naming root.
  for (const pid of processesUnder(root)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  for (const mountPoint of mountsUnder(root)) {
    if (spawnSync('umount', [mountPoint]).status !== 0) spawnSync('umount', ['-l', mountPoint]);
  }
  if (state?.bridge && existsSync(`/sys/class/net/${state.bridge}`)) ip(['link', 'del', state.bridge]);
  rmSync(root, { recursive: true, force: true });
}

function saveState(state) {
  writeFileSync(join(state.root, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
}

function readState(root) {
  try {
    return JSON.parse(readFileSync(join(root, STATE_FILE), 'utf8'));
  } catch {
    return undefined;
  }
}

function isOurs(pid, root) {
  return commandLineOf(pid).includes(root);
}

function processesUnder(root) {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && isOurs(pid, root));
}

async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && !isZombie(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
}

function isZombie(pid) {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Mount points at or below `root`, deepest first (overlay mounts sit inside the data root's own bind mount). */
function mountsUnder(root) {
  const decodeOctal = (path) => path.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(Number.parseInt(octal, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => decodeOctal(line.split(' ')[4] ?? ''))
    .filter((point) => point === root || point.startsWith(`${root}/`))
    .sort((a, b) => b.length - a.length);
}

function ip(args) {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`ip ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim()}`);
  return result.stdout;
}

/** A 10.x.y.0/24 no interface or route on this host uses (the host engine's networks included). */
function freeSubnet() {
  const used = `${ip(['-4', 'route', 'show', 'table', 'all'])}\n${ip(['-4', 'addr', 'show'])}`;
  for (let attempt = 0; attempt < 50; attempt++) {
    const subnet = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    if (!used.includes(`${subnet}.`) && !used.includes(`${subnet.split('.').slice(0, 2).join('.')}.0.0/16`)) return subnet;
  }
  throw new Error('No free 10.x.y.0/24 for the second engine’s bridge; remove unused bridges (ip link) and retry.');
}

function ping(socketPath) {
  return new Promise((resolve) => {
    const request = http.get({ socketPath, path: '/_ping', timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function logTail(file) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return 'no log';
  }
}
