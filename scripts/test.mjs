#!/usr/bin/env node
// `npm test`: every check the project has, unit and real-engine, from a fresh clone.
//
//   install (if needed) -> build -> test bed up -> biome check -> typecheck -> API report ->
//   packed types + publint -> unit tests
//   -> real-engine tests (one package at a time) -> the SDK against Podman (when podman is
//   installed; the test bed installs it as root on Debian) -> the docs' console and SDK examples
//   (scripts/docs.mjs check) -> no io.container-ship.managed container left
//
// Every phase runs even after one fails, so one run shows everything that is wrong; the exit
// code is non-zero if any failed. Vitest also writes a JSON report per package, and the LAST
// line printed is the total over all packages: `N passed, N failed[, N skipped]`.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { binDir, ensureDependencies, repoRoot, run, runCapture, seconds } from './lib/workspace.mjs';

const MANAGED_LABEL = 'io.container-ship.managed';
/** Per package, relative to its directory; gitignored. */
const REPORT_DIR = '.vitest-reports';
// --continue: one package's failure must not hide the others' results.
const suites = [
  { task: 'test', report: 'unit.json', extra: ['--continue'] },
  { task: 'test:itg', report: 'integration.json', extra: ['--continue', '--concurrency=1'] },
];

/** `npm run test:podman` of the SDK: its own report, counted in the totals when it ran. */
const podmanSuite = { dir: join(repoRoot, 'packages/sdk'), report: 'podman.json' };
let podmanRan = false;

const phases = [];

async function phase(name, action) {
  const started = performance.now();
  const failure = await action();
  phases.push({ name, ok: !failure });
  const detail = failure ? `FAILED  ${failure}` : 'ok     ';
  console.log(`test: ${name.padEnd(14)} ${detail} [${seconds(started)}]`);
  return !failure;
}

const exitedNonZero = (code) => (code === 0 ? undefined : `exited ${code}`);

function packageDirs() {
  const root = join(repoRoot, 'packages');
  return readdirSync(root)
    .map((name) => join(root, name))
    .filter((dir) => existsSync(join(dir, 'package.json')));
}

