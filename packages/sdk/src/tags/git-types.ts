/**
 * Where a build comes from: the event, ref and commit, and what is known about the
 * repository. `readGitContext` fills it from GitHub Actions or the local repository;
 * `planTags` and `ociLabels` take it (or any part of it) as plain data.
 */
export interface GitContext {
  /** `github-actions` (from GITHUB_* variables), `git` (local repository) or `none`. */
  source: 'github-actions' | 'git' | 'none';
  /** GitHub's event name (`push`, `pull_request`, `schedule`...); `push` for a local repository. */
  eventName: string;
  /** Full ref: `refs/heads/main`, `refs/tags/v1.2.3`, `refs/pull/15/merge`; empty when unknown. */
  ref: string;
  /** Full commit SHA; empty when unknown. */
  sha: string;
  /** Committer date of `sha`, ISO 8601. */
  commitDate?: string | undefined;
  /** The repository's default branch (GitHub payload, or `origin/HEAD` locally). */
  defaultBranch?: string | undefined;
  /** Base branch of a pull request, or the branch a tag was pushed from (`{{base_ref}}`). */
  baseRef?: string | undefined;
  /** Head branch of a pull request. */
  headRef?: string | undefined;
  prNumber?: number | undefined;
  /** The current branch when HEAD is on one, even if `ref` names a tag. */
  branch?: string | undefined;
  /** `owner/name` on GitHub, else the repository directory's name. */
  repository?: string | undefined;
  /** Browsable https URL of the repository, never with credentials. */
  sourceUrl?: string | undefined;
  title?: string | undefined;
  description?: string | undefined;
  /** SPDX licence expression, such as MIT. */
  license?: string | undefined;
}

export const emptyGitContext = (): GitContext => ({ source: 'none', eventName: 'push', ref: '', sha: '' });

export function branchOf(ref: string): string | undefined {
  return ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined;
}

export function tagOf(ref: string): string | undefined {
  return ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
}

/** `refs/pull/15/merge` → `15`. */
export function pullRequestOf(ref: string): string | undefined {
  return ref.startsWith('refs/pull/') ? ref.slice('refs/pull/'.length).replace(/\/merge$/, '') : undefined;
}
