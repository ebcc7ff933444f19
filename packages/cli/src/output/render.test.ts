import { ConfigError, EngineUnavailableError, InvalidInputError, type ProgressEvent, ShipError } from '@container-ship/sdk';
import { describe, expect, test } from 'vitest';
import { errorJson, exitCodeFor, formatError } from './errors.js';
import { exitCodeForAbort, UsageError } from './exit.js';
import { formatBytes, formatDuration, shortId } from './format.js';
import { createProgressRenderer, plainLine, progressBar } from './progress.js';
import { colorWanted, createStyle, stripAnsi } from './style.js';
import { renderTable } from './table.js';

const plain = createStyle(false);
const color = createStyle(true);

test.each([
  [0, '0 B'],
  [999, '999 B'],
  [1000, '1.00 kB'],
  [155_234_000, '155.2 MB'],
  [2_500_000_000, '2.50 GB'],
  [-1, '?'],
])('formatBytes(%d) is %s', (bytes, text) => {
  expect(formatBytes(bytes)).toBe(text);
});

test.each([
  [12, '12ms'],
  [999, '999ms'],
  [1500, '1.5s'],
  [59_940, '59.9s'],
  [61_000, '1m01s'],
  [Number.NaN, '?'],
])('formatDuration(%d) is %s', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
});

test.each([
  ['sha256:0123456789abcdef0123', '0123456789ab'],
  ['0123456789abcdef', '0123456789ab'],
])('shortId(%s)', (id, short) => {
  expect(shortId(id)).toBe(short);
});

describe('renderTable', () => {
  test.each([
    [
      'aligned columns',
      {
        rows: [
          ['a', 'one'],
          ['long key', 'two'],
        ],
      },
      'a         one\nlong key  two\n',
    ],
    ['a header row', { head: ['NAME', 'STATE'], rows: [['web', 'running']] }, 'NAME  STATE\nweb   running\n'],
    [
      'multi-line cells',
      {
        rows: [
          ['tags', 'app:1.1\napp:1'],
          ['size', '1 MB'],
        ],
      },
      'tags  app:1.1\n      app:1\nsize  1 MB\n',
    ],
    ['no trailing spaces', { rows: [['key', '']] }, 'key\n'],
    [
      'ANSI colors do not count toward width',
      {
        rows: [
          [color.green('ok'), 'x'],
          ['long', 'y'],
        ],
      },
      `${color.green('ok')}    x\nlong  y\n`,
    ],
  ])('%s', (_name, table, expected) => {
    expect(renderTable(table)).toBe(expected);
  });
});

describe('plain progress lines', () => {
  test.each<[string, ProgressEvent, string | undefined]>([
    [
      'phase start',
      { type: 'phase-start', phase: 'build', message: 'Building examples/flask-app' },
      '▸ Building examples/flask-app',
    ],
    ['phase end ok', { type: 'phase-end', phase: 'build', message: 'Built', durationMs: 2100, ok: true }, '✔ Built (2.1s)'],
    [
      'phase end failed',
      { type: 'phase-end', phase: 'smoke', message: 'Smoke test failed', durationMs: 800, ok: false },
      '▪ smoke stopped after 800ms',
    ],
    [
      'build step',
      { type: 'build-step', step: 3, totalSteps: 9, instruction: 'RUN pip install -r requirements.txt' },
      '  Step 3/9 : RUN pip install -r requirements.txt',
    ],
    [
      'cached step',
      { type: 'build-step', step: 1, totalSteps: 9, instruction: 'FROM python:3.11-slim', cached: true },
      '  Step 1/9 : FROM python:3.11-slim (cached)',
    ],
    [
      'log',
      { type: 'log', phase: 'build', line: 'Successfully installed Flask-2.2.2' },
      '  │ Successfully installed Flask-2.2.2',
    ],
    [
      'layer',
      { type: 'layer', phase: 'push', layerId: 'abcdef0123456789', status: 'Pushed', total: 2_000_000 },
      '  push abcdef012345: Pushed (2.00 MB)',
    ],
    [
      'retry',
      { type: 'retry', phase: 'push', attempt: 2, delayMs: 1200, reason: '503 Service Unavailable' },
      '↻ push: attempt 2 failed (503 Service Unavailable); retrying in 1.2s',
    ],
    ['warning', { type: 'warning', phase: 'build', message: 'no .dockerignore' }, '! no .dockerignore'],
    ['info', { type: 'info', phase: 'tag', message: 'skipped latest' }, '  skipped latest'],
  ])('%s', (_name, event, line) => {
    expect(plainLine(event, plain)).toBe(line);
  });

  test('a layer prints once, when it is done, not once per byte', () => {
    const out: string[] = [];
    const renderer = createProgressRenderer('plain', { write: (text) => out.push(text) }, plain);
    const layer = (status: string, current?: number) =>
      renderer.onProgress({
        type: 'layer',
        phase: 'push',
        layerId: 'aaaaaaaaaaaa',
        status,
        ...(current === undefined ? {} : { current }),
        total: 100,
      });
    layer('Preparing');
    layer('Pushing', 10);
    layer('Pushing', 50);
    layer('Pushing', 100);
    layer('Pushed');
    layer('Pushed');
    expect(out).toEqual(['  push aaaaaaaaaaaa: Pushed (100 B)\n']);
  });

  test('silent mode prints nothing', () => {
    const out: string[] = [];
    createProgressRenderer('silent', { write: (text) => out.push(text) }, plain).onProgress({
      type: 'info',
      phase: 'build',
      message: 'x',
    });
    expect(out).toEqual([]);
  });
});

