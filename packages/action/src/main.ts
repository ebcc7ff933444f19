import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import * as core from '@actions/core';
import {
  formatImageRef,
  inspectImage,
  isShipError,
  newRunId,
  parseImageRef,
  ReleaseError,
  type ReleaseOptions,
  type ReleaseResult,
  registryOf,
  release,
} from '@container-ship/sdk';
import { lintDockerfile } from '@container-ship/sdk/dockerfile';
import { login, storeCredentials } from '@container-ship/sdk/registry';
import { readGitContext, versionFromGitRef } from '@container-ship/sdk/tags';
import { afterPush } from './deploy.js';
import { readRunContext, reportToGitHub } from './github.js';
import { getDeployInputs, getInputs, type Inputs } from './inputs.js';
import { ActionsProgress } from './progress.js';
import { defaultCacheFrom, releaseSettings } from './release-options.js';
import type { RunReport } from './report.js';
import * as state from './state.js';
import { writeSummary } from './summary.js';

type Timings = RunReport['durations'];

/**
 * The main step: inputs, then one `release(...)`, then outputs, summary and the PR/release note.
 * Named `run` as in GitHub's TypeScript action template, so `npx @github/local-action run .
 * packages/action/src/main.ts .env` can call it; `index.ts` is the bundle's entry for both steps.
 */
export async function run(): Promise<void> {
  state.markMainStarted();
  const runId = newRunId();
  state.saveRunId(runId);
  const progress = new ActionsProgress();
  const timings: Timings = [];
  // A cancelled job gets SIGINT (then SIGTERM): stop the release so its container goes at once.
  const cancel = new AbortController();
  for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, () => cancel.abort(new Error(`received ${name}`)));
  let image: string | undefined;
  try {
    const inputs = getInputs();
    const deployInputs = getDeployInputs();
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const { options, lintIgnore } = await core.group('Configuration', () => resolveOptions(inputs, workspace));
    image = primaryImage(options);
    await timed(timings, 'lint', () => core.group('Lint Dockerfile', () => annotateLint(options, lintIgnore, workspace)));
    if (inputs.registry !== undefined || inputs.username !== undefined) {
      await timed(timings, 'login', () => loginToTemporaryConfig(inputs, options));
    }

    const result = await release({ ...options, runId, signal: cancel.signal, onProgress: progress.listener });
    progress.close();
    const report = await core.group('Outputs', () => publishOutputs(result, timings));
    const { manifests } = await afterPush(result, options, deployInputs, {
      runId,
      signal: cancel.signal,
      onProgress: progress.listener,
    });
    core.setOutput('k8s-manifests', manifests ?? '');
    await writeSummary(report);
    await core.group('GitHub', () => reportToGitHub({ token: inputs.githubToken, run: readRunContext(), report }));
  } catch (error) {
    progress.close();
    await fail(error, image, timings);
  }
}

async function timed<T>(timings: Timings, phase: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    timings.push({ phase, ms: Date.now() - started });
  }
}

async function resolveOptions(
  inputs: Inputs,
  workspace: string,
): Promise<{ options: ReleaseOptions; lintIgnore: string[] | undefined }> {
  const {
    options: settings,
    lintIgnore,
    configFile,
  } = await releaseSettings(inputs, {
    eventName: process.env.GITHUB_EVENT_NAME,
    workspace,
  });
  if (configFile !== undefined) core.info(`Using ${configFile}`);
  const git = await readGitContext({ cwd: workspace });
  const options: ReleaseOptions = { ...settings, git };
  if (options.cacheFrom === undefined && options.builder !== 'classic') {
    options.cacheFrom = defaultCacheFrom([options.image].flat(), git);
  }
  core.info(`Context: ${relative(workspace, options.context) || '.'}`);
  core.info(`Images: ${[options.image].flat().join(', ')}`);
  const version = options.version ?? (options.tagRules === undefined ? versionFromGitRef(git.ref) : undefined);
  core.info(`Git: ${git.ref || 'no ref'} (${git.eventName})${version ? `, version ${version}` : ''}`);
  core.info(`Push: ${options.push ? 'yes' : `no (push: ${inputs.push}, event ${process.env.GITHUB_EVENT_NAME ?? 'unknown'})`}`);
  core.info(`Smoke test: ${options.smoke === false ? 'off' : 'on'}`);
  return { options, lintIgnore };
}

function primaryImage(options: ReleaseOptions): string | undefined {
  return [options.image].flat()[0];
}

