import { Agent as HttpsAgent } from 'node:https';
import type * as IdentityModule from '@azure/identity';
import { ShipError } from '../../errors.js';
import { loadUndici } from '../../undici.js';
import { isLoopbackHost, resolveTlsTrust, type TlsOptions } from '../tls.js';
import type { CloudCredentials } from './ecr.js';
import { importOptional, type ModuleImporter } from './optional-import.js';

/** The username ACR expects with a refresh token from `/oauth2/exchange`. */
export const ACR_REFRESH_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';
const ACR_SCOPE = 'https://containerregistry.azure.net/.default';

export interface AcrLoginOptions extends TlsOptions {
  host: string;
  env: NodeJS.ProcessEnv;
  /** Microsoft Entra ID tenant; default `AZURE_TENANT_ID`. */
  tenantId?: string | undefined;
  /** Another Entra ID authority (sovereign clouds, tests); default `AZURE_AUTHORITY_HOST` or the public cloud. */
  authorityHost?: string | undefined;
  /** A PEM CA (or path) trusted for the authority host. */
  authorityCaCert?: string | undefined;
  /** Where to exchange the Entra ID token; default `https://<registry>/oauth2/exchange`. */
  exchangeUrl?: string | undefined;
  insecure?: boolean | undefined;
  importer?: ModuleImporter | undefined;
  signal?: AbortSignal | undefined;
}

async function entraToken(options: AcrLoginOptions): Promise<{ token: string; tenantId?: string }> {
  const identity = await importOptional<typeof IdentityModule>(
    '@azure/identity',
    'Logging in to Azure Container Registry with Entra ID',
    options.importer,
  );
  const env = options.env;
  const tenantId = options.tenantId ?? env.AZURE_TENANT_ID;
  const authorityHost = options.authorityHost ?? env.AZURE_AUTHORITY_HOST;
  const ca = options.authorityCaCert ? (await resolveTlsTrust('', { caCert: options.authorityCaCert })).ca : undefined;
  const common = {
    ...(authorityHost ? { authorityHost, disableInstanceDiscovery: !/login\.microsoftonline\.com/.test(authorityHost) } : {}),
    ...(ca ? { agent: new HttpsAgent({ ca }) } : {}),
  };
  let credential: IdentityModule.TokenCredential;
  if (tenantId && env.AZURE_CLIENT_ID && env.AZURE_CLIENT_SECRET) {
    credential = new identity.ClientSecretCredential(tenantId, env.AZURE_CLIENT_ID, env.AZURE_CLIENT_SECRET, common);
  } else if (tenantId && env.AZURE_CLIENT_ID && env.AZURE_FEDERATED_TOKEN_FILE) {
    credential = new identity.WorkloadIdentityCredential({
      tenantId,
      clientId: env.AZURE_CLIENT_ID,
      tokenFilePath: env.AZURE_FEDERATED_TOKEN_FILE,
      ...common,
    });
  } else {
    credential = new identity.DefaultAzureCredential(common);
  }
  try {
    const token = await credential.getToken(ACR_SCOPE, options.signal ? { abortSignal: options.signal } : {});
    if (!token?.token) throw new Error('no token');
    return { token: token.token, ...(tenantId ? { tenantId } : {}) };
  } catch (error) {
    const detail = ((error as Error).message ?? String(error)).split('\n')[0]?.replace(/\.$/, '');
    throw new ShipError(
      'LOGIN_FAILED',
      `Microsoft Entra ID gave no token for ${options.host} (${detail}); set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or a federated token), or pass --username and --password.`,
      { cause: error },
    );
  }
}

/**
 * Entra ID token -> ACR refresh token, as `az acr login` does: the token from `@azure/identity`
 * is exchanged at the registry's `/oauth2/exchange`, and the refresh token is the password for
 * the all-zero username.
 */
export async function acrCredentials(options: AcrLoginOptions): Promise<CloudCredentials> {
  const { token, tenantId } = await entraToken(options);
  const exchangeUrl =
    options.exchangeUrl ??
    `${options.insecure || isLoopbackHost(options.host) ? 'http' : 'https'}://${options.host}/oauth2/exchange`;
  const trust = await resolveTlsTrust(options.host, options);
  const { Agent, request } = await loadUndici();
  const dispatcher = new Agent({ connect: trust.ca ? { ca: trust.ca } : {} });
  const form = new URLSearchParams({ grant_type: 'access_token', service: options.host, access_token: token });
  if (tenantId) form.set('tenant', tenantId);
  try {
    const response = await request(exchangeUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'container-ship' },
      body: form.toString(),
      dispatcher,
      signal: options.signal,
    });
    const text = await response.body.text();
    if (response.statusCode !== 200) {
      throw new ShipError(
        'LOGIN_FAILED',
        `${options.host} refused to exchange the Entra ID token (HTTP ${response.statusCode}); check that the identity has a role on the registry (AcrPush or AcrPull).`,
      );
    }
    const refreshToken = (JSON.parse(text) as { refresh_token?: string }).refresh_token;
    if (!refreshToken)
      throw new ShipError(
        'LOGIN_FAILED',
        `${options.host} answered the token exchange without a refresh token; check the registry name.`,
      );
    return { username: ACR_REFRESH_TOKEN_USERNAME, password: refreshToken };
  } catch (error) {
    if (error instanceof ShipError) throw error;
    throw new ShipError(
      'LOGIN_FAILED',
      `Could not reach ${exchangeUrl} to exchange the Entra ID token (${(error as Error).message}); check the registry name and network.`,
      {
        cause: error,
      },
    );
  } finally {
    await dispatcher.close();
  }
}
