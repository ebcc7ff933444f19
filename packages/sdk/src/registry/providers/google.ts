import { readFile } from 'node:fs/promises';
import type * as GoogleAuthModule from 'google-auth-library';
import { ShipError } from '../../errors.js';
import type { CloudCredentials } from './ecr.js';
import { importOptional, type ModuleImporter } from './optional-import.js';

export const GOOGLE_ACCESS_TOKEN_USERNAME = 'oauth2accesstoken';
export const GOOGLE_JSON_KEY_USERNAME = '_json_key';
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

export interface GoogleLoginOptions {
  host: string;
  env: NodeJS.ProcessEnv;
  /** A credentials JSON file (service account key, workload identity federation config); default ADC. */
  keyFile?: string | undefined;
  /** Log in with the service account key itself (`_json_key`) instead of a short-lived access token. */
  jsonKey?: boolean | undefined;
  importer?: ModuleImporter | undefined;
}

/**
 * Artifact Registry and Container Registry: `oauth2accesstoken` with an access token from
 * Application Default Credentials (a key file, workload identity federation as GitHub's OIDC
 * gives it, gcloud's user login, or the metadata server), or `_json_key` with a key file.
 */
export async function googleCredentials(options: GoogleLoginOptions): Promise<CloudCredentials> {
  const keyFile = options.keyFile ?? options.env.GOOGLE_APPLICATION_CREDENTIALS;
  if (options.jsonKey) {
    if (!keyFile)
      throw new ShipError(
        'LOGIN_FAILED',
        `A _json_key login to ${options.host} needs a service account key file; set GOOGLE_APPLICATION_CREDENTIALS.`,
      );
    const key = await readFile(keyFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new ShipError(
        'LOGIN_FAILED',
        `The key file ${keyFile} could not be read (${error.code}); check GOOGLE_APPLICATION_CREDENTIALS.`,
        { cause: error },
      );
    });
    return { username: GOOGLE_JSON_KEY_USERNAME, password: key };
  }
  const library = await importOptional<typeof GoogleAuthModule>(
    'google-auth-library',
    'Logging in to Google Artifact Registry',
    options.importer,
  );
  const auth = new library.GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE], ...(keyFile ? { keyFile } : {}) });
  try {
    const client = await auth.getClient();
    const answer = await client.getAccessToken();
    if (!answer.token) throw new Error('no access token');
    const expiry = (client as { credentials?: { expiry_date?: number | null } }).credentials?.expiry_date;
    return { username: GOOGLE_ACCESS_TOKEN_USERNAME, password: answer.token, ...(expiry ? { expiresAt: new Date(expiry) } : {}) };
  } catch (error) {
    const detail = ((error as Error).message ?? String(error)).split('\n')[0]?.replace(/\.$/, '');
    throw new ShipError(
      'LOGIN_FAILED',
      `Google gave no access token for ${options.host} (${detail}); set GOOGLE_APPLICATION_CREDENTIALS or run 'gcloud auth application-default login'.`,
      { cause: error },
    );
  }
}
