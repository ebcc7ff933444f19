#!/usr/bin/env node
// Docs that cannot drift.
//
//   npm run docs:capture [-- FILE...]   run every marked console example of README.md and
//                                       docs/*.md against the test bed and write what it really
//                                       printed (and its exit code) into the file
//   node scripts/docs.mjs check         (a phase of `npm test`) run them again and fail when a
//                                       command's exit code or first error line differs from the
//                                       docs (digests, ids, ports, timings normalised); type-check
//                                       every marked SDK example and run the cheap ones
//
// Markers and block syntax: scripts/lib/docs-examples.mjs. Needs the build (packages/*/dist)
// and the test bed (`npm run testbed`); SHIP_TESTBED_STATE picks another test bed's state.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { commandsOf, firstErrorLine, normalize, parseDoc, RUN_ID, renderCommands, replaceBodies } from './lib/docs-examples.mjs';
import { binDir, repoRoot, seconds } from './lib/workspace.mjs';

const mode = process.argv[2];
if (mode !== 'capture' && mode !== 'check') {
  console.error('usage: node scripts/docs.mjs capture|check [FILE...]');
  process.exit(2);
}
const COMMAND_TIMEOUT_MS = 5 * 60_000;
const started = performance.now();

function docFiles() {
  const named = process.argv.slice(3);
  if (named.length > 0) return named.map((file) => resolve(file));
  const docs = join(repoRoot, 'docs');
  return [
    join(repoRoot, 'README.md'),
    ...readdirSync(docs)
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => join(docs, name)),
  ];
}

function testbedEnv() {
  const statePath = process.env.SHIP_TESTBED_STATE ?? join(repoRoot, '.testbed/state.json');
  if (!existsSync(statePath)) {
    console.error(`docs: no test bed state at ${statePath}; run 'npm run testbed' first.`);
    process.exit(1);
  }
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  return { SHIP_TESTBED_STATE: statePath, REGISTRY_PASSWORD: state.registries?.auth?.password ?? '' };
}

/** A directory with a `ship` that runs this checkout's CLI, first on PATH for the examples. */
function shipShim(dir) {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const ship = join(bin, 'ship');
  writeFileSync(ship, `#!/bin/sh\nexec node ${JSON.stringify(join(repoRoot, 'packages/cli/bin/ship.js'))} "$@"\n`);
  chmodSync(ship, 0o755);
  return bin;
}

/** The test bed's secrets never reach a page: an example that prints one (`::add-mask::`) shows `***`. */
function masked(output, env) {
  const secrets = [env.REGISTRY_PASSWORD].filter((value) => value && value.length >= 8);
  return secrets.reduce((text, secret) => text.split(secret).join('***'), output);
}

/** Runs one shell command with stdout and stderr in one stream, in the order they were written. */
function shell(command, { cwd, env }) {
  return new Promise((resolvePromise) => {
    const child = spawn('bash', ['-c', `exec 2>&1\n${command}`], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks = [];
    const timer = setTimeout(() => child.kill('SIGTERM'), COMMAND_TIMEOUT_MS);
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.once('error', () => resolvePromise({ exitCode: 127, output: `cannot start bash` }));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const output = masked(Buffer.concat(chunks).toString('utf8'), env);
      resolvePromise({ exitCode: signal ? 128 + 15 : (code ?? 1), output });
    });
  });
}

/**
 * `docs-3f2a1b` → `docs-<this run's hex>`: every run publishes into repositories nobody used
 * before. Only the page's own ids change (`old`), not another page's that its output mentions.
 */
function withRunId(text, hex, old) {
  return text.replace(RUN_ID, (match, prefix) => (old.has(match.slice(prefix.length + 1)) ? `${prefix}-${hex}` : match));
}

function runIdsOf(text) {
  return new Set([...text.matchAll(RUN_ID)].map((m) => m[0].slice(m[1].length + 1)));
}

