import { describe, expect, test } from 'vitest';
import { analyzeDockerfile } from '../dockerfile/analysis.js';
import { secretBuildArgWarning } from './secret-build-args.js';

const consumesAll =
  'FROM python:3.11-slim\nARG DB_PASSWORD\nARG GITHUB_TOKEN\nARG API_KEY\nARG APP_SECRET=x\nARG GREETING\nARG PASSWORD_FILE\nRUN true\n';

describe('secretBuildArgWarning', () => {
  test.each([
    ['a password', { DB_PASSWORD: 'hunter22' }, consumesAll, undefined, ['DB_PASSWORD']],
    ['a token', { GITHUB_TOKEN: 'ghp_abc123v4lue' }, consumesAll, undefined, ['GITHUB_TOKEN']],
    ['API_KEY', { API_KEY: 'k3y-v4lue' }, consumesAll, undefined, ['API_KEY']],
    ['a secret with a default', { APP_SECRET: 's3cr3t-v4lue' }, consumesAll, undefined, ['APP_SECRET']],
    ['a harmless name', { GREETING: 'hallo' }, consumesAll, undefined, []],
    ['a name that points at a secret', { PASSWORD_FILE: '/run/pw' }, consumesAll, undefined, []],
    [
      'two secrets, one sentence',
      { DB_PASSWORD: 'pw-v4lue', API_KEY: 'k3y-v4lue', GREETING: 'hallo' },
      consumesAll,
      undefined,
      ['DB_PASSWORD', 'API_KEY'],
    ],
    ['not consumed by any ARG', { DB_PASSWORD: 'hunter22' }, 'FROM python:3.11-slim\nRUN true\n', undefined, []],
    ['only declared before FROM', { DB_PASSWORD: 'p' }, 'ARG DB_PASSWORD\nFROM python:3.11-slim\nRUN true\n', undefined, []],
    [
      'several names in one ARG',
      { NPM_TOKEN: 'npm-t0ken-v4lue' },
      'FROM python:3.11-slim\nARG A=1 NPM_TOKEN\n',
      undefined,
      ['NPM_TOKEN'],
    ],
    [
      'declared in a stage the target does not build',
      { DB_PASSWORD: 'p' },
      'FROM python:3.11-slim AS base\nRUN true\nFROM base AS other\nARG DB_PASSWORD\nRUN true\n',
      'base',
      [],
    ],
    [
      'declared in a stage the target builds from',
      { DB_PASSWORD: 'pw-v4lue' },
      'FROM python:3.11-slim AS base\nARG DB_PASSWORD\nRUN true\nFROM base AS app\nRUN true\n',
      'app',
      ['DB_PASSWORD'],
    ],
    ['no build args', undefined, consumesAll, undefined, []],
  ])('%s', (_name, buildArgs, dockerfile, target, named) => {
    const warning = secretBuildArgWarning(buildArgs, analyzeDockerfile(dockerfile), target);
    if (named.length === 0) {
      expect(warning).toBeUndefined();
      return;
    }
    expect(warning).toBeDefined();
    for (const name of named) expect(warning).toContain(name);
    for (const value of Object.values(buildArgs ?? {})) expect(warning).not.toContain(`${value}`);
    expect(warning).toMatch(/image history/);
    expect(warning).toMatch(/--secret id=NAME,env=VAR, read with RUN --mount=type=secret,id=NAME/);
    expect(warning?.match(/\. /g) ?? []).toEqual([]);
  });

  test('a Dockerfile that does not parse: every secret-looking build arg counts', () => {
    expect(secretBuildArgWarning({ REGISTRY_TOKEN: 't', GREETING: 'g' }, undefined)).toMatch(
      /^The build arg REGISTRY_TOKEN looks like a secret/,
    );
  });
});
