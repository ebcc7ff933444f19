import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';

/**
 * Local stand-ins for the cloud token services a registry login talks to, each speaking the
 * service's documented wire protocol so the REAL client library (AWS SDK, @azure/identity,
 * google-auth-library) can be pointed at it:
 * - ECR: AWS JSON 1.1, `X-Amz-Target: AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken`;
 * - Entra ID: OpenID discovery and the OAuth2 v2.0 token endpoint (client credentials grant);
 * - ACR: the registry's `/oauth2/exchange` (Entra ID access token -> ACR refresh token);
 * - Google STS: RFC 8693 token exchange at `token_url` (workload identity federation).
 * Each hands out the credentials it was given, so a test can make the real registry accept them.
 */
export interface FakeCloudOptions {
  /** Serve HTTPS with this certificate and key (Entra ID clients insist on HTTPS). */
  tls?: { certificate: string; key: string };
  ecr?: { accessKeyId: string; password: string; proxyEndpoint: string };
  /** Entra ID issues `accessToken` to the client id and secret given. */
  entra?: { tenantId: string; clientId: string; clientSecret: string; accessToken: string };
  /** The exchange accepts only `accessToken` (what the Entra fake issued) for `service`. */
  acr?: { refreshToken: string; service: string; accessToken: string };
  sts?: { subjectToken: string; accessToken: string };
}

export interface FakeCloud {
  url: string;
  /** What was asked of it: `ecr`, `entra-discovery`, `entra-token`, `acr-exchange`, `sts`, each with its status. */
  calls: Array<{ api: string; status: number }>;
  stop(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeCloud(options: FakeCloudOptions): Promise<FakeCloud> {
  const calls: FakeCloud['calls'] = [];
  let base = '';

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake');
    const body = await readBody(request);
    const json = (api: string, status: number, payload: unknown, contentType = 'application/json') => {
      calls.push({ api, status });
      response.writeHead(status, { 'content-type': contentType });
      response.end(JSON.stringify(payload));
    };
    const target = request.headers['x-amz-target'];
    if (request.method === 'POST' && target === 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken' && options.ecr) {
      // The SDK signs with SigV4; the credential scope names the access key it used.
      const signedBy = /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ''))?.[1];
      if (signedBy !== options.ecr.accessKeyId) {
        return json(
          'ecr',
          400,
          { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
          'application/x-amz-json-1.1',
        );
      }
      const authorizationToken = Buffer.from(`AWS:${options.ecr.password}`).toString('base64');
      return json(
        'ecr',
        200,
        {
          authorizationData: [
            {
              authorizationToken,
              expiresAt: Math.floor(Date.now() / 1000) + 12 * 3600,
              proxyEndpoint: options.ecr.proxyEndpoint,
            },
          ],
        },
        'application/x-amz-json-1.1',
      );
    }
    const entra = options.entra;
    if (entra && request.method === 'GET' && url.pathname === `/${entra.tenantId}/v2.0/.well-known/openid-configuration`) {
      return json('entra-discovery', 200, {
        token_endpoint: `${base}/${entra.tenantId}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/${entra.tenantId}/oauth2/v2.0/authorize`,
        issuer: `${base}/${entra.tenantId}/v2.0`,
        end_session_endpoint: `${base}/${entra.tenantId}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/${entra.tenantId}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
      });
    }
    if (entra && request.method === 'POST' && url.pathname === `/${entra.tenantId}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(body);
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== entra.clientId ||
        form.get('client_secret') !== entra.clientSecret
      ) {
        return json('entra-token', 401, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        });
      }
      return json('entra-token', 200, {
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: entra.accessToken,
      });
    }
    if (options.acr && request.method === 'POST' && url.pathname === '/oauth2/exchange') {
      const form = new URLSearchParams(body);
      if (
        form.get('grant_type') !== 'access_token' ||
        form.get('access_token') !== options.acr.accessToken ||
        form.get('service') !== options.acr.service
      ) {
        return json('acr-exchange', 401, { errors: [{ code: 'UNAUTHORIZED', message: 'invalid access token' }] });
      }
      return json('acr-exchange', 200, { refresh_token: options.acr.refreshToken });
    }
    if (options.sts && request.method === 'POST' && url.pathname === '/v1/token') {
      const form = new URLSearchParams(body);
      if (
        form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange' ||
        form.get('subject_token') !== options.sts.subjectToken
      ) {
        return json('sts', 400, { error: 'invalid_grant', error_description: 'The subject token is invalid.' });
      }
      return json('sts', 200, {
        access_token: options.sts.accessToken,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: 3600,
      });
    }
    json('unknown', 404, { error: `no fake for ${request.method} ${url.pathname}` });
  };

  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: await readFile(options.tls.certificate), key: await readFile(options.tls.key) }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  base = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    url: base,
    calls,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
