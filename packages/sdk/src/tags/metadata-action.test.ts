import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { readGitContext } from './git-context.js';
import { planTags } from './plan.js';

/*
 * docker/metadata-action's own tag test cases (__tests__/meta.test.ts: the null, push, tag,
 * latest, pr, pr-head-sha, schedule, release and raw tables), transcribed row by row: name,
 * event fixture, `images`, `tags` and `flavor` inputs, and the tags metadata-action expects.
 * Each row runs through what `ship tags` runs: `readGitContext` over the fixture's GITHUB_*
 * variables and a minimal event payload, then `planTags`. Its tests freeze the clock at
 * 2020-01-10T00:30:00Z for {{date}} and {{commit_date}}; so does `now`/`commitDate` here.
 * Rows where container-ship differs on purpose (docs/tags.md) are in DELIBERATE with the
 * tags (or error) container-ship gives instead.
 */
const NOW = '2020-01-10T00:30:00.000Z';
const SHA_DEV = '860c1904a1ce19322e91ac35af1ab07466440c37';
const SHA_MASTER = '266574110acf203503badf966df2ea24b5d732d7';
const SHA_PR = 'a9c8c5828b91be19d9728548b24759e352367ef1';
const PR_PAYLOAD = {
  number: 15,
  pull_request: {
    number: 15,
    head: { ref: 'test-pr', sha: '3370e228f2209994d57af4427fe64e71bb79ac96' },
    base: { ref: 'master' },
  },
};

interface Fixture {
  env: Record<string, string>;
  payload?: Record<string, unknown>;
}
const event = (name: string, ref: string, sha: string, payload: Record<string, unknown> = {}): Fixture => ({
  env: { GITHUB_EVENT_NAME: name, GITHUB_REF: ref, GITHUB_SHA: sha, GITHUB_REPOSITORY: 'docker/test-docker-action' },
  payload,
});
const tag = (name: string, payload: Record<string, unknown> = {}) => event('push', `refs/tags/${name}`, SHA_DEV, payload);
const FIXTURES: Record<string, Fixture> = {
  null: { env: {} },
  empty: { env: { GITHUB_EVENT_NAME: '', GITHUB_REF: '', GITHUB_SHA: '' } },
  push_dev: event('push', 'refs/heads/dev', SHA_DEV),
  push_master: event('push', 'refs/heads/master', SHA_MASTER),
  push_invalidchars: event('push', 'refs/heads/my/feature#1245', '983315b5e8d46e46fc4c49869e85e7ee5fb289ba'),
  workflow_dispatch: event('workflow_dispatch', 'refs/heads/master', SHA_DEV),
  'tag_v1.1.1': tag('v1.1.1', { base_ref: 'refs/heads/master' }),
  pull_request: event('pull_request', 'refs/pull/15/merge', SHA_PR, PR_PAYLOAD),
  pull_request_target: event('pull_request_target', 'refs/heads/master', SHA_MASTER, PR_PAYLOAD),
  schedule: event('schedule', 'refs/heads/master', SHA_DEV),
  release_created: event('release', 'refs/tags/v1.1.1', SHA_DEV),
};
for (const name of [
  'release1',
  '20200110-RC2',
  'v2.0.8-beta.67',
  'sometag',
  'p1/v1.0.0',
  '1.2',
  '1.1beta2',
  '1.0dev4',
  '1.2.3rc2',
  '1.2post1',
  'v1.2.3rc2',
])
  FIXTURES[`tag_${name.replace('/', '-')}`] ??= tag(name);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'i13-metadata-action-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The GitContext `ship tags` would read in that workflow run (metadata-action's repo fixture: default branch master). */
async function contextOf(fixtureName: string) {
  const [name = '', headSha] = fixtureName.split('+');
  const fixture = FIXTURES[name];
  if (!fixture) throw new Error(`no fixture ${name}`);
  const env: NodeJS.ProcessEnv = { ...fixture.env };
  if (fixture.payload) {
    const path = join(dir, `${name}.json`);
    await writeFile(path, JSON.stringify({ ...fixture.payload, repository: { default_branch: 'master' } }));
    env.GITHUB_EVENT_PATH = path;
  }
  if (headSha) env.DOCKER_METADATA_PR_HEAD_SHA = 'true';
  // No GITHUB_* at all reads the local repository: an empty folder has none.
  return readGitContext({ cwd: dir, env, overrides: { commitDate: NOW } });
}

