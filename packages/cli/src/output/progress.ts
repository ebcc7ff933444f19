import type { ProgressEvent, ProgressListener } from '@container-ship/sdk';
import { formatBytes, formatDuration, shortId } from './format.js';
import type { Style } from './style.js';
import { stripAnsi } from './style.js';

export type ProgressMode = 'live' | 'plain' | 'silent';

export interface TextSink {
  write(text: string): unknown;
  columns?: number;
}

export interface ProgressRenderer {
  onProgress: ProgressListener;
  /** Clears the live region; call before printing anything else or exiting. */
  stop(): void;
}

interface LayerState {
  status: string;
  current?: number;
  total?: number;
}

const LOG_TAIL = 5;
const FINISHED = /^(pushed|layer already exists|mounted from|already exists|pull complete|download complete)/i;

/**
 * Renders the SDK's progress events. `live` (a terminal): permanent lines for phases and
 * build steps, plus a redrawn region with per-layer bytes and the last log lines. `plain`
 * (CI, pipes, --json on stderr): one line per event that matters, no escapes, no redraws.
 */
export function createProgressRenderer(mode: ProgressMode, sink: TextSink, style: Style): ProgressRenderer {
  if (mode === 'silent') return { onProgress: () => {}, stop: () => {} };
  return mode === 'live' ? liveRenderer(sink, style) : plainRenderer(sink, style);
}

/** The line an event prints in plain mode, or undefined when it prints nothing there. */
export function plainLine(event: ProgressEvent, style: Style, layers?: Map<string, LayerState>): string | undefined {
  switch (event.type) {
    case 'phase-start':
      return style.bold(`▸ ${event.message}`);
    case 'phase-end':
      // A failed phase is reported once, by the error or the summary that follows; here only when.
      return event.ok
        ? style.green(`✔ ${event.message} (${formatDuration(event.durationMs)})`)
        : style.red(`▪ ${event.phase} stopped after ${formatDuration(event.durationMs)}`);
    case 'build-step':
      return `  ${event.name ?? `Step ${event.step}/${event.totalSteps} : ${event.instruction}`}${event.cached ? style.dim(' (cached)') : ''}`;
    case 'log':
      return style.dim(`  │ ${event.line}`);
    case 'layer': {
      const previous = layers?.get(event.layerId);
      layers?.set(event.layerId, {
        status: event.status,
        ...(event.current === undefined ? {} : { current: event.current }),
        ...(event.total === undefined ? {} : { total: event.total }),
      });
      // Byte-by-byte progress is for terminals; plain output says only when a layer is done.
      if (!FINISHED.test(event.status) || previous?.status === event.status) return undefined;
      const bytes = event.total ? ` (${formatBytes(event.total)})` : '';
      return `  ${event.phase} ${shortId(event.layerId)}: ${event.status}${bytes}`;
    }
    case 'retry':
      return style.yellow(
        `↻ ${event.phase}: attempt ${event.attempt} failed (${event.reason}); retrying in ${formatDuration(event.delayMs)}`,
      );
    case 'warning':
      return style.yellow(`! ${event.message}`);
    case 'info':
      return `  ${event.message}`;
  }
}

function plainRenderer(sink: TextSink, style: Style): ProgressRenderer {
  const layers = new Map<string, LayerState>();
  return {
    onProgress(event) {
      const line = plainLine(event, style, layers);
      if (line !== undefined) sink.write(`${line}\n`);
    },
    stop() {},
  };
}

function layerLine(id: string, layer: LayerState, style: Style): string {
  const done = FINISHED.test(layer.status);
  const bytes =
    layer.total !== undefined && layer.total > 0
      ? `${formatBytes(layer.current ?? 0)} / ${formatBytes(layer.total)}`
      : layer.current !== undefined
        ? formatBytes(layer.current)
        : '';
  const bar = layer.total ? progressBar((layer.current ?? 0) / layer.total, 20) : '';
  const text = `  ${shortId(id)}  ${layer.status.padEnd(22)} ${bar} ${bytes}`.trimEnd();
  return done ? style.green(text) : text;
}

export function progressBar(fraction: number, width: number): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return `[${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}]`;
}

function liveRenderer(sink: TextSink, style: Style): ProgressRenderer {
  const layers = new Map<string, LayerState>();
  let logTail: string[] = [];
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;

  const width = () => Math.max(20, (sink.columns || 100) - 1);
  const clip = (line: string) => (stripAnsi(line).length > width() ? `${stripAnsi(line).slice(0, width() - 1)}…` : line);

  const erase = () => {
    if (drawn > 0) sink.write(`\u001b[${drawn}A\u001b[0J`);
    drawn = 0;
  };
  const draw = () => {
    timer = undefined;
    const lines = [
      ...[...layers].map(([id, layer]) => layerLine(id, layer, style)),
      ...logTail.map((l) => style.dim(`  │ ${l}`)),
    ];
    erase();
    if (lines.length > 0) sink.write(`${lines.map(clip).join('\n')}\n`);
    drawn = lines.length;
  };
  const schedule = () => {
    timer ??= setTimeout(draw, 80);
    timer.unref?.();
  };
  const permanent = (line: string) => {
    erase();
    sink.write(`${clip(line)}\n`);
    schedule();
  };
  const flushRegion = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    erase();
  };

  return {
    onProgress(event) {
      switch (event.type) {
        case 'layer':
          layers.set(event.layerId, {
            status: event.status,
            ...(event.current === undefined ? {} : { current: event.current }),
            ...(event.total === undefined ? {} : { total: event.total }),
          });
          schedule();
          return;
        case 'log':
          logTail = [...logTail, event.line].slice(-LOG_TAIL);
          schedule();
          return;
        case 'build-step':
          logTail = [];
          permanent(plainLine(event, style) ?? '');
          return;
        case 'phase-end': {
          const summary = summariseLayers(layers);
          layers.clear();
          logTail = [];
          flushRegion();
          if (summary) sink.write(`${style.dim(summary)}\n`);
          sink.write(`${plainLine(event, style)}\n`);
          return;
        }
        default: {
          const line = plainLine(event, style);
          if (line !== undefined) permanent(line);
        }
      }
    },
    stop: flushRegion,
  };
}

function summariseLayers(layers: Map<string, LayerState>): string | undefined {
  if (layers.size === 0) return undefined;
  let bytes = 0;
  let reused = 0;
  for (const layer of layers.values()) {
    if (/already exists|mounted/i.test(layer.status)) reused++;
    else bytes += layer.total ?? layer.current ?? 0;
  }
  return `  ${layers.size} layers, ${reused} already there, ${formatBytes(bytes)} sent`;
}
