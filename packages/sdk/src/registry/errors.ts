import { AbortedError, RegistryError, ShipError, type ShipErrorCode } from '../errors.js';
import type { RetryDecision } from '../retry.js';

/** One entry of the distribution spec's error body: `{"errors":[{"code","message","detail"}]}`. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
}

/** A registry answered with an error status; keeps what a retry needs (`retryAfterMs`). */
export class RegistryHttpError extends RegistryError {
  readonly retryAfterMs: number | undefined;
  readonly errors: RegistryErrorEntry[];
  constructor(
    message: string,
    details: {
      code: ShipErrorCode;
      status: number;
      reason?: string | undefined;
      retryAfterMs?: number | undefined;
      errors?: RegistryErrorEntry[] | undefined;
    },
  ) {
    super(message, details);
    this.retryAfterMs = details.retryAfterMs;
    this.errors = details.errors ?? [];
  }
}

/** Pure: the `errors` array of a registry error body, or none when the body is not one. */
export function parseErrorBody(body: string): RegistryErrorEntry[] {
  try {
    const parsed = JSON.parse(body) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    if (!Array.isArray(parsed.errors)) return [];
    return parsed.errors.map((entry) => ({ code: String(entry.code ?? 'UNKNOWN'), message: String(entry.message ?? '') }));
  } catch {
    return [];
  }
}

/** Pure: `Retry-After` in seconds or as an HTTP date, in milliseconds from `now`. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface ResponseErrorContext {
  registry: string;
  method: string;
  /** What was asked for, for the message: `localhost:5001/app:1.0` or `localhost:5001/app`. */
  subject: string;
  status: number;
  body: string;
  retryAfter?: string | undefined;
  now: number;
}

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/** Pure: the one-sentence error for a registry's error answer, with its own code and message. */
export function registryErrorFromResponse(context: ResponseErrorContext): RegistryHttpError {
  const errors = parseErrorBody(context.body);
  const first = errors[0];
  const reason = first?.code ?? (context.status === 401 ? 'UNAUTHORIZED' : context.status === 403 ? 'DENIED' : undefined);
  const said = first ? ` (${first.code}: ${first.message})` : reason ? ` (${reason})` : '';
  const retryAfterMs = parseRetryAfter(context.retryAfter, context.now);
  const base = { status: context.status, errors, reason, retryAfterMs };
  if (context.status === 401 || reason === 'UNAUTHORIZED') {
    return new RegistryHttpError(
      `The registry ${context.registry} refused the credentials for ${context.subject}${said}; run 'ship login ${context.registry}' or pass valid credentials.`,
      { ...base, code: 'REGISTRY_UNAUTHORIZED' },
    );
  }
  if (context.status === 403 || reason === 'DENIED') {
    return new RegistryHttpError(
      `The registry ${context.registry} denied access to ${context.subject}${said}; check that the account may ${context.method === 'GET' || context.method === 'HEAD' ? 'pull' : 'push'} there.`,
      { ...base, code: 'REGISTRY_DENIED' },
    );
  }
  if (reason === 'NAME_UNKNOWN') {
    return new RegistryHttpError(
      `The repository ${context.subject} does not exist in ${context.registry}${said}; check the image name.`,
      {
        ...base,
        code: 'REGISTRY_NAME_UNKNOWN',
      },
    );
  }
  if (reason === 'MANIFEST_UNKNOWN' || (context.status === 404 && context.method !== 'PUT')) {
    return new RegistryHttpError(
      `The image ${context.subject} was not found in ${context.registry}${said}; check the tag or push it first.`,
      {
        ...base,
        code: 'IMAGE_NOT_FOUND',
      },
    );
  }
  const fix = TRANSIENT_STATUS.has(context.status) ? 'retry later' : 'check the request and the registry';
  return new RegistryHttpError(
    `The registry ${context.registry} answered ${context.status} to ${context.method} ${context.subject}${said}; ${fix}.`,
    { ...base, code: 'REGISTRY_ERROR' },
  );
}

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
]);

