import type { ShipErrorCode } from '../errors.js';

/**
 * What a registry failure reported by the engine means: the registry's error code as a
 * `reason`, the SDK's error code, and whether trying again can help. The engine passes the
 * distribution client's text through (`unauthorized: authentication required`,
 * `blob upload unknown`, `received unexpected HTTP status: 503 Service Unavailable`, ...).
 */
export interface RegistryFailure {
  reason: string;
  code: ShipErrorCode;
  transient: boolean;
}

const RULES: Array<{ pattern: RegExp } & RegistryFailure> = [
  {
    pattern: /unauthorized|authentication required|no basic auth credentials|incorrect username or password/i,
    reason: 'UNAUTHORIZED',
    code: 'REGISTRY_UNAUTHORIZED',
    transient: false,
  },
  { pattern: /denied/i, reason: 'DENIED', code: 'REGISTRY_DENIED', transient: false },
  { pattern: /name unknown|repository name not known/i, reason: 'NAME_UNKNOWN', code: 'REGISTRY_NAME_UNKNOWN', transient: false },
  { pattern: /manifest unknown|not found: manifest/i, reason: 'MANIFEST_UNKNOWN', code: 'IMAGE_NOT_FOUND', transient: false },
  { pattern: /blob upload unknown/i, reason: 'BLOB_UPLOAD_UNKNOWN', code: 'PUSH_FAILED', transient: true },
  { pattern: /blob upload invalid/i, reason: 'BLOB_UPLOAD_INVALID', code: 'PUSH_FAILED', transient: true },
  { pattern: /blob unknown/i, reason: 'BLOB_UNKNOWN', code: 'PUSH_FAILED', transient: false },
  { pattern: /toomanyrequests|too many requests|\b429\b/i, reason: 'TOOMANYREQUESTS', code: 'REGISTRY_ERROR', transient: true },
  {
    pattern:
      /\b(500|502|503|504)\b|internal server error|bad gateway|service unavailable|gateway time-?out|\b408\b|request timeout/i,
    reason: 'UNAVAILABLE',
    code: 'REGISTRY_ERROR',
    transient: true,
  },
  {
    pattern: /connection reset|unexpected EOF|\bEOF\b|broken pipe|i\/o timeout|TLS handshake timeout|connection closed/i,
    reason: 'CONNECTION',
    code: 'REGISTRY_ERROR',
    transient: true,
  },
  {
    pattern: /connection refused|no such host|server misbehaving/i,
    reason: 'UNREACHABLE',
    code: 'REGISTRY_ERROR',
    transient: false,
  },
  {
    pattern: /does not exist locally|no such image|tag does not exist/i,
    reason: 'IMAGE_NOT_FOUND',
    code: 'IMAGE_NOT_FOUND',
    transient: false,
  },
  {
    pattern: /http: server gave HTTP response to HTTPS client|x509|certificate/i,
    reason: 'TLS',
    code: 'REGISTRY_TLS',
    transient: false,
  },
];

/** Pure: the engine's message about a registry failure to its meaning. */
export function classifyRegistryFailure(message: string): RegistryFailure {
  const rule = RULES.find(({ pattern }) => pattern.test(message));
  if (!rule) return { reason: 'UNKNOWN', code: 'PUSH_FAILED', transient: false };
  return { reason: rule.reason, code: rule.code, transient: rule.transient };
}

/** True for the reasons a retry may fix (a reset connection, 5xx, 429, a lost blob upload). */
export function isTransientReason(reason: string | undefined): boolean {
  return reason !== undefined && RULES.some((rule) => rule.reason === reason && rule.transient);
}

/** What to do about a failure, for the end of a one-sentence message. */
export function registryFix(failure: RegistryFailure, registry: string, repository: string): string {
  switch (failure.reason) {
    case 'UNAUTHORIZED':
      return `log in with the right credentials (ship login ${registry}) or pass auth`;
    case 'DENIED':
      return `check that your account may push to ${repository} on ${registry}`;
    case 'NAME_UNKNOWN':
      return `create the repository ${repository} on ${registry} first, or fix the name`;
    case 'MANIFEST_UNKNOWN':
      return 'check the name and tag';
    case 'UNREACHABLE':
      return `check that ${registry} is the right host and that the registry is running`;
    case 'TLS':
      return `give the engine the registry's CA (certs.d) or list ${registry} under insecure-registries`;
    case 'IMAGE_NOT_FOUND':
      return 'build or pull the image first';
    default:
      return failure.transient ? 'try again in a moment' : 'check the registry and try again';
  }
}

/** Removes every occurrence of the given secrets (and their base64 forms) from a text. */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 3) continue;
    for (const form of [secret, Buffer.from(secret).toString('base64')]) result = result.split(form).join('***');
  }
  return result;
}
