import * as core from '@actions/core';
import type { ProgressEvent, ProgressPhase } from '@container-ship/sdk';
import { formatDuration } from './report.js';

/** Phases that get a log group of their own; `release` wraps them all and groups cannot nest. */
const GROUPED: ReadonlySet<ProgressPhase> = new Set(['build', 'smoke', 'tag', 'push', 'pull', 'promote', 'login', 'run']);

/**
 * Renders the SDK's progress events as the Actions log: one collapsible group per phase, build
 * steps and push progress as plain lines (a layer's line only when its status changes, so a
 * 100 MB upload is a handful of lines, not thousands).
 */
export class ActionsProgress {
  private openGroup: ProgressPhase | undefined;
  private readonly layerStatus = new Map<string, string>();
  /** Time per phase as the SDK measured it, in the order the phases ended. */
  readonly durations: Array<{ phase: string; ms: number }> = [];

  readonly listener = (event: ProgressEvent): void => {
    switch (event.type) {
      case 'phase-start':
        if (GROUPED.has(event.phase)) {
          this.close();
          core.startGroup(event.message);
          this.openGroup = event.phase;
        } else core.info(event.message);
        break;
      case 'phase-end':
        core.info(`${event.ok ? '✓' : '✗'} ${event.message} (${formatDuration(event.durationMs)})`);
        if (event.phase !== 'release') this.durations.push({ phase: event.phase, ms: event.durationMs });
        if (this.openGroup === event.phase) this.close();
        break;
      case 'build-step':
        core.info(`Step ${event.step}/${event.totalSteps} : ${event.instruction}${event.cached ? ' (cached)' : ''}`);
        break;
      case 'log':
        core.info(event.line);
        break;
      case 'layer':
        this.layer(event.layerId, event.status);
        break;
      case 'retry':
        core.info(`Retrying ${event.phase} (attempt ${event.attempt}) in ${formatDuration(event.delayMs)}: ${event.reason}`);
        break;
      case 'warning':
        core.warning(event.message);
        break;
      case 'info':
        core.info(event.message);
        break;
    }
  };

  /** Ends the open group, if any; called before a failure is reported so it shows outside any group. */
  close(): void {
    if (this.openGroup === undefined) return;
    core.endGroup();
    this.openGroup = undefined;
  }

  private layer(layerId: string, status: string): void {
    if (this.layerStatus.get(layerId) === status) return;
    this.layerStatus.set(layerId, status);
    core.info(`${layerId}: ${status}`);
  }
}
