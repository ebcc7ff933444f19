#!/usr/bin/env node
// The test bed: a Docker engine, two local registries and the example's base image, so that
// `npm run demo` and the real-engine tests work on a fresh machine, in CI and on a laptop.
//
//   node scripts/testbed.mjs [up|status|down] [--debug]
//
// up (default) ensures, one printed line per step:
//   engine      the engine that answers (DOCKER_HOST or the default socket); else, as root on
//               Debian, installs docker.io (+ docker-registry, apache2-utils, debootstrap) and
//               starts dockerd in the background
//   registries  plain on 127.0.0.1:5001 and htpasswd-auth on 127.0.0.1:5002 (Debian's
//               docker-registry, or the registry:2 image where it can be pulled)
//   base image  what the example's FROM names: present, else pulled, else the offline stand-in
//               made by scripts/make-base-image.sh (cached under ~/.cache/container-ship)
//   tools       openssh-server (the ssh engine test's sshd) and podman (npm run test:podman): as
//               root on Debian installs whichever is missing; elsewhere says which are missing
//   state       .testbed/state.json (mode 0600), read by tests through loadTestbed()
// status reports without changing anything; down stops the registries the test bed started.
//
// Environment: SHIP_TESTBED_STATE (state file; its directory holds registry configs and logs),
// SHIP_REGISTRY_PORT (5001), SHIP_AUTH_REGISTRY_PORT (5002), SHIP_BASE_IMAGE (default: the
// example Dockerfile's BASE_IMAGE), DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH.
//
// No npm dependencies: this runs before `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandLineOf, isAlive } from './lib/processes.mjs';

/** A failure the user can act on: its message is one sentence naming the fix. */
class StepFailure extends Error {}

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const exampleDockerfile = join(repoRoot, 'examples/flask-app/Dockerfile');
const statePath = process.env.SHIP_TESTBED_STATE ?? join(repoRoot, '.testbed/state.json');
const testbedDir = dirname(statePath);
// Read in main(), so a bad value is reported like any other failure.
let plainPort = 5001;
let authPort = 5002;
const debug = process.argv.includes('--debug');
const DOCKERD_LOG = '/var/log/container-ship-dockerd.log';
const DOCKERD_PID = '/var/run/docker.pid';
const DEBIAN_PACKAGES = ['docker.io', 'docker-registry', 'apache2-utils', 'debootstrap'];
/** For the engine tests beyond the local socket: sshd for ssh://, Podman as a second engine. */
const TOOL_PACKAGES = [
  { pkg: 'openssh-server', binary: 'sshd' },
  { pkg: 'podman', binary: 'podman' },
  // `ip`: the fresh-runner test's second dockerd gets a bridge of its own (scripts/lib/second-engine.mjs).
  { pkg: 'iproute2', binary: 'ip' },
];
const REGISTRY_IMAGE = 'registry:2';
const AUTH_USERNAME = 'ship-test';
/** On registry containers the test bed starts; NOT io.container-ship.managed, which marks leftovers. */
const TESTBED_LABEL = 'io.container-ship.testbed';
const SYSTEM_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(delimiter);

function isSet(name) {
  return Boolean(process.env[name]);
}

function portFromEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || port === 5000) {
    throw new StepFailure(`${name}=${raw} is not a usable port; use 1-65535, never 5000 (the example app's port).`);
  }
  return port;
}

// ------------------------------------------------------------------------------ output

function print(line) {
  process.stdout.write(`${line}\n`);
}

async function step(name, action) {
  const started = performance.now();
  try {
    const detail = await action();
    print(`testbed: ${name.padEnd(10)} ok      ${detail} [${seconds(started)}]`);
  } catch (error) {
    const message = error instanceof StepFailure ? error.message : `unexpected error: ${error?.message ?? error}`;
    print(`testbed: ${name.padEnd(10)} FAILED  ${message} [${seconds(started)}]`);
    if (debug || !(error instanceof StepFailure)) console.error(error);
    process.exit(1);
  }
}

function seconds(started) {
  return `${((performance.now() - started) / 1000).toFixed(1)}s`;
}

function displayPath(path) {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

function lastLines(file, count = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '';
  }
}