describe('live progress', () => {
  test('redraws per-layer bytes in place and leaves a summary when the phase ends', async () => {
    const out: string[] = [];
    const renderer = createProgressRenderer('live', { write: (text) => out.push(text), columns: 100 }, plain);
    renderer.onProgress({ type: 'phase-start', phase: 'push', message: 'Pushing app:1.1' });
    renderer.onProgress({
      type: 'layer',
      phase: 'push',
      layerId: 'aaaaaaaaaaaa',
      status: 'Pushing',
      current: 500_000,
      total: 1_000_000,
    });
    await new Promise((resolve) => setTimeout(resolve, 120));
    renderer.onProgress({
      type: 'layer',
      phase: 'push',
      layerId: 'aaaaaaaaaaaa',
      status: 'Pushing',
      current: 1_000_000,
      total: 1_000_000,
    });
    renderer.onProgress({ type: 'layer', phase: 'push', layerId: 'bbbbbbbbbbbb', status: 'Layer already exists' });
    await new Promise((resolve) => setTimeout(resolve, 120));
    renderer.onProgress({ type: 'phase-end', phase: 'push', message: 'Pushed app:1.1', durationMs: 900, ok: true });
    renderer.stop();
    const screen = out.join('');
    expect(screen).toContain('  aaaaaaaaaaaa  Pushing                [==========>         ] 500.0 kB / 1.00 MB');
    // The region is erased (cursor up + clear) before it is drawn again.
    expect(screen).toContain('\u001b[1A\u001b[0J');
    expect(screen).toContain('  aaaaaaaaaaaa  Pushing                [====================] 1.00 MB / 1.00 MB');
    expect(screen).toContain('  bbbbbbbbbbbb  Layer already exists');
    expect(screen.endsWith('  2 layers, 1 already there, 1.00 MB sent\n✔ Pushed app:1.1 (900ms)\n')).toBe(true);
  });

  test.each([
    [0, '[>                   ]'],
    [0.5, '[==========>         ]'],
    [1, '[====================]'],
    [7, '[====================]'],
  ])('progressBar(%d)', (fraction, bar) => {
    expect(progressBar(fraction, 20)).toBe(bar);
  });
});

describe('errors', () => {
  test.each([
    [new UsageError("unknown option '--x'"), 2],
    [new InvalidInputError('The tag "bad tag" is not valid; use letters, digits, _ . -.'), 2],
    [new ConfigError('ship.yaml:2: unknown key "x".'), 2],
    [new ShipError('TARGET_NOT_FOUND', 'No stage named nope; the stages are builder, runtime.'), 2],
    [new EngineUnavailableError('No Docker engine answers at unix:///nope.sock; start Docker.'), 1],
    [new ShipError('IMAGE_NOT_FOUND', 'Image missing; build it first.'), 1],
    [new Error('boom'), 1],
  ])('exit code for %s is %d', (error, code) => {
    expect(exitCodeFor(error)).toBe(code);
  });

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
    [undefined, 130],
    [{ signal: 'SIGTERM' }, 143],
  ])('an abort for %j exits %d', (reason, code) => {
    expect(exitCodeForAbort(reason)).toBe(code);
  });

  const engineDown = new EngineUnavailableError(
    'No Docker engine answers at unix:///nope.sock; start Docker (or dockerd), or point DOCKER_HOST at a running engine.',
    {
      cause: Object.assign(new Error('connect ENOENT /nope.sock'), { code: 'ENOENT' }),
    },
  );

  test('without --debug: one red line, no stack', () => {
    const text = formatError(engineDown, { debug: false, style: color });
    expect(text).toBe(
      `${color.red('✖ No Docker engine answers at unix:///nope.sock; start Docker (or dockerd), or point DOCKER_HOST at a running engine.')}\n`,
    );
  });

  test('with --debug: the cause chain and the stacks', () => {
    const text = stripAnsi(formatError(engineDown, { debug: true, style: color }));
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^✖ No Docker engine answers/);
    expect(lines[1]).toBe('  caused by: Error [ENOENT]: connect ENOENT /nope.sock');
    expect(text).toMatch(/EngineUnavailableError: No Docker engine answers[^\n]*\n\s+at /);
  });

  test('an unexpected error says it is one', () => {
    expect(formatError(new TypeError('x is undefined'), { debug: false, style: plain })).toBe(
      '✖ x is undefined (unexpected error; rerun with --debug and report it)\n',
    );
  });

  test('errorJson keeps the code and the one-line message', () => {
    expect(errorJson(engineDown)).toEqual({ error: { code: 'ENGINE_UNAVAILABLE', message: engineDown.message } });
  });
});

test.each([
  [{ flag: true, env: {}, isTTY: true }, true],
  [{ flag: true, env: {}, isTTY: false }, false],
  [{ flag: false, env: { FORCE_COLOR: '1' }, isTTY: true }, false],
  [{ flag: true, env: { NO_COLOR: '1' }, isTTY: true }, false],
  [{ flag: true, env: { FORCE_COLOR: '1' }, isTTY: false }, true],
  [{ flag: true, env: { FORCE_COLOR: '0' }, isTTY: true }, false],
  [{ flag: true, env: { TERM: 'dumb' }, isTTY: true }, false],
])('colorWanted(%j) is %s', (input, expected) => {
  expect(colorWanted(input)).toBe(expected);
});
