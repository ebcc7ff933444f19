import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type GitHubRunContext, readRunContext, reportToGitHub } from '../src/github.js';
import { commentMarker, type RunReport } from '../src/report.js';
import { FakeGitHub } from './fake-github.js';

// The real Octokit client against a local server that speaks GitHub's REST API.
const github = new FakeGitHub('acme', 'shop');
let apiUrl = '';

beforeAll(async () => {
  apiUrl = await github.start();
});
afterAll(() => github.stop());
beforeEach(() => {
  github.comments.length = 0;
  github.releases.length = 0;
  github.requests.length = 0;
});

function report(overrides: Partial<RunReport> = {}): RunReport {
  return {
    image: 'localhost:5002/acme/shop',
    version: '1.2.3',
    tags: ['localhost:5002/acme/shop:1.2.3', 'localhost:5002/acme/shop:1.2'],
    pushed: true,
    imageId: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
    digest: 'sha256:2222222222222222222222222222222222222222222222222222222222222222',
    imageRef: 'localhost:5002/acme/shop@sha256:2222222222222222222222222222222222222222222222222222222222222222',
    size: 52_300_000,
    layers: 9,
    smoke: { status: 'passed', url: 'http://127.0.0.1:32768/', httpStatus: 200, durationMs: 640 },
    durations: [{ phase: 'build', ms: 3000 }],
    ...overrides,
  };
}

function prRun(): GitHubRunContext {
  return { apiUrl, eventName: 'pull_request', owner: 'acme', repo: 'shop', pullNumber: 7, tag: undefined };
}

function tagRun(tag: string): GitHubRunContext {
  return { apiUrl, eventName: 'push', owner: 'acme', repo: 'shop', pullNumber: undefined, tag };
}

describe('sticky pull request comment', () => {
  test('the first run creates one comment, the second updates it in place', async () => {
    expect(await reportToGitHub({ token: 'write-token', run: prRun(), report: report() })).toBe('comment-created');
    expect(github.comments).toHaveLength(1);
    const [first] = github.comments;
    expect(first?.body).toContain(commentMarker('localhost:5002/acme/shop'));
    expect(first?.body).toContain('sha256:2222');

    const second = report({ digest: 'sha256:3333', imageRef: 'localhost:5002/acme/shop@sha256:3333' });
    expect(await reportToGitHub({ token: 'write-token', run: prRun(), report: second })).toBe('comment-updated');
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.id).toBe(first?.id);
    expect(github.comments[0]?.body).toContain('sha256:3333');
    expect(github.comments[0]?.body).not.toContain('sha256:2222');
    expect(github.requests.every((r) => r.authorization === 'token write-token')).toBe(true);
  });

  test('finds its comment on a later page of a long thread', async () => {
    for (let i = 0; i < 130; i++) github.comments.push({ id: i + 1, body: `review comment ${i}`, issueNumber: 7 });
    await reportToGitHub({ token: 'write-token', run: prRun(), report: report() });
    await reportToGitHub({ token: 'write-token', run: prRun(), report: report() });
    expect(github.comments.filter((c) => c.body.includes(commentMarker('localhost:5002/acme/shop')))).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === 'GET').length).toBeGreaterThan(2);
  });

  test('each image keeps its own comment', async () => {
    await reportToGitHub({ token: 'write-token', run: prRun(), report: report() });
    await reportToGitHub({ token: 'write-token', run: prRun(), report: report({ image: 'localhost:5002/acme/worker' }) });
    expect(github.comments).toHaveLength(2);
  });

  test('a token without write permission skips quietly', async () => {
    expect(await reportToGitHub({ token: 'read-token', run: prRun(), report: report() })).toBe('no-permission');
    expect(github.comments).toHaveLength(0);
  });

  test('no token: no request at all', async () => {
    expect(await reportToGitHub({ token: undefined, run: prRun(), report: report() })).toBe('no-token');
    expect(github.requests).toHaveLength(0);
  });
});

