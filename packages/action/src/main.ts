import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as core from '@actions/core';
import {
  configDefaults,
  inspectImage,
  isShipError,
  lintDockerfile,
  loadShipConfig,
  login,
  newRunId,
  parseImageRef,
  type RegistryAuth,
  type ReleaseResult,
  release,
  storeCredentials,
} from '@container-ship/sdk';
import { readRunContext, reportToGitHub } from './github.js';
import { getInputs, type Inputs } from './inputs.js';
import { ActionsProgress } from './progress.js';
import { type ReleaseOptions, toReleaseOptions } from './release-options.js';
import type { RunReport } from './report.js';
import * as state from './state.js';
import { writeFailureSummary, writeSummary } from './summary.js';

/** The main step: inputs, then one `release(...)`, then outputs, summary and the PR/release note. */
export async function main(): Promise<void> {
  state.markMainStarted();
  const runId = newRunId();
  state.saveRunId(runId);
  const progress = new ActionsProgress();
  let image: string | undefined;
  try {
    const inputs = getInputs();
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const { options, lintIgnore } = await core.group('Configuration', () => resolveOptions(inputs, workspace));
    image = primaryImage(options);
    const lintStarted = Date.now();
    await core.group('Lint Dockerfile', () => annotateLint(options, lintIgnore));
    progress.durations.push({ phase: 'lint', ms: Date.now() - lintStarted });
    const auth = await loginIfAsked(inputs, options, progress);
    if (auth) options.registries = [...(options.registries ?? []), auth];

    const result = await release({ ...options, runId, onProgress: progress.listener });
    progress.close();

    const report = await core.group('Outputs', async () => {
      const report = await toReport(result, progress.durations);
      setOutputs(result, report);
      return report;
    });
    await writeSummary(report);
    if (report.smoke.status === 'failed') {
      core.setFailed(`The smoke test failed (${report.smoke.reason ?? 'unexpected answer'}), so nothing was pushed.`);
      return;
    }
    await core.group('GitHub', () => reportToGitHub({ token: inputs.githubToken, run: readRunContext(), report }));
  } catch (error) {
    progress.close();
    await fail(error, image);
  }
}

async function resolveOptions(
  inputs: Inputs,
  workspace: string,
): Promise<{ options: ReleaseOptions; lintIgnore: string[] | undefined }> {
  const loaded = await loadShipConfig({ cwd: workspace, ...(inputs.config === undefined ? {} : { path: inputs.config }) });
  if (loaded) core.info(`Using ${loaded.path}`);
  const defaults = configDefaults(loaded);
  const options = toReleaseOptions(inputs, defaults, { eventName: process.env.GITHUB_EVENT_NAME, workspace });
  core.info(`Context: ${options.context}`);
  core.info(`Images: ${[options.image].flat().join(', ')}`);
  core.info(`Push: ${options.push ? 'yes' : `no (event ${process.env.GITHUB_EVENT_NAME ?? 'unknown'}, push: ${inputs.push})`}`);
  return { options, lintIgnore: defaults.lintIgnore };
}

function primaryImage(options: ReleaseOptions): string | undefined {
  return [options.image].flat()[0];
}

/** Dockerfile problems become annotations on the Dockerfile's lines; they never fail the step. */
async function annotateLint(options: ReleaseOptions, ignore: string[] | undefined): Promise<void> {
  const dockerfile = resolve(options.context, options.dockerfile ?? 'Dockerfile');
  const smoke = options.smoke;
  const result = await lintDockerfile({
    dockerfile,
    context: options.context,
    ...(smoke && smoke.port !== undefined ? { smokePort: smoke.port } : {}),
    ...(ignore === undefined ? {} : { ignore }),
  });
  for (const finding of result.findings) {
    const properties = { file: relativeToWorkspace(finding.file ?? dockerfile), startLine: finding.line, title: finding.id };
    const message = `${finding.message} ${finding.fix}`;
    if (finding.severity === 'error') core.error(message, properties);
    else if (finding.severity === 'warning') core.warning(message, properties);
    else core.notice(message, properties);
  }
  if (result.findings.length === 0) core.info(`${relativeToWorkspace(dockerfile)}: no problems found.`);
}

