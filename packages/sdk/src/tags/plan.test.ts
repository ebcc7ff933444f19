import { describe, expect, test } from 'vitest';
import { InvalidInputError } from '../errors.js';
import type { GitContext } from './git-types.js';
import { type PlanTagsOptions, planTags } from './plan.js';

// Contexts modelled on docker/metadata-action's own test fixtures (same refs, SHAs and events),
// so the expected tags below are the ones its test suite documents.
const NOW = '2020-01-10T00:30:00.000Z';
const SHA_DEV = '860c1904a1ce19322e91ac35af1ab07466440c37';
const SHA_MASTER = '266574110acf203503badf966df2ea24b5d732d7';
const SHA_PR = 'a9c8c5828b91be19d9728548b24759e352367ef1';
const repo = { defaultBranch: 'master', commitDate: NOW };
const push = (branch: string, sha = SHA_DEV): Partial<GitContext> => ({
  ...repo,
  eventName: 'push',
  ref: `refs/heads/${branch}`,
  sha,
});
const tagPush = (tag: string): Partial<GitContext> => ({
  ...repo,
  eventName: 'push',
  ref: `refs/tags/${tag}`,
  sha: SHA_DEV,
  baseRef: 'master',
});
const pullRequest: Partial<GitContext> = {
  ...repo,
  eventName: 'pull_request',
  ref: 'refs/pull/15/merge',
  sha: SHA_PR,
  baseRef: 'master',
};
const pullRequestTarget: Partial<GitContext> = { ...pullRequest, eventName: 'pull_request_target', sha: SHA_MASTER };
const schedule: Partial<GitContext> = { ...repo, eventName: 'schedule', ref: 'refs/heads/master', sha: SHA_DEV };
const TWO = ['org/app', 'ghcr.io/user/app'];
const both = (...tags: string[]) => TWO.flatMap((image) => tags.map((tag) => `${image}:${tag}`));
const one = (...tags: string[]) => tags.map((tag) => `user/app:${tag}`);
const SEMVER3 = ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern={{major}}'];

interface Case {
  name: string;
  options: Omit<PlanTagsOptions, 'images'> & { images?: string[] };
  tags?: string[];
  error?: RegExp;
}

