import { describe, expect, test } from 'vitest';
import { ship } from './cli.js';

describe('ship doctor on the test bed engine', () => {
  test('--json reports the engine, the rule that found it, its API version and builders', async () => {
    const run = await ship(['doctor', '--json'], { env: { DOCKER_HOST: process.env.DOCKER_HOST ?? '' } });
    expect(run.code, run.stderr).toBe(0);
    const { engine } = JSON.parse(run.stdout);
    expect(engine).toMatchObject({ product: 'Docker', os: 'linux', builders: ['buildkit', 'classic'] });
    expect(engine.apiVersion).toMatch(/^1\.\d+$/);
    expect(engine.rule).toBe(process.env.DOCKER_HOST ? 'DOCKER_HOST' : 'default socket');
    expect(engine.tried).toEqual(
      process.env.DOCKER_HOST ? [] : ['DOCKER_HOST (unset)', 'DOCKER_CONTEXT (unset)', expect.stringMatching(/config\.json/)],
    );
  });

  test('the text names each fact on its own line', async () => {
    const run = await ship(['doctor'], { env: { DOCKER_HOST: 'unix:///var/run/docker.sock' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^engine {4}Docker \S+ \(API 1\.\d+, linux\/\w+\)\naddress {3}unix:\/\/\/var\/run\/docker\.sock\nrule {6}DOCKER_HOST \(DOCKER_HOST=unix:\/\/\/var\/run\/docker\.sock\)\nbuilders {2}buildkit, classic\n$/,
    );
  });

  test('--debug on any command prints the same facts on stderr first', async () => {
    const run = await ship(['--debug', 'ps', '--quiet'], { env: { DOCKER_HOST: 'unix:///var/run/docker.sock' } });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(
      /^debug: engine {4}Docker .*\ndebug: address {3}unix:\/\/\/var\/run\/docker\.sock\ndebug: rule {6}DOCKER_HOST/,
    );
    expect(run.stderr).toMatch(/debug: builders {2}buildkit, classic\n/);
  });
});