describe('release notes', () => {
  test('appends the refs and digest once, however often the job runs', async () => {
    github.addRelease('v1.2.3', 'Bug fixes.');
    expect(await reportToGitHub({ token: 'write-token', run: tagRun('v1.2.3'), report: report() })).toBe('release-updated');
    expect(await reportToGitHub({ token: 'write-token', run: tagRun('v1.2.3'), report: report() })).toBe('release-unchanged');
    const body = github.releases[0]?.body ?? '';
    expect(body.startsWith('Bug fixes.\n\n')).toBe(true);
    expect(body.match(/sha256:2222/g)).toHaveLength(2);
    expect(body).toContain('`localhost:5002/acme/shop:1.2`');
    expect(github.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  test('a re-run with a new digest replaces the section instead of adding another', async () => {
    github.addRelease('v1.2.3', 'Notes');
    await reportToGitHub({ token: 'write-token', run: tagRun('v1.2.3'), report: report() });
    await reportToGitHub({ token: 'write-token', run: tagRun('v1.2.3'), report: report({ digest: 'sha256:4444' }) });
    const body = github.releases[0]?.body ?? '';
    expect(body).toContain('sha256:4444');
    expect(body.match(/### Container image/g)).toHaveLength(1);
  });

  test('a tag without a release skips quietly', async () => {
    expect(await reportToGitHub({ token: 'write-token', run: tagRun('v9.9.9'), report: report() })).toBe('no-release');
    expect(github.requests.map((r) => r.method)).toEqual(['GET']);
  });

  test('a read-only token leaves the notes alone', async () => {
    github.addRelease('v1.2.3', 'Notes');
    expect(await reportToGitHub({ token: 'read-token', run: tagRun('v1.2.3'), report: report() })).toBe('no-permission');
    expect(github.releases[0]?.body).toBe('Notes');
  });
});

test('a branch push is neither a pull request nor a release', async () => {
  const run: GitHubRunContext = { apiUrl, eventName: 'push', owner: 'acme', repo: 'shop', pullNumber: undefined, tag: undefined };
  expect(await reportToGitHub({ token: 'write-token', run, report: report() })).toBe('not-applicable');
  expect(github.requests).toHaveLength(0);
});

describe('readRunContext', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ship-action-event-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('reads the pull request number from the event payload and the tag from the ref', async () => {
    const eventPath = join(dir, 'event.json');
    await writeFile(eventPath, JSON.stringify({ action: 'synchronize', number: 7, pull_request: { number: 7 } }));
    expect(
      readRunContext({
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_REPOSITORY: 'acme/shop',
        GITHUB_REF: 'refs/pull/7/merge',
        GITHUB_API_URL: 'http://127.0.0.1:1',
      }),
    ).toEqual({
      apiUrl: 'http://127.0.0.1:1',
      eventName: 'pull_request',
      owner: 'acme',
      repo: 'shop',
      pullNumber: 7,
      tag: undefined,
    });
    expect(readRunContext({ GITHUB_REF: 'refs/tags/v2.0.0' })).toMatchObject({ tag: 'v2.0.0', apiUrl: 'https://api.github.com' });
  });
});

describe('an API that does not answer, or answers 5xx', () => {
  let server: Server;
  let url = '';
  let requests = 0;
  let answer: (response: ServerResponse) => void = () => {};

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests += 1;
      request.resume();
      answer(response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    requests = 0;
  });

  test('a listener that accepts and never answers: the default deadline ends it with a warning, once', async () => {
    answer = () => {};
    const warnings = captureWarnings();
    const outcome = await reportToGitHub({ token: 't', run: { ...prRun(), apiUrl: url }, report: report() });
    expect(outcome).toBe('failed');
    expect(requests).toBe(1);
    expect(warnings.lines.join('\n')).toMatch(
      /^::warning::Could not update the pull request comment: GitHub's API did not answer GET http:\/\/127\.0\.0\.1:\d+\/repos\/acme\/shop\/issues\/7\/comments\S* within 30 s/m,
    );
    warnings.restore();
  }, 90_000);

  test('5xx and 429 are retried twice, then the answer counts', async () => {
    answer = (response) => {
      response.writeHead(502, { 'content-type': 'application/json' });
      response.end('{"message":"Bad Gateway"}');
    };
    const warnings = captureWarnings();
    expect(await reportToGitHub({ token: 't', run: { ...prRun(), apiUrl: url }, report: report() })).toBe('failed');
    expect(requests).toBe(3);
    warnings.restore();
  }, 30_000);
});

/** What core.warning writes: `::warning::` lines on stdout. */
function captureWarnings(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    const text = String(chunk);
    if (text.startsWith('::warning::')) lines.push(text.trimEnd());
    return true;
  }) as typeof process.stdout.write;
  return { lines, restore: () => (process.stdout.write = write) };
}
