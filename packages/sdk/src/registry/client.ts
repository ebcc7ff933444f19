import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Agent, Dispatcher } from 'undici';
import { type Clock, systemClock } from '../clock.js';
import { AbortedError, RegistryError, ShipError } from '../errors.js';
import { normalizeRegistry, registryApiHost } from '../image-ref.js';
import type { ProgressListener, ProgressPhase } from '../progress.js';
import { type RetryOptions, withRetry } from '../retry.js';
import { loadUndici } from '../undici.js';
import { type AuthChallenge, parseChallenges, repositoryScope } from './challenge.js';
import { basicAuthorization, hasPassword, type RegistryAuth } from './credentials.js';
import { classifyRegistryError, isPlainHttpAnswer, registryErrorFromResponse, tlsVerificationFailure } from './errors.js';
import { MANIFEST_ACCEPT } from './media-types.js';
import { isLoopbackHost, resolveTlsTrust, type TlsOptions } from './tls.js';

/** How to reach one registry: credentials, trust, retries, and where progress goes. */
export interface RegistryClientOptions extends TlsOptions {
  auth?: RegistryAuth | undefined;
  /** Plain HTTP for this registry (never implied, except for loopback hosts, as the engine does). */
  insecure?: boolean | undefined;
  clock?: Clock | undefined;
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs' | 'random'> | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
  /** The phase retry events are reported under. */
  phase?: ProgressPhase | undefined;
  /** Blobs larger than this are uploaded in chunks (PATCH ... PUT); default 64 MiB. */
  chunkSize?: number | undefined;
}

export interface Manifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

/** Reads (a range of) a blob; called again on a retry, so it must start afresh each time. */
export type BlobSource = (range?: { start: number; end: number }) => Promise<Readable | Buffer>;

interface SendRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** A `/v2/...` path or an absolute URL (upload locations may be either). */
  path: string;
  scopes: string[];
  /** For messages: `localhost:5001/app:1.0`. */
  subject: string;
  expect: number[];
  headers?: Record<string, string>;
  body?: Buffer | string | Readable;
  /** A streamed body cannot be sent twice; the caller retries the whole operation instead. */
  retry?: boolean;
}

type Response = Dispatcher.ResponseData;

interface CachedToken {
  token: string;
  expiresAt: number;
}

const DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024;
const TOKEN_SLACK_MS = 10_000;
const USER_AGENT = 'container-ship';

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function header(response: Response, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A Docker Registry HTTP API v2 / OCI distribution client for one registry: the only code that
 * speaks HTTP to registries. Handles scheme and TLS trust, Basic and Bearer challenges (token
 * per scope, cached), retries of transient failures, and counts requests and uploaded bytes.
 */
export class RegistryClient {
  readonly registry: string;
  readonly host: string;
  /** HTTP requests sent, token requests and retries included. */
  requests = 0;
  /** Blob bytes the registry accepted from this client. */
  bytesUploaded = 0;

  private readonly options: RegistryClientOptions;
  private readonly clock: Clock;
  private dispatcher: Agent | undefined;
  private baseUrl: string | undefined;
  private challenge: AuthChallenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private connecting: Promise<void> | undefined;

  constructor(registry: string, options: RegistryClientOptions = {}) {
    this.registry = normalizeRegistry(registry);
    this.host = registryApiHost(registry);
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  async close(): Promise<void> {
    await this.dispatcher?.close();
    this.dispatcher = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** `GET /v2/`: picks the scheme, checks TLS, and learns how the registry wants to be authenticated. */
  async ping(): Promise<{ auth: 'none' | 'basic' | 'bearer'; status: number }> {
    await this.connect();
    return { auth: this.challenge?.scheme ?? 'none', status: 200 };
  }

  /** Checks the credentials: a token (Bearer) or `/v2/` itself (Basic) must accept them. */
  async verifyCredentials(scopes: string[] = []): Promise<void> {
    await this.connect();
    if (!this.challenge) return;
    await this.send({ method: 'GET', path: '/v2/', scopes, subject: `${this.registry}/v2/`, expect: [200] });
  }

  async getManifest(name: string, reference: string): Promise<Manifest> {
    const subject = this.subject(name, reference);
    const response = await this.send({
      method: 'GET',
      path: `/v2/${name}/manifests/${reference}`,
      scopes: [repositoryScope(name, ['pull'])],
      subject,
      expect: [200],
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    const digest = sha256Digest(bytes);
    if (reference.includes(':') && reference !== digest) {
      throw new RegistryError(
        `The registry ${this.registry} sent a manifest for ${subject} whose digest is ${digest}; the registry is corrupt or a proxy altered it.`,
      );
    }
    const mediaType =
      header(response, 'content-type')?.split(';')[0]?.trim() ||
      (JSON.parse(bytes.toString()) as { mediaType?: string }).mediaType;
    if (!mediaType)
      throw new RegistryError(
        `The registry ${this.registry} sent the manifest of ${subject} without a media type; it is not a manifest this tool can copy.`,
      );
    return { bytes, mediaType, digest };
  }

  /** The manifest's digest without its body, or undefined when the reference does not exist. */
  async headManifest(name: string, reference: string): Promise<{ digest: string; mediaType: string } | undefined> {
    const response = await this.send({
      method: 'HEAD',
      path: `/v2/${name}/manifests/${reference}`,
      scopes: [repositoryScope(name, ['pull'])],
      subject: this.subject(name, reference),
      expect: [200, 404],
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
    });
    await response.body.dump();
    if (response.statusCode === 404) return undefined;
    return { digest: header(response, 'docker-content-digest') ?? '', mediaType: header(response, 'content-type') ?? '' };
  }

  /** PUTs the exact bytes under a tag or digest; returns the digest the registry stored. */
  async putManifest(name: string, reference: string, manifest: Pick<Manifest, 'bytes' | 'mediaType'>): Promise<string> {
    const response = await this.send({
      method: 'PUT',
      path: `/v2/${name}/manifests/${reference}`,
      scopes: [repositoryScope(name, ['pull', 'push'])],
      subject: this.subject(name, reference),
      expect: [201, 200],
      headers: { 'content-type': manifest.mediaType },
      body: manifest.bytes,
    });
    await response.body.dump();
    return header(response, 'docker-content-digest') ?? sha256Digest(manifest.bytes);
  }

  async blobExists(name: string, digest: string): Promise<boolean> {
    const response = await this.send({
      method: 'HEAD',
      path: `/v2/${name}/blobs/${digest}`,
      scopes: [repositoryScope(name, ['pull'])],
      subject: `${this.registry}/${name} blob ${digest}`,
      expect: [200, 404],
    });
    await response.body.dump();
    return response.statusCode === 200;
  }

  /** Streams a blob (or a byte range of it), following the registry's redirect to storage. */
  async getBlob(name: string, digest: string, range?: { start: number; end: number }): Promise<Readable> {
    const subject = `${this.registry}/${name} blob ${digest}`;
    const headers: Record<string, string> = range ? { range: `bytes=${range.start}-${range.end}` } : {};
    const response = await this.send({
      method: 'GET',
      path: `/v2/${name}/blobs/${digest}`,
      scopes: [repositoryScope(name, ['pull'])],
      subject,
      expect: [200, 206, 301, 302, 303, 307, 308],
      headers,
    });
    const location = header(response, 'location');
    if (response.statusCode < 300 || !location) return response.body;
    await response.body.dump();
    // Storage URLs are pre-signed: no registry credentials go there.
    this.requests++;
    const { request, getGlobalDispatcher } = await loadUndici();
    const redirected = await request(new URL(location, this.baseUrl), {
      method: 'GET',
      headers: { ...headers, 'user-agent': USER_AGENT },
      dispatcher: this.dispatcher ?? getGlobalDispatcher(),
      signal: this.options.signal,
    });
    if (redirected.statusCode !== 200 && redirected.statusCode !== 206) {
      const body = await redirected.body.text();
      throw registryErrorFromResponse({
        registry: this.registry,
        method: 'GET',
        subject,
        status: redirected.statusCode,
        body,
        now: this.clock.now(),
      });
    }
    return redirected.body;
  }

  /**
   * Makes a blob exist in `name`: mounted from `mountFrom` (same registry) when the registry
   * allows, else uploaded from `source` (monolithic, or chunked above `chunkSize`). A retry
   * first HEADs the blob, since a failed attempt may have completed on the registry's side.
   * Returns how it got there.
   */
  async ensureBlob(
    name: string,
    blob: { digest: string; size: number },
    source: BlobSource,
    options: { mountFrom?: string | undefined } = {},
  ): Promise<'exists' | 'mounted' | 'uploaded'> {
    return withRetry(
      async (attempt) => {
        if (attempt > 1 && (await this.blobExists(name, blob.digest))) return 'exists';
        const query = options.mountFrom
          ? `?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(options.mountFrom)}`
          : '';
        const scopes = [repositoryScope(name, ['pull', 'push'])];
        if (options.mountFrom) scopes.push(repositoryScope(options.mountFrom, ['pull']));
        const started = await this.send({
          method: 'POST',
          path: `/v2/${name}/blobs/uploads/${query}`,
          scopes,
          subject: `${this.registry}/${name} blob ${blob.digest}`,
          expect: [201, 202],
          headers: { 'content-length': '0' },
        });
        await started.body.dump();
        if (started.statusCode === 201) return 'mounted';
        const location = header(started, 'location');
        if (!location)
          throw new RegistryError(
            `The registry ${this.registry} started an upload without a Location header; it does not follow the distribution API.`,
          );
        await this.upload(name, blob, source, location);
        return 'uploaded';
      },
      this.retryOptions(`the upload of ${this.registry}/${name} blob ${blob.digest.slice(0, 19)}`),
    );
  }

  private async upload(
    name: string,
    blob: { digest: string; size: number },
    source: BlobSource,
    startLocation: string,
  ): Promise<void> {
    const chunkSize = this.options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    const subject = `${this.registry}/${name} blob ${blob.digest}`;
    const scopes = [repositoryScope(name, ['pull', 'push'])];
    let location = startLocation;
    if (blob.size > chunkSize) {
      for (let start = 0; start < blob.size; start += chunkSize) {
        const end = Math.min(blob.size, start + chunkSize) - 1;
        const body = await source({ start, end });
        const patched = await this.send({
          method: 'PATCH',
          path: location,
          scopes,
          subject,
          expect: [202],
          retry: false,
          headers: {
            'content-type': 'application/octet-stream',
            'content-range': `${start}-${end}`,
            'content-length': String(end - start + 1),
          },
          body,
        }).catch((error: unknown) => {
          destroy(body);
          throw error;
        });
        await patched.body.dump();
        this.bytesUploaded += end - start + 1;
        location = header(patched, 'location') ?? location;
      }
      await this.closeUpload(location, blob, scopes, subject);
      return;
    }
    await this.closeUpload(location, blob, scopes, subject, await source());
    this.bytesUploaded += blob.size;
  }

  /** `PUT <location>?digest=` ends an upload; it carries the blob when it was not sent in chunks. */
  private async closeUpload(
    location: string,
    blob: { digest: string; size: number },
    scopes: string[],
    subject: string,
    body?: Readable | Buffer,
  ): Promise<void> {
    const done = await this.send({
      method: 'PUT',
      path: withQuery(location, 'digest', blob.digest),
      scopes,
      subject,
      expect: [201],
      retry: false,
      ...(body === undefined
        ? { headers: { 'content-length': '0' } }
        : { headers: { 'content-type': 'application/octet-stream', 'content-length': String(blob.size) }, body }),
    }).catch((error: unknown) => {
      if (body !== undefined) destroy(body);
      throw error;
    });
    await done.body.dump();
  }

  /** Every tag of a repository, following `Link: <...>; rel="next"` pages. */
  async listTags(name: string, pageSize = 1000): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${name}/tags/list?n=${pageSize}`;
    for (let page = 0; path !== undefined && page < 10_000; page++) {
      const response: Response = await this.send({
        method: 'GET',
        path,
        scopes: [repositoryScope(name, ['pull'])],
        subject: `${this.registry}/${name}`,
        expect: [200],
      });
      const body = (await response.body.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      path = nextLink(header(response, 'link'));
    }
    return tags;
  }

  private subject(name: string, reference?: string): string {
    if (reference === undefined) return `${this.registry}/${name}`;
    return reference.includes(':') ? `${this.registry}/${name}@${reference}` : `${this.registry}/${name}:${reference}`;
  }

  /** Retry settings; each retry is one `retry` event naming what failed and what is retried. */
  private retryOptions(what: string): RetryOptions {
    const phase = this.options.phase ?? 'push';
    return {
      ...this.options.retry,
      classify: classifyRegistryError,
      clock: this.clock,
      signal: this.options.signal,
      onRetry: ({ attempt, delayMs, reason }) =>
        this.options.onProgress?.({ type: 'retry', phase, attempt, delayMs, reason: `${reason} on ${what}` }),
    };
  }

  private async connect(): Promise<void> {
    this.connecting ??= this.establish().catch((error: unknown) => {
      this.connecting = undefined;
      throw error;
    });
    return this.connecting;
  }

  private async establish(): Promise<void> {
    const trust = await resolveTlsTrust(this.host, this.options);
    const { Agent, request, getGlobalDispatcher } = await loadUndici();
    this.dispatcher ??= new Agent({
      connect: {
        ...(trust.ca ? { ca: trust.ca } : {}),
        ...(trust.cert && trust.key ? { cert: trust.cert, key: trust.key } : {}),
      },
    });
    const schemes: Array<'https' | 'http'> = this.options.insecure
      ? ['http']
      : isLoopbackHost(this.host) && !trust.ca
        ? ['https', 'http']
        : ['https'];
    const ping = await withRetry(
      async () => {
        let lastError: unknown;
        for (const scheme of schemes) {
          const baseUrl = `${scheme}://${this.host}`;
          try {
            this.requests++;
            const response = await request(`${baseUrl}/v2/`, {
              method: 'GET',
              headers: { 'user-agent': USER_AGENT },
              dispatcher: this.dispatcher ?? getGlobalDispatcher(),
              signal: this.options.signal,
            });
            return { baseUrl, response };
          } catch (error) {
            lastError = error;
            if (this.options.signal?.aborted) throw new AbortedError(undefined, { cause: error });
            const tls = tlsVerificationFailure(error);
            if (tls !== undefined) {
              throw new ShipError(
                'REGISTRY_TLS',
                trust.source
                  ? `The TLS certificate of ${this.host} could not be verified with the CA from ${trust.source} (${tls}); pass the CA that signed it with --ca-cert.`
                  : `The TLS certificate of ${this.host} could not be verified (${tls}); pass the registry's CA with --ca-cert <file> or put it in ${this.options.certsDir ?? '/etc/docker/certs.d'}/${this.host}/ca.crt.`,
                { cause: error },
              );
            }
            if (!isPlainHttpAnswer(error) || scheme === 'http') break;
          }
        }
        if (isPlainHttpAnswer(lastError)) {
          throw new ShipError(
            'REGISTRY_TLS',
            `The registry ${this.host} answers plain HTTP, not HTTPS; pass --insecure if you trust this registry over plain HTTP.`,
            {
              cause: lastError,
            },
          );
        }
        throw this.networkError(lastError, `${this.host}/v2/`);
      },
      this.retryOptions(`GET ${this.host}/v2/`),
    );
    this.baseUrl = ping.baseUrl;
    const body = await ping.response.body.text();
    if (ping.response.statusCode === 401) {
      const challenges = parseChallenges(ping.response.headers['www-authenticate']);
      this.challenge = challenges.find((c) => c.scheme === 'bearer') ??
        challenges.find((c) => c.scheme === 'basic') ?? { scheme: 'basic', params: {} };
    } else if (ping.response.statusCode !== 200) {
      throw registryErrorFromResponse({
        registry: this.registry,
        method: 'GET',
        subject: `${this.registry}/v2/`,
        status: ping.response.statusCode,
        body,
        now: this.clock.now(),
      });
    }
  }

  /** One sentence for a failed connection; the network error stays the cause, so the classifier still sees a reset as a reset. */
  private networkError(error: unknown, subject: string): unknown {
    if (error instanceof ShipError) return error;
    const detail = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '') || 'no detail';
    return new RegistryError(
      classifyRegistryError(error).retry
        ? `The connection to ${this.host} failed while requesting ${subject} (${detail}); check the network or retry later.`
        : `Could not reach the registry ${this.host} for ${subject} (${detail}); check the address and that the registry is running.`,
      { cause: error },
    );
  }

  private async send(req: SendRequest): Promise<Response> {
    await this.connect();
    const once = () => this.sendOnce(req);
    if (req.retry === false) return once();
    return withRetry(once, this.retryOptions(`${req.method} ${req.subject}`));
  }

  private async sendOnce(req: SendRequest, reauthenticated = false): Promise<Response> {
    const url = new URL(req.path, this.baseUrl);
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...req.headers };
    const authorization = await this.authorization(req.scopes);
    if (authorization) headers.authorization = authorization;
    const { request, getGlobalDispatcher } = await loadUndici();
    let response: Response;
    try {
      this.requests++;
      response = await request(url, {
        method: req.method,
        headers,
        body: req.body ?? null,
        dispatcher: this.dispatcher ?? getGlobalDispatcher(),
        signal: this.options.signal,
      });
    } catch (error) {
      if (this.options.signal?.aborted) throw new AbortedError(undefined, { cause: error });
      throw this.networkError(error, req.subject);
    }
    if (req.expect.includes(response.statusCode)) return response;
    const body = await response.body.text().catch(() => '');
    const replayable = req.body === undefined || typeof req.body === 'string' || Buffer.isBuffer(req.body);
    if (response.statusCode === 401 && !reauthenticated && replayable) {
      const challenges = parseChallenges(response.headers['www-authenticate']);
      const fresh = challenges.find((c) => c.scheme === 'bearer') ?? challenges.find((c) => c.scheme === 'basic');
      if (fresh && (this.challenge === undefined || fresh.scheme !== this.challenge.scheme || fresh.scheme === 'bearer')) {
        const hadToken = this.tokens.delete(scopeKey(req.scopes));
        const changed = this.challenge === undefined || fresh.scheme !== this.challenge.scheme;
        this.challenge = fresh;
        if (changed || hadToken) return this.sendOnce(req, true);
      }
    }
    throw registryErrorFromResponse({
      registry: this.registry,
      method: req.method,
      subject: req.subject,
      status: response.statusCode,
      body,
      retryAfter: header(response, 'retry-after'),
      now: this.clock.now(),
    });
  }

  private async authorization(scopes: string[]): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    const auth = this.options.auth;
    if (challenge.scheme === 'basic') return hasPassword(auth) ? basicAuthorization(auth) : undefined;
    const key = scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > this.clock.now()) return `Bearer ${cached.token}`;
    const token = await this.fetchToken(challenge, scopes);
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  /** The token spec's flow: GET the realm (Basic credentials) or POST a refresh token (OAuth2). */
  private async fetchToken(challenge: AuthChallenge, scopes: string[]): Promise<CachedToken> {
    const realm = challenge.params.realm;
    if (!realm)
      throw new RegistryError(
        `The registry ${this.registry} asked for a Bearer token without naming a realm; it is misconfigured.`,
      );
    const service = challenge.params.service;
    const auth = this.options.auth;
    const realmUrl = new URL(realm);
    const subject = `the token server ${realmUrl.host} for ${this.registry}`;
    const { request, getGlobalDispatcher } = await loadUndici();
    const tokenRequest = async (): Promise<Response> => {
      this.requests++;
      try {
        if (auth && 'identitytoken' in auth) {
          const form = new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: auth.identitytoken,
            client_id: USER_AGENT,
          });
          if (service) form.set('service', service);
          if (scopes.length > 0) form.set('scope', scopes.join(' '));
          return await request(realmUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT },
            body: form.toString(),
            dispatcher: this.dispatcher ?? getGlobalDispatcher(),
            signal: this.options.signal,
          });
        }
        const url = new URL(realmUrl);
        if (service) url.searchParams.set('service', service);
        for (const scope of scopes) url.searchParams.append('scope', scope);
        const headers: Record<string, string> = { 'user-agent': USER_AGENT };
        if (hasPassword(auth)) {
          url.searchParams.set('account', auth.username);
          headers.authorization = basicAuthorization(auth);
        }
        return await request(url, {
          method: 'GET',
          headers,
          dispatcher: this.dispatcher ?? getGlobalDispatcher(),
          signal: this.options.signal,
        });
      } catch (error) {
        if (this.options.signal?.aborted) throw new AbortedError(undefined, { cause: error });
        throw this.networkError(error, subject);
      }
    };
    const response = await withRetry(async () => {
      const answer = await tokenRequest();
      if (answer.statusCode === 200) return answer;
      const body = await answer.body.text().catch(() => '');
      throw registryErrorFromResponse({
        registry: this.registry,
        method: 'GET',
        subject,
        status: answer.statusCode,
        body,
        now: this.clock.now(),
      });
    }, this.retryOptions(subject));
    const body = (await response.body.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`${subject} answered without a token; check the registry's auth configuration.`);
    return { token, expiresAt: this.clock.now() + Math.max(0, (body.expires_in ?? 60) * 1000 - TOKEN_SLACK_MS) };
  }
}

function scopeKey(scopes: string[]): string {
  return [...scopes].sort().join(' ');
}

function destroy(body: Readable | Buffer): void {
  if (!Buffer.isBuffer(body)) body.destroy();
}

function withQuery(location: string, key: string, value: string): string {
  const separator = location.includes('?') ? '&' : '?';
  return `${location}${separator}${key}=${encodeURIComponent(value)}`;
}

/** Pure: the `rel="next"` target of a `Link` header, if any. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(part);
    if (match?.[1]) return match[1];
  }
  return undefined;
}
