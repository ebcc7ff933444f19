import type { ProgressEvent } from '@container-ship/sdk';
import { afterEach, expect, test, vi } from 'vitest';
import { ActionsProgress } from '../src/progress.js';

afterEach(() => vi.restoreAllMocks());

function render(events: ProgressEvent[]): string[] {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  const progress = new ActionsProgress();
  for (const event of events) progress.listener(event);
  progress.close();
  vi.restoreAllMocks();
  return out;
}

test('a phase is a group; build steps and layer status changes are plain lines', () => {
  expect(
    render([
      { type: 'phase-start', phase: 'release', message: 'Releasing localhost:5002/app 1.0.0' },
      { type: 'phase-start', phase: 'build', message: 'Building localhost:5002/app:1.0.0' },
      { type: 'build-step', step: 1, totalSteps: 2, instruction: 'FROM python:3.11-slim' },
      { type: 'build-step', step: 2, totalSteps: 2, instruction: 'COPY app.py ./', cached: true },
      { type: 'phase-end', phase: 'build', message: 'Built 1234', durationMs: 2400, ok: true },
      { type: 'phase-start', phase: 'push', message: 'Publishing to 1 repository' },
      { type: 'phase-start', phase: 'push', message: 'Pushing localhost:5002/app:1.0.0' },
      { type: 'layer', phase: 'push', layerId: 'aaa', status: 'Pushing', current: 1, total: 10 },
      { type: 'layer', phase: 'push', layerId: 'aaa', status: 'Pushing', current: 5, total: 10 },
      { type: 'layer', phase: 'push', layerId: 'aaa', status: 'Pushed' },
      { type: 'phase-end', phase: 'push', message: 'Pushed sha256:bbb', durationMs: 900, ok: true },
      { type: 'phase-end', phase: 'push', message: 'Published 1 tags', durationMs: 950, ok: true },
    ]),
  ).toEqual([
    'Releasing localhost:5002/app 1.0.0',
    '::group::Building localhost:5002/app:1.0.0',
    'Step 1/2 : FROM python:3.11-slim',
    'Step 2/2 : COPY app.py ./ (cached)',
    '✓ Built 1234 (2.4 s)',
    '::endgroup::',
    'Publishing to 1 repository',
    '::group::Pushing localhost:5002/app:1.0.0',
    'aaa: Pushing',
    'aaa: Pushed',
    '✓ Pushed sha256:bbb (900 ms)',
    '::endgroup::',
    '✓ Published 1 tags (950 ms)',
  ]);
});

test('a failure closes the open group so the error shows outside it', () => {
  const lines = render([
    { type: 'phase-start', phase: 'smoke', message: 'Smoke testing app' },
    { type: 'log', phase: 'smoke', line: 'Traceback (most recent call last):' },
    { type: 'warning', phase: 'smoke', message: 'the container exited' },
  ]);
  expect(lines).toEqual([
    '::group::Smoke testing app',
    'Traceback (most recent call last):',
    '::warning::the container exited',
    '::endgroup::',
  ]);
});
