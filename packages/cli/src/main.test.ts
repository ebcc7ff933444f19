import { describe, expect, test } from 'vitest';
import { ship } from '../test/cli.js';

const COMMANDS = [
  'build',
  'run',
  'smoke',
  'push',
  'release',
  'tags',
  'login',
  'promote',
  'lint',
  'init',
  'logs',
  'ps',
  'stop',
  'doctor',
  'deploy',
  'scale',
  'status',
  'rollback',
  'undeploy',
  'k8s',
  'exec',
  'rmi',
  'clean',
];

describe('usage errors exit 2 with one line and the nearest valid choice', () => {
  test.each([
    [['biuld'], /^✖ unknown command 'biuld'; did you mean build\?\n$/],
    [
      ['deploy', 'app:1', '--publish', 'mesh'],
      /^✖ option '--publish <mode>' argument 'mesh' is invalid: Allowed choices are host, dnsrr; see ship deploy --help\.\n$/,
    ],
    [['scale', 'app', 'many'], /^✖ 'many' is not a replica count; give a whole number, e\.g\. ship scale app 3\.\n$/],
    [['deploy', 'app:1', '--name', '-bad'], /^✖ '-bad' is not a valid service name; .*\n$/],
    [['tags', '--imge', 'app'], /^✖ unknown option '--imge'; did you mean --image\?\n$/],
    [['--jsn', 'tags'], /^✖ unknown option '--jsn'; did you mean --json\?\n$/],
    [['smoke'], /^✖ missing required argument 'image'; see ship smoke --help\.\n$/],
    [
      ['smoke', 'app', '--port', 'web'],
      /^✖ option '--port <port>' argument 'web' is invalid: expected a port number from 1 to 65535; see ship smoke --help\.\n$/,
    ],
    [['smoke', 'app', '--timeout', 'soon'], /expected a duration like 30s, 500ms or 2m/],
    [['smoke', 'app', '--expect-status', '20'], /expected an HTTP status from 100 to 599/],
    [['run', 'app', '-p', '5000:x'], /expected CONTAINER_PORT or CONTAINER_PORT:HOST_PORT/],
    [['build', '--build-arg', 'NOVALUE'], /expected KEY=VALUE, got "NOVALUE"/],
    [['lint', '--format', 'xml'], /argument 'xml' is invalid: Allowed choices are text, json, sarif/],
    [['init', '--template', 'ruby'], /Allowed choices are python/],
    [['ps', 'extra'], /too many arguments for 'ps'/],
  ])('ship %j', async (argv, message) => {
    const run = await ship(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stdout).toBe('');
  });

  test('with --json a usage error is also one JSON object on stdout', async () => {
    const run = await ship(['--json', 'tags', '--imge', 'x']);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout)).toEqual({
      error: { code: 'USAGE', message: "unknown option '--imge'; did you mean --image?" },
    });
  });
});

describe('help and version', () => {
  test('--version prints the package version and exits 0', async () => {
    const run = await ship(['--version']);
    expect(run).toEqual({ code: 0, stdout: '0.0.0\n', stderr: '' });
  });

  test('no command prints the help on stderr and exits 2', async () => {
    const run = await ship([]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Usage: ship \[options\] \[command\]\n/);
    expect(run.stderr).not.toMatch(/✖/);
  });

  test('--help lists every command', async () => {
    const run = await ship(['--help']);
    expect(run.code).toBe(0);
    for (const name of COMMANDS) {
      expect(run.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });

  test.each(COMMANDS)('ship %s --help shows an example', async (name) => {
    const run = await ship([name, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`Examples:\\n  \\$ (.*\\s)?ship ${name}\\b`));
  });
});

describe('global output flags', () => {
  test('--quiet prints only the result', async () => {
    expect(await ship(['tags', '--offline', '--image', 'app', '--tag', 'v2', '--quiet'])).toEqual({
      code: 0,
      stdout: 'app:2\napp:latest\n',
      stderr: '',
    });
  });

  test.each([
    [['--tag', 'bad tag'], {}, false],
    [['--tag', 'bad tag'], { FORCE_COLOR: '1' }, true],
    [['--tag', 'bad tag', '--no-color'], { FORCE_COLOR: '1' }, false],
    [['--tag', 'bad tag'], { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
  ])('error colors for %j with %j: %s', async (flags, env, colored) => {
    const run = await ship(['tags', '--offline', '--image', 'app', ...flags], { env });
    expect(run.code).toBe(2);
    expect(run.stderr.startsWith('\u001b[31m✖')).toBe(colored);
  });
});
