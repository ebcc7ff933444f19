#!/usr/bin/env node
// `npm run bench`: ship against doing the same by hand with the docker CLI, on this machine.
// Every scenario runs both sides as whole processes (what a user types), alternating which goes
// first, several times, and checks its own result (the image answers, the tags exist, the
// digests match) so a broken run cannot look fast. See bench/README.md for the method.
//
// Writes bench/results/latest.json and bench/results/latest.md. Never part of `npm test`.
//   npm run bench                      every scenario
//   npm run bench -- --runs=3          fewer repetitions
//   npm run bench -- --only=release,smoke
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { startSecondEngine } from '../scripts/lib/second-engine.mjs';
import { binDir, ensureDependencies, repoRoot, run } from '../scripts/lib/workspace.mjs';

const arg = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const runsOverride = arg('runs') ? Number(arg('runs')) : undefined;
const only = arg('only')?.split(',');
const id = randomBytes(3).toString('hex');
const ship = join(repoRoot, 'packages/cli/bin/ship.js');
const resultsDir = join(repoRoot, 'bench/results');
const work = mkdtempSync(join(os.tmpdir(), 'i12-bench-'));
const cleanupImages = new Set();
const cleanupContainers = new Set();

// ---------------------------------------------------------------- processes

/** Runs a whole process under /usr/bin/time; resolves with its wall ms, peak RSS (MiB) and output. */
function timedProcess(command, args, { env, input, allowFail = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('/usr/bin/time', ['-f', 'i12-peak-rss-kb %M', command, ...args], {
      cwd: repoRoot,
      env: { ...process.env, CI: 'true', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.stdin.end(input ?? '');
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - started;
      const rss = /i12-peak-rss-kb (\d+)/.exec(stderr);
      stderr = stderr.replace(/.*i12-peak-rss-kb \d+\n?/, '');
      const result = { ms, code, stdout: stdout.trim(), stderr: stderr.trim(), rssMiB: rss ? Number(rss[1]) / 1024 : 0 };
      if (code !== 0 && !allowFail) {
        reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      } else resolve(result);
    });
  });
}

const shipRun = (args, options) => timedProcess(process.execPath, [ship, ...args], options);
// Debian's engine has no buildx plugin, so `docker build` here is the classic builder.
const docker = (args, options) => timedProcess('docker', args, { ...options, env: { DOCKER_BUILDKIT: '0', ...options?.env } });

function httpStatus(url) {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: 1000 }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body }));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve({ status: 0, body: '' }));
  });
}

/** What a person does by hand: curl until 200, every 50 ms (as tight as ship polls). */
async function curlUntil200(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = await timedProcess('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', url], { allowFail: true });
    if (answer.stdout === '200') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
}

// ---------------------------------------------------------------- registry

function readTestbed() {
  const path = process.env.SHIP_TESTBED_STATE ?? join(repoRoot, '.testbed/state.json');
  return JSON.parse(readFileSync(path, 'utf8'));
}

const ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

