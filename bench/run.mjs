#!/usr/bin/env node
// `npm run bench`: the SDK against the plain docker CLI, on this machine, for the example app.
//
// Four operations, each done by both tools on the same engine, several repetitions, medians:
//   cold build    a --no-cache build of examples/flask-app (multi-stage Dockerfile)
//   warm rebuild  a cached build after app.py changed (only the code layer is rebuilt)
//   first 200     from "run the image" to the first HTTP 200 from GET / on a 127.0.0.1 port
//   push tag      tagging the built image with a new tag and pushing it to the local registry
// Each repetition alternates which tool goes first, so neither always gets the warmer engine.
// The docker CLI uses the classic builder (DOCKER_BUILDKIT=0), as the SDK does through the API.
//
// Writes bench/results/<timestamp>.json and bench/results/latest.md. Never part of `npm test`.
//   npm run bench -- --reps=5
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const resultsDir = join(repoRoot, 'bench/results');
const reps = Number(process.argv.find((arg) => arg.startsWith('--reps='))?.slice('--reps='.length) ?? 3);
const runId = randomBytes(4).toString('hex');
const BENCH_LABEL = 'io.container-ship.bench';

function spawnTimed(command, args, { env, capture = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(stdout.trim());
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

const docker = (args, options) => spawnTimed('docker', args, { ...options, env: { DOCKER_BUILDKIT: '0' } });

function httpStatus(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}

/** Polls until GET answers 200; the same loop measures both tools. */
async function untilOk(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await httpStatus(url)) === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

async function timed(action) {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A private copy of the example, so changing app.py never touches the real one. */
function exampleCopy() {
  const dir = mkdtempSync(join(os.tmpdir(), 'ship-bench-'));
  cpSync(join(repoRoot, 'examples/flask-app'), dir, { recursive: true });
  return dir;
}

function changeCode(dir, marker) {
  appendFileSync(join(dir, 'app.py'), `# bench change ${marker}\n`);
}

function readRegistryHost() {
  const path = process.env.SHIP_TESTBED_STATE ?? join(repoRoot, '.testbed/state.json');
  return JSON.parse(readFileSync(path, 'utf8')).registries.plain.host;
}

async function main() {
  console.log('bench: building the SDK (turbo run build --filter=@container-ship/sdk)');
  await spawnTimed(join(repoRoot, 'node_modules/.bin/turbo'), ['run', 'build', '--filter=@container-ship/sdk']);
  const sdk = await import(pathToFileURL(join(repoRoot, 'packages/sdk/dist/index.js')).href);
  for (const name of ['buildImage', 'runContainer', 'pushImage']) {
    if (typeof sdk[name] !== 'function') throw new Error(`the SDK does not export ${name} yet; build it once it lands.`);
  }
  const registry = readRegistryHost();
  const repository = `${registry}/bench/flask-app-${runId}`;
  const dir = exampleCopy();
  const images = new Set();
  const containers = new Set();

  const tools = {
    docker: {
      async coldBuild(tag) {
        await docker(['build', '--no-cache', '--quiet', '-t', tag, dir]);
      },
      async warmBuild(tag) {
        await docker(['build', '--quiet', '-t', tag, dir]);
      },
      async firstOk(image) {
        const id = await docker(['run', '-d', '--label', `${BENCH_LABEL}=${runId}`, '-p', '127.0.0.1:0:5000', image], {
          capture: true,
        });
        containers.add(id);
        const port = (await docker(['port', id, '5000/tcp'], { capture: true })).split('\n')[0].split(':').pop();
        await untilOk(`http://127.0.0.1:${port}/`);
        return async () => {
          await docker(['rm', '-f', id]);
          containers.delete(id);
        };
      },
      async pushTag(image, ref) {
        await docker(['tag', image, ref]);
        await docker(['push', '--quiet', ref]);
      },
    },
    ship: {
      async coldBuild(tag) {
        await sdk.buildImage({ context: dir, tags: [tag], noCache: true });
      },
      async warmBuild(tag) {
        await sdk.buildImage({ context: dir, tags: [tag] });
      },
      async firstOk(image) {
        const container = await sdk.runContainer({ image, ports: [5000], labels: { [BENCH_LABEL]: runId } });
        containers.add(container.id);
        await untilOk(container.urlFor(5000));
        return async () => {
          await container.remove();
          containers.delete(container.id);
        };
      },
      async pushTag(image, ref) {
        await sdk.pushImage({ image, tags: [ref] });
      },
    },
  };

  const samples = {};
  let rep = 0;
  const record = (operation, tool, ms) => {
    samples[operation] ??= { docker: [], ship: [] };
    samples[operation][tool].push(ms);
    console.log(`bench: rep ${rep + 1}/${reps} ${operation.padEnd(12)} ${tool.padEnd(6)} ${(ms / 1000).toFixed(2)}s`);
  };

  try {
    // The registry gets the layers once, so every measured push is a new tag of known layers.
    const seed = `${repository}:seed`;
    await docker(['build', '--quiet', '-t', seed, dir]);
    images.add(seed);
    await docker(['push', '--quiet', seed]);

    for (; rep < reps; rep++) {
      const order = rep % 2 === 0 ? ['docker', 'ship'] : ['ship', 'docker'];
      for (const tool of order) {
        const tag = `${repository}:${tool}-${rep}`;
        images.add(tag);
        record('cold build', tool, await timed(() => tools[tool].coldBuild(tag)));
        changeCode(dir, `${tool}-${rep}-${randomBytes(4).toString('hex')}`);
        record('warm rebuild', tool, await timed(() => tools[tool].warmBuild(tag)));
        let stop;
        record(
          'first 200',
          tool,
          await timed(async () => {
            stop = await tools[tool].firstOk(tag);
          }),
        );
        await stop();
        const pushed = `${repository}:push-${tool}-${rep}`;
        images.add(pushed);
        record('push tag', tool, await timed(() => tools[tool].pushTag(tag, pushed)));
      }
    }
  } finally {
    for (const id of containers) await docker(['rm', '-f', id]).catch(() => {});
    for (const ref of images) await docker(['rmi', '--force', ref]).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }

  const rows = Object.entries(samples).map(([operation, byTool]) => {
    const dockerMs = median(byTool.docker);
    const shipMs = median(byTool.ship);
    return {
      operation,
      dockerMedianMs: Math.round(dockerMs),
      shipMedianMs: Math.round(shipMs),
      ratio: shipMs / dockerMs,
      samples: byTool,
    };
  });
  const engine = JSON.parse(await docker(['version', '--format', '{{json .Server}}'], { capture: true }));
  const result = {
    date: new Date().toISOString(),
    repetitions: reps,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      loadAvg: os.loadavg(),
    },
    node: process.version,
    engine: { version: engine.Version, apiVersion: engine.ApiVersion, builder: 'classic (DOCKER_BUILDKIT=0 for the CLI)' },
    example: 'examples/flask-app (multi-stage Dockerfile)',
    registry,
    results: rows,
  };
  mkdirSync(resultsDir, { recursive: true });
  const stamp = result.date.replace(/[:.]/g, '-');
  writeFileSync(join(resultsDir, `${stamp}.json`), `${JSON.stringify(result, null, 2)}\n`);
  const table = [
    `# container-ship benchmark: SDK vs docker CLI`,
    '',
    `${result.date}, ${reps} repetitions (median), ${result.machine.cpus} CPUs (${result.machine.cpuModel}), ` +
      `load ${result.machine.loadAvg.map((n) => n.toFixed(1)).join('/')}, Node ${result.node}, ` +
      `Docker Engine ${engine.Version} (API ${engine.ApiVersion}), classic builder, registry ${registry}.`,
    '',
    '| operation | docker CLI | ship SDK | ship / docker |',
    '|---|---:|---:|---:|',
    ...rows.map(
      (row) =>
        `| ${row.operation} | ${(row.dockerMedianMs / 1000).toFixed(2)} s | ${(row.shipMedianMs / 1000).toFixed(2)} s | ${row.ratio.toFixed(2)} |`,
    ),
    '',
    'cold build: `--no-cache`; warm rebuild: cached build after an app.py change; first 200: run to the first HTTP 200 ' +
      'on a 127.0.0.1 port (same polling loop for both); push tag: tag + push of a new tag whose layers the registry has.',
    'The CLI times include starting the docker process. Raw samples: the JSON file of the same date.',
    '',
  ].join('\n');
  writeFileSync(join(resultsDir, 'latest.md'), table);
  console.log(`\n${table}`);
}

main().catch((error) => {
  console.error(`bench: ${error.message}`);
  process.exit(1);
});