// ------------------------------------------------------------------------------ processes

function which(command) {
  for (const dir of `${process.env.PATH ?? ''}${delimiter}${SYSTEM_PATH}`.split(delimiter)) {
    const candidate = join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Runs to completion; output goes to `log` (appended) so one line per step stays one line. */
function runLogged(command, args, { log, input, env } = {}) {
  const fd = log ? openSync(log, 'a') : 'ignore';
  try {
    const result = spawnSync(command, args, {
      stdio: [input === undefined ? 'ignore' : 'pipe', fd, fd],
      input,
      env: { ...process.env, ...env },
    });
    if (result.error) throw result.error;
    return result.status ?? 1;
  } finally {
    if (typeof fd === 'number') closeSync(fd);
  }
}

function capture(command, args, { input } = {}) {
  const result = spawnSync(command, args, { input, encoding: 'utf8' });
  return { status: result.error ? 127 : (result.status ?? 1), stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

function readPid(file) {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Starts a long-lived service in its own session so it outlives this script. */
function startDetached(command, args, log) {
  const fd = openSync(log, 'a');
  // dockerd finds iptables, containerd and runc on PATH, which a non-login shell may lack the sbin dirs of.
  const env = { ...process.env, PATH: `${process.env.PATH ?? ''}${delimiter}${SYSTEM_PATH}` };
  const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  child.once('error', () => {});
  child.unref();
  return { pid: child.pid, exited };
}

async function waitUntil(check, { timeoutMs, exited }) {
  let exitReason;
  exited?.then((reason) => {
    exitReason = reason;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value) return { value };
    if (exitReason) return { exitReason };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {};
}

// ------------------------------------------------------------------------------ Debian packages

function canInstallPackages() {
  return process.getuid?.() === 0 && existsSync('/etc/debian_version') && which('apt-get') !== undefined;
}

function isInstalled(pkg) {
  return /^Status: install ok installed$/m.test(capture('dpkg-query', ['--status', pkg]).stdout);
}

/** Installs whichever of `packages` are missing; returns their names. */
function installMissing(packages) {
  const missing = packages.filter((pkg) => !isInstalled(pkg));
  if (missing.length === 0) return missing;
  mkdirSync(testbedDir, { recursive: true });
  const log = join(testbedDir, 'apt.log');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (runLogged('apt-get', ['update'], { log, env }) !== 0) {
    throw new StepFailure(`apt-get update failed (see ${log}); check the Debian mirror in /etc/apt/sources.list.d and rerun.`);
  }
  if (runLogged('apt-get', ['install', '-y', ...missing], { log, env }) !== 0) {
    throw new StepFailure(`apt-get install ${missing.join(' ')} failed (see ${log}); fix apt, then rerun.`);
  }
  return missing;
}

// ------------------------------------------------------------------------------ engine API

function engineEndpoint() {
  const host = process.env.DOCKER_HOST?.trim();
  if (!host) return { transport: http, options: { socketPath: '/var/run/docker.sock' }, label: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) {
    return { transport: http, options: { socketPath: host.slice('unix://'.length) }, label: host, explicit: true };
  }
  if (host.startsWith('tcp://') || host.startsWith('http://') || host.startsWith('https://')) {
    const url = new URL(host.replace(/^tcp:/, 'http:'));
    const verify = !!process.env.DOCKER_TLS_VERIFY && process.env.DOCKER_TLS_VERIFY !== '0';
    const tls = verify || url.protocol === 'https:' || url.port === '2376';
    const options = { host: url.hostname, port: Number(url.port || (tls ? 2376 : 2375)) };
    if (tls) {
      const certs = process.env.DOCKER_CERT_PATH ?? join(process.env.HOME ?? '', '.docker');
      const read = (name) => (existsSync(join(certs, name)) ? readFileSync(join(certs, name)) : undefined);
      Object.assign(options, { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), rejectUnauthorized: verify });
    }
    return { transport: tls ? https : http, options, label: host, explicit: true };
  }
  throw new StepFailure(`DOCKER_HOST=${host} is not supported by the test bed; use unix:///path/docker.sock or tcp://host:port.`);
}

function engineRequest(endpoint, method, path, { body, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const request = endpoint.transport.request({ ...endpoint.options, method, path, headers, timeout: timeoutMs }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from the engine within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function socketDenied(endpoint) {
  try {
    await engineRequest(endpoint, 'GET', '/_ping', { timeoutMs: 3000 });
    return false;
  } catch (error) {
    return error.code === 'EACCES';
  }
}

async function engineVersion(endpoint) {
  try {
    const response = await engineRequest(endpoint, 'GET', '/version', { timeoutMs: 3000 });
    return response.status === 200 ? JSON.parse(response.text) : undefined;
  } catch {
    return undefined;
  }
}

async function inspectImage(endpoint, ref) {
  const response = await engineRequest(endpoint, 'GET', `/images/${encodeURIComponent(ref)}/json`);
  return response.status === 200 ? JSON.parse(response.text) : undefined;
}

/** Pulls through the engine; resolves to undefined on success, else the engine's reason. */
async function pullImage(endpoint, ref) {
  const at = ref.indexOf('@');
  const colon = ref.lastIndexOf(':');
  const [name, tag] = at < 0 && colon > ref.lastIndexOf('/') ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, undefined];
  const query = new URLSearchParams({ fromImage: name, ...(tag ? { tag } : {}) });
  try {
    const response = await engineRequest(endpoint, 'POST', `/images/create?${query}`, { timeoutMs: 120_000 });
    if (response.status !== 200) return firstLine(response.text);
    for (const line of response.text.split('\n')) {
      if (!line.trim()) continue;
      const event = JSON.parse(line);
      if (event.error) return firstLine(event.error);
    }
    return undefined;
  } catch (error) {
    return firstLine(String(error.message ?? error));
  }
}

function firstLine(text) {
  try {
    const parsed = JSON.parse(text);
    if (parsed?.message) return String(parsed.message).split('\n')[0];
  } catch {}
  return text.trim().split('\n')[0] ?? '';
}

// ------------------------------------------------------------------------------ tools

function ensureTools() {
  const missing = TOOL_PACKAGES.filter(({ binary }) => !which(binary));
  if (missing.length === 0) return `${TOOL_PACKAGES.map(({ pkg }) => pkg).join(', ')} present`;
  if (!canInstallPackages()) {
    return `${missing.map(({ pkg }) => pkg).join(', ')} missing (install them for the ssh, Podman and fresh-runner tests; only root on Debian gets them installed here)`;
  }
  const installed = installMissing(missing.map(({ pkg }) => pkg));
  return `installed ${installed.join(', ')}`;
}

// ------------------------------------------------------------------------------ state

function readState() {
  try {
    return JSON.parse(readFileSync(statePath, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Exactly the TestbedState shape of packages/test-utils/src/testbed.ts; 0600 (it holds a password). */
function writeState(state) {
  mkdirSync(testbedDir, { recursive: true });
  const temp = `${statePath}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, statePath);
}

// ------------------------------------------------------------------------------ engine step

async function ensureEngine(endpoint) {
  const running = await engineVersion(endpoint);
  if (running) return { detail: `Docker ${running.Version} (API ${running.ApiVersion}) on ${endpoint.label}`, installed: [] };
  if (endpoint.explicit) {
    throw new StepFailure(
      `DOCKER_HOST=${endpoint.label} does not answer; start that engine or unset DOCKER_HOST to use the default socket.`,
    );
  }
  if (await socketDenied(endpoint)) {
    throw new StepFailure(
      `${endpoint.label} exists but this user may not use it (permission denied); add the user to the docker group or run as root.`,
    );
  }
  if (!canInstallPackages()) {
    throw new StepFailure(
      'No Docker engine answers on /var/run/docker.sock; install and start Docker (https://docs.docker.com/engine/install/), or set DOCKER_HOST, then rerun.',
    );
  }
  const installed = installMissing(DEBIAN_PACKAGES);
  const dockerd = which('dockerd');
  if (!dockerd) throw new StepFailure('dockerd is not on PATH although docker.io is installed; reinstall docker.io and rerun.');

  let started;
  const pid = readPid(DOCKERD_PID);
  if (pid && isAlive(pid) && commandLineOf(pid).includes('dockerd')) {
    started = { pid, exited: undefined };
  } else {
    if (pid !== undefined) unlinkSync(DOCKERD_PID);
    started = startDetached(dockerd, [], DOCKERD_LOG);
  }
  const { value, exitReason } = await waitUntil(() => engineVersion(endpoint), { timeoutMs: 60_000, exited: started.exited });
  if (!value) {
    const why = exitReason ? `dockerd stopped (${exitReason})` : 'dockerd did not answer within 60 s';
    throw new StepFailure(`${why}; read ${DOCKERD_LOG} (last line: ${lastLines(DOCKERD_LOG, 1) || 'empty'}) and rerun.`);
  }
  const how = installed.length ? `installed ${installed.join(', ')}; ` : '';
  return {
    detail: `${how}started dockerd (pid ${started.pid}, log ${DOCKERD_LOG}): Docker ${value.Version} (API ${value.ApiVersion})`,
    installed,
  };
}

// ------------------------------------------------------------------------------ registries

/** GET /v2/ on loopback: the HTTP status, or undefined when nothing listens there. */
function probeRegistry(port, auth) {
  return new Promise((resolve) => {
    const headers = auth ? { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` } : {};
    const request = http.get({ host: '127.0.0.1', port, path: '/v2/', headers, timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.headers['docker-distribution-api-version'] ? response.statusCode : -1);
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', (error) => resolve(error.code === 'ECONNREFUSED' ? undefined : -1));
  });
}

function registryBinary() {
  return which('docker-registry');
}

function registryConfig({ addr, dataDir, htpasswd }) {
  const lines = [
    'version: 0.1',
    'log: { level: info }',
    'storage:',
    `  filesystem: { rootdirectory: ${dataDir} }`,
    '  delete: { enabled: true }',
  ];
  if (htpasswd) lines.push('auth:', `  htpasswd: { realm: container-ship-test, path: ${htpasswd} }`);
  lines.push('http:', `  addr: ${addr}`, '');
  return lines.join('\n');
}

/** bcrypt entry for the registry's htpasswd; the password travels on stdin, never in arguments. */
function htpasswdEntry(username, password) {
  if (!which('htpasswd') && canInstallPackages()) installMissing(['apache2-utils']);
  if (!which('htpasswd')) {
    throw new StepFailure('htpasswd is missing; install apache2-utils (Debian/Ubuntu) or httpd-tools (Fedora), then rerun.');
  }
  const result = capture('htpasswd', ['-niB', username], { input: `${password}\n` });
  if (result.status !== 0) throw new StepFailure(`htpasswd failed (${result.stderr.trim()}); check apache2-utils and rerun.`);
  return `${result.stdout.trim()}\n`;
}

function containerName(port) {
  return `container-ship-registry-${port}`;
}

async function startRegistry(endpoint, { name, port, auth }) {
  const dir = join(testbedDir, name);
  // One data dir, one registry: one this test bed left on another port goes first.
  await stopOwnedRegistry(endpoint, name, port);
  mkdirSync(join(dir, 'data'), { recursive: true });
  if (auth) writeFileSync(join(dir, 'htpasswd'), htpasswdEntry(auth.username, auth.password), { mode: 0o600 });
  const expected = auth ? 401 : 200;

  let binary = registryBinary();
  if (!binary && !(await registryImageUsable(endpoint)) && canInstallPackages()) {
    installMissing(['docker-registry']);
    binary = registryBinary();
  }
  if (binary) {
    const config = join(dir, 'config.yml');
    writeFileSync(
      config,
      registryConfig({ addr: `127.0.0.1:${port}`, dataDir: join(dir, 'data'), htpasswd: auth && join(dir, 'htpasswd') }),
    );
    const log = join(dir, 'log');
    const started = startDetached(binary, ['serve', config], log);
    writeFileSync(join(dir, 'pid'), `${started.pid}\n`);
    const { value, exitReason } = await waitUntil(async () => (await probeRegistry(port)) === expected, {
      timeoutMs: 15_000,
      exited: started.exited,
    });
    if (!value) {
      const why = exitReason ? `stopped (${exitReason})` : 'did not answer within 15 s';
      throw new StepFailure(`the ${name} registry on 127.0.0.1:${port} ${why}; read ${log} and rerun.`);
    }
    return `docker-registry pid ${started.pid}`;
  }

  if (!(await registryImageUsable(endpoint))) {
    throw new StepFailure(
      `no registry to start on 127.0.0.1:${port}: install Debian's docker-registry package, or let the engine pull ${REGISTRY_IMAGE}, then rerun.`,
    );
  }
  writeFileSync(
    join(dir, 'config.yml'),
    registryConfig({ addr: ':5000', dataDir: '/var/lib/registry', htpasswd: auth && '/etc/ship-registry/htpasswd' }),
  );
  const created = await engineRequest(endpoint, 'POST', `/containers/create?name=${containerName(port)}`, {
    body: {
      Image: REGISTRY_IMAGE,
      Cmd: ['/etc/ship-registry/config.yml'],
      Labels: { [TESTBED_LABEL]: name },
      HostConfig: {
        Binds: [`${dir}:/etc/ship-registry:ro`, `${join(dir, 'data')}:/var/lib/registry`],
        PortBindings: { '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
        RestartPolicy: { Name: 'unless-stopped' },
      },
    },
  });
  if (created.status !== 201)
    throw new StepFailure(`creating the ${name} registry container failed: ${firstLine(created.text)}.`);
  const { Id: id } = JSON.parse(created.text);
  const startedContainer = await engineRequest(endpoint, 'POST', `/containers/${id}/start`);
  if (startedContainer.status >= 300) {
    throw new StepFailure(`starting the ${name} registry container failed: ${firstLine(startedContainer.text)}.`);
  }
  const { value } = await waitUntil(async () => (await probeRegistry(port)) === expected, { timeoutMs: 30_000 });
  if (!value)
    throw new StepFailure(
      `the ${name} registry container did not answer on 127.0.0.1:${port}; run 'docker logs ${containerName(port)}'.`,
    );
  return `${REGISTRY_IMAGE} container ${containerName(port)}`;
}

async function registryImageUsable(endpoint) {
  return (
    (await inspectImage(endpoint, REGISTRY_IMAGE)) !== undefined || (await pullImage(endpoint, REGISTRY_IMAGE)) === undefined
  );
}

/**
 * Stops a registry only if the test bed started it (pid file or labelled container) and, with
 * `port`, only if that one serves `port`: a pid file left from other ports is never a licence to kill.
 */
async function stopOwnedRegistry(endpoint, name, containerPort, { port } = {}) {
  const dir = join(testbedDir, name);
  const pidFile = join(dir, 'pid');
  const pid = readPid(pidFile);
  let stopped = false;
  const servesPort = port === undefined || configuredPort(join(dir, 'config.yml')) === port;
  if (pid && servesPort) {
    if (isAlive(pid) && commandLineOf(pid).includes('registry')) {
      process.kill(pid, 'SIGTERM');
      await waitUntil(() => !isAlive(pid), { timeoutMs: 5000 });
      stopped = true;
    }
    unlinkSync(pidFile);
  }
  const container = await inspectContainer(endpoint, containerName(containerPort));
  if (container?.Config?.Labels?.[TESTBED_LABEL] === name) {
    await engineRequest(endpoint, 'DELETE', `/containers/${container.Id}?force=true`, { timeoutMs: 30_000 });
    stopped = true;
  }
  return stopped;
}

function configuredPort(configFile) {
  try {
    const match = readFileSync(configFile, 'utf8').match(/^\s*addr:\s*\S*:(\d+)\s*$/m);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function inspectContainer(endpoint, name) {
  try {
    const response = await engineRequest(endpoint, 'GET', `/containers/${name}/json`);
    return response.status === 200 ? JSON.parse(response.text) : undefined;
  } catch {
    return undefined;
  }
}

async function ensurePlainRegistry(endpoint) {
  const host = `localhost:${plainPort}`;
  const status = await probeRegistry(plainPort);
  if (status === 200) return { host, detail: `${host} (running)` };
  if (status !== undefined && !(await stopOwnedRegistry(endpoint, 'registry-plain', plainPort, { port: plainPort }))) {
    throw new StepFailure(
      `127.0.0.1:${plainPort} is taken by something that is not an open registry; free the port or set SHIP_REGISTRY_PORT.`,
    );
  }
  const how = await startRegistry(endpoint, { name: 'registry-plain', port: plainPort });
  return { host, detail: `${host} (started ${how})` };
}

async function ensureAuthRegistry(endpoint, previous) {
  const explicitPort = isSet('SHIP_AUTH_REGISTRY_PORT');
  const credentials = previous?.username && previous.password ? previous : undefined;
  // A clone that had to move off the default port earlier finds its registry where state.json says.
  const previousPort = Number(previous?.host?.split(':')[1]) || undefined;
  const candidates = explicitPort ? [authPort] : [...new Set([previousPort, authPort].filter(Boolean))];
  for (const port of candidates) {
    const host = `localhost:${port}`;
    if (credentials?.host === host && (await probeRegistry(port)) === 401 && (await probeRegistry(port, credentials)) === 200) {
      return { auth: credentials, detail: `${host} (running, htpasswd user ${credentials.username})` };
    }
  }

  let port = authPort;
  let note = '';
  const status = await probeRegistry(port);
  if (status !== undefined && !(await stopOwnedRegistry(endpoint, 'registry-auth', port, { port }))) {
    const why = `127.0.0.1:${port} is taken by something whose credentials ${displayPath(statePath)} does not hold`;
    if (explicitPort) throw new StepFailure(`${why}; stop it or pick another SHIP_AUTH_REGISTRY_PORT.`);
    port = await freeLoopbackPort(authPort + 1, authPort + 50);
    if (port === undefined) throw new StepFailure(`${why}, and so are the next 50 ports; set SHIP_AUTH_REGISTRY_PORT.`);
    note = `; ${authPort} is held by a registry whose password this checkout does not know`;
  }
  const auth = {
    host: `localhost:${port}`,
    username: credentials?.username ?? AUTH_USERNAME,
    password: credentials?.password ?? randomBytes(18).toString('base64url'),
  };
  const how = await startRegistry(endpoint, { name: 'registry-auth', port, auth });
  return { auth, detail: `${auth.host} (started ${how}, htpasswd user ${auth.username}${note})` };
}

async function freeLoopbackPort(from, to) {
  for (let port = from; port <= to; port++) {
    if (port !== 5000 && port !== plainPort && (await probeRegistry(port)) === undefined) return port;
  }
  return undefined;
}

// ------------------------------------------------------------------------------ base image

function exampleBaseImage() {
  const { SHIP_BASE_IMAGE: override } = process.env;
  if (override) return override;
  const match = readFileSync(exampleDockerfile, 'utf8').match(/^\s*ARG\s+BASE_IMAGE=(\S+)/m);
  if (!match?.[1]) throw new StepFailure(`${exampleDockerfile} declares no ARG BASE_IMAGE=...; restore it and rerun.`);
  return match[1];
}

async function ensureBaseImage(endpoint, image) {
  const present = await inspectImage(endpoint, image);
  if (present) {
    const standIn = present.Config?.Labels?.['io.container-ship.stand-in'] ? ', offline stand-in' : '';
    return `${image} present (${Math.round(present.Size / 1e6)} MB${standIn})`;
  }
  const pullError = await pullImage(endpoint, image);
  if (pullError === undefined) return `${image} pulled`;

  if (process.getuid?.() !== 0 || !existsSync('/etc/debian_version')) {
    throw new StepFailure(
      `${image} cannot be pulled (${pullError}); connect the engine to its registry, or run this as root on Debian to build an offline stand-in.`,
    );
  }
  installMissing(['debootstrap']);
  mkdirSync(testbedDir, { recursive: true });
  const log = join(testbedDir, 'base-image.log');
  writeFileSync(log, '');
  const status = runLogged('bash', [join(repoRoot, 'scripts/make-base-image.sh'), image], { log });
  if (status !== 0) {
    const failure = lastLines(log, 40)
      .split('\n')
      .find((line) => line.startsWith('make-base-image: step'));
    throw new StepFailure(`${failure ?? 'make-base-image.sh failed'}; see ${log}, fix it and rerun.`);
  }
  const made = await inspectImage(endpoint, image);
  return `${image} cannot be pulled (${pullError}), so built the offline stand-in (${Math.round((made?.Size ?? 0) / 1e6)} MB, log ${log})`;
}

// ------------------------------------------------------------------------------ commands

async function up() {
  const started = performance.now();
  const endpoint = engineEndpoint();
  const previous = readState();
  let registries;
  let baseImage;
  await step('engine', async () => (await ensureEngine(endpoint)).detail);
  await step('registries', async () => {
    const plain = await ensurePlainRegistry(endpoint);
    const auth = await ensureAuthRegistry(endpoint, previous?.registries?.auth);
    registries = { plain: { host: plain.host }, auth: auth.auth };
    return `${plain.detail}, ${auth.detail}`;
  });
  await step('base image', async () => {
    baseImage = exampleBaseImage();
    return ensureBaseImage(endpoint, baseImage);
  });
  await step('tools', async () => ensureTools());
  await step('state', async () => {
    writeState({
      dockerHost: process.env.DOCKER_HOST?.trim() || null,
      baseImage,
      registryBinary: registryBinary() ?? null,
      registries: {
        plain: { host: registries.plain.host },
        auth: { host: registries.auth.host, username: registries.auth.username, password: registries.auth.password },
      },
    });
    return `${displayPath(statePath)} (mode 0600)`;
  });
  print(`testbed: ready in ${seconds(started)}`);
}

async function status() {
  const endpoint = engineEndpoint();
  const state = readState();
  const rows = [];
  const version = await engineVersion(endpoint);
  rows.push(['engine', version ? `Docker ${version.Version} (API ${version.ApiVersion}) on ${endpoint.label}` : undefined]);
  const portOf = (host, fallback) => Number(host?.split(':')[1]) || fallback;
  const plainAt = portOf(state?.registries?.plain?.host, plainPort);
  const plain = await probeRegistry(plainAt);
  rows.push(['registry', plain === 200 ? `localhost:${plainAt} answers` : undefined]);
  const auth = state?.registries?.auth;
  const authAt = portOf(auth?.host, authPort);
  const authStatus = auth ? await probeRegistry(authAt, auth) : undefined;
  rows.push(['auth reg.', authStatus === 200 ? `localhost:${authAt} accepts ${auth.username}` : undefined]);
  const image = state?.baseImage ?? exampleBaseImage();
  rows.push(['base image', version && (await inspectImage(endpoint, image)) ? `${image} present` : undefined]);
  rows.push(['state', state ? displayPath(statePath) : undefined]);
  for (const [name, detail] of rows) print(`testbed: ${name.padEnd(10)} ${detail ? `ok      ${detail}` : 'missing'}`);
  if (rows.some(([, detail]) => !detail)) {
    print("testbed: not ready; run 'npm run testbed' to bring it up");
    process.exitCode = 1;
  }
}

async function down() {
  const endpoint = engineEndpoint();
  const registries = readState()?.registries;
  const portOf = (host, fallback) => Number(host?.split(':')[1]) || fallback;
  for (const [name, port] of [
    ['registry-plain', portOf(registries?.plain?.host, plainPort)],
    ['registry-auth', portOf(registries?.auth?.host, authPort)],
  ]) {
    const stopped = await stopOwnedRegistry(endpoint, name, port);
    print(`testbed: ${name.padEnd(14)} ${stopped ? 'stopped' : 'not started by the test bed here; left alone'}`);
  }
  print('testbed: the engine and images are left as they are (other work may use them)');
}

const commands = { up, status, down };
const command = process.argv.slice(2).find((arg) => !arg.startsWith('-')) ?? 'up';
if (!(command in commands)) {
  print(`testbed: unknown command '${command}'; use up, status or down.`);
  process.exit(2);
}
try {
  plainPort = portFromEnv('SHIP_REGISTRY_PORT', 5001);
  authPort = portFromEnv('SHIP_AUTH_REGISTRY_PORT', 5002);
  await commands[command]();
} catch (error) {
  print(`testbed: ${error instanceof StepFailure ? error.message : `unexpected error: ${error?.message ?? error}`}`);
  if (debug || !(error instanceof StepFailure)) console.error(error);
  process.exit(1);
}