async function registryDigest(host, repository, tag) {
  const response = await fetch(`http://${host}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: ACCEPT },
  });
  return response.status === 200 ? response.headers.get('docker-content-digest') : null;
}

async function expectTags(host, repository, tags, digest) {
  for (const tag of tags) {
    const found = await registryDigest(host, repository, tag);
    if (!found) throw new Error(`self-check: ${host}/${repository}:${tag} is not in the registry`);
    if (digest && found !== digest) throw new Error(`self-check: ${repository}:${tag} is ${found}, expected ${digest}`);
  }
  return registryDigest(host, repository, tags[0]);
}

/** A counting proxy in front of the registry: blob bytes uploaded and manifest writes, as the registry sees them. */
async function countingProxy(upstreamHost) {
  const [upHost, upPort] = upstreamHost.replace('localhost', '127.0.0.1').split(':');
  const counts = { blobBytes: 0, manifestPuts: 0, requests: 0 };
  const server = http.createServer((incoming, outgoing) => {
    counts.requests++;
    const isBlobUpload = /\/blobs\/uploads\//.test(incoming.url ?? '') && ['PATCH', 'PUT', 'POST'].includes(incoming.method);
    if (incoming.method === 'PUT' && /\/manifests\//.test(incoming.url ?? '')) counts.manifestPuts++;
    const upstream = http.request(
      { host: upHost, port: Number(upPort), method: incoming.method, path: incoming.url, headers: incoming.headers },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.on('error', () => outgoing.destroy());
    incoming.on('data', (chunk) => {
      if (isBlobUpload) counts.blobBytes += chunk.length;
    });
    incoming.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    host: `127.0.0.1:${port}`,
    counts,
    reset: () => Object.assign(counts, { blobBytes: 0, manifestPuts: 0, requests: 0 }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// ---------------------------------------------------------------- statistics

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round = (value, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * `runs` rounds; in each, both sides once, alternating which goes first. A side returns
 * `{ ms, rssMiB?, ...fields }` (fields: the last round's) after its own checks passed.
 */
async function alternate(name, runs, sides) {
  const samples = { ours: [], baseline: [] };
  const rss = { ours: [], baseline: [] };
  let fields = {};
  for (let round_ = 0; round_ < runs; round_++) {
    const order = round_ % 2 === 0 ? ['ours', 'baseline'] : ['baseline', 'ours'];
    for (const side of order) {
      const outcome = await sides[side](round_);
      samples[side].push(outcome.ms);
      if (outcome.rssMiB) rss[side].push(outcome.rssMiB);
      if (outcome.fields) fields = { ...fields, ...outcome.fields };
    }
    process.stdout.write(
      `  ${name} round ${round_ + 1}/${runs}: ours ${round(samples.ours.at(-1))} ms, baseline ${round(samples.baseline.at(-1))} ms\n`,
    );
  }
  const ours = median(samples.ours);
  const baseline = median(samples.baseline);
  return {
    name,
    ours_ms: round(ours),
    baseline_ms: round(baseline),
    ratio: round(ours / baseline, 2),
    runs,
    ...(rss.ours.length ? { peak_rss_mib: round(median(rss.ours), 1) } : {}),
    ...(rss.baseline.length ? { baseline_peak_rss_mib: round(median(rss.baseline), 1) } : {}),
    samples_ms: { ours: samples.ours.map((v) => round(v)), baseline: samples.baseline.map((v) => round(v)) },
    ...fields,
  };
}

const runsFor = (n) => runsOverride ?? n;

// ---------------------------------------------------------------- the example

function exampleCopy(name) {
  const dir = join(work, name);
  cpSync(join(repoRoot, 'examples/flask-app'), dir, { recursive: true });
  return dir;
}

function editApp(dir, marker) {
  appendFileSync(join(dir, 'app.py'), `# bench edit ${marker}\n`);
}

async function shipJson(args, options) {
  const result = await shipRun([...args, '--json'], options);
  return { ...result, json: JSON.parse(result.stdout) };
}

async function imageSize(ref) {
  return Number((await docker(['image', 'inspect', '-f', '{{.Size}}', ref])).stdout);
}

// ---------------------------------------------------------------- fresh runners

/**
 * One build on a fresh CI runner: a second dockerd with an empty cache (scripts/lib/second-engine.mjs)
 * and the base image loaded, as a runner's own pull would give it. Starting it, loading the base image,
 * the self-check and stopping it are not timed; `build(engine)` is.
 */
async function onFreshRunner(ctx, build) {
  const engine = await startSecondEngine({ prefix: 'i12', images: [ctx.baseImage] });
  try {
    const result = await build(engine);
    // Self-check: the image on the runner carries the edit, so nothing stale looked fast.
    const tail = await docker(
      ['run', '--rm', '--network', 'none', '--entrypoint', 'tail', 'i12-bench/fresh:1', '-n', '1', '/app/app.py'],
      {
        env: { DOCKER_HOST: engine.host },
      },
    );
    if (!tail.stdout.includes(ctx.fresh.marker)) throw new Error(`self-check: the fresh runner's image ends with ${tail.stdout}`);
    return result;
  } finally {
    await engine.stop();
  }
}

/**
 * Once for the fresh-runner scenarios: the example released as a first CI run would leave it (BuildKit
 * with inline cache, by ship release; the classic build, by docker build + docker push), and a copy
 * with app.py edited, the second run's source.
 */
async function freshRunnerSources(ctx) {
  if (ctx.fresh) return ctx.fresh;
  const source = exampleCopy('fresh-source');
  const repo = `i12-bench-${id}/fresh`;
  const buildkitRef = `${ctx.registry}/${repo}:latest`;
  const released = await shipJson([
    'release',
    source,
    '--image',
    `${ctx.registry}/${repo}`,
    '--tag',
    'v1.0.0',
    '--cache-to',
    'inline',
    '--no-smoke',
  ]);
  for (const tag of released.json.tags) cleanupImages.add(tag);
  const classicRef = `${ctx.registry}/${repo}-classic:latest`;
  cleanupImages.add(classicRef);
  await docker(['build', '-q', '-t', classicRef, source]);
  await docker(['push', '-q', classicRef]);
  const edited = exampleCopy('fresh-edited');
  const marker = `# bench edit ${id}-fresh`;
  appendFileSync(join(edited, 'app.py'), `${marker}\n`);
  ctx.fresh = { buildkitRef, classicRef, edited, marker };
  return ctx.fresh;
}

const FRESH_COLUMNS = 'ship column: with the registry cache, by hand column: without it (target ≤ 0.4)';

/** The dependency steps (venv, requirements, pip install, user, venv copy) came from the registry's cache. */
function expectCachedDependencies(r, minimum) {
  if (r.json.cachedSteps < minimum)
    throw new Error(`self-check: ${r.json.cachedSteps} of ${r.json.steps} steps were cached, expected at least ${minimum}`);
  return r;
}

// ---------------------------------------------------------------- scenarios

const scenarios = {
  async 'cli-start'() {
    return alternate('cli-start', runsFor(9), {
      ours: async () => {
        const r = await shipRun(['--version']);
        if (!/^\d+\.\d+\.\d+/.test(r.stdout)) throw new Error(`self-check: ship --version printed ${r.stdout}`);
        return r;
      },
      baseline: () => timedProcess(process.execPath, ['-e', '0']),
    }).then((r) => ({ ...r, overhead_ms: round(r.ours_ms - r.baseline_ms) }));
  },

  async 'build-warm'(ctx) {
    const dir = exampleCopy('build-warm');
    const tag = `i12-bench-${id}/warm:1`;
    cleanupImages.add(tag);
    const first = await shipJson(['build', dir, '-i', tag]);
    await docker(['build', '-q', '-t', `${tag}-docker`, dir]);
    cleanupImages.add(`${tag}-docker`);
    const result = await alternate('build-warm', runsFor(5), {
      ours: async () => {
        const r = await shipJson(['build', dir, '-i', tag]);
        if (r.json.imageId !== first.json.imageId)
          throw new Error(`self-check: the warm build gave ${r.json.imageId}, not the cached ${first.json.imageId}`);
        return r;
      },
      baseline: () => docker(['build', '-q', '-t', `${tag}-docker`, dir]),
    });
    const overhead = result.ours_ms - result.baseline_ms;
    return { ...result, overhead_ms: round(overhead), cli_start_ms: ctx.cliStart ?? null };
  },

  async 'build-cold'(ctx) {
    const dir = exampleCopy('build-cold');
    const tag = `i12-bench-${id}/cold:1`;
    cleanupImages.add(tag);
    cleanupImages.add(`${tag}-docker`);
    cleanupImages.add(`${tag}-classic`);
    const classic = [];
    const result = await alternate('build-cold', runsFor(2), {
      ours: async (i) => {
        const r = await shipJson(['build', dir, '-i', tag, '--no-cache', '--no-report']);
        if (ctx.builderFlag) {
          const c = await shipRun(['build', dir, '-i', `${tag}-classic`, '--no-cache', '--no-report', '--builder', 'classic']);
          classic.push(c.ms);
        }
        if (i === 0 && r.json.builder && r.json.builder !== 'buildkit')
          throw new Error(`self-check: builder was ${r.json.builder}`);
        return { ...r, fields: { builder: r.json.builder ?? 'buildkit (auto)' } };
      },
      baseline: () => docker(['build', '--no-cache', '-q', '-t', `${tag}-docker`, dir]),
    });
    return {
      ...result,
      note: 'ours: ship build --no-cache (BuildKit through the Engine API); baseline: docker build --no-cache (classic, the only builder the docker CLI has here)',
      ...(classic.length
        ? { classic_ms: round(median(classic)), classic_ratio: round(median(classic) / result.baseline_ms, 2) }
        : {}),
    };
  },

  async 'rebuild-after-edit'(ctx) {
    const dir = exampleCopy('rebuild');
    const tag = `i12-bench-${id}/rebuild:1`;
    for (const t of [tag, `${tag}-naive`, `${tag}-classic`, `${tag}-docker`]) cleanupImages.add(t);
    await shipRun(['build', dir, '-i', tag, '--no-report']);
    await shipRun(['build', dir, '-f', 'Dockerfile.naive', '-i', `${tag}-naive`, '--no-report']);
    if (ctx.builderFlag) await shipRun(['build', dir, '-i', `${tag}-classic`, '--no-report', '--builder', 'classic']);
    await docker(['build', '-q', '-t', `${tag}-docker`, dir]);
    const classic = [];
    const dockerCli = [];
    let edits = 0;
    const result = await alternate('rebuild-after-edit', runsFor(3), {
      ours: async () => {
        editApp(dir, `${id}-${edits++}`);
        const r = await shipJson(['build', dir, '-i', tag, '--no-report']);
        if (ctx.builderFlag) {
          const c = await shipRun(['build', dir, '-i', `${tag}-classic`, '--no-report', '--builder', 'classic']);
          classic.push(c.ms);
        }
        const d = await docker(['build', '-q', '-t', `${tag}-docker`, dir]);
        dockerCli.push(d.ms);
        return r;
      },
      baseline: async () => {
        editApp(dir, `${id}-${edits++}`);
        return shipRun(['build', dir, '-f', 'Dockerfile.naive', '-i', `${tag}-naive`, '--no-report']);
      },
    });
    return {
      ...result,
      note: "ours: ship build of the example's multi-stage Dockerfile after an app.py edit; baseline: the same for Dockerfile.naive",
      ...(classic.length ? { classic_ms: round(median(classic)) } : {}),
      docker_cli_ms: round(median(dockerCli)),
      buildkit_vs_docker_cli: round(result.ours_ms / median(dockerCli), 2),
    };
  },

  async 'image-size'() {
    const dir = exampleCopy('size');
    const tag = `i12-bench-${id}/size:1`;
    cleanupImages.add(tag);
    cleanupImages.add(`${tag}-naive`);
    await shipRun(['build', dir, '-i', tag, '--no-report']);
    await shipRun(['build', dir, '-f', 'Dockerfile.naive', '-i', `${tag}-naive`, '--no-report']);
    const ours = await imageSize(tag);
    const naive = await imageSize(`${tag}-naive`);
    return {
      name: 'image-size',
      ours_ms: null,
      baseline_ms: null,
      ratio: round(ours / naive, 3),
      runs: 1,
      size_bytes: ours,
      baseline_size_bytes: naive,
      note: "the example's Dockerfile vs Dockerfile.naive, bytes as the engine counts them",
    };
  },

  async smoke(ctx) {
    const image = ctx.exampleImage;
    return alternate('smoke', runsFor(5), {
      ours: async () => {
        const r = await shipJson(['smoke', image, '--port', '5000', '--expect-body', 'Hello']);
        if (r.json.status !== 'passed') throw new Error(`self-check: ship smoke said ${r.json.status}`);
        return r;
      },
      baseline: async () => {
        const started = performance.now();
        const run = await docker(['run', '-d', '-p', '127.0.0.1:0:5000', image]);
        cleanupContainers.add(run.stdout);
        const port = (await docker(['port', run.stdout, '5000/tcp'])).stdout.split('\n')[0].split(':').pop();
        await curlUntil200(`http://127.0.0.1:${port}/`);
        await docker(['rm', '-f', run.stdout]);
        cleanupContainers.delete(run.stdout);
        return { ms: performance.now() - started };
      },
    });
  },

  async release(ctx) {
    // The example itself, in its git repository, as a user releases it (created = the commit date).
    const dir = join(repoRoot, 'examples/flask-app');
    const ours = `i12-bench-${id}/release-ship`;
    const manual = `i12-bench-${id}/release-manual`;
    const host = ctx.registry;
    const localTag = `i12-bench-${id}/release-manual:local`;
    cleanupImages.add(localTag);
    // Warm-up (not timed): both repositories get the layers once.
    await shipRun(['release', dir, '--image', `${host}/${ours}`, '--tag', 'v0.0.1']);
    await manualRelease(dir, host, manual, localTag, '0.0.1');
    const result = await alternate('release', runsFor(3), {
      ours: async (i) => {
        const version = `1.0.${i}`;
        const r = await shipJson(['release', dir, '--image', `${host}/${ours}`, '--tag', `v${version}`]);
        if (!r.json.pushed || r.json.alreadyPublished) throw new Error('self-check: ship release did not publish');
        await expectTags(host, ours, [version, '1.0', '1', 'latest'], r.json.digest);
        for (const tag of r.json.tags) cleanupImages.add(tag);
        return r;
      },
      baseline: async (i) => manualRelease(dir, host, manual, localTag, `1.0.${i}`),
    });
    return {
      ...result,
      note: 'ours: ship release (build, smoke test, push 4 tags); baseline: docker build (cached), docker run -d -p, curl until 200, docker rm -f, docker tag + docker push x4',
    };
  },

  async 'rerelease-unchanged'(ctx) {
    const proxy = await countingProxy(ctx.registry);
    // Unchanged source: the example in its git repository (created is the commit date, not now).
    const dir = join(repoRoot, 'examples/flask-app');
    const ours = `i12-bench-${id}/rerelease-ship`;
    const manual = `i12-bench-${id}/rerelease-manual`;
    const localTag = `i12-bench-${id}/rerelease-manual:local`;
    cleanupImages.add(localTag);
    let digest;
    try {
      const first = await shipJson(['release', dir, '--image', `${proxy.host}/${ours}`, '--tag', 'v2.0.0']);
      digest = first.json.digest;
      for (const tag of first.json.tags) cleanupImages.add(tag);
      await manualRelease(dir, proxy.host, manual, localTag, '2.0.0');
      const counted = { ours: {}, baseline: {} };
      const result = await alternate('rerelease-unchanged', runsFor(3), {
        ours: async () => {
          proxy.reset();
          const r = await shipJson(['release', dir, '--image', `${proxy.host}/${ours}`, '--tag', 'v2.0.0']);
          counted.ours = { ...proxy.counts };
          if (!r.json.alreadyPublished || r.json.digest !== digest)
            throw new Error(`self-check: the re-release was not "already published" at ${digest}`);
          await expectTags(ctx.registry, ours, ['2.0.0', '2.0', '2', 'latest'], digest);
          return r;
        },
        baseline: async () => {
          proxy.reset();
          const r = await manualRelease(dir, proxy.host, manual, localTag, '2.0.0');
          counted.baseline = { ...proxy.counts };
          return r;
        },
      });
      return {
        ...result,
        bytes_uploaded: counted.ours.blobBytes,
        manifest_puts: counted.ours.manifestPuts,
        baseline_bytes_uploaded: counted.baseline.blobBytes,
        baseline_manifest_puts: counted.baseline.manifestPuts,
        note: 'the same release again with nothing changed; bytes and manifest writes counted by a proxy in front of the registry (last round)',
      };
    } finally {
      await proxy.close();
    }
  },

  async 'promote-local'(ctx) {
    const host = ctx.registry;
    const repo = `i12-bench-${id}/promote-local`;
    const source = `${host}/${repo}:src`;
    await docker(['tag', ctx.exampleImage, source]);
    await docker(['push', '-q', source]);
    cleanupImages.add(source);
    const digest = await registryDigest(host, repo, 'src');
    return alternate('promote-local', runsFor(5), {
      ours: async (i) => {
        const r = await shipRun(['promote', source, '--tag', `v3.${i}.0`]);
        await expectTags(host, repo, [`3.${i}.0`, `3.${i}`, '3', 'latest'], digest);
        return r;
      },
      baseline: async (i) => {
        const started = performance.now();
        let rssMiB = 0;
        for (const tag of [`4.${i}.0`, `4.${i}`, '4', 'latest-docker']) {
          const ref = `${host}/${repo}:${tag}`;
          cleanupImages.add(ref);
          await docker(['tag', source, ref]);
          rssMiB = Math.max(rssMiB, (await docker(['push', '-q', ref])).rssMiB);
        }
        const ms = performance.now() - started;
        await expectTags(host, repo, [`4.${i}.0`, `4.${i}`, '4'], digest);
        return { ms, rssMiB };
      },
    }).then((r) => ({
      ...r,
      note: 'image also local; ours: ship promote --tag (4 tags); baseline: docker tag + docker push x4',
    }));
  },

  async 'promote-remote'(ctx) {
    const host = ctx.registry;
    const repo = `i12-bench-${id}/promote-remote`;
    const source = `${host}/${repo}:src`;
    // An image of its own (a 24 MiB random layer, from scratch), so a pull moves all of it.
    const dir = join(work, 'remote-image');
    mkdirSync(dir);
    writeFileSync(join(dir, 'blob.bin'), randomBytes(24 * 1024 * 1024));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nCOPY blob.bin /blob.bin\n');
    await docker(['build', '-q', '-t', source, dir]);
    await docker(['push', '-q', source]);
    const digest = await registryDigest(host, repo, 'src');
    const dropLocal = async () => {
      const refs = (await docker(['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', `${host}/${repo}`])).stdout;
      const list = refs.split('\n').filter(Boolean);
      if (list.length) await docker(['rmi', '-f', ...list], { allowFail: true });
    };
    await dropLocal();
    const result = await alternate('promote-remote', runsFor(3), {
      ours: async (i) => {
        const r = await shipRun(['promote', source, '--tag', `v5.${i}.0`]);
        await expectTags(host, repo, [`5.${i}.0`, `5.${i}`, '5', 'latest'], digest);
        return r;
      },
      baseline: async (i) => {
        await dropLocal();
        const started = performance.now();
        await docker(['pull', '-q', source]);
        for (const tag of [`6.${i}.0`, `6.${i}`, '6', 'latest-docker']) {
          await docker(['tag', source, `${host}/${repo}:${tag}`]);
          await docker(['push', '-q', `${host}/${repo}:${tag}`]);
        }
        const ms = performance.now() - started;
        await expectTags(host, repo, [`6.${i}.0`, `6.${i}`, '6'], digest);
        await dropLocal();
        return { ms };
      },
    });
    return {
      ...result,
      note: 'the image only in the registry (24 MiB layer); ours: ship promote --tag (4 tags, no layer moves); baseline: docker pull + docker tag + docker push x4',
    };
  },

  async 'fresh-runner'(ctx) {
    const { buildkitRef, edited } = await freshRunnerSources(ctx);
    const build = (extra) => (engine) =>
      shipJson(['build', edited, '-i', 'i12-bench/fresh:1', '--no-report', ...extra], { env: { DOCKER_HOST: engine.host } });
    const result = await alternate('fresh-runner', runsFor(3), {
      ours: () =>
        onFreshRunner(ctx, async (engine) => expectCachedDependencies(await build(['--cache-from', buildkitRef])(engine), 5)),
      baseline: () => onFreshRunner(ctx, build([])),
    });
    return {
      ...result,
      columns: FRESH_COLUMNS,
      note: `a fresh engine per build, app.py edited since the release; ours: ship build --cache-from ${buildkitRef.split('/').pop()} (released by ship release --cache-to inline); baseline: ship build, no cache (both BuildKit)`,
    };
  },

  async 'fresh-runner-classic'(ctx) {
    const { classicRef, edited } = await freshRunnerSources(ctx);
    const build = (extra) => (engine) =>
      shipRun(['build', edited, '-i', 'i12-bench/fresh:1', '--no-report', '--builder', 'classic', ...extra], {
        env: { DOCKER_HOST: engine.host },
      });
    const result = await alternate('fresh-runner-classic', runsFor(3), {
      ours: () =>
        onFreshRunner(ctx, async (engine) => {
          // The classic builder reuses only local images: pull first, as a user would.
          const pull = await docker(['pull', '-q', classicRef], { env: { DOCKER_HOST: engine.host } });
          const built = await build(['--cache-from', classicRef])(engine);
          return { ms: pull.ms + built.ms, rssMiB: built.rssMiB };
        }),
      baseline: () => onFreshRunner(ctx, build([])),
    });
    return {
      ...result,
      columns: FRESH_COLUMNS,
      note: 'a fresh engine per build; ours: docker pull of the classic-built image, then ship build --builder classic --cache-from it; baseline: ship build --builder classic, no cache',
    };
  },

  async 'fresh-runner-docker'(ctx) {
    const { classicRef, edited } = await freshRunnerSources(ctx);
    const result = await alternate('fresh-runner-docker', runsFor(3), {
      ours: () =>
        onFreshRunner(ctx, async (engine) => {
          const env = { DOCKER_HOST: engine.host };
          const pull = await docker(['pull', '-q', classicRef], { env });
          const built = await docker(['build', '-q', '--cache-from', classicRef, '-t', 'i12-bench/fresh:1', edited], { env });
          return { ms: pull.ms + built.ms, rssMiB: Math.max(pull.rssMiB, built.rssMiB) };
        }),
      baseline: () =>
        onFreshRunner(ctx, (engine) =>
          docker(['build', '-q', '-t', 'i12-bench/fresh:1', edited], { env: { DOCKER_HOST: engine.host } }),
        ),
    });
    return {
      ...result,
      columns: FRESH_COLUMNS,
      note: 'a fresh engine per build; ours: docker pull + docker build --cache-from (classic; the docker CLI here has no buildx); baseline: docker build, no cache',
    };
  },
};

/** The manual sequence the issue measured: build (cached), run, curl until 200, rm, tag + push x4. */
async function manualRelease(dir, host, repo, localTag, version) {
  const started = performance.now();
  let rssMiB = 0;
  const track = (r) => {
    rssMiB = Math.max(rssMiB, r.rssMiB);
    return r;
  };
  track(await docker(['build', '-q', '-t', localTag, dir]));
  const container = track(await docker(['run', '-d', '-p', '127.0.0.1:0:5000', localTag])).stdout;
  cleanupContainers.add(container);
  const port = track(await docker(['port', container, '5000/tcp']))
    .stdout.split('\n')[0]
    .split(':')
    .pop();
  await curlUntil200(`http://127.0.0.1:${port}/`);
  track(await docker(['rm', '-f', container]));
  cleanupContainers.delete(container);
  const [major, minor] = version.split('.');
  for (const tag of [version, `${major}.${minor}`, major, 'latest']) {
    const ref = `${host}/${repo}:${tag}`;
    cleanupImages.add(ref);
    track(await docker(['tag', localTag, ref]));
    track(await docker(['push', '-q', ref]));
  }
  const ms = performance.now() - started;
  const answer = await httpStatus(`http://${host.replace('localhost', '127.0.0.1')}/v2/${repo}/tags/list`);
  if (answer.status !== 200 || !JSON.parse(answer.body).tags.includes(version))
    throw new Error(`self-check: the manual release did not publish ${repo}:${version}`);
  return { ms, rssMiB };
}

// ---------------------------------------------------------------- main

const names = Object.keys(scenarios);

function readPrevious() {
  try {
    return JSON.parse(readFileSync(join(resultsDir, 'latest.json'), 'utf8')).scenarios ?? [];
  } catch {
    return [];
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpu_model: cpus[0]?.model ?? 'unknown',
    memory_gib: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

async function engineDescription() {
  const r = await timedProcess('docker', ['version', '-f', '{{.Server.Version}} (API {{.Server.APIVersion}})'], {
    allowFail: true,
  });
  return r.code === 0 ? `Docker ${r.stdout}` : 'unknown';
}

function markdown(report) {
  const fmt = (value) =>
    value === null || value === undefined ? '' : value >= 1000 ? `${round(value / 1000, 2)} s` : `${round(value)} ms`;
  const lines = [
    '# container-ship benchmark: ship vs by hand',
    '',
    `${report.complete ? '' : '**Incomplete run.** '}${report.finished}, ${report.machine.cpus} CPUs (${report.machine.cpu_model}), ${report.machine.memory_gib} GiB, ${report.machine.node}, ${report.engine}, load average ${report.load_before.join('/')} before and ${report.load_after.join('/')} after, ${round(report.duration_s)} s in all.`,
    'Whole processes on both sides, medians; ratio = ship / by hand (below 1: ship is faster); load = the 1-minute load average when the scenario started. Method: [bench/README.md](../README.md).',
    '',
    '| scenario | ship | by hand | ratio | runs | load | more |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const s of report.scenarios) {
    if (s.error) {
      lines.push(`| ${s.name} | | | | | | failed: ${s.error} |`);
      continue;
    }
    const more = [];
    if (s.overhead_ms !== undefined) more.push(`overhead ${round(s.overhead_ms)} ms`);
    if (s.peak_rss_mib !== undefined)
      more.push(
        `peak RSS ${s.peak_rss_mib} MiB${s.baseline_peak_rss_mib === undefined ? '' : ` (by hand, largest process ${s.baseline_peak_rss_mib} MiB)`}`,
      );
    if (s.bytes_uploaded !== undefined)
      more.push(
        `uploaded ${s.bytes_uploaded} B, ${s.manifest_puts} manifest PUTs (by hand ${s.baseline_bytes_uploaded} B, ${s.baseline_manifest_puts} PUTs)`,
      );
    if (s.size_bytes !== undefined)
      more.push(`${round(s.size_bytes / 1e6, 1)} MB vs ${round(s.baseline_size_bytes / 1e6, 1)} MB`);
    if (s.classic_ms !== undefined) more.push(`ship --builder classic ${fmt(s.classic_ms)}`);
    if (s.docker_cli_ms !== undefined) more.push(`docker CLI ${fmt(s.docker_cli_ms)}`);
    if (s.columns !== undefined) more.push(s.columns);
    const load = s.load_average?.[0] ?? '';
    lines.push(
      `| ${s.name} | ${fmt(s.ours_ms)} | ${fmt(s.baseline_ms)} | ${s.ratio} | ${s.runs} | ${load} | ${more.join('; ')} |`,
    );
  }
  lines.push('', ...report.scenarios.filter((s) => s.note).map((s) => `- **${s.name}**: ${s.note}.`), '');
  return lines.join('\n');
}

async function main() {
  const started = performance.now();
  process.chdir(repoRoot);
  if (!(await ensureDependencies('bench'))) process.exit(1);
  if ((await run(join(binDir, 'turbo'), ['run', 'build', '--output-logs=errors-only'])) !== 0)
    throw new Error('the build failed');
  if ((await run('node', ['scripts/testbed.mjs', 'up'])) !== 0) throw new Error('the test bed did not come up');
  const testbed = readTestbed();
  const registry = testbed.registries.plain.host;
  const loadBefore = os.loadavg().map((v) => round(v, 1));
  console.log(`bench: load average ${loadBefore.join(' ')}; registry ${registry}; work dir ${work}`);

  // The example image the smoke and promote scenarios start from.
  const exampleDir = exampleCopy('example');
  const exampleImage = `i12-bench-${id}/example:1`;
  cleanupImages.add(exampleImage);
  await shipRun(['build', exampleDir, '-i', exampleImage, '--no-report']);
  // `ship build --builder` (the BuildKit issue's CLI flag): its classic side is measured once it exists.
  const builderFlag = (await shipRun(['build', '--help'])).stdout.includes('--builder');
  const ctx = { registry, baseImage: testbed.baseImage, exampleImage, cliStart: undefined, builderFlag };

  // With --only, the other scenarios' last results are kept.
  const previous = only ? readPrevious() : [];
  const results = [];
  const ordered = () => [...previous.filter((p) => !results.some((r) => r.name === p.name)), ...results];
  const write = async (complete) => {
    const report = {
      finished: new Date().toISOString(),
      complete,
      duration_s: round((performance.now() - started) / 1000, 1),
      machine: machine(),
      engine: await engineDescription(),
      registry,
      load_before: loadBefore,
      load_after: os.loadavg().map((v) => round(v, 1)),
      scenarios: ordered().sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name)),
    };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(resultsDir, 'latest.md'), markdown(report));
    return report;
  };
  for (const [name, scenario] of Object.entries(scenarios)) {
    if (only && !only.includes(name)) continue;
    console.log(`bench: ${name}`);
    try {
      const load = os.loadavg().map((v) => round(v, 1));
      const result = { ...(await scenario(ctx)), load_average: load, measured_at: new Date().toISOString() };
      if (name === 'cli-start') ctx.cliStart = result.overhead_ms;
      results.push(result);
    } catch (error) {
      console.error(`bench: ${name} failed: ${error.message}`);
      results.push({ name, error: error.message.split('\n')[0] });
    }
    // Written after every scenario, so an interrupted run still leaves what it measured.
    await write(false);
  }
  console.log(markdown(await write(true)));
  return results.some((r) => r.error) ? 1 : 0;
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`bench: ${error.message}`);
} finally {
  for (const container of cleanupContainers) await docker(['rm', '-f', container], { allowFail: true });
  const images = [...cleanupImages];
  if (images.length) await docker(['rmi', '-f', ...images], { allowFail: true });
  rmSync(work, { recursive: true, force: true });
}
process.exit(code);
