import { normalizeRegistry } from '../../image-ref.js';

export type RegistryProvider = 'dockerhub' | 'ghcr' | 'ecr' | 'ecr-public' | 'acr' | 'gar' | 'gcr' | 'generic';

const ECR = /^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|on\.aws)$/;

function hostname(host: string): string {
  return normalizeRegistry(host).replace(/\/.*$/, '').replace(/:\d+$/, '');
}

/** Pure: which login dance a registry host needs, from its name alone. */
export function detectProvider(host: string): RegistryProvider {
  const name = hostname(host);
  if (name === '' || name === 'docker.io') return 'dockerhub';
  if (name === 'ghcr.io') return 'ghcr';
  if (ECR.test(name)) return 'ecr';
  if (name === 'public.ecr.aws') return 'ecr-public';
  if (/\.azurecr\.(?:io|cn|us)$/.test(name)) return 'acr';
  if (/^[a-z0-9-]+-docker\.pkg\.dev$/.test(name)) return 'gar';
  if (name === 'gcr.io' || name.endsWith('.gcr.io')) return 'gcr';
  return 'generic';
}

/** Pure: the AWS account and region in an ECR host, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
export function parseEcrHost(host: string): { accountId: string; region: string } | undefined {
  const match = ECR.exec(hostname(host));
  return match?.[1] && match[2] ? { accountId: match[1], region: match[2] } : undefined;
}