function relativeToWorkspace(path: string): string {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  return path.startsWith(`${workspace}/`) ? path.slice(workspace.length + 1) : path;
}

/**
 * Logs in with the `username`/`password` inputs into a Docker config of this run's own, under
 * RUNNER_TEMP, that the post step deletes: the runner's `~/.docker` is never touched.
 */
async function loginIfAsked(
  inputs: Inputs,
  options: ReleaseOptions,
  progress: ActionsProgress,
): Promise<{ registry: string; auth: RegistryAuth } | undefined> {
  if (inputs.username === undefined && inputs.password === undefined) return undefined;
  const registry = inputs.registry ?? registryOf(primaryImage(options));
  return core.group(`Log in to ${registry}`, async () => {
    const started = Date.now();
    const configDir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'container-ship-docker-config-'));
    state.saveDockerConfigDir(configDir);
    process.env.DOCKER_CONFIG = configDir;
    const result = await login({
      registry,
      ...(inputs.username === undefined ? {} : { username: inputs.username }),
      ...(inputs.password === undefined ? {} : { password: inputs.password }),
    });
    await storeCredentials({ registry, auth: result.auth, configDir });
    core.info(`Logged in to ${registry} (credentials in a temporary Docker config the post step deletes).`);
    progress.durations.push({ phase: 'login', ms: Date.now() - started });
    return { registry, auth: result.auth };
  });
}

function registryOf(image: string | undefined): string {
  return image === undefined ? 'docker.io' : parseImageRef(image).registry;
}

async function toReport(result: ReleaseResult, durations: RunReport['durations']): Promise<RunReport> {
  const info = await inspectImage(result.imageId);
  const name = imageName(result.tags[0] ?? result.image);
  const smoke = result.smoke;
  return {
    image: result.image,
    version: result.version,
    tags: result.tags,
    pushed: result.pushed,
    imageId: result.imageId,
    digest: result.digest,
    imageRef: result.digest ? `${name}@${result.digest}` : undefined,
    size: result.size,
    layers: info?.layers,
    smoke: smoke
      ? {
          status: smoke.status,
          url: smoke.url,
          durationMs: smoke.durationMs,
          ...(smoke.httpStatus === undefined ? {} : { httpStatus: smoke.httpStatus }),
          ...(smoke.reason === undefined ? {} : { reason: smoke.reason }),
        }
      : { status: 'skipped' },
    durations: mergeDurations(durations, result.durations),
  };
}

/** `registry/name:tag` without its tag. */
function imageName(ref: string): string {
  const { registry, repository } = parseImageRef(ref);
  return `${registry}/${repository}`;
}

/** The adapter's own timings (lint, login) plus the SDK's, without counting a phase twice. */
function mergeDurations(own: RunReport['durations'], sdk: ReleaseResult['durations']): RunReport['durations'] {
  const merged = [...own];
  for (const [phase, ms] of Object.entries(sdk)) {
    if (!merged.some((entry) => entry.phase === phase)) merged.push({ phase, ms });
  }
  return merged;
}

function setOutputs(result: ReleaseResult, report: RunReport): void {
  core.setOutput('image-id', result.imageId);
  core.setOutput('digest', result.digest ?? '');
  core.setOutput('tags', result.tags.join('\n'));
  core.setOutput('version', result.version);
  core.setOutput('image-ref', report.imageRef ?? '');
  core.setOutput('size', String(result.size));
  core.setOutput('smoke-status', report.smoke.status);
  core.setOutput('metadata', JSON.stringify(result));
  core.info(`Tags:\n${result.tags.map((tag) => `  ${tag}`).join('\n')}`);
  if (report.imageRef) core.info(`Pushed ${report.imageRef}`);
}

/** One sentence from the SDK as the step's failure; a stack only in debug logging. */
async function fail(error: unknown, image: string | undefined): Promise<void> {
  const message = isShipError(error)
    ? error.message
    : `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  if (error instanceof Error && error.stack) core.debug(error.stack);
  if (isShipError(error) && error.code === 'SMOKE_FAILED') core.setOutput('smoke-status', 'failed');
  core.setFailed(message);
  await writeFailureSummary(image, message);
}
