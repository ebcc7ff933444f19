import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError } from '../errors.js';
import { runProcess } from '../process/run-process.js';
import { emptyGitContext, type GitContext } from './git-types.js';

export interface ReadGitContextOptions {
  /** The repository directory; defaults to the current directory. */
  cwd?: string | undefined;
  /** Environment to read GITHUB_* from; defaults to `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Values that win over both GitHub Actions and the local repository. */
  overrides?: Partial<GitContext> | undefined;
}

/**
 * Where this build comes from. Inside GitHub Actions (GITHUB_REF or GITHUB_EVENT_NAME set):
 * the ref, SHA and event, plus the event payload (pull request number and branches, the
 * repository's default branch, name, description, licence). Elsewhere: the local repository
 * (an exact tag at HEAD wins over the branch, the default branch from `origin/HEAD`, the
 * `origin` URL without credentials). Never throws for a missing repository: it returns what it knows.
 */
export async function readGitContext(options: ReadGitContextOptions = {}): Promise<GitContext> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const base = env.GITHUB_REF || env.GITHUB_EVENT_NAME ? await fromGitHubActions(env, cwd) : await fromLocalRepository(cwd, env);
  const overrides = Object.fromEntries(Object.entries(options.overrides ?? {}).filter(([, v]) => v !== undefined));
  return { ...base, ...overrides };
}

interface EventPayload {
  number?: number;
  base_ref?: string | null;
  pull_request?: { number?: number; head?: { ref?: string; sha?: string }; base?: { ref?: string } };
  repository?: {
    name?: string;
    full_name?: string;
    html_url?: string;
    description?: string | null;
    default_branch?: string;
    license?: { spdx_id?: string } | null;
  };
  commits?: Array<{ id?: string; timestamp?: string }>;
  head_commit?: { id?: string; timestamp?: string } | null;
}

