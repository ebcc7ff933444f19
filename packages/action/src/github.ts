import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { Octokit } from '@octokit/rest';
import { commentMarker, type RunReport, renderComment, upsertReleaseSection } from './report.js';

/** The parts of the workflow run the GitHub features need, read from the runner's environment. */
export interface GitHubRunContext {
  apiUrl: string;
  eventName: string | undefined;
  owner: string | undefined;
  repo: string | undefined;
  pullNumber: number | undefined;
  /** The tag name on a tag push (`refs/tags/v1.2.3` gives `v1.2.3`). */
  tag: string | undefined;
}

export function readRunContext(env: NodeJS.ProcessEnv = process.env): GitHubRunContext {
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const ref = env.GITHUB_REF ?? '';
  return {
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    eventName: env.GITHUB_EVENT_NAME,
    owner: owner || undefined,
    repo: repo || undefined,
    pullNumber: readPullNumber(env.GITHUB_EVENT_PATH),
    tag: ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined,
  };
}

function readPullNumber(eventPath: string | undefined): number | undefined {
  if (!eventPath) return undefined;
  try {
    const event = JSON.parse(readFileSync(eventPath, 'utf8')) as { pull_request?: { number?: unknown }; number?: unknown };
    const number = event.pull_request?.number ?? event.number;
    return typeof number === 'number' ? number : undefined;
  } catch {
    return undefined;
  }
}

export type GitHubOutcome =
  | 'comment-created'
  | 'comment-updated'
  | 'release-updated'
  | 'release-unchanged'
  | 'no-release'
  | 'not-applicable'
  | 'no-token'
  | 'no-permission'
  | 'failed';

/**
 * Tells the pull request or the release what was built. Never fails the step: the image is the
 * product, and a token without `pull-requests: write` or `contents: write` is a normal setup.
 */
export async function reportToGitHub(o: {
  token: string | undefined;
  run: GitHubRunContext;
  report: RunReport;
  /** Per request; default GITHUB_REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
}): Promise<GitHubOutcome> {
  const { run, report } = o;
  const isPullRequest = run.eventName === 'pull_request' || run.eventName === 'pull_request_target';
  const target = isPullRequest && run.pullNumber !== undefined ? 'pr' : run.tag !== undefined ? 'release' : undefined;
  if (target === undefined || run.owner === undefined || run.repo === undefined) return 'not-applicable';
  if (!o.token) {
    core.debug('No github-token, so no pull request comment or release notes.');
    return 'no-token';
  }
  const octokit = new Octokit({
    auth: o.token,
    baseUrl: run.apiUrl,
    userAgent: 'container-ship-action',
    log: { debug: core.debug, info: core.debug, warn: core.debug, error: core.debug },
    request: { fetch: deadlineFetch(o.timeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS) },
  });
  const repo = { owner: run.owner, repo: run.repo };
  try {
    if (target === 'pr') return await upsertComment(octokit, repo, run.pullNumber as number, report);
    return await updateReleaseNotes(octokit, repo, run.tag as string, report);
  } catch (error) {
    const status = httpStatus(error);
    if (status === 401 || status === 403 || status === 404) {
      core.debug(
        `Skipped the ${target === 'pr' ? 'pull request comment' : 'release notes'}: GitHub answered ${status}; give the token the permission to write them.`,
      );
      return 'no-permission';
    }
    core.warning(`Could not update the ${target === 'pr' ? 'pull request comment' : 'release notes'}: ${errorMessage(error)}`);
    return 'failed';
  }
}

async function upsertComment(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  issueNumber: number,
  report: RunReport,
): Promise<GitHubOutcome> {
  const marker = commentMarker(report.image);
  const body = renderComment(report);
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const existing = comments.find((comment) => comment.body?.includes(marker));
  if (existing) {
    await octokit.rest.issues.updateComment({ ...repo, comment_id: existing.id, body });
    core.info(`Updated the pull request comment ${existing.html_url}`);
    return 'comment-updated';
  }
  const created = await octokit.rest.issues.createComment({ ...repo, issue_number: issueNumber, body });
  core.info(`Commented on the pull request: ${created.data.html_url}`);
  return 'comment-created';
}

async function updateReleaseNotes(
  octokit: Octokit,
  repo: { owner: string; repo: string },
  tag: string,
  report: RunReport,
): Promise<GitHubOutcome> {
  const release = await octokit.rest.repos.getReleaseByTag({ ...repo, tag }).catch((error: unknown) => {
    if (httpStatus(error) === 404) return undefined;
    throw error;
  });
  if (release === undefined) {
    core.debug(`There is no GitHub Release for ${tag} (yet), so there are no release notes to add the image to.`);
    return 'no-release';
  }
  const body = upsertReleaseSection(release.data.body, report);
  if (body === undefined) {
    core.info(`The release notes of ${tag} already list this image.`);
    return 'release-unchanged';
  }
  await octokit.rest.repos.updateRelease({ ...repo, release_id: release.data.id, body });
  core.info(`Added the image to the release notes of ${tag}: ${release.data.html_url}`);
  return 'release-updated';
}

/** Octokit has no request timeout: an API that accepts the connection and never answers would hold the step for minutes. */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000;
/** Retries of a 5xx or 429 answer, as @octokit/plugin-retry does; a request that timed out is not retried. */
const RETRIES = 2;

/**
 * Octokit's fetch, with a deadline on each request and the retries: a 5xx or 429 answer is
 * asked again (GitHub's bodies are strings, so a request can be sent twice).
 */
export function deadlineFetch(timeoutMs: number): typeof fetch {
  return async (input, init) => {
    for (let attempt = 0; ; attempt++) {
      const deadline = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = await fetch(input, { ...init, signal: deadline });
      } catch (error) {
        if (!deadline.aborted) throw error;
        throw new Error(`GitHub's API did not answer ${init?.method ?? 'GET'} ${String(input)} within ${timeoutMs / 1000} s`, {
          cause: error,
        });
      }
      if (!(response.status >= 500 || response.status === 429) || attempt >= RETRIES) return response;
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs(response.headers.get('retry-after'), attempt)));
    }
  };
}

/** `retry-after` when GitHub sends one (rate limits), else 1 s, 2 s. */
function retryDelayMs(header: string | null, attempt: number): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 10) * 1000 : 1000 * 2 ** attempt;
}

function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
