import { type Clock, systemClock } from './clock.js';

/**
 * Progress is an event stream: the SDK emits, each adapter renders (bars on a terminal,
 * plain lines in CI, log groups in Actions). Events never carry secrets.
 */
export type ProgressPhase = 'build' | 'run' | 'smoke' | 'tag' | 'push' | 'pull' | 'promote' | 'login' | 'release' | 'deploy';

export type ProgressEvent =
  | { type: 'phase-start'; phase: ProgressPhase; message: string }
  | { type: 'phase-end'; phase: ProgressPhase; message: string; durationMs: number; ok: boolean }
  /** A Dockerfile instruction started: `Step 3/9 : RUN pip install ...`. */
  | {
      type: 'build-step';
      step: number;
      totalSteps: number;
      instruction: string;
      cached?: boolean;
      /** BuildKit: the step as buildx names it, `[builder 3/4] RUN pip install ...`. */
      name?: string;
    }
  /** BuildKit: a step finished (the classic builder does not say). */
  | { type: 'build-step-end'; name: string; cached: boolean; durationMs: number; ok: boolean }
  /** A line of output from a build step or a container; `step` names the BuildKit step it belongs to. */
  | { type: 'log'; phase: ProgressPhase; line: string; step?: string }
  /** Per-layer transfer progress (push or pull). */
  | { type: 'layer'; phase: 'push' | 'pull'; layerId: string; status: string; current?: number; total?: number }
  /** A transient failure that will be retried. */
  | { type: 'retry'; phase: ProgressPhase; attempt: number; delayMs: number; reason: string }
  | { type: 'warning'; phase: ProgressPhase; message: string }
  | { type: 'info'; phase: ProgressPhase; message: string };

export type ProgressListener = (event: ProgressEvent) => void;

/**
 * Runs `work` as one phase of the event stream: `phase-start`, then a `phase-end` that says how
 * long it took and how it went (`done(result)`, or the error's one sentence), so every phase that
 * starts also ends.
 */
export async function inPhase<T>(
  phase: ProgressPhase,
  startMessage: string,
  options: {
    onProgress?: ProgressListener | undefined;
    clock?: Clock | undefined;
    /** The phase-end message when `work` throws, from the error's sentence. Default: that sentence. */
    failed?: ((message: string) => string) | undefined;
  },
  work: () => Promise<T>,
  /** The phase-end message; `{ ok: false, ... }` for work that reports a failure without throwing. */
  done: (result: T) => string | { ok: boolean; message: string },
): Promise<T> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const end = (ok: boolean, message: string) =>
    options.onProgress?.({ type: 'phase-end', phase, message, durationMs: clock.now() - started, ok });
  options.onProgress?.({ type: 'phase-start', phase, message: startMessage });
  try {
    const result = await work();
    const outcome = done(result);
    if (typeof outcome === 'string') end(true, outcome);
    else end(outcome.ok, outcome.message);
    return result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    end(false, options.failed ? options.failed(message) : message);
    throw error;
  }
}