const cases: Case[] = [
  // Default rules (schedule, ref branch/tag/pr) with no tags: input.
  { name: 'push01 branch push, default rules', options: { git: push('dev') }, tags: one('dev') },
  { name: 'push03 default branch push, default rules', options: { git: push('master', SHA_MASTER) }, tags: one('master') },
  { name: 'push05 two images in the order given', options: { images: TWO, git: push('dev') }, tags: both('dev') },
  {
    name: 'branch name sanitised',
    options: { git: push('my/feature#1245', '983315b5e8d46e46fc4c49869e85e7ee5fb289ba') },
    tags: one('my-feature-1245'),
  },
  { name: 'tag01 non-semver tag gets latest', options: { git: tagPush('release1') }, tags: one('release1', 'latest') },
  { name: 'tag02 date-like tag', options: { git: tagPush('20200110-RC2') }, tags: one('20200110-RC2', 'latest') },
  {
    name: 'latest05 semver tag, default rules keep the v',
    options: { images: TWO, git: tagPush('v1.1.1') },
    tags: both('v1.1.1', 'latest'),
  },
  {
    name: 'release01 release event',
    options: { git: { ...tagPush('v1.1.1'), eventName: 'release' } },
    tags: one('v1.1.1', 'latest'),
  },
  { name: 'pr01 pull request, default rules', options: { git: pullRequest }, tags: one('pr-15') },
  { name: 'schedule01 schedule, default rules', options: { git: schedule }, tags: one('nightly', 'master') },
  { name: 'null01 no ref at all', options: { git: { sha: '' } }, tags: [] },
  // type=edge
  {
    name: 'push02 edge on the default branch',
    options: { git: push('master', SHA_MASTER), rules: ['type=edge'] },
    tags: one('edge'),
  },
  {
    name: 'push04 edge on workflow_dispatch',
    options: { git: { ...push('master'), eventName: 'workflow_dispatch' }, rules: ['type=edge'] },
    tags: one('edge'),
  },
  {
    name: 'push08 edge and sha',
    options: { images: TWO, git: push('master', SHA_MASTER), rules: ['type=edge', 'type=sha'] },
    tags: both('edge', 'sha-2665741'),
  },
  {
    name: 'push09 edge with branch=dev on dev',
    options: { images: TWO, git: push('dev'), rules: ['type=edge,branch=dev', 'type=sha'] },
    tags: both('edge', 'sha-860c190'),
  },
  {
    name: 'push10 edge with branch=dev on master',
    options: { images: TWO, git: push('master', SHA_MASTER), rules: ['type=edge,branch=dev', 'type=sha'] },
    tags: both('sha-2665741'),
  },
  {
    name: 'push11 edge off the default branch',
    options: { git: push('my/feature#1245', '983315b5e8d46e46fc4c49869e85e7ee5fb289ba'), rules: ['type=edge', 'type=sha'] },
    tags: one('sha-983315b'),
  },
  // type=ref, type=sha and priorities
  {
    name: 'push07 ref branch and sha',
    options: { images: TWO, git: push('dev'), rules: ['type=ref,event=branch', 'type=sha'] },
    tags: both('dev', 'sha-860c190'),
  },
  {
    name: 'push13 priority puts branch before edge',
    options: { git: push('master', SHA_MASTER), rules: ['type=ref,priority=2000,event=branch', 'type=edge'] },
    tags: one('master', 'edge'),
  },
  {
    name: 'push18 sha format=long',
    options: { git: push('dev'), rules: ['type=ref,event=branch', 'type=sha,format=long'] },
    tags: one('dev', `sha-${SHA_DEV}`),
  },
  {
    name: 'push19 disabled rules and is_default_branch off the default branch',
    options: {
      git: push('dev'),
      rules: [
        'type=edge,branch=master',
        'type=ref,event=branch,enable=false',
        'type=sha,format=long',
        'type=raw,value=defbranch,enable={{is_default_branch}}',
      ],
    },
    tags: one(`sha-${SHA_DEV}`),
  },
  {
    name: 'pr03 ref pr and sha',
    options: { git: pullRequest, rules: ['type=ref,event=pr', 'type=sha'] },
    tags: one('pr-15', 'sha-a9c8c58'),
  },
  {
    name: 'pr04 sha with priority 2000 first',
    options: { git: pullRequest, rules: ['type=sha,priority=2000', 'type=ref,event=pr'] },
    tags: one('sha-a9c8c58', 'pr-15'),
  },
  {
    name: 'pr05 pr- prefix wins over the flavor prefix',
    options: { git: pullRequest, rules: ['type=ref,event=pr'], flavor: ['prefix=glo-', 'suffix=-bal'] },
    tags: one('pr-15-bal'),
  },
  {
    name: 'pr06 prefix= drops the pr- prefix',
    options: { git: pullRequest, rules: ['type=ref,event=pr,prefix='], flavor: ['prefix=glo-', 'suffix=-bal'] },
    tags: one('15-bal'),
  },
  {
    name: 'pr07 pull_request_target',
    options: { git: pullRequestTarget, rules: ['type=sha,priority=2000', 'type=ref,event=pr'] },
    tags: one('sha-2665741', 'pr-15'),
  },
  {
    name: 'pr09 only the matching ref events apply',
    options: {
      git: pullRequestTarget,
      rules: ['type=ref,event=tag', 'type=ref,event=pr', 'type=ref,event=branch', 'type=sha', 'type=sha,format=long'],
    },
    tags: one('pr-15', 'sha-2665741', `sha-${SHA_MASTER}`),
  },
  {
    name: 'pr11 base_ref and is_default_branch on a PR',
    options: {
      git: pullRequest,
      rules: ['type=raw,value=mytag-{{base_ref}}', 'type=raw,mytag-defbranch,enable={{is_default_branch}}'],
    },
    tags: one('mytag-master'),
  },
  {
    name: 'latest07 ref tag with latest=false',
    options: { images: TWO, git: tagPush('v1.1.1'), rules: ['type=ref,event=tag'], flavor: ['latest=false'] },
    tags: both('v1.1.1'),
  },
  {
    name: 'latest08 image names are lower-cased',
    options: {
      images: ['org/app', 'ghcr.io/MyUSER/MyApp'],
      git: tagPush('v1.1.1'),
      rules: ['type=ref,event=tag'],
      flavor: ['latest=false'],
    },
    tags: ['org/app:v1.1.1', 'ghcr.io/myuser/myapp:v1.1.1'],
  },
  // type=semver
  {
    name: 'tag11 three semver rules',
    options: { images: TWO, git: tagPush('v1.1.1'), rules: SEMVER3 },
    tags: both('1.1.1', '1.1', '1', 'latest'),
  },
  {
    name: 'tag12 duplicate values collapse',
    options: {
      git: tagPush('v1.1.1'),
      rules: ['type=semver,pattern={{version}}', 'type=semver,pattern={{major}}.{{minor}}.{{patch}}'],
    },
    tags: one('1.1.1', 'latest'),
  },
  {
    name: 'tag13 pre-release gets only its version',
    options: {
      git: tagPush('v2.0.8-beta.67'),
      rules: ['type=semver,pattern={{major}}.{{minor}}', 'type=semver,pattern={{major}}'],
    },
    tags: one('2.0.8-beta.67'),
  },
  {
    name: 'tag31 pre-release with {{raw}}',
    options: { git: tagPush('v2.0.8-beta.67'), rules: ['type=semver,pattern={{raw}}'] },
    tags: one('v2.0.8-beta.67'),
  },
  {
    name: 'tag14 non-semver tag with latest=false',
    options: { git: tagPush('sometag'), rules: ['type=ref,event=tag', ...SEMVER3], flavor: ['latest=false'] },
    tags: one('sometag'),
  },
  { name: 'semver rule on a two-part tag makes nothing', options: { git: tagPush('v1.6'), rules: SEMVER3 }, tags: [] },
  {
    name: 'semver build metadata: {{version}} drops it',
    options: { git: tagPush('v9.5.7+fork.3'), rules: ['type=semver,pattern={{version}}'] },
    tags: one('9.5.7', 'latest'),
  },
  {
    name: 'semver build metadata: {{raw}} keeps it as -',
    options: { git: tagPush('v9.5.7-alpha.2+fork.3.1.8'), rules: ['type=semver,pattern={{raw}}'] },
    tags: one('v9.5.7-alpha.2-fork.3.1.8'),
  },
  {
    name: 'semver major 0 does give 0 (metadata-action behaviour)',
    options: { git: tagPush('v0.1.2'), rules: ['type=semver,pattern={{major}}'] },
    tags: one('0', 'latest'),
  },
  {
    name: 'semver with prefix and suffix attributes',
    options: { git: tagPush('v1.1.1'), rules: ['type=semver,pattern={{major}}.{{minor}},prefix=v,suffix=-alpine'] },
    tags: one('v1.1-alpine', 'latest'),
  },
  {
    name: 'push14 semver value= off a tag push',
    options: {
      git: push('master', SHA_MASTER),
      rules: ['type=semver,pattern={{version}},value=v1.2.3', 'type=pep440,pattern={{version}},value=v1.2.3', 'type=edge'],
    },
    tags: one('1.2.3', 'edge', 'latest'),
  },
  {
    name: 'tag15 raw priority 2000 decides latest',
    options: {
      images: TWO,
      git: tagPush('v2.0.8-beta.67'),
      rules: ['type=raw,priority=2000,foo', 'type=semver,pattern={{version}}', 'type=match,"pattern=\\d.\\d"'],
    },
    tags: both('foo', '2.0.8-beta.67', '2.0'),
  },
  {
    name: 'tag16 raw first, then the ref tag',
    options: { images: TWO, git: tagPush('v1.1.1'), rules: ['type=raw,priority=2000,foo', 'type=ref,event=tag', 'type=edge'] },
    tags: both('foo', 'v1.1.1'),
  },
  // flavor
  {
    name: 'tag21 suffix on latest',
    options: { git: tagPush('v1.1.1'), rules: ['type=semver,pattern={{version}}'], flavor: ['suffix=-dev,onlatest=true'] },
    tags: one('1.1.1-dev', 'latest-dev'),
  },
  {
    name: 'tag22 prefix and suffix on latest',
    options: {
      git: tagPush('v1.1.1'),
      rules: ['type=semver,pattern={{version}}'],
      flavor: ['prefix=foo-,onlatest=true', 'suffix=-dev,onlatest=true'],
    },
    tags: one('foo-1.1.1-dev', 'foo-latest-dev'),
  },
  {
    name: 'flavor suffix without onlatest leaves latest bare',
    options: { git: tagPush('v1.1.1'), rules: ['type=semver,pattern={{version}}'], flavor: ['suffix=-slim'] },
    tags: one('1.1.1-slim', 'latest'),
  },
  {
    name: 'raw07 latest=true forces latest on a branch',
    options: {
      git: push('dev'),
      rules: ['type=ref,priority=90,event=branch', 'type=raw,my', 'type=raw,custom', 'type=raw,tags'],
      flavor: ['latest=true'],
    },
    tags: one('my', 'custom', 'tags', 'dev', 'latest'),
  },
  {
    name: 'raw09 rule prefix/suffix win over the flavor',
    options: {
      git: push('dev'),
      rules: ['type=match,pattern=\\d{8}', 'type=raw,my,prefix=foo-,suffix=-bar', 'type=raw,custom', 'type=raw,tags'],
      flavor: ['latest=false', 'prefix=glo-', 'suffix=-bal'],
    },
    tags: one('foo-my-bar', 'glo-custom-bal', 'glo-tags-bal'),
  },
  {
    name: 'flavor as one multi-line block',
    options: { git: tagPush('v1.1.1'), rules: ['type=semver,pattern={{version}}'], flavor: ['latest=false\nprefix=x-'] },
    tags: one('x-1.1.1'),
  },
  // type=raw
  {
    name: 'raw01 branch then raw tags',
    options: { git: push('dev'), rules: ['type=ref,event=branch', 'type=raw,my', 'type=raw,custom', 'type=raw,tags'] },
    tags: one('dev', 'my', 'custom', 'tags'),
  },
  {
    name: 'raw03 tag ref decides latest before raw',
    options: { git: tagPush('release1'), rules: ['type=ref,event=tag', 'type=raw,my'] },
    tags: one('release1', 'my', 'latest'),
  },
  {
    name: 'raw10 enable=false and enable=true',
    options: {
      git: push('dev'),
      rules: ['type=raw,foo', 'type=raw,bar,enable=false', 'type=raw,baz,enable=true'],
      flavor: ['latest=false'],
    },
    tags: one('foo', 'baz'),
  },
  {
    name: 'rules as one multi-line workflow block with a comment',
    options: { git: push('dev'), rules: ['# branch first\ntype=ref,event=branch\n\ntype=raw,value=stable'] },
    tags: one('dev', 'stable'),
  },
  {
    name: 'push17 global expressions',
    options: {
      git: push('master', SHA_MASTER),
      rules: [
        'type=raw,value=mytag-{{branch}}',
        "type=raw,value=mytag-{{date 'YYYYMMDD'}}",
        "type=raw,value=mytag-cd-{{commit_date 'YYYYMMDD'}}",
        "type=raw,value=mytag-{{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
        'type=raw,value=mytag-tag-{{tag}}',
        'type=raw,value=mytag-baseref-{{base_ref}}',
        'type=raw,value=mytag-defbranch,enable={{is_default_branch}}',
      ],
    },
    tags: one(
      'mytag-master',
      'mytag-20200110',
      'mytag-cd-20200110',
      'mytag-20200110-093000',
      'mytag-tag-',
      'mytag-baseref-',
      'mytag-defbranch',
    ),
  },
  {
    name: 'tag20 {{tag}}, {{sha}} and {{base_ref}} on a tag push',
    options: {
      images: TWO,
      git: tagPush('v1.1.1'),
      rules: ['type=raw,{{tag}}-{{sha}}-foo', 'type=raw,{{base_ref}}-foo', 'type=raw,defbranch-foo,enable={{is_default_branch}}'],
    },
    tags: both('v1.1.1-860c190-foo', 'master-foo'),
  },
  // type=match
  {
    name: 'tag03 match with latest=false',
    options: { git: tagPush('20200110-RC2'), rules: ['type=match,pattern=\\d{8}'], flavor: ['latest=false'] },
    tags: one('20200110'),
  },
  {
    name: 'tag04 match group 1',
    options: { git: tagPush('20200110-RC2'), rules: ['type=match,pattern=(.*)-RC,group=1'], flavor: ['latest=false'] },
    tags: one('20200110'),
  },
  {
    name: 'tag06 quoted pattern with anchors',
    options: { images: TWO, git: tagPush('v1.1.1'), rules: ['type=match,"pattern=^v(\\d.\\d.\\d)$",group=1'] },
    tags: both('1.1.1', 'latest'),
  },
  {
    name: 'tag07 match keeps a pre-release and latest',
    options: { git: tagPush('v2.0.8-beta.67'), rules: ['type=match,"pattern=\\d.\\d.\\d-(alpha|beta).\\d+"'] },
    tags: one('2.0.8-beta.67', 'latest'),
  },
  {
    name: 'tag09 two groups of one pattern',
    options: {
      git: tagPush('v2.0.8-beta.67'),
      rules: ['type=match,"pattern=v(.*)-beta.(.*)",group=1', 'type=match,"pattern=v(.*)-beta.(.*)",group=2'],
    },
    tags: one('2.0.8', '67', 'latest'),
  },
  { name: 'tag10 no match, no tags', options: { git: tagPush('sometag'), rules: ['type=match,"pattern=\\d.\\d"'] }, tags: [] },
  {
    name: 'tag17 /regex/flags, slashes in the tag, a missing group',
    options: {
      git: tagPush('p1/v1.0.0'),
      rules: [
        'type=match,"pattern=/^v(\\d.\\d.\\d)$/ig",group=1',
        'type=match,pattern=\\d.\\d.\\d',
        'type=match,pattern=\\d.\\d',
        'type=ref,event=pr',
        'type=sha',
      ],
    },
    tags: one('1.0.0', '1.0', 'sha-860c190', 'latest'),
  },
  {
    name: 'tag19 suffix= on a rule clears the flavor suffix',
    options: {
      git: tagPush('p1/v1.0.0'),
      rules: [
        'type=match,pattern=p1/v(\\d.\\d.\\d),group=1',
        'type=match,pattern=p1/v(\\d.\\d),group=1,suffix=',
        'type=ref,event=pr',
        'type=sha',
      ],
      flavor: ['suffix=-dev'],
    },
    tags: one('1.0.0-dev', '1.0', 'sha-860c190-dev', 'latest'),
  },
  {
    name: 'push15 match on value=',
    options: { git: push('master', SHA_MASTER), rules: ['type=match,pattern=v(.*),group=1,value=v1.2.3', 'type=edge'] },
    tags: one('1.2.3', 'edge', 'latest'),
  },
  {
    name: 'push16 match disabled',
    options: {
      git: push('master', SHA_MASTER),
      rules: ['type=match,enable=false,pattern=v(.*),group=1,value=v1.2.3', 'type=edge'],
    },
    tags: one('edge'),
  },
  // type=pep440
  {
    name: 'tag23 pep440 {{raw}} and major.minor',
    options: { git: tagPush('v1.1.1'), rules: ['type=pep440,pattern={{raw}}', 'type=pep440,pattern={{major}}.{{minor}}'] },
    tags: one('v1.1.1', '1.1', 'latest'),
  },
  {
    name: 'tag24 pep440 two-part version',
    options: { git: tagPush('1.2'), rules: ['type=pep440,pattern={{version}}', 'type=pep440,pattern={{major}}.{{minor}}'] },
    tags: one('1.2', 'latest'),
  },
  {
    name: 'tag25 pep440 beta is normalised',
    options: { git: tagPush('1.1beta2'), rules: ['type=pep440,pattern={{major}}.{{minor}}', 'type=pep440,pattern={{major}}'] },
    tags: one('1.1b2'),
  },
  {
    name: 'tag26 pep440 dev release',
    options: { git: tagPush('1.0dev4'), rules: ['type=pep440,pattern={{major}}.{{minor}}'] },
    tags: one('1.0.dev4'),
  },
  {
    name: 'tag27 pep440 rc with {{raw}} first',
    options: {
      git: tagPush('1.2.3rc2'),
      rules: ['type=pep440,pattern={{raw}}', 'type=pep440,pattern={{version}}', 'type=pep440,pattern={{major}}'],
    },
    tags: one('1.2.3rc2'),
  },
  {
    name: 'tag28 pep440 four patterns',
    options: {
      git: tagPush('v1.1.1'),
      rules: [
        'type=pep440,pattern={{version}}',
        'type=pep440,pattern={{major}}.{{minor}}.{{patch}}',
        'type=pep440,pattern={{major}}.{{minor}}',
        'type=pep440,pattern={{major}}',
      ],
    },
    tags: one('1.1.1', '1.1', '1', 'latest'),
  },
  {
    name: 'tag29 pep440 post release',
    options: { git: tagPush('1.2post1'), rules: ['type=pep440,pattern={{version}}', 'type=pep440,pattern={{major}}'] },
    tags: one('1.2.post1'),
  },
  {
    name: 'tag32 pep440 v-prefixed rc',
    options: { git: tagPush('v1.2.3rc2'), rules: ['type=pep440,pattern={{raw}}', 'type=pep440,pattern={{major}}.{{minor}}'] },
    tags: one('v1.2.3rc2', '1.2.3rc2'),
  },
  // type=schedule
  {
    name: 'schedule02 date and commit_date patterns',
    options: {
      git: schedule,
      rules: ["type=schedule,pattern={{date 'YYYYMMDD'}}", "type=schedule,pattern=source-date-{{commit_date 'YYYY-MM-DD'}}"],
    },
    tags: one('20200110', 'source-date-2020-01-10'),
  },
  {
    name: 'schedule03 date with time',
    options: { git: schedule, rules: ["type=schedule,pattern={{date 'YYYYMMDD-HHmmss'}}"] },
    tags: one('20200110-003000'),
  },
  {
    name: 'schedule05 schedule and sha',
    options: { images: TWO, git: schedule, rules: ['type=schedule', 'type=sha'] },
    tags: both('nightly', 'sha-860c190'),
  },
  {
    name: 'schedule06 priorities and is_default_branch on schedule',
    options: {
      git: schedule,
      rules: ['type=schedule', 'type=sha,priority=2000', 'type=raw,value=defbranch,enable={{is_default_branch}}'],
    },
    tags: one('sha-860c190', 'nightly', 'defbranch'),
  },
  {
    name: 'schedule07 flavor prefix and suffix',
    options: { git: schedule, rules: ['type=schedule'], flavor: ['prefix=glo-', 'suffix=-bal'] },
    tags: one('glo-nightly-bal'),
  },
  {
    name: 'schedule08 time zones',
    options: {
      git: schedule,
      rules: [
        "type=schedule,pattern={{date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
        "type=schedule,pattern=src-{{commit_date 'YYYYMMDD-HHmmss' tz='Asia/Tokyo'}}",
      ],
    },
    tags: one('20200110-093000', 'src-20200110-093000'),
  },
  { name: 'schedule rule off schedule makes nothing', options: { git: push('master'), rules: ['type=schedule'] }, tags: [] },
  // The version shortcut.
  { name: 'shortcut v1.1', options: { images: ['app'], version: 'v1.1' }, tags: ['app:1.1', 'app:1', 'app:latest'] },
  {
    name: 'shortcut v1.2.3',
    options: { images: ['app'], version: 'v1.2.3' },
    tags: ['app:1.2.3', 'app:1.2', 'app:1', 'app:latest'],
  },
  {
    name: 'shortcut bare 1.1.0',
    options: { images: ['app'], version: '1.1.0' },
    tags: ['app:1.1.0', 'app:1.1', 'app:1', 'app:latest'],
  },
  { name: 'shortcut v1', options: { images: ['app'], version: 'v1' }, tags: ['app:1', 'app:latest'] },
  {
    name: 'shortcut pre-release gets only its version',
    options: { images: ['app'], version: 'v2.0.0-rc.1' },
    tags: ['app:2.0.0-rc.1'],
  },
  { name: 'shortcut two-part pre-release', options: { images: ['app'], version: 'v1.1-beta' }, tags: ['app:1.1-beta'] },
  {
    name: 'shortcut major 0 never gets 0',
    options: { images: ['app'], version: '0.3.1' },
    tags: ['app:0.3.1', 'app:0.3', 'app:latest'],
  },
  { name: 'shortcut v0.4', options: { images: ['app'], version: 'v0.4' }, tags: ['app:0.4', 'app:latest'] },
  {
    name: 'shortcut build metadata + becomes -',
    options: { images: ['app'], version: '1.2.3+build.7' },
    tags: ['app:1.2.3-build.7', 'app:1.2', 'app:1', 'app:latest'],
  },
  {
    name: 'shortcut keepV',
    options: { images: ['app'], version: 'v1.2.3', keepV: true },
    tags: ['app:v1.2.3', 'app:v1.2', 'app:v1', 'app:latest'],
  },
  { name: 'shortcut literal edge', options: { images: ['app'], version: 'edge' }, tags: ['app:edge'] },
  { name: 'shortcut literal nightly', options: { images: ['app'], version: 'nightly' }, tags: ['app:nightly'] },
  {
    name: 'shortcut latest: false',
    options: { images: ['app'], version: 'v1.2.3', latest: false },
    tags: ['app:1.2.3', 'app:1.2', 'app:1'],
  },
  {
    name: 'shortcut floating: false',
    options: { images: ['app'], version: 'v1.2.3', floating: false },
    tags: ['app:1.2.3', 'app:latest'],
  },
  {
    name: 'shortcut with flavor latest=false',
    options: { images: ['app'], version: 'v1.2.3', flavor: ['latest=false'] },
    tags: ['app:1.2.3', 'app:1.2', 'app:1'],
  },
  {
    name: 'shortcut over two images, upper case lowered',
    options: { images: ['localhost:5001/Team/App', 'ghcr.io/org/app'], version: 'v3.0.1' },
    tags: [
      'localhost:5001/team/app:3.0.1',
      'localhost:5001/team/app:3.0',
      'localhost:5001/team/app:3',
      'localhost:5001/team/app:latest',
      'ghcr.io/org/app:3.0.1',
      'ghcr.io/org/app:3.0',
      'ghcr.io/org/app:3',
      'ghcr.io/org/app:latest',
    ],
  },
  {
    name: 'shortcut with a flavor suffix on every tag',
    options: { images: ['app'], version: 'v1.2.3', git: push('main'), flavor: ['suffix=-{{branch}},onlatest=true'] },
    tags: ['app:1.2.3-main', 'app:1.2-main', 'app:1-main', 'app:latest-main'],
  },
  {
    name: 'guard strips the flavor suffix from existing tags',
    options: { images: ['app'], version: 'v1.2.3', flavor: ['suffix=-slim'], existingTags: ['1.3.0-slim'] },
    tags: ['app:1.2.3-slim', 'app:1.2-slim'],
  },
  {
    name: 'shortcut plus a sha rule',
    options: { images: ['app'], version: 'v1.2.3', rules: ['type=sha'], git: push('main') },
    tags: ['app:1.2.3', 'app:1.2', 'app:1', 'app:sha-860c190', 'app:latest'],
  },
  {
    name: 'shortcut 128-character literal is fine',
    options: { images: ['app'], version: 'a'.repeat(128) },
    tags: [`app:${'a'.repeat(128)}`],
  },
  // Never move a floating tag backwards.
  {
    name: 'hotfix on an old major keeps latest',
    options: { images: ['app'], version: '1.4.2', existingTags: ['1.4.1', '1.4', '1', '2.0.0', '2.0', '2', 'latest'] },
    tags: ['app:1.4.2', 'app:1.4', 'app:1'],
  },
  {
    name: 'old minor line keeps the major tag',
    options: { images: ['app'], version: '1.3.5', existingTags: ['1.3.4', '1.4.0'] },
    tags: ['app:1.3.5', 'app:1.3'],
  },
  {
    name: 'old patch keeps the minor tag too',
    options: { images: ['app'], version: 'v1.3.5', existingTags: ['v1.3.7'] },
    tags: ['app:1.3.5'],
  },
  {
    name: 'newer release moves everything',
    options: { images: ['app'], version: '2.1.0', existingTags: ['2.0.0', '1.9.9', 'pr-15', '20240101', 'sha-abc1234'] },
    tags: ['app:2.1.0', 'app:2.1', 'app:2', 'app:latest'],
  },
  {
    name: 'rebuilding the same version is allowed',
    options: { images: ['app'], version: '2.0.0', existingTags: ['2.0.0', '2.0', '2', 'latest'] },
    tags: ['app:2.0.0', 'app:2.0', 'app:2', 'app:latest'],
  },
  {
    name: 'pre-releases in the registry do not count',
    options: { images: ['app'], version: '1.5.0', existingTags: ['2.0.0-rc.1'] },
    tags: ['app:1.5.0', 'app:1.5', 'app:1', 'app:latest'],
  },
  {
    name: 'existing refs apply to their own image only',
    options: { images: ['a', 'b'], version: '1.4.2', existingTags: ['b:2.0.0'] },
    tags: ['a:1.4.2', 'a:1.4', 'a:1', 'a:latest', 'b:1.4.2', 'b:1.4', 'b:1'],
  },
  {
    name: 'guard also covers semver rules',
    options: { git: tagPush('v1.1.1'), rules: SEMVER3, existingTags: ['1.2.0'] },
    tags: one('1.1.1', '1.1'),
  },
  // Bad input: one clear error.
  {
    name: 'shortcut "bad tag"',
    options: { images: ['app'], version: 'bad tag' },
    error: /"bad tag" from the version contains characters/,
  },
  { name: 'shortcut "-x"', options: { images: ['app'], version: '-x' }, error: /starts with '-'/ },
  {
    name: 'shortcut 129 characters',
    options: { images: ['app'], version: 'a'.repeat(129) },
    error: /is 129 characters long \(the limit is 128\)/,
  },
  { name: 'no images', options: { images: [], version: 'v1' }, error: /No image was given/ },
  { name: 'image with a tag', options: { images: ['app:v1'], version: 'v1' }, error: /already has a tag or digest/ },
  {
    name: 'unknown rule type',
    options: { rules: ['type=version'] },
    error: /unknown type "version"; use one of schedule, semver/,
  },
  {
    name: 'semver rule without a pattern',
    options: { rules: ['type=semver'] },
    error: /needs a pattern attribute, for example type=semver,pattern=\{\{version\}\}/,
  },
  {
    name: 'ref rule with a bad event',
    options: { rules: ['type=ref,event=push'] },
    error: /has event=push; use one of branch, tag, pr/,
  },
  {
    name: 'sha rule with a bad format',
    options: { rules: ['type=sha,format=medium'] },
    error: /format=medium; use one of short, long/,
  },
  { name: 'raw rule without a value', options: { rules: ['type=raw'] }, error: /needs a value attribute/ },
  {
    name: 'misspelt attribute',
    options: { rules: ['type=semver,patern={{version}}'] },
    error: /attribute "patern" that type=semver does not know/,
  },
  {
    name: 'enable that is not a boolean',
    options: { rules: ['type=raw,foo,enable=maybe'] },
    error: /enable must be true or false/,
  },
  {
    name: 'priority that is not a number',
    options: { rules: ['type=raw,foo,priority=high'] },
    error: /priority=high; use a whole number/,
  },
  {
    name: 'unknown expression',
    options: { rules: ['type=raw,value={{brnach}}'] },
    error: /uses \{\{brnach\}\}, which is not known here/,
  },
  {
    name: 'unquoted date format (pr12 in metadata-action silently ignores it)',
    options: { git: pullRequest, rules: ['type=raw,value={{commit_date YYYY-MM-DD-HHmmSS}}'] },
    error: /without quotes; quote it/,
  },
  {
    name: 'bad regular expression',
    options: { git: tagPush('v1'), rules: ['type=match,pattern=(v'] },
    error: /not a valid regular expression/,
  },
  {
    name: 'flavor latest=maybe',
    options: { version: 'v1', flavor: ['latest=maybe'] },
    error: /latest=maybe; use latest=auto, latest=true or latest=false/,
  },
  { name: 'flavor unknown key', options: { version: 'v1', flavor: ['tag=x'] }, error: /unknown key "tag"/ },
  { name: 'rule value that cannot be a tag', options: { rules: ['type=raw,value=.hidden'] }, error: /starts with '\.'/ },
  {
    name: 'branch name too long for a tag',
    options: { git: push(`feature/${'x'.repeat(130)}`) },
    error: /characters long \(the limit is 128\)/,
  },
  {
    name: 'unknown time zone',
    options: { git: schedule, rules: ["type=schedule,pattern={{date 'YYYY' tz='Mars/Olympus'}}"] },
    error: /time zone "Mars\/Olympus" is not known/,
  },
];

describe('planTags', () => {
  test('the table covers at least 60 real-world cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  test.each(cases)('$name', ({ options, tags, error }) => {
    const run = () => planTags({ images: ['user/app'], now: NOW, ...options });
    if (error) {
      expect(run).toThrow(InvalidInputError);
      expect(run).toThrow(error);
    } else {
      expect(run().tags).toEqual(tags);
    }
  });
});