async function runDoc(file, baseEnv, tmpRoot) {
  const rel = relative(repoRoot, file);
  const original = readFileSync(file, 'utf8');
  const parsed = parseDoc(original, rel);
  const oldIds = runIdsOf(original);
  const problems = [...parsed.problems];
  const captures = parsed.blocks.filter((b) => b.kind === 'capture');
  const hex = randomBytes(3).toString('hex');
  const docsTmp = mkdtempSync(join(tmpRoot, `${basename(file, '.md')}-`));
  const env = { ...baseEnv, DOCS_TMP: docsTmp, DOCKER_CONFIG: join(docsTmp, 'docker-config') };
  const replacements = [];
  let commandCount = 0;
  for (const block of captures) {
    const cwd = block.attrs.cwd ? resolve(repoRoot, block.attrs.cwd.replace('$DOCS_TMP', docsTmp)) : repoRoot;
    for (const line of block.attrs.setup) {
      const setup = await shell(withRunId(line, hex, oldIds), { cwd: repoRoot, env: { ...env, PWD: repoRoot } });
      if (setup.exitCode !== 0)
        problems.push(`${rel}:${block.line}: setup '${line}' exited ${setup.exitCode}: ${setup.output.trim()}`);
    }
    const documented = commandsOf(block.body);
    const results = [];
    for (const expected of documented) {
      commandCount += 1;
      const command = withRunId(expected.command, hex, oldIds);
      let actual = await shell(command, { cwd, env });
      if (mode === 'check') {
        let mismatch = compare(expected, actual);
        // Under heavy load a smoke test can time out once; a real change fails twice.
        if (mismatch) {
          actual = await shell(command, { cwd, env });
          mismatch = compare(expected, actual);
        }
        if (mismatch) problems.push(`${rel}:${block.line}: $ ${expected.command}\n    ${mismatch}`);
      }
      results.push({ command: expected.command, output: actual.output, exitCode: actual.exitCode });
    }
    replacements.push({ block, body: renderCommands(results) });
  }
  await removeRunImages(hex, env);
  if (mode === 'capture' && replacements.length > 0) {
    const text = withRunId(replaceBodies(parsed.lines, replacements), hex, oldIds);
    writeFileSync(file, text);
  }
  return {
    rel,
    problems,
    warnings: parsed.warnings,
    commands: commandCount,
    blocks: captures.length,
    sdk: parsed.blocks.filter((b) => b.kind === 'sdk'),
  };
}

/**
 * The images this page's commands tagged into its own repositories (`docs-<hex>/...`, `readme-<hex>/...`),
 * removed at the end so runs do not pile up on a laptop's engine. The registry copies stay: the test bed's
 * registries are disposable.
 */
async function removeRunImages(hex, env) {
  const listed = await shell(`docker images --format '{{.Repository}}:{{.Tag}}'`, { cwd: repoRoot, env });
  if (listed.exitCode !== 0) return;
  const ours = new RegExp(`(^|/)(docs|readme)(-[a-z]+)*-${hex}/`);
  const refs = listed.output.split('\n').filter((ref) => ours.test(ref) && !ref.endsWith(':<none>'));
  if (refs.length > 0) await shell(`docker rmi ${refs.map((ref) => `'${ref}'`).join(' ')}`, { cwd: repoRoot, env });
}

/** Why the run does not match the docs (exit code, then the first error line), or undefined. */
function compare(expected, actual) {
  if (expected.exitCode !== actual.exitCode) {
    const error = firstErrorLine(actual.output);
    return `exited ${actual.exitCode}, the docs say ${expected.exitCode}${error ? ` (${error})` : ''}`;
  }
  const want = normalize(firstErrorLine(expected.output));
  const got = normalize(firstErrorLine(actual.output));
  if (want !== got) return `first error line is now:\n      ${got || '(none)'}\n    the docs show:\n      ${want || '(none)'}`;
  return undefined;
}

/** Every runtime name the SDK publishes, with the entry point (`@container-ship/sdk[/sub]`) that exports it; the root first. */
async function sdkExports() {
  const sdkDir = join(repoRoot, 'packages/sdk');
  const { exports } = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8'));
  const names = new Map();
  for (const [subpath, target] of Object.entries(exports)) {
    if (typeof target !== 'object' || !target.import) continue;
    const module = await import(join(sdkDir, target.import));
    const specifier = `@container-ship/sdk${subpath === '.' ? '' : subpath.slice(1)}`;
    for (const name of Object.keys(module)) if (!names.has(name)) names.set(name, specifier);
  }
  return names;
}

