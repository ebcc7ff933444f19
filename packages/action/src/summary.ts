import * as core from '@actions/core';
import { type RunReport, renderFailureSummary, renderSummary } from './report.js';

/**
 * Writes the job summary: the report table, headed by the failure when there was one. A run
 * outside Actions (no GITHUB_STEP_SUMMARY) just skips it.
 */
export async function writeSummary(report: RunReport | undefined, failure?: string, image?: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.debug('GITHUB_STEP_SUMMARY is not set, so there is no job summary.');
    return;
  }
  const failed = failure === undefined ? '' : renderFailureSummary(report?.image ?? image, failure, report?.digest !== undefined);
  const markdown = report === undefined ? failed : `${failed}${renderSummary(report)}`;
  await core.summary.addRaw(markdown, true).write();
}
