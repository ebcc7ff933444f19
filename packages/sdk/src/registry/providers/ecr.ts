import type * as EcrModule from '@aws-sdk/client-ecr';
import type * as EcrPublicModule from '@aws-sdk/client-ecr-public';
import { ShipError } from '../../errors.js';
import { importOptional, type ModuleImporter } from './optional-import.js';

export interface EcrLoginOptions {
  host: string;
  public: boolean;
  region?: string | undefined;
  /** Another endpoint for the ECR API (VPC endpoints, tests). */
  endpoint?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** True when the caller passed `env`: credentials then come from it, not from the process. */
  explicitEnv: boolean;
  importer?: ModuleImporter | undefined;
  signal?: AbortSignal | undefined;
}

export interface CloudCredentials {
  username: string;
  password: string;
  expiresAt?: Date;
}

/** Pure: ECR's `authorizationToken` is base64 of `AWS:<password>`. */
export function decodeEcrToken(token: string): { username: string; password: string } {
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0)
    throw new ShipError('LOGIN_FAILED', 'ECR returned an authorization token that is not user:password; check the ECR endpoint.');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function staticCredentials(env: NodeJS.ProcessEnv) {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

/**
 * `GetAuthorizationToken` through the AWS SDK with its default credential chain (env, shared
 * profile, web identity as GitHub's OIDC gives it, instance roles), decoded to `AWS:<password>`.
 * ECR Public has its own client and always lives in us-east-1.
 */
export async function ecrCredentials(options: EcrLoginOptions): Promise<CloudCredentials> {
  const region = options.public ? 'us-east-1' : (options.region ?? options.env.AWS_REGION ?? options.env.AWS_DEFAULT_REGION);
  if (!region) {
    throw new ShipError(
      'LOGIN_FAILED',
      `No AWS region is known for ${options.host}; set AWS_REGION or use the registry's full host name.`,
    );
  }
  const credentials = options.explicitEnv ? staticCredentials(options.env) : undefined;
  const config = { region, ...(options.endpoint ? { endpoint: options.endpoint } : {}), ...(credentials ? { credentials } : {}) };
  const abort = options.signal ? { abortSignal: options.signal } : {};
  try {
    if (options.public) {
      const sdk = await importOptional<typeof EcrPublicModule>(
        '@aws-sdk/client-ecr-public',
        'Logging in to ECR Public',
        options.importer,
      );
      const client = new sdk.ECRPUBLICClient(config);
      try {
        const answer = await client.send(new sdk.GetAuthorizationTokenCommand({}), abort);
        const data = answer.authorizationData;
        if (!data?.authorizationToken)
          throw new ShipError('LOGIN_FAILED', 'ECR Public returned no authorization token; check the AWS credentials.');
        return { ...decodeEcrToken(data.authorizationToken), ...(data.expiresAt ? { expiresAt: new Date(data.expiresAt) } : {}) };
      } finally {
        client.destroy();
      }
    }
    const sdk = await importOptional<typeof EcrModule>('@aws-sdk/client-ecr', 'Logging in to Amazon ECR', options.importer);
    const client = new sdk.ECRClient(config);
    try {
      const answer = await client.send(new sdk.GetAuthorizationTokenCommand({}), abort);
      const data = answer.authorizationData?.[0];
      if (!data?.authorizationToken)
        throw new ShipError(
          'LOGIN_FAILED',
          `ECR returned no authorization token for ${options.host}; check the AWS credentials.`,
        );
      return { ...decodeEcrToken(data.authorizationToken), ...(data.expiresAt ? { expiresAt: new Date(data.expiresAt) } : {}) };
    } finally {
      client.destroy();
    }
  } catch (error) {
    if (error instanceof ShipError) throw error;
    const name = (error as Error).name;
    const detail = (error as Error).message?.replace(/\.$/, '') ?? String(error);
    throw new ShipError(
      'LOGIN_FAILED',
      name === 'CredentialsProviderError'
        ? `No AWS credentials were found for ${options.host} (${detail}); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or a web identity role (GitHub OIDC).`
        : `ECR refused to hand out a token for ${options.host} (${name}: ${detail}); check the AWS credentials and their ecr:GetAuthorizationToken permission.`,
      { cause: error },
    );
  }
}