type Row = [name: string, fixture: string, images: string[], tags: string[], flavor: string[], expected: string[]];
// biome-ignore format: one row per metadata-action test case
const CASES: Row[] = [
  ["null01", "null", ["user/app"], [], [], []],
  ["null02", "empty", ["user/app"], ["type=sha","type=raw,{{branch}}"], [], []],
  ["push01", "push_dev", ["user/app"], [], [], ["user/app:dev"]],
  ["push02", "push_master", ["user/app"], ["type=edge"], [], ["user/app:edge"]],
  ["push03", "push_master", ["user/app"], [], [], ["user/app:master"]],
  ["push04", "workflow_dispatch", ["user/app"], ["type=edge"], [], ["user/app:edge"]],
  ["push05", "push_dev", ["org/app","ghcr.io/user/app"], [], [], ["org/app:dev","ghcr.io/user/app:dev"]],
  ["push06", "push_master", ["org/app","ghcr.io/user/app"], ["type=edge"], [], ["org/app:edge","ghcr.io/user/app:edge"]],
  ["push07", "push_dev", ["org/app","ghcr.io/user/app"], ["type=ref,event=branch","type=sha"], [], ["org/app:dev","org/app:sha-860c190","ghcr.io/user/app:dev","ghcr.io/user/app:sha-860c190"]],
  ["push08", "push_master", ["org/app","ghcr.io/user/app"], ["type=edge","type=sha"], [], ["org/app:edge","org/app:sha-2665741","ghcr.io/user/app:edge","ghcr.io/user/app:sha-2665741"]],
  ["push09", "push_dev", ["org/app","ghcr.io/user/app"], ["type=edge,branch=dev","type=sha"], [], ["org/app:edge","org/app:sha-860c190","ghcr.io/user/app:edge","ghcr.io/user/app:sha-860c190"]],
  ["push10", "push_master", ["org/app","ghcr.io/user/app"], ["type=edge,branch=dev","type=sha"], [], ["org/app:sha-2665741","ghcr.io/user/app:sha-2665741"]],
  ["push11", "push_invalidchars", ["org/app","ghcr.io/user/app"], ["type=edge","type=sha"], [], ["org/app:sha-983315b","ghcr.io/user/app:sha-983315b"]],
  ["push12", "push_invalidchars", ["org/app","ghcr.io/user/app"], ["type=semver,pattern={{version}}","type=pep440,pattern={{version}}","type=edge"], [], []],
  ["push13", "push_master", ["user/app"], ["type=ref,priority=2000,event=branch","type=edge"], [], ["user/app:master","user/app:edge"]],
  ["push14", "push_master", ["user/app"], ["type=semver,pattern={{version}},value=v1.2.3","type=pep440,pattern={{version}},value=v1.2.3","type=edge"], [], ["user/app:1.2.3","user/app:edge","user/app:latest"]],
  ["push15", "push_master", ["user/app"], ["type=match,pattern=v(.*),group=1,value=v1.2.3","type=edge"], [], ["user/app:1.2.3","user/app:edge","user/app:latest"]],
  ["push16", "push_master", ["user/app"], ["type=match,enable=false,pattern=v(.*),group=1,value=v1.2.3","type=edge"], [], ["user/app:edge"]],
  ["push17", "push_master", ["user/app"], ["type=raw,value=mytag-{{branch}}","type=raw,value=mytag-{{date 'YYYYMMDD'}}","type=raw,value=mytag-cd-{{commit_date 'YYYYMMDD'}}","type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}","type=raw,value=mytag-tag-{{tag}}","type=raw,value=mytag-baseref-{{base_ref}}","type=raw,value=mytag-defbranch,enable={{is_default_branch}}"], [], ["user/app:mytag-master","user/app:mytag-20200110","user/app:mytag-cd-20200110","user/app:mytag-20200110-093000","user/app:mytag-tag-","user/app:mytag-baseref-","user/app:mytag-defbranch"]],
  ["push18", "push_dev", ["org/app","ghcr.io/user/app"], ["type=ref,event=branch","type=sha,format=long"], [], ["org/app:dev","org/app:sha-860c1904a1ce19322e91ac35af1ab07466440c37","ghcr.io/user/app:dev","ghcr.io/user/app:sha-860c1904a1ce19322e91ac35af1ab07466440c37"]],
  ["push19", "push_dev", ["org/app","ghcr.io/user/app"], ["type=edge,branch=master","type=ref,event=branch,enable=false","type=sha,format=long","type=raw,value=defbranch,enable={{is_default_branch}}"], [], ["org/app:sha-860c1904a1ce19322e91ac35af1ab07466440c37","ghcr.io/user/app:sha-860c1904a1ce19322e91ac35af1ab07466440c37"]],
  ["push20", "push_dev", ["org/app","ghcr.io/user/app,enable=false"], ["type=edge,branch=master","type=ref,event=branch,enable=false","type=sha,format=long"], [], ["org/app:sha-860c1904a1ce19322e91ac35af1ab07466440c37"]],
  ["push21", "push_master", [], ["type=raw,value=mytag-{{branch}}","type=raw,value=mytag-{{date 'YYYYMMDD'}}","type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}","type=raw,value=mytag-src-{{commit_date 'YYYYMMDD'}}","type=raw,value=mytag-tag-{{tag}}","type=raw,value=mytag-baseref-{{base_ref}}","type=raw,value=mytag-defbranch,enable={{is_default_branch}}"], [], ["mytag-master","mytag-20200110","mytag-20200110-093000","mytag-src-20200110","mytag-tag-","mytag-baseref-","mytag-defbranch"]],
  ["push22", "push_dev", ["org/app"], ["type=edge,branch=master","type=sha,format=long","type=raw,value=notdefbranch,enable={{is_not_default_branch}}"], [], ["org/app:notdefbranch","org/app:sha-860c1904a1ce19322e91ac35af1ab07466440c37"]],
  ["tag01", "tag_release1", ["user/app"], [], [], ["user/app:release1","user/app:latest"]],
  ["tag02", "tag_20200110-RC2", ["user/app"], [], [], ["user/app:20200110-RC2","user/app:latest"]],
  ["tag03", "tag_20200110-RC2", ["user/app"], ["type=match,pattern=\\d{8}"], ["latest=false"], ["user/app:20200110"]],
  ["tag04", "tag_20200110-RC2", ["user/app"], ["type=match,pattern=(.*)-RC,group=1"], ["latest=false"], ["user/app:20200110"]],
  ["tag05", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=match,\"pattern=\\d.\\d.\\d\""], [], ["org/app:1.1.1","org/app:latest","ghcr.io/user/app:1.1.1","ghcr.io/user/app:latest"]],
  ["tag06", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=match,\"pattern=^v(\\d.\\d.\\d)$\",group=1"], [], ["org/app:1.1.1","org/app:latest","ghcr.io/user/app:1.1.1","ghcr.io/user/app:latest"]],
  ["tag07", "tag_v2.0.8-beta.67", ["org/app","ghcr.io/user/app"], ["type=match,\"pattern=\\d.\\d.\\d-(alpha|beta).\\d+\""], [], ["org/app:2.0.8-beta.67","org/app:latest","ghcr.io/user/app:2.0.8-beta.67","ghcr.io/user/app:latest"]],
  ["tag08", "tag_v2.0.8-beta.67", ["org/app","ghcr.io/user/app"], ["type=match,\"pattern=\\d.\\d\""], [], ["org/app:2.0","org/app:latest","ghcr.io/user/app:2.0","ghcr.io/user/app:latest"]],
  ["tag09", "tag_v2.0.8-beta.67", ["org/app","ghcr.io/user/app"], ["type=match,\"pattern=v(.*)-beta.(.*)\",group=1","type=match,\"pattern=v(.*)-beta.(.*)\",group=2"], [], ["org/app:2.0.8","org/app:67","org/app:latest","ghcr.io/user/app:2.0.8","ghcr.io/user/app:67","ghcr.io/user/app:latest"]],
  ["tag10", "tag_sometag", ["org/app","ghcr.io/user/app"], ["type=match,\"pattern=\\d.\\d\""], [], []],
  ["tag11", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=semver,pattern={{version}}","type=semver,pattern={{major}}.{{minor}}","type=semver,pattern={{major}}"], [], ["org/app:1.1.1","org/app:1.1","org/app:1","org/app:latest","ghcr.io/user/app:1.1.1","ghcr.io/user/app:1.1","ghcr.io/user/app:1","ghcr.io/user/app:latest"]],
  ["tag12", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=semver,pattern={{version}}","type=semver,pattern={{major}}.{{minor}}.{{patch}}"], [], ["org/app:1.1.1","org/app:latest","ghcr.io/user/app:1.1.1","ghcr.io/user/app:latest"]],
  ["tag13", "tag_v2.0.8-beta.67", ["org/app","ghcr.io/user/app"], ["type=semver,pattern={{major}}.{{minor}}","type=semver,pattern={{major}}"], [], ["org/app:2.0.8-beta.67","ghcr.io/user/app:2.0.8-beta.67"]],
  ["tag14", "tag_sometag", ["ghcr.io/user/app"], ["type=ref,event=tag","type=semver,pattern={{version}}","type=semver,pattern={{major}}.{{minor}}","type=semver,pattern={{major}}"], ["latest=false"], ["ghcr.io/user/app:sometag"]],
  ["tag15", "tag_v2.0.8-beta.67", ["org/app","ghcr.io/user/app"], ["type=raw,priority=2000,foo","type=semver,pattern={{version}}","type=match,\"pattern=\\d.\\d\""], [], ["org/app:foo","org/app:2.0.8-beta.67","org/app:2.0","ghcr.io/user/app:foo","ghcr.io/user/app:2.0.8-beta.67","ghcr.io/user/app:2.0"]],
  ["tag16", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=raw,priority=2000,foo","type=ref,event=tag","type=edge"], [], ["org/app:foo","org/app:v1.1.1","ghcr.io/user/app:foo","ghcr.io/user/app:v1.1.1"]],
  ["tag17", "tag_p1-v1.0.0", ["org/app","ghcr.io/user/app"], ["type=match,\"pattern=/^v(\\d.\\d.\\d)$/ig\",group=1","type=match,pattern=\\d.\\d.\\d","type=match,pattern=\\d.\\d","type=ref,event=pr","type=sha"], [], ["org/app:1.0.0","org/app:1.0","org/app:sha-860c190","org/app:latest","ghcr.io/user/app:1.0.0","ghcr.io/user/app:1.0","ghcr.io/user/app:sha-860c190","ghcr.io/user/app:latest"]],
  ["tag18", "tag_p1-v1.0.0", ["org/app","ghcr.io/user/app"], ["type=match,pattern=p1/v(\\d.\\d.\\d),group=1","type=match,pattern=p1/v(\\d.\\d),group=1","type=match,pattern=p1/v(\\d.\\d),group=3","type=ref,event=pr","type=sha"], [], ["org/app:1.0.0","org/app:1.0","org/app:sha-860c190","org/app:latest","ghcr.io/user/app:1.0.0","ghcr.io/user/app:1.0","ghcr.io/user/app:sha-860c190","ghcr.io/user/app:latest"]],
  ["tag19", "tag_p1-v1.0.0", ["org/app","ghcr.io/user/app"], ["type=match,pattern=p1/v(\\d.\\d.\\d),group=1","type=match,pattern=p1/v(\\d.\\d),group=1,suffix=","type=ref,event=pr","type=sha"], ["suffix=-dev"], ["org/app:1.0.0-dev","org/app:1.0","org/app:sha-860c190-dev","org/app:latest","ghcr.io/user/app:1.0.0-dev","ghcr.io/user/app:1.0","ghcr.io/user/app:sha-860c190-dev","ghcr.io/user/app:latest"]],
  ["tag20", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=raw,{{tag}}-{{sha}}-foo","type=raw,{{base_ref}}-foo","type=raw,defbranch-foo,enable={{is_default_branch}}"], [], ["org/app:v1.1.1-860c190-foo","org/app:master-foo","ghcr.io/user/app:v1.1.1-860c190-foo","ghcr.io/user/app:master-foo"]],
  ["tag21", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=semver,pattern={{version}}","type=semver,pattern={{major}}.{{minor}}.{{patch}}"], ["suffix=-dev,onlatest=true"], ["org/app:1.1.1-dev","org/app:latest-dev","ghcr.io/user/app:1.1.1-dev","ghcr.io/user/app:latest-dev"]],
  ["tag22", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=semver,pattern={{version}}","type=semver,pattern={{major}}.{{minor}}.{{patch}}"], ["prefix=foo-,onlatest=true","suffix=-dev,onlatest=true"], ["org/app:foo-1.1.1-dev","org/app:foo-latest-dev","ghcr.io/user/app:foo-1.1.1-dev","ghcr.io/user/app:foo-latest-dev"]],
  ["tag23", "tag_v1.1.1", ["org/app"], ["type=pep440,pattern={{raw}}","type=pep440,pattern={{major}}.{{minor}}"], [], ["org/app:v1.1.1","org/app:1.1","org/app:latest"]],
  ["tag24", "tag_1.2", ["org/app"], ["type=pep440,pattern={{version}}","type=pep440,pattern={{major}}.{{minor}}"], [], ["org/app:1.2","org/app:latest"]],
  ["tag25", "tag_1.1beta2", ["org/app","ghcr.io/user/app"], ["type=pep440,pattern={{major}}.{{minor}}","type=pep440,pattern={{major}}"], [], ["org/app:1.1b2","ghcr.io/user/app:1.1b2"]],
  ["tag26", "tag_1.0dev4", ["org/app","ghcr.io/user/app"], ["type=pep440,pattern={{major}}.{{minor}}","type=pep440,pattern={{major}}"], [], ["org/app:1.0.dev4","ghcr.io/user/app:1.0.dev4"]],
  ["tag27", "tag_1.2.3rc2", ["org/app","ghcr.io/user/app"], ["type=pep440,pattern={{raw}}","type=pep440,pattern={{version}}","type=pep440,pattern={{major}}.{{minor}}","type=pep440,pattern={{major}}"], [], ["org/app:1.2.3rc2","ghcr.io/user/app:1.2.3rc2"]],
  ["tag28", "tag_v1.1.1", ["org/app"], ["type=pep440,pattern={{version}}","type=pep440,pattern={{major}}.{{minor}}.{{patch}}","type=pep440,pattern={{major}}.{{minor}}","type=pep440,pattern={{major}}"], [], ["org/app:1.1.1","org/app:1.1","org/app:1","org/app:latest"]],
  ["tag29", "tag_1.2post1", ["org/app"], ["type=pep440,pattern={{version}}","type=pep440,pattern={{major}}.{{minor}}","type=pep440,pattern={{major}}"], [], ["org/app:1.2.post1"]],
  ["tag30", "tag_sometag", ["ghcr.io/user/app"], ["type=ref,event=tag","type=pep440,pattern={{version}}","type=pep440,pattern={{major}}.{{minor}}","type=pep440,pattern={{major}}"], ["latest=false"], ["ghcr.io/user/app:sometag"]],
  ["tag31", "tag_v2.0.8-beta.67", ["org/app","ghcr.io/user/app"], ["type=semver,pattern={{raw}}"], [], ["org/app:v2.0.8-beta.67","ghcr.io/user/app:v2.0.8-beta.67"]],
  ["tag32", "tag_v1.2.3rc2", ["org/app","ghcr.io/user/app"], ["type=pep440,pattern={{raw}}","type=pep440,pattern={{major}}.{{minor}}"], [], ["org/app:v1.2.3rc2","org/app:1.2.3rc2","ghcr.io/user/app:v1.2.3rc2","ghcr.io/user/app:1.2.3rc2"]],
  ["tag33", "tag_v1.1.1", [], ["type=pep440,pattern={{version}}","type=pep440,pattern={{major}}.{{minor}}.{{patch}}","type=pep440,pattern={{major}}.{{minor}}","type=pep440,pattern={{major}}"], [], ["1.1.1","1.1","1","latest"]],
  ["tag34", "tag_p1-v1.0.0", ["org/app"], ["type=semver,pattern={{version}},\"match=v(\\d.\\d.\\d)$\""], [], ["org/app:1.0.0","org/app:latest"]],
  ["push35", "push_master", ["user/app"], ["type=semver,pattern={{version}},value=p1/v1.2.3,\"match=v(\\d.\\d.\\d)$\"","type=pep440,pattern={{version}},value=p1/v1.2.3,\"match=v(\\d.\\d.\\d)$\"","type=edge"], [], ["user/app:1.2.3","user/app:edge","user/app:latest"]],
  ["latest01", "tag_release1", ["user/app"], ["type=match,\"pattern=^release\\d{1,2}\""], [], ["user/app:release1","user/app:latest"]],
  ["latest02", "tag_20200110-RC2", ["user/app"], ["type=match,\"pattern=^\\d+-RC\\d{1,2}\""], [], ["user/app:20200110-RC2","user/app:latest"]],
  ["latest03", "tag_20200110-RC2", ["user/app"], ["type=match,pattern=\\d{8}"], [], ["user/app:20200110","user/app:latest"]],
  ["latest04", "tag_v1.1.1", ["user/app"], ["type=match,\"pattern=\\d.\\d.\\d\""], [], ["user/app:1.1.1","user/app:latest"]],
  ["latest05", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], [], [], ["org/app:v1.1.1","org/app:latest","ghcr.io/user/app:v1.1.1","ghcr.io/user/app:latest"]],
  ["latest06", "tag_v2.0.8-beta.67", ["org/app","ghcr.io/user/app"], ["type=match,\"pattern=\\d.\\d.\\d\""], [], ["org/app:2.0.8","org/app:latest","ghcr.io/user/app:2.0.8","ghcr.io/user/app:latest"]],
  ["latest07", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=ref,event=tag"], ["latest=false"], ["org/app:v1.1.1","ghcr.io/user/app:v1.1.1"]],
  ["latest08", "tag_v1.1.1", ["org/app","ghcr.io/MyUSER/MyApp"], ["type=ref,event=tag"], ["latest=false"], ["org/app:v1.1.1","ghcr.io/myuser/myapp:v1.1.1"]],
  ["latest09", "tag_v1.1.1", ["org/app","ghcr.io/MyUSER/MyApp"], ["type=ref,event=tag"], ["latest=false"], ["org/app:v1.1.1","ghcr.io/myuser/myapp:v1.1.1"]],
  ["latest10", "tag_v2.0.8-beta.67", [], ["type=match,\"pattern=\\d.\\d.\\d\""], [], ["2.0.8","latest"]],
  ["pr01", "pull_request", ["user/app"], [], [], ["user/app:pr-15"]],
  ["pr02", "pull_request", ["org/app","ghcr.io/user/app"], [], [], ["org/app:pr-15","ghcr.io/user/app:pr-15"]],
  ["pr03", "pull_request", ["org/app","ghcr.io/user/app"], ["type=ref,event=pr","type=sha"], [], ["org/app:pr-15","org/app:sha-a9c8c58","ghcr.io/user/app:pr-15","ghcr.io/user/app:sha-a9c8c58"]],
  ["pr04", "pull_request", ["org/app","ghcr.io/user/app"], ["type=sha,priority=2000","type=ref,event=pr"], [], ["org/app:sha-a9c8c58","org/app:pr-15","ghcr.io/user/app:sha-a9c8c58","ghcr.io/user/app:pr-15"]],
  ["pr05", "pull_request", ["org/app","ghcr.io/user/app"], ["type=ref,event=pr"], ["prefix=glo-","suffix=-bal"], ["org/app:pr-15-bal","ghcr.io/user/app:pr-15-bal"]],
  ["pr06", "pull_request", ["org/app","ghcr.io/user/app"], ["type=ref,event=pr,prefix="], ["prefix=glo-","suffix=-bal"], ["org/app:15-bal","ghcr.io/user/app:15-bal"]],
  ["pr07", "pull_request_target", ["org/app","ghcr.io/user/app"], ["type=sha,priority=2000","type=ref,event=pr"], [], ["org/app:sha-2665741","org/app:pr-15","ghcr.io/user/app:sha-2665741","ghcr.io/user/app:pr-15"]],
  ["pr08", "pull_request_target", ["org/app","ghcr.io/user/app"], ["type=ref,event=pr,prefix="], ["prefix=glo-","suffix=-bal"], ["org/app:15-bal","ghcr.io/user/app:15-bal"]],
  ["pr09", "pull_request_target", ["org/app"], ["type=ref,event=tag","type=ref,event=pr","type=ref,event=branch","type=sha","type=sha,format=long"], [], ["org/app:pr-15","org/app:sha-2665741","org/app:sha-266574110acf203503badf966df2ea24b5d732d7"]],
  ["pr10", "pull_request_target", ["org/app"], ["type=raw,value=mytag-{{base_ref}}","type=raw,mytag-defbranch,enable={{is_default_branch}}"], [], ["org/app:mytag-master"]],
  ["pr11", "pull_request", ["org/app"], ["type=raw,value=mytag-{{base_ref}}","type=raw,mytag-defbranch,enable={{is_default_branch}}"], [], ["org/app:mytag-master"]],
  ["pr12", "pull_request", ["org/app"], ["type=raw,value={{commit_date YYYY-MM-DD-HHmmSS}}"], [], ["org/app:2020-01-10T00-30-00Z"]],
  ["pr01", "pull_request+head_sha", ["user/app"], [], [], ["user/app:pr-15"]],
  ["pr02", "pull_request+head_sha", ["org/app","ghcr.io/user/app"], [], [], ["org/app:pr-15","ghcr.io/user/app:pr-15"]],
  ["pr03", "pull_request+head_sha", ["org/app","ghcr.io/user/app"], ["type=ref,event=pr","type=sha"], [], ["org/app:pr-15","org/app:sha-3370e22","ghcr.io/user/app:pr-15","ghcr.io/user/app:sha-3370e22"]],
  ["pr04", "pull_request+head_sha", ["org/app","ghcr.io/user/app"], ["type=sha,priority=2000","type=ref,event=pr"], [], ["org/app:sha-3370e22","org/app:pr-15","ghcr.io/user/app:sha-3370e22","ghcr.io/user/app:pr-15"]],
  ["pr05", "pull_request+head_sha", ["org/app","ghcr.io/user/app"], ["type=ref,event=pr"], ["prefix=glo-","suffix=-bal"], ["org/app:pr-15-bal","ghcr.io/user/app:pr-15-bal"]],
  ["pr06", "pull_request+head_sha", ["org/app","ghcr.io/user/app"], ["type=ref,event=pr,prefix="], ["prefix=glo-","suffix=-bal"], ["org/app:15-bal","ghcr.io/user/app:15-bal"]],
  ["pr07", "pull_request_target+head_sha", ["org/app","ghcr.io/user/app"], ["type=sha,priority=2000","type=ref,event=pr"], [], ["org/app:sha-3370e22","org/app:pr-15","ghcr.io/user/app:sha-3370e22","ghcr.io/user/app:pr-15"]],
  ["pr08", "pull_request_target+head_sha", ["org/app","ghcr.io/user/app"], ["type=ref,event=pr,prefix="], ["prefix=glo-","suffix=-bal"], ["org/app:15-bal","ghcr.io/user/app:15-bal"]],
  ["pr09", "pull_request_target+head_sha", ["org/app"], ["type=ref,event=tag","type=ref,event=pr","type=ref,event=branch","type=sha","type=sha,format=long"], [], ["org/app:pr-15","org/app:sha-3370e22","org/app:sha-3370e228f2209994d57af4427fe64e71bb79ac96"]],
  ["pr10", "pull_request_target+head_sha", ["org/app"], ["type=raw,value=mytag-{{base_ref}}","type=raw,mytag-defbranch,enable={{is_default_branch}}"], [], ["org/app:mytag-master"]],
  ["pr11", "pull_request+head_sha", ["org/app"], ["type=raw,value=mytag-{{base_ref}}","type=raw,mytag-defbranch,enable={{is_default_branch}}"], [], ["org/app:mytag-master"]],
  ["pr12", "pull_request+head_sha", ["org/app"], ["type=raw,value=src-{{commit_date YYYY-MM-DD}}"], [], ["org/app:src-2020-01-10T00-30-00Z"]],
  ["schedule01", "schedule", ["user/app"], [], [], ["user/app:nightly","user/app:master"]],
  ["schedule02", "schedule", ["user/app"], ["type=schedule,pattern={{date 'YYYYMMDD'}}","type=schedule,pattern=source-date-{{commit_date 'YYYY-MM-DD'}}"], [], ["user/app:20200110","user/app:source-date-2020-01-10"]],
  ["schedule03", "schedule", ["user/app"], ["type=schedule,pattern={{date 'YYYYMMDD-HHmmss'}}"], [], ["user/app:20200110-003000"]],
  ["schedule04", "schedule", ["org/app","ghcr.io/user/app"], [], [], ["org/app:nightly","org/app:master","ghcr.io/user/app:nightly","ghcr.io/user/app:master"]],
  ["schedule05", "schedule", ["org/app","ghcr.io/user/app"], ["type=schedule","type=sha"], [], ["org/app:nightly","org/app:sha-860c190","ghcr.io/user/app:nightly","ghcr.io/user/app:sha-860c190"]],
  ["schedule06", "schedule", ["org/app","ghcr.io/user/app"], ["type=schedule","type=sha,priority=2000","type=raw,value=defbranch,enable={{is_default_branch}}"], [], ["org/app:sha-860c190","org/app:nightly","org/app:defbranch","ghcr.io/user/app:sha-860c190","ghcr.io/user/app:nightly","ghcr.io/user/app:defbranch"]],
  ["schedule07", "schedule", ["org/app","ghcr.io/user/app"], ["type=schedule"], ["prefix=glo-","suffix=-bal"], ["org/app:glo-nightly-bal","ghcr.io/user/app:glo-nightly-bal"]],
  ["schedule08", "schedule", ["user/app"], ["type=schedule,pattern={{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}","type=schedule,pattern=src-{{commit_date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}"], [], ["user/app:20200110-093000","user/app:src-20200110-093000"]],
  ["release01", "release_created", ["user/app"], [], [], ["user/app:v1.1.1","user/app:latest"]],
  ["release02", "release_created", ["user/app"], ["type=ref,event=tag","type=raw,value=baseref-{{base_ref}}","type=raw,value=defbranch,enable={{is_default_branch}}"], [], ["user/app:v1.1.1","user/app:baseref-","user/app:latest"]],
  ["release03", "release_created", ["user/app"], ["type=raw,value=src-{{commit_date 'YYYYMMDD-HHmmss'}}","type=raw,value={{date 'YYYYMMDD-HHmmss'}}"], [], ["user/app:src-20200110-003000","user/app:20200110-003000"]],
  ["raw01", "push_dev", ["user/app"], ["type=ref,event=branch","type=raw,my","type=raw,custom","type=raw,tags"], [], ["user/app:dev","user/app:my","user/app:custom","user/app:tags"]],
  ["raw02", "push_dev", ["user/app"], ["type=ref,event=branch","type=raw,my"], [], ["user/app:dev","user/app:my"]],
  ["raw03", "tag_release1", ["user/app"], ["type=ref,event=tag","type=raw,my","type=raw,custom","type=raw,tags"], [], ["user/app:release1","user/app:my","user/app:custom","user/app:tags","user/app:latest"]],
  ["raw04", "tag_20200110-RC2", ["user/app"], ["type=match,pattern=\\d{8}","type=raw,my","type=raw,custom","type=raw,tags"], ["latest=false"], ["user/app:20200110","user/app:my","user/app:custom","user/app:tags"]],
  ["raw05", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=semver,pattern={{version}}","type=semver,pattern={{major}}.{{minor}}","type=semver,pattern={{major}}","type=raw,my","type=raw,custom","type=raw,tags"], [], ["org/app:1.1.1","org/app:1.1","org/app:1","org/app:my","org/app:custom","org/app:tags","org/app:latest","ghcr.io/user/app:1.1.1","ghcr.io/user/app:1.1","ghcr.io/user/app:1","ghcr.io/user/app:my","ghcr.io/user/app:custom","ghcr.io/user/app:tags","ghcr.io/user/app:latest"]],
  ["raw06", "tag_v1.1.1", ["org/app","ghcr.io/user/app"], ["type=raw,my","type=raw,custom","type=raw,tags"], [], ["org/app:my","org/app:custom","org/app:tags","ghcr.io/user/app:my","ghcr.io/user/app:custom","ghcr.io/user/app:tags"]],
  ["raw07", "push_dev", ["user/app"], ["type=ref,priority=90,event=branch","type=raw,my","type=raw,custom","type=raw,tags"], ["latest=true"], ["user/app:my","user/app:custom","user/app:tags","user/app:dev","user/app:latest"]],
  ["raw08", "push_dev", ["user/app"], ["type=match,pattern=\\d{8}","type=raw,my","type=raw,custom","type=raw,tags"], ["latest=false"], ["user/app:my","user/app:custom","user/app:tags"]],
  ["raw09", "push_dev", ["user/app"], ["type=match,pattern=\\d{8}","type=raw,my,prefix=foo-,suffix=-bar","type=raw,custom","type=raw,tags"], ["latest=false","prefix=glo-","suffix=-bal"], ["user/app:foo-my-bar","user/app:glo-custom-bal","user/app:glo-tags-bal"]],
  ["raw10", "push_dev", ["user/app"], ["type=raw,foo","type=raw,bar,enable=false","type=raw,baz,enable=true"], ["latest=false"], ["user/app:foo","user/app:baz"]],
];

/** Rows where container-ship differs on purpose (docs/tags.md): what it gives instead, and why. */
const DELIBERATE: Record<string, { error: RegExp; why: string }> = {
  pr12: {
    error: /passes YYYY-MM-DD.* without quotes; quote it/,
    why: '{{commit_date YYYY-MM-DD}} without quotes is an error here; metadata-action silently uses its ISO default format',
  },
};

/**
 * With no `images` metadata-action outputs bare tags (`mytag-master`); `planTags` always plans
 * for an image, so such a row runs with the image "bare" and compares what follows `bare:`.
 */
const BARE = 'bare';

test.each(CASES)('%s (%s)', async (name, fixture, images, tags, flavor, expected) => {
  const git = await contextOf(fixture);
  const plan = () => planTags({ images: images.length > 0 ? images : [BARE], rules: tags, flavor, git, now: NOW });
  const deliberate = DELIBERATE[name];
  if (deliberate) expect(plan).toThrow(deliberate.error);
  else if (images.length > 0) expect(plan().tags).toEqual(expected);
  else expect(plan().tags).toEqual(expected.map((tag) => `${BARE}:${tag}`));
});

test('every deliberate difference names a transcribed row', () => {
  const names = new Set(CASES.map(([name]) => name));
  expect(Object.keys(DELIBERATE).filter((name) => !names.has(name))).toEqual([]);
});
