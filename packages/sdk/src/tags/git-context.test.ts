import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { uniqueName } from '@container-ship/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.js';
import { runProcess } from '../process/run-process.js';
import { browsableUrl, licenseFromText, readGitContext } from './git-context.js';
import { planTags } from './plan.js';

const SHA = '860c1904a1ce19322e91ac35af1ab07466440c37';
const SEMVER3 = ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern={{major}}'];
// A clean environment for git: no GITHUB_* from the machine running the tests, and a fixed identity.
const gitEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  GIT_AUTHOR_NAME: 'Ship Test',
  GIT_AUTHOR_EMAIL: 'ship@example.com',
  GIT_COMMITTER_NAME: 'Ship Test',
  GIT_COMMITTER_EMAIL: 'ship@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), `${uniqueName('ship-tags')}-`));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function git(cwd: string, ...args: string[]): Promise<string> {
  const result = await runProcess('git', args, { cwd, env: gitEnv });
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

async function newRepo(name: string): Promise<string> {
  const dir = path.join(root, name);
  await runProcess('mkdir', ['-p', dir]);
  await git(dir, 'init', '-q', '-b', 'main');
  await writeFile(path.join(dir, 'app.py'), 'print("hi")\n');
  await git(dir, 'add', '.');
  await git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

async function eventFile(name: string, payload: unknown): Promise<string> {
  const file = path.join(root, `${name}.json`);
  await writeFile(file, JSON.stringify(payload));
  return file;
}

describe('readGitContext in GitHub Actions', () => {
  test('a tag push with only GITHUB_REF, GITHUB_SHA and GITHUB_EVENT_NAME plans 1.1.1, 1.1, 1 and latest per image', async () => {
    const env = { GITHUB_REF: 'refs/tags/v1.1.1', GITHUB_SHA: SHA, GITHUB_EVENT_NAME: 'push' };
    const git = await readGitContext({ cwd: root, env });
    expect(git).toMatchObject({ source: 'github-actions', eventName: 'push', ref: 'refs/tags/v1.1.1', sha: SHA });
    const plan = planTags({ images: ['org/app', 'ghcr.io/user/app'], rules: SEMVER3, git });
    expect(plan.tags).toEqual([
      'org/app:1.1.1',
      'org/app:1.1',
      'org/app:1',
      'org/app:latest',
      'ghcr.io/user/app:1.1.1',
      'ghcr.io/user/app:1.1',
      'ghcr.io/user/app:1',
      'ghcr.io/user/app:latest',
    ]);
    expect(plan.version).toBe('1.1.1');
    expect(plan.labels['org.opencontainers.image.revision']).toBe(SHA);
  });

  test('a pull_request payload gives the PR number, branches, default branch and repository facts', async () => {
    const eventPath = await eventFile('pr', {
      number: 15,
      pull_request: {
        number: 15,
        head: { ref: 'feature/x', sha: '3370e228f2209994d57af4427fe64e71bb79ac96' },
        base: { ref: 'master' },
      },
      repository: {
        name: 'Hello-World',
        full_name: 'octocat/Hello-World',
        html_url: 'https://github.com/octocat/Hello-World',
        description: 'This your first repo!',
        default_branch: 'master',
        license: { spdx_id: 'MIT' },
      },
    });
    const env = {
      GITHUB_REF: 'refs/pull/15/merge',
      GITHUB_SHA: 'a9c8c5828b91be19d9728548b24759e352367ef1',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: eventPath,
      GITHUB_REPOSITORY: 'octocat/Hello-World',
      GITHUB_SERVER_URL: 'https://github.com',
    };
    const git = await readGitContext({ cwd: root, env });
    expect(git).toMatchObject({
      prNumber: 15,
      headRef: 'feature/x',
      baseRef: 'master',
      defaultBranch: 'master',
      repository: 'octocat/Hello-World',
      sourceUrl: 'https://github.com/octocat/Hello-World',
      title: 'Hello-World',
      description: 'This your first repo!',
      license: 'MIT',
    });
    const plan = planTags({
      images: ['user/app'],
      git,
      rules: ['type=ref,event=pr', 'type=raw,value=to-{{base_ref}}'],
      now: '2020-01-10T00:30:00Z',
    });
    expect(plan.tags).toEqual(['user/app:pr-15', 'user/app:to-master']);
    expect(plan.labels).toEqual({
      'org.opencontainers.image.created': '2020-01-10T00:30:00.000Z',
      'org.opencontainers.image.description': 'This your first repo!',
      'org.opencontainers.image.licenses': 'MIT',
      'org.opencontainers.image.revision': 'a9c8c5828b91be19d9728548b24759e352367ef1',
      'org.opencontainers.image.source': 'https://github.com/octocat/Hello-World',
      'org.opencontainers.image.title': 'Hello-World',
      'org.opencontainers.image.url': 'https://github.com/octocat/Hello-World',
      'org.opencontainers.image.version': 'pr-15',
    });

    const headSha = await readGitContext({ cwd: root, env: { ...env, DOCKER_METADATA_PR_HEAD_SHA: 'true' } });
    expect(headSha.sha).toBe('3370e228f2209994d57af4427fe64e71bb79ac96');
  });

  test('pull_request_target names the pull request, not the base branch', async () => {
    const eventPath = await eventFile('prt', { number: 15, pull_request: { number: 15, base: { ref: 'master' } } });
    const git = await readGitContext({
      cwd: root,
      env: {
        GITHUB_REF: 'refs/heads/master',
        GITHUB_SHA: SHA,
        GITHUB_EVENT_NAME: 'pull_request_target',
        GITHUB_EVENT_PATH: eventPath,
      },
    });
    expect(git.ref).toBe('refs/pull/15/merge');
    expect(planTags({ images: ['app'], git }).tags).toEqual(['app:pr-15']);
  });

  test('a tag push payload gives base_ref and the commit date of the pushed commit', async () => {
    const eventPath = await eventFile('tag', {
      base_ref: 'refs/heads/master',
      head_commit: { id: SHA, timestamp: '2021-10-21T23:47:22+02:00' },
      repository: { default_branch: 'master', license: { spdx_id: 'NOASSERTION' } },
    });
    const git = await readGitContext({
      cwd: root,
      env: {
        GITHUB_REF: 'refs/tags/v1.1.1',
        GITHUB_SHA: SHA,
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_REPOSITORY: 'acme/app',
      },
    });
    expect(git).toMatchObject({
      baseRef: 'master',
      commitDate: '2021-10-21T23:47:22+02:00',
      sourceUrl: 'https://github.com/acme/app',
      title: 'app',
    });
    expect(git.license).toBeUndefined();
    const plan = planTags({ images: ['app'], git, rules: ["type=raw,value={{base_ref}}-{{commit_date 'YYYYMMDD-HHmm'}}"] });
    expect(plan.tags).toEqual(['app:master-20211021-2147']);
  });

  test('a payload that is not JSON is a clear error', async () => {
    const eventPath = path.join(root, 'broken.json');
    await writeFile(eventPath, '{ not json');
    const read = readGitContext({
      cwd: root,
      env: { GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: eventPath },
    });
    await expect(read).rejects.toThrow(InvalidInputError);
    await expect(read).rejects.toThrow(/is not valid JSON/);
  });

  test('explicit overrides win', async () => {
    const git = await readGitContext({
      cwd: root,
      env: { GITHUB_REF: 'refs/heads/main', GITHUB_SHA: SHA, GITHUB_EVENT_NAME: 'push' },
      overrides: { ref: 'refs/tags/v3.0.0', defaultBranch: 'main' },
    });
    expect(git).toMatchObject({ ref: 'refs/tags/v3.0.0', sha: SHA, defaultBranch: 'main' });
  });
});

describe('readGitContext in a local repository', () => {
  test('a branch: ref, sha, commit date, default branch from origin/HEAD, remote without credentials, licence', async () => {
    const dir = await newRepo('branch');
    await writeFile(
      path.join(dir, 'LICENSE'),
      'MIT License\n\nCopyright (c) 2024 Acme\n\nPermission is hereby granted, free of charge...\n',
    );
    await git(dir, 'checkout', '-q', '-b', 'my/feature#1245');
    await git(dir, 'remote', 'add', 'origin', 'https://deploy:s3cret-token@github.com/acme/shop.git');
    await git(dir, 'update-ref', 'refs/remotes/origin/trunk', 'HEAD');
    await git(dir, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
    const sha = await git(dir, 'rev-parse', 'HEAD');

    const context = await readGitContext({ cwd: dir, env: gitEnv });
    expect(context).toMatchObject({
      source: 'git',
      eventName: 'push',
      ref: 'refs/heads/my/feature#1245',
      branch: 'my/feature#1245',
      sha,
      defaultBranch: 'trunk',
      repository: 'acme/shop',
      sourceUrl: 'https://github.com/acme/shop',
      title: 'shop',
      license: 'MIT',
    });
    expect(JSON.stringify(context)).not.toContain('s3cret');
    expect(Number.isNaN(Date.parse(context.commitDate ?? ''))).toBe(false);
    expect(planTags({ images: ['app'], git: context, rules: ['type=ref,event=branch', 'type=edge', 'type=sha'] }).tags).toEqual([
      'app:my-feature-1245',
      `app:sha-${sha.slice(0, 7)}`,
    ]);
  });

  test('an exact tag at HEAD wins over the branch, and the highest version wins among tags', async () => {
    const dir = await newRepo('tagged');
    await git(dir, 'tag', 'v1.2.3');
    await git(dir, 'tag', '-a', 'v1.10.0', '-m', 'release');
    await git(dir, 'tag', 'deployed');
    const context = await readGitContext({ cwd: dir, env: gitEnv });
    expect(context.ref).toBe('refs/tags/v1.10.0');
    expect(context.branch).toBe('main');
    expect(planTags({ images: ['app'], git: context, rules: SEMVER3 }).tags).toEqual([
      'app:1.10.0',
      'app:1.10',
      'app:1',
      'app:latest',
    ]);

    await writeFile(path.join(dir, 'more.txt'), 'x');
    await git(dir, 'add', '.');
    await git(dir, 'commit', '-q', '-m', 'second');
    const moved = await readGitContext({ cwd: dir, env: gitEnv });
    expect(moved.ref).toBe('refs/heads/main');
  });

  test('package.json supplies licence and description; a detached HEAD has no ref', async () => {
    const dir = await newRepo('detached');
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ license: 'Apache-2.0', description: 'The shop API' }));
    await git(dir, 'checkout', '-q', '--detach');
    const context = await readGitContext({ cwd: dir, env: gitEnv });
    expect(context).toMatchObject({ ref: '', license: 'Apache-2.0', description: 'The shop API', title: 'detached' });
    expect(context.sourceUrl).toBeUndefined();
  });

  test('outside any repository it returns an empty context instead of failing', async () => {
    const dir = path.join(root, 'not-a-repo');
    await runProcess('mkdir', ['-p', dir]);
    const context = await readGitContext({ cwd: dir, env: { ...gitEnv, GIT_CEILING_DIRECTORIES: root } });
    expect(context).toEqual({ source: 'none', eventName: 'push', ref: '', sha: '' });
    expect(planTags({ images: ['app'], version: 'v1.1', git: context }).tags).toEqual(['app:1.1', 'app:1', 'app:latest']);
  });
});

describe('browsableUrl', () => {
  test.each([
    ['git@github.com:acme/shop.git', 'https://github.com/acme/shop'],
    ['ssh://git@gitlab.example.com:22/group/sub/app.git', 'https://gitlab.example.com/group/sub/app'],
    ['https://x-access-token:ghs_abc@github.com/acme/shop.git', 'https://github.com/acme/shop'],
    ['https://github.com/acme/shop/', 'https://github.com/acme/shop'],
    ['file:///srv/git/shop.git', undefined],
    ['/srv/git/shop.git', undefined],
  ])('%s → %s', (remote, expected) => {
    expect(browsableUrl(remote)).toBe(expected);
  });
});

describe('licenseFromText', () => {
  test.each([
    ['MIT License\n\nCopyright (c) 2024', 'MIT'],
    ['                                 Apache License\n                           Version 2.0, January 2004', 'Apache-2.0'],
    ['                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007', 'GPL-3.0'],
    ['Some custom terms', undefined],
  ])('%#', (text, expected) => {
    expect(licenseFromText(text)).toBe(expected);
  });
});
