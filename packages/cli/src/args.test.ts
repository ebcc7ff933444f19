import { InvalidArgumentError } from 'commander';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  collect,
  collectKeyValue,
  collectPortMapping,
  loadDurationGrammar,
  parseCount,
  parsePort,
  parseStatus,
  parseTimeout,
} from './args.js';
import { repositoryOf } from './commands/push.js';
import { registryTarget } from './commands/release.js';
import { toPortSpec } from './commands/run.js';

describe('flag value parsers', () => {
  test.each([
    ['5000', 5000],
    ['1', 1],
    ['65535', 65_535],
  ])('parsePort(%s) is %d', (value, port) => {
    expect(parsePort(value)).toBe(port);
  });

  test.each(['0', '65536', 'web', '50.5', '-1', ''])('parsePort(%j) is rejected', (value) => {
    expect(() => parsePort(value)).toThrow(InvalidArgumentError);
  });

  test.each([
    ['200', 200],
    ['503', 503],
  ])('parseStatus(%s)', (value, status) => {
    expect(parseStatus(value)).toBe(status);
  });
  test.each(['99', '600', '2000', 'ok'])('parseStatus(%j) is rejected', (value) => {
    expect(() => parseStatus(value)).toThrow(InvalidArgumentError);
  });

  describe('parseTimeout, once the duration grammar is loaded', () => {
    beforeAll(loadDurationGrammar);
    test.each([
      ['30s', 30_000],
      ['500ms', 500],
      ['2m', 120_000],
      ['45', 45_000],
    ])('parseTimeout(%s) is %d ms', (value, ms) => {
      expect(parseTimeout(value)).toBe(ms);
    });
    test.each(['soon', '0s', '-5s', '1h'])('parseTimeout(%j) is rejected', (value) => {
      expect(() => parseTimeout(value)).toThrow(InvalidArgumentError);
    });
  });

  test.each(['12', '0'])('parseCount(%s)', (value) => {
    expect(parseCount(value)).toBe(Number(value));
  });
  test('parseCount rejects a non-number', () => {
    expect(() => parseCount('all')).toThrow(InvalidArgumentError);
  });

  test('collect accumulates repeated flags', () => {
    expect(collect('b', collect('a', undefined))).toEqual(['a', 'b']);
  });

  test.each([
    [['A=1'], { A: '1' }],
    [['A=1', 'B=x=y'], { A: '1', B: 'x=y' }],
    [['A='], { A: '' }],
    [['A=1', 'A=2'], { A: '2' }],
  ])('collectKeyValue %j', (values, expected) => {
    expect(values.reduce<Record<string, string>>((acc, value) => collectKeyValue(value, acc), {})).toEqual(expected);
  });
  test.each(['A', '=1', ''])('collectKeyValue(%j) is rejected', (value) => {
    expect(() => collectKeyValue(value)).toThrow(InvalidArgumentError);
  });

  test.each([
    ['5000', 5000],
    ['5000:8080', '8080:5000'],
  ])('-p %s is the SDK port spec %j', (value, spec) => {
    expect(collectPortMapping(value)).toEqual([value]);
    expect(toPortSpec(value)).toBe(spec);
  });
  test.each(['web', '5000:', '1:2:3', '70000'])('-p %j is rejected', (value) => {
    expect(() => collectPortMapping(value)).toThrow(InvalidArgumentError);
  });
});

test.each([
  ['localhost:5001/team/app:dev', 'localhost:5001/team/app'],
  ['localhost:5001/team/app', 'localhost:5001/team/app'],
  ['app:1.1', 'app'],
  ['ghcr.io/o/app@sha256:abc', 'ghcr.io/o/app'],
  ['localhost:5001/app:1@sha256:abc', 'localhost:5001/app'],
])('repositoryOf(%s) is %s', (image, repository) => {
  expect(repositoryOf(image)).toBe(repository);
});

test.each([
  ['ghcr.io', { registry: 'ghcr.io' }],
  ['localhost:5002', { registry: 'localhost:5002' }],
  ['ghcr.io/team/app', { image: 'ghcr.io/team/app' }],
])('--registry %s', (value, target) => {
  expect(registryTarget(value)).toEqual(target);
});
