import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for api.github.com that speaks the REST API's wire format for the endpoints
 * the action uses (issue comments, releases by tag), so the real Octokit client talks to it.
 * Tokens: `write-token` may do everything, `read-token` gets 403 on writes (GitHub's answer to a
 * token without `pull-requests: write`), anything else gets 401.
 */
export interface FakeComment {
  id: number;
  body: string;
  issueNumber: number;
}

export interface FakeRelease {
  id: number;
  tag: string;
  body: string | null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export class FakeGitHub {
  readonly comments: FakeComment[] = [];
  readonly releases: FakeRelease[] = [];
  readonly requests: RecordedRequest[] = [];
  private nextId = 1000;
  private server: Server | undefined;
  url = '';

  constructor(
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  addRelease(tag: string, body: string | null): FakeRelease {
    const release = { id: this.nextId++, tag, body };
    this.releases.push(release);
    return release;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, authorization: req.headers.authorization });
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token !== 'write-token' && token !== 'read-token') return send(res, 401, { message: 'Bad credentials' });
    if (method !== 'GET' && token === 'read-token') return send(res, 403, { message: 'Resource not accessible by integration' });

    const base = `/repos/${this.owner}/${this.repo}`;
    const path = url.pathname;
    let match = new RegExp(`^${base}/issues/(\\d+)/comments$`).exec(path);
    if (match) {
      const issueNumber = Number(match[1]);
      if (method === 'GET') return this.listComments(res, issueNumber, url);
      if (method === 'POST') {
        const { body } = (await readJson(req)) as { body: string };
        const comment = { id: this.nextId++, body, issueNumber };
        this.comments.push(comment);
        return send(res, 201, this.commentJson(comment));
      }
    }
    match = new RegExp(`^${base}/issues/comments/(\\d+)$`).exec(path);
    if (match && method === 'PATCH') {
      const comment = this.comments.find((c) => c.id === Number(match?.[1]));
      if (!comment) return send(res, 404, { message: 'Not Found' });
      comment.body = ((await readJson(req)) as { body: string }).body;
      return send(res, 200, this.commentJson(comment));
    }
    match = new RegExp(`^${base}/releases/tags/(.+)$`).exec(path);
    if (match && method === 'GET') {
      const release = this.releases.find((r) => r.tag === decodeURIComponent(match?.[1] ?? ''));
      return release ? send(res, 200, this.releaseJson(release)) : send(res, 404, { message: 'Not Found' });
    }
    match = new RegExp(`^${base}/releases/(\\d+)$`).exec(path);
    if (match && method === 'PATCH') {
      const release = this.releases.find((r) => r.id === Number(match?.[1]));
      if (!release) return send(res, 404, { message: 'Not Found' });
      release.body = ((await readJson(req)) as { body: string }).body;
      return send(res, 200, this.releaseJson(release));
    }
    send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }

  /** Paginated like GitHub: `per_page`, `page`, and a `Link: rel="next"` header when there is more. */
  private listComments(res: ServerResponse, issueNumber: number, url: URL): void {
    const perPage = Number(url.searchParams.get('per_page') ?? 30);
    const page = Number(url.searchParams.get('page') ?? 1);
    const all = this.comments.filter((c) => c.issueNumber === issueNumber);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const headers: Record<string, string> = {};
    if (page * perPage < all.length) {
      const next = new URL(url);
      next.searchParams.set('page', String(page + 1));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    send(
      res,
      200,
      slice.map((c) => this.commentJson(c)),
      headers,
    );
  }

  private commentJson(comment: FakeComment): object {
    return {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      body: comment.body,
      html_url: `https://github.com/${this.owner}/${this.repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
      user: { login: 'github-actions[bot]', id: 41898282, type: 'Bot' },
      created_at: '2025-01-01T00:00:00Z',
      updated_at: '2025-01-01T00:00:00Z',
    };
  }

  private releaseJson(release: FakeRelease): object {
    return {
      id: release.id,
      tag_name: release.tag,
      name: release.tag,
      body: release.body,
      draft: false,
      prerelease: false,
      html_url: `https://github.com/${this.owner}/${this.repo}/releases/tag/${release.tag}`,
    };
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