/** Dockerfile findings become annotations on the Dockerfile's lines; they never fail the step. */
async function annotateLint(options: ReleaseOptions, ignore: string[] | undefined, workspace: string): Promise<void> {
  const dockerfile = resolve(options.context, options.dockerfile ?? 'Dockerfile');
  const smoke = options.smoke;
  const result = await lintDockerfile({
    dockerfile,
    context: options.context,
    smokePort: smoke ? smoke.port : undefined,
    ignore,
  }).catch((error: unknown) => {
    // A Dockerfile that cannot be read fails the build next, with the SDK's own sentence.
    core.debug(`Lint skipped: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  if (result === undefined) return;
  for (const finding of result.findings) {
    const file = relative(workspace, resolve(options.context, finding.file ?? dockerfile));
    const properties = { file, startLine: finding.line, title: finding.id };
    const message = `${finding.message} ${finding.fix}`;
    if (finding.severity === 'error') core.error(message, properties);
    else if (finding.severity === 'warning') core.warning(message, properties);
    else core.notice(message, properties);
  }
  if (result.findings.length === 0) core.info(`${relative(workspace, dockerfile)}: no findings.`);
}

/**
 * Logs in (with `username`/`password`, or for a cloud registry named by `registry` alone, with
 * the cloud's credentials from the environment) into a Docker config of this run's own, under
 * RUNNER_TEMP, which the post step deletes: the runner's `~/.docker` is never touched. The SDK
 * finds the credentials there through DOCKER_CONFIG, as the docker CLI would.
 */
async function loginToTemporaryConfig(inputs: Inputs, options: ReleaseOptions): Promise<void> {
  const registry = inputs.registry ?? registryOf(primaryImage(options) ?? 'docker.io');
  await core.group(`Log in to ${registry}`, async () => {
    const configDir = await mkdtemp(join(process.env.RUNNER_TEMP || tmpdir(), 'container-ship-docker-config-'));
    state.saveDockerConfigDir(configDir);
    process.env.DOCKER_CONFIG = configDir;
    const result = await login({
      registry,
      username: inputs.username,
      password: inputs.password,
    });
    await storeCredentials({ registry: result.registry, auth: result.auth, configDir });
    core.info(
      `Logged in to ${result.registry} (${result.provider}); the credentials live in a temporary Docker config until the post step.`,
    );
  });
}

async function publishOutputs(result: ReleaseResult, timings: Timings): Promise<RunReport> {
  const report = await toReport(result, timings);
  core.setOutput('image-id', result.imageId);
  core.setOutput('digest', result.digest ?? '');
  core.setOutput('tags', result.tags.join('\n'));
  core.setOutput('failed-tags', result.failedTags.join('\n'));
  core.setOutput('version', result.version);
  core.setOutput('image-ref', report.imageRef ?? '');
  core.setOutput('size', String(result.size));
  core.setOutput('smoke-status', report.smoke.status);
  core.setOutput('already-published', String(result.alreadyPublished));
  core.setOutput('metadata', JSON.stringify(result));
  if (result.failedTags.length > 0) {
    core.info(`Published: ${result.tags.join(', ') || 'nothing'}; failed: ${result.failedTags.join(', ')}`);
  } else {
    core.info(`${report.pushed ? 'Pushed' : 'Built, not pushed'}: ${report.tags.join(', ')}`);
  }
  if (report.imageRef) core.info(`Immutable reference: ${report.imageRef}`);
  return report;
}

async function toReport(result: ReleaseResult, timings: Timings): Promise<RunReport> {
  const info = await inspectImage(result.imageId).catch(() => undefined);
  const smoke = result.smoke;
  const digest = result.digest;
  return {
    image: result.image,
    version: result.version,
    // A release stopped before the push has published nothing: show what it planned.
    tags: result.tags.length > 0 || result.failedTags.length > 0 ? result.tags : result.plan.tags,
    failedTags: result.failedTags,
    pushed: result.pushed,
    imageId: result.imageId,
    digest,
    imageRef: digest ? `${imageName(result.tags[0] ?? result.image)}@${digest}` : undefined,
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
    durations: [
      ...timings,
      ...Object.entries(result.durations)
        .filter(([, ms]) => ms > 0)
        .map(([phase, ms]) => ({ phase, ms })),
    ],
  };
}

/** `registry/name:tag` without its tag. */
function imageName(ref: string): string {
  const { registry, repository } = parseImageRef(ref);
  return formatImageRef({ registry, repository });
}

/**
 * The SDK's one sentence as the step's failure (a stack only with debug logging). A release that
 * got as far as building still reports what it did: outputs, and a summary that says why.
 */
async function fail(error: unknown, image: string | undefined, timings: Timings): Promise<void> {
  const message = isShipError(error)
    ? error.message
    : `Unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  if (error instanceof Error && error.stack) core.debug(error.stack);
  core.setFailed(message);
  if (error instanceof ReleaseError) {
    const report = await publishOutputs(error.result, timings);
    await writeSummary(report, message);
  } else {
    await writeSummary(undefined, message, image);
  }
}