/** Type-checks every marked SDK example against the built SDK, and runs the ones marked `run`. */
async function checkSdkExamples(docs) {
  const examples = docs.flatMap((doc) => doc.sdk.map((block) => ({ rel: doc.rel, block })));
  if (examples.length === 0) return { problems: [], compiled: 0, ran: 0 };
  const dir = join(repoRoot, '.docs-check');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  const exported = await sdkExports();
  const files = [];
  for (const { rel, block } of examples) {
    const name = `${rel.replace(/[^a-z0-9]+/gi, '-')}-${block.line}`;
    const body = block.body.join('\n');
    // A fragment without imports gets them: each name it uses, from the entry point that exports it.
    const bySpecifier = new Map();
    if (!/from '@container-ship\/sdk[/']/.test(body)) {
      for (const [name, specifier] of exported) {
        if (!new RegExp(`\\b${name}\\b`).test(body)) continue;
        bySpecifier.set(specifier, [...(bySpecifier.get(specifier) ?? []), name]);
      }
    }
    const imports = [...bySpecifier]
      .map(([specifier, names]) => `import { ${names.join(', ')} } from '${specifier}';\n`)
      .join('');
    const declares = block.attrs.declare.map((d) => `declare ${d};\n`).join('');
    // Line 1 of the example stays line 1 + the preamble's lines; the error names the doc line.
    writeFileSync(join(dir, 'src', `${name}.ts`), `${imports}${declares}${body}\nexport {};\n`);
    files.push({ rel, block, name, preamble: (imports + declares).split('\n').length - 1 });
  }
  writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        lib: ['ES2023', 'ESNext.Disposable', 'DOM'],
        types: ['node'],
        strict: true,
        skipLibCheck: true,
        outDir: 'out',
        rootDir: 'src',
      },
      include: ['src'],
    }),
  );
  const problems = [];
  const tsc = await shell(`${JSON.stringify(join(binDir, 'tsc'))} -p .`, { cwd: dir, env: process.env });
  if (tsc.exitCode !== 0) {
    for (const line of tsc.output.split('\n').filter((l) => /error TS/.test(l))) {
      const m = /^src\/(.+)\.ts\((\d+),\d+\): (.*)$/.exec(line);
      const file = m && files.find((f) => f.name === m[1]);
      problems.push(file ? `${file.rel}:${file.block.line + Number(m[2]) - file.preamble}: ${m[3]}` : line);
    }
    if (problems.length === 0) problems.push(`tsc exited ${tsc.exitCode}: ${tsc.output.trim()}`);
  }
  let ran = 0;
  for (const file of files.filter((f) => f.block.attrs.run)) {
    if (problems.length > 0) break;
    ran += 1;
    const run = await shell(`node out/${file.name}.js`, { cwd: dir, env: process.env });
    if (run.exitCode !== 0)
      problems.push(
        `${file.rel}:${file.block.line}: the example exited ${run.exitCode}: ${firstErrorLine(run.output) || run.output.trim().split('\n')[0]}`,
      );
  }
  rmSync(dir, { recursive: true, force: true });
  return { problems, compiled: files.length, ran };
}

if (!existsSync(join(repoRoot, 'packages/cli/dist')) || !existsSync(join(repoRoot, 'packages/sdk/dist'))) {
  console.error("docs: the packages are not built; run 'npm run build' first.");
  process.exit(1);
}
const tmpRoot = mkdtempSync(join(tmpdir(), 'ship-docs-'));
const env = { ...process.env, ...testbedEnv(), PATH: `${shipShim(tmpRoot)}:${process.env.PATH}`, NO_COLOR: '1', COLUMNS: '80' };
delete env.FORCE_COLOR;
let docs;
try {
  // Pages run at the same time (each in its own repositories and temp dir); a page's commands in order.
  docs = await Promise.all(docFiles().map((file) => runDoc(file, env, tmpRoot)));
} finally {
  rmSync(tmpRoot, { recursive: true, force: true });
}
const sdk = await checkSdkExamples(docs);
const problems = [...docs.flatMap((d) => d.problems), ...sdk.problems];
const commands = docs.reduce((n, d) => n + d.commands, 0);
const blocks = docs.reduce((n, d) => n + d.blocks, 0);
const pages = docs.filter((d) => d.blocks > 0).length;
for (const warning of docs.flatMap((d) => d.warnings)) console.error(`docs: warning: ${warning}`);
for (const problem of problems) console.error(`docs: ${problem}`);
const verb = mode === 'capture' ? 'captured' : 'checked';
console.log(
  `docs: ${verb} ${commands} commands in ${blocks} console blocks of ${pages} pages; ` +
    `${sdk.compiled} SDK examples type-checked, ${sdk.ran} run; ${problems.length} problem(s) [${seconds(started)}]`,
);
if (problems.length > 0) process.exitCode = 1;