const TRANSIENT_REGISTRY_CODES = new Set(['BLOB_UPLOAD_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'TOOMANYREQUESTS', 'UNAVAILABLE']);

/**
 * What the engine's push and pull streams say for the same transient failures (its errors are
 * text). The only list of them: `pushImage` and `pullImage` retry by it too.
 */
const TRANSIENT_MESSAGES: Array<[RegExp, string]> = [
  [/connection reset|ECONNRESET|socket hang up/i, 'connection reset'],
  [/unexpected EOF|\bEOF\b|other side closed|connection closed|broken pipe/i, 'connection closed early'],
  [/blob upload unknown/i, 'blob upload unknown'],
  [/blob upload invalid/i, 'blob upload invalid'],
  [/toomanyrequests|too many requests|\b429\b/i, 'HTTP 429 too many requests'],
  [
    /\b(500|502|503|504)\b.*(Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)|\b(Internal Server Error|Bad Gateway|Service Unavailable|Gateway Time-?out)\b/i,
    'server error',
  ],
  [/i\/o timeout|TLS handshake timeout|request timeout|\b408\b/i, 'timeout'],
];

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

/**
 * Transient or not: connection resets, early EOF, 408, 429 (with its Retry-After), 5xx gateway
 * answers, `BLOB_UPLOAD_UNKNOWN` and `BLOB_UPLOAD_INVALID` (the whole upload starts again) retry; 401, 403 `DENIED`, `NAME_UNKNOWN` and everything else
 * fail at once. Works on our `RegistryError`s, undici's network errors and the engine's push
 * stream messages: the one place that decides what is transient, for registry HTTP and engine
 * pushes and pulls alike.
 */
export function classifyRegistryError(error: unknown): RetryDecision {
  if (error instanceof AbortedError) return { retry: false };
  if (error instanceof ShipError && error.code === 'REGISTRY_TLS') return { retry: false };
  if (error instanceof RegistryError) {
    if (error.code === 'REGISTRY_UNAUTHORIZED' || error.code === 'REGISTRY_DENIED' || error.code === 'REGISTRY_NAME_UNKNOWN') {
      return { retry: false };
    }
    const retryAfterMs = error instanceof RegistryHttpError ? error.retryAfterMs : undefined;
    const after = retryAfterMs === undefined ? {} : { retryAfterMs };
    if (error.status !== undefined && TRANSIENT_STATUS.has(error.status))
      return { retry: true, reason: `HTTP ${error.status}${error.reason ? ` ${error.reason}` : ''}`, ...after };
    if (error.reason !== undefined && TRANSIENT_REGISTRY_CODES.has(error.reason))
      return { retry: true, reason: error.reason, ...after };
  }
  for (const code of errorCodes(error)) {
    if (TRANSIENT_NETWORK_CODES.has(code))
      return { retry: true, reason: code === 'UND_ERR_SOCKET' ? 'connection closed early' : code };
  }
  if (error instanceof RegistryError) return { retry: false };
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  if (/\b(401|403)\b|unauthorized|denied|name unknown|NAME_UNKNOWN/i.test(message)) return { retry: false };
  for (const [pattern, reason] of TRANSIENT_MESSAGES) {
    if (pattern.test(message)) return { retry: true, reason };
  }
  return { retry: false };
}

const TLS_VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The TLS verification failure in an error's chain, if that is what it is. */
export function tlsVerificationFailure(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_VERIFY_CODES.has(code)) return (current as Error).message || code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A plain-HTTP server answered a TLS handshake: OpenSSL's "wrong version number" and kin. */
export function isPlainHttpAnswer(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    const message = current instanceof Error ? current.message : '';
    if (
      code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
      code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' ||
      /wrong version number|packet length too long|http request/i.test(message)
    ) {
      return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
