import { describe, expect, test } from 'vitest';
import { inPhase, type ProgressEvent } from './progress.js';

const ticking = () => {
  let now = 1_000;
  return { now: () => (now += 250), sleep: async () => {} };
};

describe('inPhase', () => {
  test('a phase that succeeds starts, then ends ok with done(result) and its duration', async () => {
    const events: ProgressEvent[] = [];
    const result = await inPhase(
      'push',
      'Pushing app:1',
      { onProgress: (e) => events.push(e), clock: ticking() },
      async () => 42,
      (n) => `Pushed ${n}`,
    );
    expect(result).toBe(42);
    expect(events).toEqual([
      { type: 'phase-start', phase: 'push', message: 'Pushing app:1' },
      { type: 'phase-end', phase: 'push', message: 'Pushed 42', durationMs: 250, ok: true },
    ]);
  });

  test('a phase that fails ends not ok with the error sentence, and the error goes on', async () => {
    const events: ProgressEvent[] = [];
    const failure = new Error('The registry said no; log in first.');
    await expect(
      inPhase(
        'pull',
        'Pulling app:1',
        { onProgress: (e) => events.push(e), clock: ticking() },
        async () => {
          throw failure;
        },
        () => 'never',
      ),
    ).rejects.toBe(failure);
    expect(events.at(-1)).toEqual({ type: 'phase-end', phase: 'pull', message: failure.message, durationMs: 250, ok: false });
  });
});
