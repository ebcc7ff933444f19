#!/usr/bin/env node
// `npm run demo`: the main job, end to end, on whatever machine this is.
//
//   install (if needed) -> build -> test bed up
//   -> ship release examples/flask-app --image localhost:5001/examples/flask-app --tag 1.0.0
//      (build, run, smoke-test GET / on port 5000, tag 1.0.0 1.0 1 latest, push)
//   -> pull the image back by digest and smoke-test it once more (SDK, from packages/sdk/dist)
//   -> a short report: refs, digest, size, time per phase, and the tags the registry lists.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { binDir, ensureDependencies, repoRoot, run, runCapture, seconds } from './lib/workspace.mjs';

const EXAMPLE = 'examples/flask-app';
const REPOSITORY = 'examples/flask-app';
const VERSION = '1.0.0';
const EXPECTED_BODY = 'Hello from Docker!';

function fail(phase, message) {
  console.log(`demo: ${phase.padEnd(12)} FAILED  ${message}`);
  process.exit(1);
}

function ok(phase, detail, started) {
  console.log(`demo: ${phase.padEnd(12)} ok      ${detail} [${seconds(started)}]`);
}

function readTestbedState() {
  const path = process.env.SHIP_TESTBED_STATE ?? join(repoRoot, '.testbed/state.json');
  return JSON.parse(readFileSync(path, 'utf8'));
}

function getText(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { timeout: 5000 }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      })
      .on('timeout', function onTimeout() {
        this.destroy(new Error(`no answer from ${url} within 5 s`));
      })
      .on('error', reject);
  });
}

function megabytes(bytes) {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function ms(value) {
  return typeof value === 'number' ? `${(value / 1000).toFixed(1)}s` : 'n/a';
}

const demoStarted = performance.now();
process.chdir(repoRoot);
if (!(await ensureDependencies('demo'))) process.exit(1);

let started = performance.now();
if ((await run(join(binDir, 'turbo'), ['run', 'build', '--output-logs=errors-only'])) !== 0) {
  fail('build', 'turbo run build failed; fix the errors above and rerun.');
}
ok('build', 'turbo run build', started);

if ((await run('node', ['scripts/testbed.mjs', 'up'])) !== 0) fail('test bed', 'see the failing step above.');
const registryHost = readTestbedState().registries.plain.host;
const image = `${registryHost}/${REPOSITORY}`;

// The main job, through the CLI; its progress goes to stderr, its result to stdout as JSON.
started = performance.now();
const shipArgs = ['release', EXAMPLE, '--image', image, '--tag', VERSION, '--json'];
console.log(`demo: release      ship ${shipArgs.join(' ')}`);
const shipped = await runCapture('node', [join(repoRoot, 'packages/cli/bin/ship.js'), ...shipArgs]);
if (shipped.code !== 0) fail('release', `ship release exited ${shipped.code}; its error is printed above.`);
let release;
try {
  release = JSON.parse(shipped.stdout);
} catch {
  fail('release', `ship release --json printed something that is not JSON: ${shipped.stdout.slice(0, 200)}`);
}
if (!release.pushed || !release.digest) fail('release', 'ship release reported nothing pushed; see its output above.');
ok('release', `${release.tags.length} tags pushed, smoke ${release.smoke?.status ?? 'n/a'}`, started);

// Pull back by digest, which proves the registry holds exactly what was smoke-tested.
const { pullImage, smokeTest } = await import(pathToFileURL(join(repoRoot, 'packages/sdk/dist/index.js')).href);
const byDigest = `${image}@${release.digest}`;
started = performance.now();
try {
  await pullImage({ image: byDigest });
} catch (error) {
  fail('pull back', error.message);
}
const pullMs = performance.now() - started;
ok('pull back', byDigest, started);

started = performance.now();
const again = await smokeTest({ image: byDigest, port: 5000, path: '/', expectStatus: 200, expectBody: EXPECTED_BODY });
if (again.status !== 'passed') fail('smoke again', `${again.reason ?? 'the pulled image did not answer'}.`);
const smokeAgainMs = performance.now() - started;
ok('smoke again', `${again.url} answered ${again.httpStatus} "${again.body?.trim()}"`, started);

const tagsUrl = `http://127.0.0.1:${registryHost.split(':')[1]}/v2/${REPOSITORY}/tags/list`;
const tagsList = await getText(tagsUrl).catch((error) => `(could not list: ${error.message})`);
const durations = release.durations ?? {};
console.log(`
container-ship demo: ${release.image} ${release.version}
  refs      ${release.tags.join('\n            ')}
  digest    ${release.digest}
  size      ${megabytes(release.size)}
  smoke     ${release.smoke?.status ?? 'n/a'} at ${release.smoke?.url ?? 'n/a'} in ${ms(release.smoke?.durationMs)}
  phases    build ${ms(durations.build)}, smoke ${ms(durations.smoke)}, push ${ms(durations.push)}, pull back ${ms(pullMs)}, smoke again ${ms(smokeAgainMs)}
  total     ${seconds(demoStarted)} (including install, build and test bed)
  tags      curl -s ${tagsUrl}
            ${tagsList.trim()}`);
