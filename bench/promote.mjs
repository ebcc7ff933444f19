#!/usr/bin/env node
// Registry-side promotion against the docker CLI, measured in one run on this machine:
//   promote   the SDK's promote(): one manifest GET, then one manifest PUT per new tag (no engine)
//   docker    `docker tag` x3 + `docker push` x3 of the same three tags (the engine HEADs every layer)
// Both start from the same image, already in the engine and already pushed once to the local
// registry (localhost:5001) under `:src`, so neither moves layer bytes; what differs is the work.
// Repetitions alternate which tool goes first. Writes bench/results/promote-<date>.json.
//   node bench/promote.mjs --reps=5
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const reps = Number(process.argv.find((arg) => arg.startsWith('--reps='))?.slice('--reps='.length) ?? 5);
const runId = randomBytes(4).toString('hex');
const testbed = JSON.parse(readFileSync(join(repoRoot, '.testbed/state.json'), 'utf8'));
const registry = testbed.registries.plain.host;
const repository = `${registry}/ship-bench-promote-${runId}`;

function run(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve(stdout.trim())
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-2).join(' | ')}`)),
    );
  });
}

/** The SDK's registry code from source, bundled once (dependencies stay external). */
async function loadPromote() {
  // Inside the repo, so the bundle's external imports resolve from its node_modules.
  mkdirSync(join(repoRoot, 'node_modules/.cache'), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, 'node_modules/.cache/ship-bench-'));
  const outfile = join(dir, 'promote.mjs');
  await build({
    entryPoints: [join(repoRoot, 'packages/sdk/src/registry/promote.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
    absWorkingDir: join(repoRoot, 'packages/sdk'),
  });
  const module = await import(pathToFileURL(outfile).href);
  return { promote: module.promote, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function main() {
  const { promote, cleanup } = await loadPromote();
  const source = `${repository}:src`;
  const created = [source];
  try {
    await run('docker', ['tag', testbed.baseImage, source]);
    await run('docker', ['push', '--quiet', source]);
    const samples = { promote: [], docker: [] };
    let promoteDetail;
    for (let rep = 0; rep < reps; rep++) {
      const tags = (tool) => ['1.2.3', '1.2', '1'].map((v) => `${tool}-r${rep}-${v}`);
      const tools = {
        promote: async () => {
          const started = performance.now();
          const result = await promote({ source, tags: tags('p') });
          samples.promote.push(performance.now() - started);
          promoteDetail = { requests: result.requests, bytesUploaded: result.bytesUploaded, digest: result.digest };
        },
        docker: async () => {
          const refs = tags('d').map((tag) => `${repository}:${tag}`);
          created.push(...refs);
          const started = performance.now();
          for (const ref of refs) await run('docker', ['tag', source, ref]);
          for (const ref of refs) await run('docker', ['push', '--quiet', ref]);
          samples.docker.push(performance.now() - started);
        },
      };
      const order = rep % 2 === 0 ? ['promote', 'docker'] : ['docker', 'promote'];
      for (const tool of order) await tools[tool]();
      console.log(
        `rep ${rep + 1}/${reps}: promote ${samples.promote.at(-1).toFixed(0)} ms, docker tag+push ${samples.docker.at(-1).toFixed(0)} ms`,
      );
    }
    const result = {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` },
      registry,
      image: testbed.baseImage,
      tags: 3,
      reps,
      promoteMs: samples.promote.map((v) => Math.round(v)),
      dockerTagPushMs: samples.docker.map((v) => Math.round(v)),
      medianPromoteMs: Math.round(median(samples.promote)),
      medianDockerTagPushMs: Math.round(median(samples.docker)),
      ratio: Number((median(samples.docker) / median(samples.promote)).toFixed(1)),
      promote: promoteDetail,
    };
    const resultsDir = join(repoRoot, 'bench/results');
    mkdirSync(resultsDir, { recursive: true });
    const file = join(resultsDir, `promote-${result.date.slice(0, 10)}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(
      `median: promote ${result.medianPromoteMs} ms (${promoteDetail.requests} requests, ${promoteDetail.bytesUploaded} bytes uploaded) vs docker tag+push ${result.medianDockerTagPushMs} ms: ${result.ratio}x; wrote ${file}`,
    );
  } finally {
    for (const ref of created) await run('docker', ['rmi', ref]).catch(() => {});
    cleanup();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exitCode = 1;
});
