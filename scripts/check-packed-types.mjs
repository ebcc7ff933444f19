#!/usr/bin/env node
// What a TypeScript user of the published SDK gets: packs @container-ship/sdk as npm would,
// fails when a test helper is in the tarball, runs are-the-types-wrong on the tarball (every entry
// point, as ESM under node16/nodenext and in bundlers), installs the tarball into a new project
// (strict, exactOptionalPropertyTypes, skipLibCheck false, NodeNext) and type-checks a script that
// uses the public API, which also checks every declaration file that script reaches. Needs
// `turbo run build` first (dist/).
// Prints one line; exits non-zero with the reason when something is wrong.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binDir, repoRoot, runCapture, seconds } from './lib/workspace.mjs';

const started = performance.now();
const work = mkdtempSync(join(tmpdir(), 'ship-packed-types-'));

/** A file that exists for tests only and must never be published. */
const TEST_ONLY = [/(^|\/)testing\//, /\.test\.(js|d\.ts|ts)$/, /\.itg\./, /(^|\/)fixtures\//];

const SCRIPT = `import { BuildError, InvalidInputError, PushError, planTags, release, runContainer, ShipError, type ReleaseResult } from '@container-ship/sdk';

const plan = planTags({ images: ['registry.example/team/app'], version: 'v1.2.3' });
const refs: string[] = plan.tags;

export async function main(): Promise<ReleaseResult | undefined> {
  {
    await using container = await runContainer({ image: 'registry.example/team/app:1.2.3', ports: ['127.0.0.1:0:5000'] });
    const id: string = container.id;
    void id;
  }
  try {
    // Option bags take \`undefined\` for "not given", also under exactOptionalPropertyTypes.
    return await release({ context: '.', image: 'registry.example/team/app', version: process.env.VERSION, signal: undefined });
  } catch (error) {
    if (error instanceof BuildError || error instanceof PushError || error instanceof InvalidInputError) {
      const code: string = error.code;
      console.error(code, refs);
    }
    if (error instanceof ShipError) return undefined;
    throw error;
  }
}
`;

function fail(reason) {
  console.log(`packed types: FAILED ${reason}`);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
}

async function main() {
  const pack = await runCapture('npm', ['pack', '--json', '--pack-destination', work, '-w', '@container-ship/sdk'], {
    cwd: repoRoot,
  });
  if (pack.code !== 0) fail(`npm pack exited ${pack.code}; run 'npx turbo run build' and retry.`);
  const [packed] = JSON.parse(pack.stdout);
  const files = packed.files.map((file) => file.path);
  const testOnly = files.filter((path) => TEST_ONLY.some((pattern) => pattern.test(path)));
  if (testOnly.length > 0) fail(`the SDK tarball ships test-only files: ${testOnly.slice(0, 5).join(', ')}`);
  if (!files.includes('dist/index.d.ts')) fail('the SDK tarball has no dist/index.d.ts; build the SDK first.');

  const project = join(work, 'project');
  const tarball = join(
    work,
    readdirSync(work).find((name) => name.endsWith('.tgz')),
  );
  const entryPoints = await typesAreRight(tarball);
  await runCapture('mkdir', ['-p', project]);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'packed-types-check', private: true, type: 'module' }, null, 2),
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023', 'ESNext.Disposable'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: false,
          noEmit: true,
          types: ['node'],
        },
        include: ['*.ts'],
      },
      null,
      2,
    ),
  );
  writeFileSync(join(project, 'use-sdk.ts'), SCRIPT);
  const install = await runCapture(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--omit=optional', tarball, '@types/node@20'],
    { cwd: project },
  );
  if (install.code !== 0) fail(`npm install of the packed SDK exited ${install.code}`);
  const tsc = await runCapture(join(binDir, 'tsc'), ['-p', 'tsconfig.json'], { cwd: project });
  if (tsc.code !== 0) fail(`tsc rejected the published types:\n${tsc.stdout.trim()}`);
  rmSync(work, { recursive: true, force: true });
  console.log(
    `packed types: ok ${files.length} files packed, no test helpers; are-the-types-wrong (esm-only) clean for ${entryPoints} entry points; strict tsc with skipLibCheck false passed [${seconds(started)}]`,
  );
}

/**
 * are-the-types-wrong on the tarball, offline. The SDK is ESM-only, so its `esm-only` profile:
 * node16/nodenext ESM importers and bundlers must resolve each entry point's types and
 * JavaScript; node10 and require() from CommonJS, which the SDK does not support, are left out.
 * Returns how many entry points it checked.
 */
async function typesAreRight(tarball) {
  const attw = await runCapture(join(binDir, 'attw'), ['--profile', 'esm-only', '--format', 'json', tarball], { cwd: work });
  let report;
  try {
    report = JSON.parse(attw.stdout);
  } catch {
    fail(`are-the-types-wrong did not run (exit ${attw.code}): ${attw.stdout.trim().split('\n')[0]}`);
  }
  if (attw.code !== 0) {
    const problems = Object.values(report.problems ?? {})
      .flat()
      .filter((problem) => problem.resolutionKind !== 'node10' && problem.resolutionKind !== 'node16-cjs')
      .map((problem) => `${problem.kind} in ${problem.entrypoint ?? 'the package'} (${problem.resolutionKind ?? 'all'})`);
    fail(
      `are-the-types-wrong: ${problems.join('; ') || `exit ${attw.code}`}; run 'npx attw --pack packages/sdk --profile esm-only' to see them.`,
    );
  }
  return Object.keys(report.analysis.entrypoints).length;
}

await main();
