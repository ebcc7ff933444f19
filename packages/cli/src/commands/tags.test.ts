import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ship } from '../../test/cli.js';

let dir: string;
beforeAll(async () => {
  // Not a git repository: the plan must come from the flags and the environment alone.
  dir = await mkdtemp(join(tmpdir(), 'ship-tags-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const SEMVER_RULES = [
  'type=semver,pattern={{version}}',
  'type=semver,pattern={{major}}.{{minor}}',
  'type=semver,pattern={{major}}',
];
const TAG_PUSH = {
  GITHUB_REF: 'refs/tags/v1.1.1',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_EVENT_NAME: 'push',
};

describe('ship tags', () => {
  test('--tag v1.1 --json prints the plan with app:1.1, app:1, app:latest', async () => {
    const run = await ship(['tags', '--offline', '--image', 'app', '--tag', 'v1.1', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan.tags).toEqual(['app:1.1', 'app:1', 'app:latest']);
    expect(plan.version).toBe('1.1');
    expect(plan.labels['org.opencontainers.image.version']).toBe('1.1');
  });

  test('a GitHub tag push and three semver rules give 1.1.1, 1.1, 1, latest for each image', async () => {
    const argv = [
      'tags',
      '--offline',
      '--image',
      'ghcr.io/acme/app',
      '--image',
      'localhost:5001/acme/app',
      ...SEMVER_RULES.flatMap((r) => ['--rule', r]),
    ];
    const run = await ship(argv, { cwd: dir, env: TAG_PUSH });
    expect(run.code).toBe(0);
    expect(run.stdout.trimEnd().split('\n')).toEqual(
      ['ghcr.io/acme/app', 'localhost:5001/acme/app'].flatMap((image) =>
        ['1.1.1', '1.1', '1', 'latest'].map((tag) => `${image}:${tag}`),
      ),
    );
  });

  test('--flavor and --existing-tag reach the planner: latest is held back behind 2.0.0', async () => {
    const run = await ship(['tags', '--offline', '--image', 'app', '--tag', 'v1.4.2', '--existing-tag', '2.0.0', '--json'], {
      cwd: dir,
    });
    const plan = JSON.parse(run.stdout);
    expect(plan.tags).toEqual(['app:1.4.2', 'app:1.4', 'app:1']);
    expect(plan.skipped).toEqual([expect.objectContaining({ tag: 'app:latest' })]);
    expect(run.stderr).toMatch(/skipped app:latest: /);
  });

  test('--flavor latest=false', async () => {
    const run = await ship(['tags', '--offline', '--image', 'app', '--rule', 'type=ref,event=tag', '--flavor', 'latest=false'], {
      cwd: dir,
      env: TAG_PUSH,
    });
    expect(run.stdout).toBe('app:v1.1.1\n');
  });

  test('the image and tag rules come from ship.yaml when no flag gives them', async () => {
    const project = await mkdtemp(join(tmpdir(), 'ship-tags-config-'));
    try {
      await writeFile(
        join(project, 'ship.yaml'),
        `image: localhost:5001/acme/app\ntags:\n  rules:\n${SEMVER_RULES.map((r) => `    - ${r}`).join('\n')}\n`,
      );
      const run = await ship(['tags', '--offline'], { cwd: project, env: TAG_PUSH });
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(['1.1.1', '1.1', '1', 'latest'].map((tag) => `localhost:5001/acme/app:${tag}\n`).join(''));
      const flagWins = await ship(['tags', '--offline', '--image', 'other', '--tag', 'v2'], { cwd: project });
      expect(flagWins.stdout).toBe('other:2\nother:latest\n');
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });

  test.each([
    [['tags', '--offline', '--tag', 'v1'], /^✖ No image name was given; pass --image NAME/],
    [['tags', '--offline', '--image', 'app', '--tag', 'bad tag'], /^✖ .*bad tag/],
    [['tags', '--offline', '--image', 'app', '--rule', 'type=nope'], /^✖ .*nope/],
  ])('ship %j exits 2 with one line', async (argv, message) => {
    const run = await ship(argv, { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  test('an invalid ship.yaml exits 2 naming the file, line and key', async () => {
    const project = await mkdtemp(join(tmpdir(), 'ship-tags-bad-config-'));
    try {
      await writeFile(join(project, 'ship.yaml'), 'image: app\nsmoke:\n  prot: 5000\n');
      const run = await ship(['tags', '--offline', '--tag', 'v1'], { cwd: project });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^✖ ship\.yaml:3: unknown key "prot" in smoke; did you mean "port"\?\n$/);
    } finally {
      await rm(project, { recursive: true, force: true });
    }
  });
  test('metadata-action parity: match= on type=semver, {{is_not_default_branch}} and an image line with enable=false', async () => {
    const argv = [
      'tags',
      '--offline',
      '--image',
      'org/app',
      '--image',
      'name=ghcr.io/user/app,enable=false',
      '--rule',
      'type=semver,pattern={{version}},"match=v(\\d.\\d.\\d)$"',
      '--rule',
      'type=raw,value=notdefault,enable={{is_not_default_branch}}',
    ];
    const run = await ship(argv, { cwd: dir, env: { ...TAG_PUSH, GITHUB_REF: 'refs/tags/p1/v1.0.0' } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    // A tag ref is not a branch, so it is "not the default branch", as in metadata-action.
    expect(run.stdout.trimEnd().split('\n')).toEqual(['org/app:1.0.0', 'org/app:notdefault', 'org/app:latest']);
  });

  test('SOURCE_DATE_EPOCH fixes the clock for {{date}} and the created label', async () => {
    const argv = ['tags', '--offline', '--image', 'app', '--rule', "type=raw,value=nightly-{{date 'YYYYMMDD-HHmm'}}", '--json'];
    const run = await ship(argv, { cwd: dir, env: { SOURCE_DATE_EPOCH: '1578616200' } });
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.stdout);
    expect(plan.tags).toEqual(['app:nightly-20200110-0030']);
    expect(plan.labels['org.opencontainers.image.created']).toBe('2020-01-10T00:30:00.000Z');
  });

  test('a SOURCE_DATE_EPOCH that is not a number fails with one sentence', async () => {
    const run = await ship(['tags', '--offline', '--image', 'app', '--tag', 'v1'], {
      cwd: dir,
      env: { SOURCE_DATE_EPOCH: 'yesterday' },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SOURCE_DATE_EPOCH is "yesterday", not a number of seconds since 1970');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
