import { describe, expect, test } from 'vitest';
import { errorLines, ship } from '../../test/cli.js';

describe('ship doctor without an engine', () => {
  test('an address that does not answer: exit 1, one line naming the address and the fix', async () => {
    const run = await ship(['doctor'], { env: { DOCKER_HOST: 'unix:///nonexistent/i16.sock' } });
    expect(run.code).toBe(1);
    expect(errorLines(run.stderr)).toEqual([
      '✖ No Docker engine answers at unix:///nonexistent/i16.sock; start Docker (or dockerd), or point DOCKER_HOST at a running engine.',
    ]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  test('a docker context that does not exist: exit 2 and the fix', async () => {
    const run = await ship(['doctor', '--json'], { env: { DOCKER_CONTEXT: 'i16-missing', DOCKER_CONFIG: '/nonexistent/i16' } });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        code: 'INVALID_INPUT',
        message:
          "The docker context 'i16-missing' (DOCKER_CONTEXT) does not exist in /nonexistent/i16/contexts; create it with 'docker context create i16-missing' or pick one from 'docker context ls'.",
      },
    });
  });

  test('--debug says the engine does not answer, then the command runs', async () => {
    const run = await ship(['--debug', 'tags', '--image', 'app', '--tag', 'v1'], {
      env: { DOCKER_HOST: 'unix:///nonexistent/i16.sock' },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^debug: engine {4}unix:\/\/\/nonexistent\/i16\.sock does not answer \(No Docker engine answers/);
    expect(run.stdout).toContain('app:1');
  });
});
