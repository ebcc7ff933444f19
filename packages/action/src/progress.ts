import * as core from '@actions/core';
import type { ProgressEvent, ProgressPhase } from '@container-ship/sdk';
import { formatDuration } from './report.js';

/** Phases that get a log group of their own; `release` wraps them all and groups cannot nest. */
const GROUPED: ReadonlySet<ProgressPhase> = new Set(['build', 'smoke', 'tag', 'push', 'pull', 'promote', 'login', 'run']);

/**
 * Renders the SDK's progress events as the Actions log: one collapsible group per phase, build
 * steps and push progress as plain lines (a layer's line only when its status changes, so a
 * 100 MB upload is a handful of lines, not thousands). A group opens at its first line, so a
 * phase that only wraps others (publishing, around push and promote) leaves no empty group.
 */
export class ActionsProgress {
  private openGroup: ProgressPhase | undefined;
  private pending: { phase: ProgressPhase; message: string } | undefined;
  private readonly layerStatus = new Map<string, string>();

  readonly listener = (event: ProgressEvent): void => {
    switch (event.type) {
      case 'phase-start':
        if (GROUPED.has(event.phase)) {
          this.close();
          this.pending = { phase: event.phase, message: event.message };
        } else this.line(event.message);
        break;
      case 'phase-end':
        this.line(`${event.ok ? '✓' : '✗'} ${event.message} (${formatDuration(event.durationMs)})`);
        if (this.openGroup === event.phase) this.close();
        break;
      case 'build-step':
        this.line(
          `${event.name ?? `Step ${event.step}/${event.totalSteps} : ${event.instruction}`}${event.cached ? ' (cached)' : ''}`,
        );
        break;
      case 'log':
        this.line(event.line);
        break;
      case 'layer':
        if (this.layerStatus.get(event.layerId) === event.status) return;
        this.layerStatus.set(event.layerId, event.status);
        this.line(`${event.layerId}: ${event.status}`);
        break;
      case 'retry':
        this.line(`Retrying ${event.phase} (attempt ${event.attempt}) in ${formatDuration(event.delayMs)}: ${event.reason}`);
        break;
      case 'warning':
        this.openPending();
        core.warning(event.message);
        break;
      case 'info':
        this.line(event.message);
        break;
    }
  };

  /** Ends the open group, if any; called before a failure is reported so it shows outside any group. */
  close(): void {
    if (this.pending) {
      core.info(this.pending.message);
      this.pending = undefined;
    }
    if (this.openGroup === undefined) return;
    core.endGroup();
    this.openGroup = undefined;
  }

  private line(text: string): void {
    this.openPending();
    core.info(text);
  }

  private openPending(): void {
    if (!this.pending) return;
    core.startGroup(this.pending.message);
    this.openGroup = this.pending.phase;
    this.pending = undefined;
  }
}
