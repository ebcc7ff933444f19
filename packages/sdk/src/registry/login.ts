import { InvalidInputError, isShipError, ShipError } from '../errors.js';
import { normalizeRegistry, registryApiHost } from '../image-ref.js';
import { inPhase, type ProgressListener } from '../progress.js';
import { RegistryClient, type RegistryClientOptions } from './client.js';
import type { RegistryAuth } from './credentials.js';
import { acrCredentials } from './providers/acr.js';
import { detectProvider, parseEcrHost, type RegistryProvider } from './providers/detect.js';
import { type CloudCredentials, ecrCredentials } from './providers/ecr.js';
import { googleCredentials } from './providers/google.js';
import type { ModuleImporter } from './providers/optional-import.js';

export interface LoginOptions extends Pick<RegistryClientOptions, 'caCert' | 'certsDir' | 'insecure' | 'clock' | 'signal'> {
  /** The registry host (`ghcr.io`, `123456789012.dkr.ecr.eu-west-1.amazonaws.com`, `localhost:5002`); default Docker Hub. */
  registry?: string | undefined;
  username?: string | undefined;
  /** A password or access token; for cloud registries, omit it to use the cloud's own credentials. */
  password?: string | undefined;
  /** Force a provider instead of detecting it from the host (a registry behind a custom domain). */
  provider?: RegistryProvider | undefined;
  /** Where credentials are looked up (GITHUB_TOKEN, AWS_*, AZURE_*, GOOGLE_APPLICATION_CREDENTIALS); default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  aws?: { region?: string | undefined; endpoint?: string | undefined } | undefined;
  azure?:
    | {
        tenantId?: string | undefined;
        authorityHost?: string | undefined;
        authorityCaCert?: string | undefined;
        exchangeUrl?: string | undefined;
      }
    | undefined;
  google?: { keyFile?: string | undefined; jsonKey?: boolean | undefined } | undefined;
  /** Check the credentials against the registry's `/v2/`. Default true. */
  verify?: boolean | undefined;
  onProgress?: ProgressListener | undefined;
  /** Loads the optional cloud SDKs; a seam for tests of the missing-package message. */
  importer?: ModuleImporter | undefined;
}

export interface LoginResult {
  registry: string;
  provider: RegistryProvider;
  auth: RegistryAuth;
  /** When cloud-issued credentials stop working (ECR: 12 hours; Google: about an hour). */
  expiresAt?: Date;
}

/**
 * One login for every registry: the provider comes from the host (or `provider`), the
 * credentials from the caller or the provider's own chain (AWS, Entra ID, Google ADC), and
 * they are checked against the registry's `/v2/` before they are handed back.
 */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const registry = normalizeRegistry(options.registry ?? 'docker.io');
  const provider = options.provider ?? detectProvider(registry);
  const env = options.env ?? process.env;
  const host = registryApiHost(registry);
  return inPhase(
    'login',
    `Logging in to ${registry} (${provider})`,
    options,
    async (): Promise<LoginResult> => {
      const credentials = await obtainCredentials(registry, host, provider, env, options);
      const auth: RegistryAuth = { username: credentials.username, password: credentials.password, serveraddress: registry };
      if (options.verify !== false) await verify(registry, auth, credentials.username, options);
      return { registry, provider, auth, ...(credentials.expiresAt ? { expiresAt: credentials.expiresAt } : {}) };
    },
    (result) => `Login to ${registry} as ${'username' in result.auth ? result.auth.username : 'token'} succeeded`,
  );
}

async function obtainCredentials(
  registry: string,
  host: string,
  provider: RegistryProvider,
  env: NodeJS.ProcessEnv,
  options: LoginOptions,
): Promise<CloudCredentials> {
  const { username, password } = options;
  if (password !== undefined && password !== '') {
    if (!username) throw new InvalidInputError(`A password for ${registry} was given without a username; pass --username too.`);
    return { username, password };
  }
  const importer = options.importer;
  switch (provider) {
    case 'ecr':
    case 'ecr-public': {
      const region = options.aws?.region ?? parseEcrHost(host)?.region;
      return ecrCredentials({
        host,
        public: provider === 'ecr-public',
        env,
        explicitEnv: options.env !== undefined,
        // An empty region means "not given" too: the environment's then counts.
        ...(region ? { region } : {}),
        endpoint: options.aws?.endpoint,
        signal: options.signal,
        importer,
      });
    }
    case 'acr':
      return acrCredentials({
        host,
        env,
        ...options.azure,
        caCert: options.caCert,
        certsDir: options.certsDir,
        insecure: options.insecure,
        signal: options.signal,
        importer,
      });
    case 'gar':
    case 'gcr':
      return googleCredentials({ host, env, ...options.google, importer });
    case 'ghcr': {
      const token = env.GITHUB_TOKEN ?? env.GH_TOKEN;
      const user = username ?? env.GITHUB_ACTOR;
      if (token && user) return { username: user, password: token };
      throw new InvalidInputError(
        `Logging in to ghcr.io needs a username and a token; pass --username and --password-stdin, or set GITHUB_ACTOR and GITHUB_TOKEN.`,
      );
    }
    default:
      throw new InvalidInputError(
        `Logging in to ${registry} needs a username and a password (or access token); pass --username and --password-stdin.`,
      );
  }
}

async function verify(registry: string, auth: RegistryAuth, username: string, options: LoginOptions): Promise<void> {
  const client = new RegistryClient(registry, {
    auth,
    phase: 'login',
    caCert: options.caCert,
    certsDir: options.certsDir,
    insecure: options.insecure,
    clock: options.clock,
    signal: options.signal,
    onProgress: options.onProgress,
  });
  try {
    await client.verifyCredentials();
  } catch (error) {
    if (isShipError(error) && (error.code === 'REGISTRY_UNAUTHORIZED' || error.code === 'REGISTRY_DENIED')) {
      const said = 'reason' in error && error.reason ? ` (${error.reason})` : '';
      throw new ShipError(
        'LOGIN_FAILED',
        `Login to ${registry} as ${username} failed: the registry refused the credentials${said}; check the username and password (or token).`,
        {
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    await client.close();
  }
}
