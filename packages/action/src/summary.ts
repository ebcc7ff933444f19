import * as core from '@actions/core';
import { type RunReport, renderFailureSummary, renderSummary } from './report.js';

/** Writes the job summary; a run outside Actions (no GITHUB_STEP_SUMMARY) just skips it. */
export async function writeSummary(report: RunReport): Promise<void> {
  await write(renderSummary(report));
}

export async function writeFailureSummary(image: string | undefined, message: string): Promise<void> {
  await write(renderFailureSummary(image, message));
}

async function write(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set, so there is no job summary.');
    return;
  }
  await core.summary.addRaw(markdown, true).write();
}
