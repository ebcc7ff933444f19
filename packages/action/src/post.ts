import { rm } from 'node:fs/promises';
import * as core from '@actions/core';
import { cleanup } from '@container-ship/sdk';
import * as state from './state.js';

/**
 * The `post:` step, which the runner runs even when main failed or was cancelled: delete the
 * temporary Docker config (the login), and remove any container the run left and any image of
 * the run that is no longer tagged.
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
    const removed = await cleanup({ runId, images: true });
    if (removed.containers.length > 0) core.info(`Removed ${removed.containers.length} container(s) this run left.`);
    else core.debug(`No containers of run ${runId} were left.`);
    // An image of this run whose tags a later build took over; a self-hosted runner would pile them up.
    if (removed.images.length > 0) core.info(`Removed ${removed.images.length} untagged image(s) this run built.`);
  } catch (error) {
    core.warning(`Could not check for containers this run left: ${error instanceof Error ? error.message : String(error)}`);
  }
}
