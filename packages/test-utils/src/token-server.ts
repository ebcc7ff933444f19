import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { RegistryUser } from './registry-server.js';
import { runTool } from './run-tool.js';

export interface TokenServerOptions {
  /** A temp dir for the signing key and certificate (the registry's `rootcertbundle`). */
  dir: string;
  users: RegistryUser[];
  service?: string;
  issuer?: string;
  /** Refresh tokens accepted by the OAuth2 POST flow (`grant_type=refresh_token`), to the user they stand for. */
  refreshTokens?: Record<string, string>;
  /** Which of the asked actions a user gets; default: an authenticated user gets all, anonymous none. */
  grant?: (user: string | undefined, scope: { type: string; name: string; actions: string[] }) => string[];
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** The certificate that signs tokens: give it to the registry as `rootcertbundle`. */
  rootCertBundle: string;
  /** Every token request, for assertions (the scopes asked, who asked, the answer's status). */
  requests: Array<{ method: string; account?: string; scopes: string[]; status: number }>;
  stop(): Promise<void>;
}

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function parseScope(scope: string): { type: string; name: string; actions: string[] } | undefined {
  // `repository:name:pull,push`; names may hold ':' only in the host part, which scopes never carry.
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A token server of our own for the distribution registry's `auth: token:` config: the
 * Docker token spec's GET realm flow (Basic credentials) and the OAuth2 POST flow (password
 * or refresh token). Tokens are RS256 JWTs whose `x5c` header carries the signing
 * certificate, which the registry checks against its `rootcertbundle`.
 */
export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const keyPath = join(options.dir, 'token-signing.key');
  const certPath = join(options.dir, 'token-signing.crt');
  await runTool('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    keyPath,
    '-out',
    certPath,
    '-days',
    '2',
    '-subj',
    '/CN=container-ship test token issuer',
  ]);
  const key = createPrivateKey(await readFile(keyPath));
  const certDer = new X509Certificate(await readFile(certPath)).raw;
  const service = options.service ?? 'container-ship-test-registry';
  const issuer = options.issuer ?? 'container-ship-test-issuer';
  const passwords = new Map(options.users.map((user) => [user.username, user.password]));
  const grant = options.grant ?? ((user, scope) => (user ? scope.actions : []));
  const requests: TokenServer['requests'] = [];

  const issue = (user: string | undefined, scopes: string[]) => {
    const now = Math.floor(Date.now() / 1000);
    const access = scopes
      .map(parseScope)
      .filter((scope): scope is NonNullable<typeof scope> => scope !== undefined)
      .map((scope) => ({ type: scope.type, name: scope.name, actions: grant(user, scope) }));
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    };
    const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(input), key);
    return { token: `${input}.${base64url(signature)}`, expires_in: 300, issued_at: new Date(now * 1000).toISOString() };
  };

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };

  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      if (request.method === 'GET') {
        const scopes = url.searchParams
          .getAll('scope')
          .flatMap((s) => s.split(' '))
          .filter(Boolean);
        let user: string | undefined;
        const authorization = request.headers.authorization;
        if (authorization?.startsWith('Basic ')) {
          const [name = '', ...rest] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
          if (passwords.get(name) !== rest.join(':')) {
            requests.push({ method: 'GET', account: name, scopes, status: 401 });
            return answer(response, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid username or password' }] });
          }
          user = name;
        }
        requests.push({ method: 'GET', ...(user ? { account: user } : {}), scopes, status: 200 });
        return answer(response, 200, issue(user, scopes));
      }
      if (request.method === 'POST') {
        const form = new URLSearchParams(await readBody(request));
        const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        let user: string | undefined;
        if (form.get('grant_type') === 'password' && passwords.get(form.get('username') ?? '') === form.get('password'))
          user = form.get('username') ?? undefined;
        if (form.get('grant_type') === 'refresh_token') user = options.refreshTokens?.[form.get('refresh_token') ?? ''];
        if (!user) {
          requests.push({ method: 'POST', scopes, status: 401 });
          return answer(response, 401, { error: 'invalid_grant' });
        }
        requests.push({ method: 'POST', account: user, scopes, status: 200 });
        const issued = issue(user, scopes);
        return answer(response, 200, {
          access_token: issued.token,
          expires_in: issued.expires_in,
          issued_at: issued.issued_at,
          scope: scopes.join(' '),
        });
      }
      answer(response, 405, { error: 'method not allowed' });
    })().catch((error: unknown) => answer(response, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundle: certPath,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
