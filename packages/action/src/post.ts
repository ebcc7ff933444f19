import { rm } from 'node:fs/promises';
import * as core from '@actions/core';
import { cleanup } from '@container-ship/sdk';
import * as state from './state.js';

/**
 * The `post:` step, which the runner runs even when main failed or was cancelled: delete the
 * temporary Docker config (the login) and remove any container the run left.
 */
export async function post(): Promise<void> {
  const configDir = state.dockerConfigDir();
  if (configDir) {
    await rm(configDir, { recursive: true, force: true });
    core.info('Removed the temporary Docker config with the registry login.');
  }
  const runId = state.runId();
  if (!runId) return;
  try {
    const removed = await cleanup({ runId });
    if (removed.containers.length > 0) core.info(`Removed ${removed.containers.length} container(s) this run left.`);
    else core.debug(`No containers of run ${runId} were left.`);
  } catch (error) {
    core.warning(`Could not check for containers this run left: ${error instanceof Error ? error.message : String(error)}`);
  }
}