async function fromGitHubActions(env: NodeJS.ProcessEnv, cwd: string): Promise<GitContext> {
  const payload = await readEventPayload(env.GITHUB_EVENT_PATH);
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  let ref = env.GITHUB_REF ?? '';
  let sha = env.GITHUB_SHA ?? '';
  const pr = payload.pull_request;
  // pull_request_target runs on the base branch; its tags should still name the pull request.
  if (/pull_request_target/.test(eventName) && payload.number !== undefined) ref = `refs/pull/${payload.number}/merge`;
  if (/^true$/i.test(env.DOCKER_METADATA_PR_HEAD_SHA ?? '') && /pull_request/.test(eventName) && pr?.head?.sha) sha = pr.head.sha;

  const repo = payload.repository;
  const repository = env.GITHUB_REPOSITORY || repo?.full_name;
  const server = (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
  const baseRef = ref.startsWith('refs/tags/')
    ? (payload.base_ref ?? undefined)?.replace(/^refs\/heads\//, '')
    : (pr?.base?.ref ?? env.GITHUB_BASE_REF ?? undefined);
  const commitDate =
    payload.commits?.find((commit) => commit.id === sha)?.timestamp ??
    (payload.head_commit?.id === sha ? payload.head_commit.timestamp : undefined) ??
    (sha ? await gitOutput(cwd, ['log', '-1', '--format=%cI', sha], env) : undefined);
  const license = repo?.license?.spdx_id;

  return clean({
    source: 'github-actions',
    eventName,
    ref,
    sha,
    commitDate,
    defaultBranch: repo?.default_branch,
    baseRef: baseRef || undefined,
    headRef: pr?.head?.ref ?? (env.GITHUB_HEAD_REF || undefined),
    prNumber: pr?.number ?? (ref.startsWith('refs/pull/') ? payload.number : undefined),
    branch: ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined,
    repository,
    sourceUrl: repo?.html_url ?? (repository ? `${server}/${repository}` : undefined),
    title: repo?.name ?? repository?.split('/').pop(),
    description: repo?.description ?? undefined,
    license: license && license !== 'NOASSERTION' ? license : undefined,
  });
}

async function readEventPayload(eventPath: string | undefined): Promise<EventPayload> {
  if (!eventPath) return {};
  let text: string;
  try {
    text = await readFile(eventPath, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? (parsed as EventPayload) : {};
  } catch (error) {
    throw new InvalidInputError(
      `The GitHub event payload at ${eventPath} is not valid JSON; point GITHUB_EVENT_PATH at the event file.`,
      {
        cause: error,
      },
    );
  }
}

async function fromLocalRepository(cwd: string, env: NodeJS.ProcessEnv): Promise<GitContext> {
  const topLevel = await gitOutput(cwd, ['rev-parse', '--show-toplevel'], env);
  if (topLevel === undefined) return emptyGitContext();
  const [sha, branch, tagsAtHead, originHead, remoteUrl, commitDate] = await Promise.all([
    gitOutput(cwd, ['rev-parse', '--verify', '-q', 'HEAD'], env),
    gitOutput(cwd, ['symbolic-ref', '--short', '-q', 'HEAD'], env),
    gitOutput(cwd, ['tag', '--points-at', 'HEAD'], env),
    gitOutput(cwd, ['symbolic-ref', '--short', '-q', 'refs/remotes/origin/HEAD'], env),
    gitOutput(cwd, ['remote', 'get-url', 'origin'], env),
    gitOutput(cwd, ['log', '-1', '--format=%cI'], env),
  ]);
  const tag = pickTag((tagsAtHead ?? '').split('\n').filter(Boolean));
  const sourceUrl = remoteUrl ? browsableUrl(remoteUrl) : undefined;
  const repository = sourceUrl ? new URL(sourceUrl).pathname.replace(/^\/+/, '') : path.basename(topLevel);
  const metadata = await projectMetadata(topLevel);
  return clean({
    source: 'git',
    eventName: 'push',
    ref: tag ? `refs/tags/${tag}` : branch ? `refs/heads/${branch}` : '',
    sha: sha ?? '',
    commitDate,
    defaultBranch: originHead?.replace(/^origin\//, ''),
    branch,
    repository,
    sourceUrl,
    title: repository.split('/').pop(),
    description: metadata.description,
    license: metadata.license,
  });
}

/** Several tags at HEAD: the highest version wins, then the last in name order. */
function pickTag(tags: string[]): string | undefined {
  const numeric = (tag: string) => (/^[vV]?(\d+(?:\.\d+)*)/.exec(tag)?.[1] ?? '').split('.').filter(Boolean).map(Number);
  return [...tags].sort((a, b) => {
    const [x, y] = [numeric(a), numeric(b)];
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const diff = (x[i] ?? -1) - (y[i] ?? -1);
      if (diff !== 0) return diff;
    }
    return a.localeCompare(b);
  })[tags.length - 1];
}

/** `git@github.com:o/r.git`, `ssh://git@host/o/r`, `https://user:token@host/o/r.git` → `https://host/o/r`. */
export function browsableUrl(remote: string): string | undefined {
  const trimmed = remote.trim();
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(trimmed);
  let host: string;
  let pathname: string;
  if (scp?.[1] && scp[2] && !/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    host = scp[1];
    pathname = scp[2];
  } else {
    try {
      const url = new URL(trimmed);
      if (url.protocol === 'file:') return undefined;
      host = url.host.replace(/:(22|443|80)$/, '');
      pathname = url.pathname;
    } catch {
      return undefined;
    }
  }
  pathname = pathname
    .replace(/^\/+/, '')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
  return pathname ? `https://${host}/${pathname}` : undefined;
}

/** Licence and description from package.json, else a licence recognised from a LICENSE file. */
async function projectMetadata(dir: string): Promise<{ license?: string; description?: string }> {
  const result: { license?: string; description?: string } = {};
  try {
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
      license?: unknown;
      description?: unknown;
    };
    if (typeof pkg.license === 'string' && pkg.license !== 'UNLICENSED') result.license = pkg.license;
    if (typeof pkg.description === 'string' && pkg.description) result.description = pkg.description;
  } catch {
    // No package.json, or not JSON: nothing to learn from it.
  }
  if (result.license === undefined) {
    for (const name of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'LICENCE', 'COPYING']) {
      const text = await readFile(path.join(dir, name), 'utf8').catch(() => undefined);
      if (text !== undefined) {
        const license = licenseFromText(text);
        if (license !== undefined) result.license = license;
        break;
      }
    }
  }
  return result;
}

const LICENSE_SIGNATURES: Array<[RegExp, string]> = [
  [/GNU AFFERO GENERAL PUBLIC LICENSE\s+Version 3/i, 'AGPL-3.0'],
  [/GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3/i, 'LGPL-3.0'],
  [/GNU GENERAL PUBLIC LICENSE\s+Version 3/i, 'GPL-3.0'],
  [/GNU GENERAL PUBLIC LICENSE\s+Version 2/i, 'GPL-2.0'],
  [/Apache License\s+Version 2\.0/i, 'Apache-2.0'],
  [/Mozilla Public License,? Version 2\.0/i, 'MPL-2.0'],
  [/^\s*MIT License|Permission is hereby granted, free of charge/i, 'MIT'],
  [/^\s*ISC License|Permission to use, copy, modify, and\/or distribute/i, 'ISC'],
  [/This is free and unencumbered software released into the public domain/i, 'Unlicense'],
  [/Redistribution and use in source and binary forms[\s\S]*Neither the name/i, 'BSD-3-Clause'],
  [/Redistribution and use in source and binary forms/i, 'BSD-2-Clause'],
];

export function licenseFromText(text: string): string | undefined {
  const head = text.slice(0, 4000);
  return LICENSE_SIGNATURES.find(([pattern]) => pattern.test(head))?.[1];
}

async function gitOutput(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    // `env` says where GITHUB_* come from; git itself still needs PATH and HOME.
    const result = await runProcess('git', args, { cwd, env: { ...process.env, ...env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' } });
    const out = result.stdout.trim();
    return result.exitCode === 0 && out !== '' ? out : undefined;
  } catch {
    // git missing or cwd gone: the context simply knows less.
    return undefined;
  }
}

function clean(context: GitContext): GitContext {
  return Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined)) as unknown as GitContext;
}
