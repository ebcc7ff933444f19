// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile variables, not template placeholders.
import { describe, expect, test } from 'vitest';
import { ShipError } from '../errors.js';
import { analyzeDockerfile, assertTarget, substituteVariables } from './analysis.js';

const multiStage = `# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.11
ARG BASE=python:\${PYTHON_VERSION}-slim
FROM \${BASE} AS builder
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt

FROM builder AS test
COPY tests/ tests/
RUN python -m pytest

FROM alpine:3.19 AS tools
RUN apk add curl

FROM \${BASE} AS Runtime
COPY --from=builder /install /usr/local
COPY --from=2 /usr/bin/curl /usr/bin/curl
COPY --from=nginx:1.25 /etc/nginx/nginx.conf /etc/nginx.conf
EXPOSE 5000 8080/udp
HEALTHCHECK --interval=10s CMD ["python", "-c", "print(1)"]
USER app
CMD ["gunicorn", "app:app"]
`;

describe('analyzeDockerfile', () => {
  const analysis = analyzeDockerfile(multiStage);

  test('finds stages with names, lines and substituted base images', () => {
    expect(
      analysis.stages.map((s) => ({
        index: s.index,
        name: s.name,
        baseImage: s.baseImage,
        line: s.line,
        baseStage: s.baseStage,
      })),
    ).toEqual([
      { index: 0, name: 'builder', baseImage: 'python:3.11-slim', line: 4, baseStage: undefined },
      { index: 1, name: 'test', baseImage: 'builder', line: 7, baseStage: 0 },
      { index: 2, name: 'tools', baseImage: 'alpine:3.19', line: 11, baseStage: undefined },
      { index: 3, name: 'runtime', baseImage: 'python:3.11-slim', line: 14, baseStage: undefined },
    ]);
    expect(analysis.stages[0]?.rawBaseImage).toBe('${BASE}');
    expect(analysis.globalArgs).toEqual([
      { name: 'PYTHON_VERSION', defaultValue: '3.11', line: 2 },
      { name: 'BASE', defaultValue: 'python:${PYTHON_VERSION}-slim', line: 3 },
    ]);
  });

  test('build args override ARG defaults in FROM', () => {
    expect(analyzeDockerfile(multiStage, { buildArgs: { PYTHON_VERSION: '3.12' } }).stages[0]?.baseImage).toBe(
      'python:3.12-slim',
    );
  });

  test('records COPY --from stages by name and index, and external images', () => {
    const runtime = analysis.stages[3];
    expect(runtime?.copiesFromStages).toEqual([0, 2]);
    expect(runtime?.copiesFromImages).toEqual(['nginx:1.25']);
  });

  test('reports exposed ports, healthcheck and final user of the final stage', () => {
    expect(analysis.exposedPorts).toEqual([
      { port: 5000, protocol: 'tcp', line: 18 },
      { port: 8080, protocol: 'udp', line: 18 },
    ]);
    expect(analysis.healthcheck).toMatchObject({ disabled: false, test: ['CMD', 'python', '-c', 'print(1)'], line: 19 });
    expect(analysis.healthcheck?.flags).toEqual({ interval: '10s' });
    expect(analysis.finalUser).toBe('app');
    expect(analysis.finalStage?.name).toBe('runtime');
  });

  test('lists instructions with lines, flags and exec form', () => {
    const cmd = analysis.instructions.at(-1);
    expect(cmd).toMatchObject({ keyword: 'CMD', line: 21, execForm: ['gunicorn', 'app:app'], stageIndex: 3 });
    expect(analysis.instructions[0]).toMatchObject({ keyword: 'ARG', line: 2, stageIndex: undefined });
    expect(analysis.instructions.find((i) => i.line === 15)?.flags).toEqual({ from: 'builder' });
  });

  test.each([
    ['runtime', ['builder', 'tools', 'runtime']],
    ['test', ['builder', 'test']],
    ['builder', ['builder']],
    ['TOOLS', ['tools']],
    [undefined, ['builder', 'tools', 'runtime']],
  ])('stagesForTarget(%s) follows FROM <stage> and COPY --from', (target, expected) => {
    expect(analysis.stagesForTarget(target).map((s) => s.name)).toEqual(expected);
  });

  test('inherits user, ports and healthcheck through FROM <stage>', () => {
    const text =
      'FROM python:3.11-slim AS base\nEXPOSE 5000\nUSER app\nHEALTHCHECK CMD curl -f localhost\nFROM base\nEXPOSE 9000\n';
    const result = analyzeDockerfile(text);
    expect(result.exposedPorts.map((p) => p.port)).toEqual([5000, 9000]);
    expect(result.finalUser).toBe('app');
    expect(result.healthcheck).toMatchObject({ disabled: false, test: ['CMD-SHELL', 'curl -f localhost'], line: 4 });
  });

  test.each([
    ['HEALTHCHECK NONE', { disabled: true, test: ['NONE'] }],
    [
      'HEALTHCHECK CMD ["curl", "-f", "http://localhost/"]',
      { disabled: false, test: ['CMD', 'curl', '-f', 'http://localhost/'] },
    ],
  ])('healthcheck %s', (line, expected) => {
    expect(analyzeDockerfile(`FROM scratch\n${line}\n`).healthcheck).toMatchObject(expected);
  });

  test('no user, no healthcheck, no ports when the Dockerfile says nothing', () => {
    const result = analyzeDockerfile('FROM python:3.8-slim\nCOPY . /app\nCMD python app.py\n');
    expect(result.finalUser).toBeUndefined();
    expect(result.healthcheck).toBeUndefined();
    expect(result.exposedPorts).toEqual([]);
    expect(result.instructions.at(-1)?.execForm).toBeUndefined();
  });

  test('an empty Dockerfile has no stages', () => {
    const result = analyzeDockerfile('');
    expect(result.stages).toEqual([]);
    expect(result.finalStage).toBeUndefined();
    expect(result.stagesForTarget()).toEqual([]);
  });
});

describe('assertTarget', () => {
  const analysis = analyzeDockerfile(multiStage);

  test('returns the stage for a known target, case-insensitively', () => {
    expect(assertTarget(analysis, 'Runtime').index).toBe(3);
  });

  test('names the stages that exist for an unknown target', () => {
    expect(() => assertTarget(analysis, 'nope')).toThrow(
      new ShipError('TARGET_NOT_FOUND', "Stage 'nope' is not in Dockerfile; the stages are: builder, test, tools, runtime."),
    );
    try {
      analysis.stagesForTarget('nope');
      expect.unreachable();
    } catch (error) {
      expect((error as ShipError).code).toBe('TARGET_NOT_FOUND');
    }
  });

  test('says so when no stage has a name', () => {
    expect(() => assertTarget(analyzeDockerfile('FROM python:3.11-slim\n'), 'prod', 'Dockerfile.prod')).toThrow(
      "Stage 'prod' is not in Dockerfile.prod, which has no named stages; name one with 'FROM <image> AS prod' or drop --target.",
    );
  });
});

describe('substituteVariables', () => {
  const vars = new Map([
    ['A', 'one'],
    ['EMPTY', ''],
  ]);
  test.each([
    ['$A', 'one'],
    ['${A}-slim', 'one-slim'],
    ['${MISSING:-3.11}', '3.11'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${A:+set}', 'set'],
    ['${MISSING:+set}', ''],
    ['x$MISSING', 'x'],
    ['plain', 'plain'],
  ])('%s -> %s', (input, expected) => {
    expect(substituteVariables(input, vars)).toBe(expected);
  });
});
