import { type Clock, systemClock } from './clock.js';
import { throwIfAborted } from './errors.js';

/**
 * Capped exponential backoff with full jitter, for transient registry and push failures.
 * The caller decides what is transient; a `retryAfterMs` on the decision (from a 429's
 * Retry-After header) overrides the computed delay.
 */
export interface RetryDecision {
  retry: boolean;
  reason?: string;
  retryAfterMs?: number;
}

export interface RetryOptions {
  /** Attempts in all, including the first. Default 5. */
  attempts?: number | undefined;
  baseDelayMs?: number | undefined;
  maxDelayMs?: number | undefined;
  classify: (error: unknown) => RetryDecision;
  onRetry?: ((info: { attempt: number; delayMs: number; reason: string; error: unknown }) => void) | undefined;
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
  signal?: AbortSignal | undefined;
}

/** Pure: the delay before retry number `attempt` (1-based). */
export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const attempts = options.attempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 8_000;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(options.signal);
    try {
      return await operation(attempt);
    } catch (error) {
      const decision = options.classify(error);
      if (!decision.retry || attempt >= attempts || options.signal?.aborted) throw error;
      const delayMs = Math.min(maxDelayMs * 4, decision.retryAfterMs ?? backoffDelay(attempt, baseDelayMs, maxDelayMs, random));
      options.onRetry?.({ attempt, delayMs, reason: decision.reason ?? String(error), error });
      await clock.sleep(delayMs, options.signal);
    }
  }
}