function vitestReportArgs(report) {
  // --passWithNoTests: a package without engine tests is not a failure; the totals show the counts.
  return ['--', '--passWithNoTests', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT_DIR}/${report}`];
}

function clearReports() {
  for (const dir of packageDirs()) rmSync(join(dir, REPORT_DIR), { recursive: true, force: true });
}

/** Adds one vitest JSON report to the totals; a file that failed to load counts as failed. */
function addReport(sum, path) {
  if (!existsSync(path)) return;
  const result = JSON.parse(readFileSync(path, 'utf8'));
  sum.reports += 1;
  sum.passed += result.numPassedTests ?? 0;
  sum.failed += result.numFailedTests ?? 0;
  sum.skipped += (result.numPendingTests ?? 0) + (result.numTodoTests ?? 0);
  const brokenFiles = (result.testResults ?? []).filter(
    (file) => file.status === 'failed' && (file.assertionResults ?? []).length === 0,
  );
  sum.failed += brokenFiles.length;
}

/** Totals over every JSON report vitest wrote. */
function totals() {
  const sum = { passed: 0, failed: 0, skipped: 0, reports: 0 };
  for (const dir of packageDirs()) {
    for (const { report } of suites) addReport(sum, join(dir, REPORT_DIR, report));
  }
  if (podmanRan) addReport(sum, join(podmanSuite.dir, REPORT_DIR, podmanSuite.report));
  return sum;
}

/** Containers the SDK made (it labels every one) that nothing removed. */
async function leftoverContainers() {
  const { code, stdout } = await runCapture('docker', [
    'ps',
    '--all',
    '--filter',
    `label=${MANAGED_LABEL}`,
    '--format',
    '{{.ID}} {{.Names}} {{.Image}} {{.Status}}',
  ]);
  if (code !== 0) return `docker ps exited ${code}; is the docker CLI installed?`;
  const lines = stdout.trim().split('\n').filter(Boolean);
  if (lines.length === 0) return undefined;
  return `${lines.length} container(s) labelled ${MANAGED_LABEL} left behind (${lines.join('; ')}); find the test that leaks them, then 'docker rm -f' them.`;
}

const started = performance.now();
process.chdir(repoRoot);
if (!(await ensureDependencies('test', 14))) process.exit(1);

const turbo = join(binDir, 'turbo');
const built = await phase('build', async () => exitedNonZero(await run(turbo, ['run', 'build'])));
const testbedUp = await phase('test bed', async () => exitedNonZero(await run('node', ['scripts/testbed.mjs', 'up'])));

await phase('lint', async () => exitedNonZero(await run(join(binDir, 'biome'), ['check', '.'])));
await phase('typecheck', async () => exitedNonZero(await run(turbo, ['run', 'typecheck', '--continue'])));
await phase('api report', async () =>
  built ? exitedNonZero(await run('node', ['scripts/api-report.mjs', '--check'])) : 'not run: the build failed above',
);
// What users of the published packages get: the packed SDK's types in a strict project, and publint.
await phase('packed types', async () =>
  built ? exitedNonZero(await run('node', ['scripts/check-packed-types.mjs'])) : 'not run: the build failed above',
);
await phase('publint', async () => {
  const failed = [];
  for (const dir of packageDirs()) {
    if ((await run(join(binDir, 'publint'), ['--strict', dir])) !== 0) failed.push(dir);
  }
  return failed.length ? `publint --strict failed for ${failed.join(', ')}` : undefined;
});

clearReports();
for (const dir of packageDirs()) mkdirSync(join(dir, REPORT_DIR), { recursive: true });
await phase('unit tests', async () =>
  exitedNonZero(await run(turbo, ['run', 'test', ...suites[0].extra, ...vitestReportArgs(suites[0].report)])),
);
if (built && testbedUp) {
  await phase('engine tests', async () =>
    exitedNonZero(await run(turbo, ['run', 'test:itg', ...suites[1].extra, ...vitestReportArgs(suites[1].report)])),
  );
} else {
  await phase('engine tests', async () => 'not run: the build or the test bed failed above');
}
const podmanInstalled = (await runCapture('podman', ['--version'])).code === 0;
if (!podmanInstalled) {
  console.log('test: podman         not run: podman is not installed (npm run testbed installs it as root on Debian)');
} else if (built && testbedUp) {
  podmanRan = true;
  await phase('podman', async () =>
    exitedNonZero(
      await run('npm', ['run', 'test:podman', '--workspace', '@container-ship/sdk', ...vitestReportArgs(podmanSuite.report)]),
    ),
  );
} else {
  await phase('podman', async () => 'not run: the build or the test bed failed above');
}
// Every marked console example of README.md and docs/*.md is run again: a command whose exit code
// or first error line no longer matches the docs fails here (scripts/docs.mjs; re-capture with
// `npm run docs:capture`). Marked SDK examples are type-checked, the cheap ones run.
if (built && testbedUp) {
  await phase('docs examples', async () => exitedNonZero(await run('node', ['scripts/docs.mjs', 'check'])));
} else {
  await phase('docs examples', async () => 'not run: the build or the test bed failed above');
}
await phase('leftovers', leftoverContainers);

const sum = totals();
// Every package with a test script writes its report (the private test-utils package has none): a
// report that is missing means a suite never ran.
const scriptsOf = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts ?? {};
const expectedReports =
  packageDirs().reduce((count, dir) => count + suites.filter(({ task }) => task in scriptsOf(dir)).length, 0) +
  (podmanRan ? 1 : 0);
await phase('reports', async () =>
  sum.reports === expectedReports
    ? undefined
    : `${sum.reports} of ${expectedReports} vitest reports were written; a suite did not run`,
);
const failedPhases = phases.filter((p) => !p.ok).map((p) => p.name);
console.log(
  `test: ${failedPhases.length ? `FAILED (${failedPhases.join(', ')})` : 'all phases ok'} in ${seconds(started)}; ` +
    `${sum.reports} vitest reports in packages/*/${REPORT_DIR}`,
);
if (failedPhases.length) process.exitCode = 1;
console.log(`${sum.passed} passed, ${sum.failed} failed${sum.skipped ? `, ${sum.skipped} skipped` : ''}`);
