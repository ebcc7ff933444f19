// What `npm run demo` and `npm test` share: the repo root, installing dependencies when the
// lockfile says node_modules is missing or stale, and running a step that prints one line.
// No npm dependencies: this runs before `npm install`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const binDir = join(repoRoot, 'node_modules/.bin');

/**
 * Why node_modules does not match package-lock.json, or undefined when it does. npm records what
 * it installed in node_modules/.package-lock.json; every package the lockfile needs (platform-
 * specific optional ones aside) must be there at the locked version.
 */
export function dependenciesOutOfDate(root = repoRoot) {
  const installedPath = join(root, 'node_modules/.package-lock.json');
  if (!existsSync(installedPath)) return 'node_modules is missing';
  const locked = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages ?? {};
  const installed = JSON.parse(readFileSync(installedPath, 'utf8')).packages ?? {};
  for (const [path, entry] of Object.entries(locked)) {
    if (path === '') continue;
    const have = installed[path];
    if (!have && !entry.optional) return `${path} is not installed`;
    if (have && entry.version !== undefined && have.version !== entry.version) {
      return `${path} is ${have.version}, the lockfile wants ${entry.version}`;
    }
  }
  return undefined;
}

/** Runs a command with inherited output; resolves to its exit code (127 when it cannot start). */
export function run(command, args, { cwd = repoRoot, env, stdio = 'inherit' } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio });
    child.once('error', () => resolve(127));
    child.once('exit', (code, signal) => resolve(signal ? 128 : (code ?? 1)));
  });
}

/** Runs a command and collects its stdout (stderr passes through, for progress). */
export function runCapture(command, args, { cwd = repoRoot, env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.once('error', () => resolve({ code: 127, stdout: '' }));
    child.once('close', (code, signal) =>
      resolve({ code: signal ? 128 : (code ?? 1), stdout: Buffer.concat(chunks).toString('utf8') }),
    );
  });
}

export function seconds(startedMs) {
  return `${((performance.now() - startedMs) / 1000).toFixed(1)}s`;
}

/** `npm ci` when node_modules is missing or stale; prints one line either way. Returns false on failure. */
export async function ensureDependencies(prefix, width = 12) {
  const started = performance.now();
  const label = `${prefix}: ${'dependencies'.padEnd(width)}`;
  const reason = dependenciesOutOfDate();
  if (!reason) {
    console.log(`${label} ok      node_modules matches package-lock.json [${seconds(started)}]`);
    return true;
  }
  console.log(`${label} ...     ${reason}; running npm ci`);
  const code = await run('npm', ['ci', '--no-audit', '--no-fund']);
  if (code !== 0) {
    console.log(`${label} FAILED  npm ci exited ${code}; fix the error above and rerun.`);
    return false;
  }
  console.log(`${label} ok      installed [${seconds(started)}]`);
  return true;
}
