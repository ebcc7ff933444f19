import * as core from '@actions/core';

/**
 * State carried from the main step to the `post:` step. The runner turns each `saveState` into
 * a `STATE_<name>` variable of the post step's environment; one bundle serves both steps and
 * tells them apart by `isPost`, which main saves first.
 */
export const isPost = Boolean(process.env.STATE_isPost);

export function markMainStarted(): void {
  core.saveState('isPost', 'true');
}

/** The label value on every container this run creates, so `post:` can sweep what a crash left. */
export function saveRunId(runId: string): void {
  core.saveState('runId', runId);
}

export function runId(): string | undefined {
  return core.getState('runId') || undefined;
}

/** Saved before anything is written into it, so `post:` deletes it even after a crash mid-login. */
export function saveDockerConfigDir(dir: string): void {
  core.saveState('dockerConfigDir', dir);
}

export function dockerConfigDir(): string | undefined {
  return core.getState('dockerConfigDir') || undefined;
}
