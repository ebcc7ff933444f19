import { resolveRegistryAuth } from '../auth/registry-auth.js';
import { InvalidInputError, throwIfAborted } from '../errors.js';
import { formatImageRef, type ImageRef, parseImageRef } from '../image-ref.js';
import { inPhase, type ProgressListener } from '../progress.js';
import type { SkippedTag } from '../tags/plan.js';
import { type BlobSource, type Manifest, RegistryClient, type RegistryClientOptions } from './client.js';
import type { RegistryAuth } from './credentials.js';
import { planTagsInRepository } from './guarded-plan.js';
import { type Descriptor, isIndexMediaType, manifestContent } from './media-types.js';

export interface PromoteOptions extends Omit<RegistryClientOptions, 'auth' | 'phase'> {
  /** The image already in a registry: `registry/name:tag` or `registry/name@sha256:...`. */
  source: string;
  /** New tags: bare (`1.2.3`, put on `destination` or the source's repository) or full references. */
  tags: string[];
  /** Another repository (`registry/name`) to copy the image to; bare tags land there. */
  destination?: string | undefined;
  /** Credentials for the destination (and for the source when it is the same registry). */
  auth?: RegistryAuth | undefined;
  /** Credentials for the source registry when it differs from the destination's. */
  sourceAuth?: RegistryAuth | undefined;
  /**
   * The version shortcut: `v1.2.3` adds `1.2.3`, `1.2`, `1` and `latest` (as `planTags` plans them) to `tags`,
   * except floating tags the destination already has a newer release for (they never move backwards).
   */
  version?: string | undefined;
  /** With `version`: move floating tags even backwards (the destination's tags are not read). */
  force?: boolean | undefined;
  /** For credentials not given: `DOCKER_AUTH_CONFIG` and the docker config, as `resolveRegistryAuth` reads them. */
  env?: NodeJS.ProcessEnv | undefined;
  configDir?: string | undefined;
  /** Blobs copied at the same time. Default 3. */
  concurrency?: number | undefined;
  onProgress?: ProgressListener | undefined;
}

export interface PromoteResult {
  /** The manifest digest, the same in every repository it was put in. */
  digest: string;
  /** The references created, `registry/name:tag`. */
  refs: string[];
  /** Blob bytes uploaded (0 for a promotion within a repository or a complete mount). */
  bytesUploaded: number;
  /** HTTP requests sent, token requests and retries included. */
  requests: number;
  /** Floating tags of `version` left where they were, because moving them would go backwards. */
  skipped: SkippedTag[];
}

/** A repository the promotion writes to. */
type Repository = Pick<ImageRef, 'registry' | 'repository'>;

interface Target {
  repo: Repository;
  tags: string[];
}

/** `registry/name` or `registry/name:tag`, Docker Hub's `docker.io/library/` spelled out. */
function formatRepositoryRef(repo: Repository, tag?: string): string {
  return formatImageRef(
    { registry: repo.registry, repository: repo.repository, ...(tag === undefined ? {} : { tag }) },
    { canonical: true },
  );
}

/** Where bare tags go: `destination` (a repository, no tag or digest), else the source's repository. */
function destinationRepository(source: ImageRef, destination: string | undefined): Repository {
  if (destination === undefined) return { registry: source.registry, repository: source.repository };
  const repo = parseImageRef(destination);
  if (repo.tag !== undefined || repo.digest !== undefined) {
    throw new InvalidInputError(
      `The destination '${destination}' names a tag or digest; pass a repository like registry.example.com/app and the tags with --tag.`,
    );
  }
  return { registry: repo.registry, repository: repo.repository };
}

/** Pure: the repositories and tags a promotion writes, in the order given, duplicates dropped. */
export function planPromotion(source: ImageRef, tags: string[], destination?: string): Target[] {
  if (tags.length === 0) throw new InvalidInputError('No tags to promote to; pass at least one with --tag.');
  const defaultRepo = destinationRepository(source, destination);
  const targets = new Map<string, Target>();
  for (const tag of tags) {
    const ref = tag.includes('/') ? parseImageRef(tag) : parseImageRef(formatRepositoryRef(defaultRepo, tag));
    if (ref.tag === undefined || ref.digest !== undefined) {
      throw new InvalidInputError(
        `The tag '${tag}' names no tag (or a digest); pass tags like 1.2.3 or registry.example.com/app:1.2.3.`,
      );
    }
    const repo = { registry: ref.registry, repository: ref.repository };
    const key = formatRepositoryRef(repo);
    const target = targets.get(key) ?? { repo, tags: [] };
    if (!target.tags.includes(ref.tag)) target.tags.push(ref.tag);
    targets.set(key, target);
  }
  return [...targets.values()];
}

/**
 * Adds tags to an image already in a registry, without an engine. Within the source's
 * repository each tag is one manifest PUT of the exact bytes (same digest, indexes kept).
 * To another repository it first makes every blob exist there, by cross-repository mount on
 * the same registry, else by streaming only the blobs the destination lacks, and only then
 * writes the tags, so a failure leaves no tag pointing at a half-copied image.
 */
export async function promote(options: PromoteOptions): Promise<PromoteResult> {
  const source = parseImageRef(options.source);
  const tags = [...options.tags];
  const emit = options.onProgress;
  // An empty directory name means the default one too.
  const lookup = { env: options.env, ...(options.configDir ? { configDir: options.configDir } : {}) };
  const resolved = new Map<string, Promise<RegistryAuth | undefined>>();
  const configured = (registry: string) => {
    if (!resolved.has(registry)) resolved.set(registry, resolveRegistryAuth(registry, lookup));
    return resolved.get(registry) as Promise<RegistryAuth | undefined>;
  };
  const targetAuth = async (registry: string) =>
    options.auth ?? (registry === source.registry ? options.sourceAuth : undefined) ?? (await configured(registry));
  const connection = connectionOptions(options);
  let skipped: SkippedTag[] = [];
  if (options.version !== undefined) {
    const destination = destinationRepository(source, options.destination);
    const repository = formatRepositoryRef(destination);
    const auth = await targetAuth(destination.registry);
    const plan = await planTagsInRepository(
      { repository, version: options.version, ...(options.force ? { force: true } : {}) },
      { ...connection, phase: 'promote', auth },
    );
    tags.push(...plan.tags);
    skipped = plan.skipped;
    for (const skip of skipped) emit?.({ type: 'info', phase: 'tag', message: `Not moving ${skip.tag}: ${skip.reason}` });
  }
  const targets = planPromotion(source, tags, options.destination);
  // `auth` is the destination's; it serves the source too when both are on one registry.
  const sourceRegistryIsTarget = targets.some((t) => t.repo.registry === source.registry);
  const sourceAuth =
    options.sourceAuth ?? (sourceRegistryIsTarget ? options.auth : undefined) ?? (await configured(source.registry));
  const clients = new Map<string, Map<RegistryAuth | undefined, RegistryClient>>();
  const clientFor = (registry: string, credentials: RegistryAuth | undefined): RegistryClient => {
    const byCredentials = clients.get(registry) ?? new Map<RegistryAuth | undefined, RegistryClient>();
    clients.set(registry, byCredentials);
    let client = byCredentials.get(credentials);
    if (!client) {
      client = new RegistryClient(registry, { ...connection, auth: credentials, phase: 'promote' });
      byCredentials.set(credentials, client);
    }
    return client;
  };
  const sourceClient = clientFor(source.registry, sourceAuth);
  const allClients = () => [...clients.values()].flatMap((byCredentials) => [...byCredentials.values()]);
  try {
    return await inPhase(
      'promote',
      `Promoting ${options.source}`,
      { onProgress: emit, clock: options.clock },
      async () => {
        const reference = source.digest ?? source.tag ?? 'latest';
        const manifest = await sourceClient.getManifest(source.repository, reference);
        const refs: string[] = [];
        for (const target of targets) {
          throwIfAborted(options.signal);
          const client = clientFor(target.repo.registry, await targetAuth(target.repo.registry));
          const sameRepository = target.repo.registry === source.registry && target.repo.repository === source.repository;
          if (!sameRepository) {
            await copyReferenced(manifest, {
              source,
              sourceClient,
              target: target.repo,
              client,
              mountable: target.repo.registry === source.registry,
              concurrency: options.concurrency ?? 3,
              emit,
              signal: options.signal,
            });
          }
          for (const tag of target.tags) {
            throwIfAborted(options.signal);
            await client.putManifest(target.repo.repository, tag, manifest);
            const ref = formatRepositoryRef(target.repo, tag);
            refs.push(ref);
            emit?.({ type: 'info', phase: 'promote', message: `Tagged ${ref} (${manifest.digest})` });
          }
        }
        const all = allClients();
        return {
          digest: manifest.digest,
          refs,
          bytesUploaded: all.reduce((sum, c) => sum + c.bytesUploaded, 0),
          requests: all.reduce((sum, c) => sum + c.requests, 0),
          skipped,
        } satisfies PromoteResult;
      },
      (result) => `Promoted ${result.digest} to ${result.refs.length} tag(s)`,
    );
  } finally {
    await Promise.all(allClients().map((c) => c.close()));
  }
}

function connectionOptions(options: PromoteOptions): Omit<RegistryClientOptions, 'auth' | 'phase'> {
  const { caCert, certsDir, insecure, clock, retry, signal, onProgress, chunkSize } = options;
  return { caCert, certsDir, insecure, clock, retry, signal, onProgress, chunkSize };
}

interface CopyContext {
  source: Repository;
  sourceClient: RegistryClient;
  target: Repository;
  client: RegistryClient;
  mountable: boolean;
  concurrency: number;
  emit?: ProgressListener | undefined;
  signal?: AbortSignal | undefined;
}

/** Makes everything `manifest` refers to exist in the target repository (not the manifest itself). */
async function copyReferenced(manifest: Manifest, context: CopyContext): Promise<void> {
  const content = manifestContent(manifest.bytes);
  if (isIndexMediaType(manifest.mediaType) || content.manifests.length > 0) {
    for (const child of content.manifests) {
      throwIfAborted(context.signal);
      const present = await context.client.headManifest(context.target.repository, child.digest);
      if (present) continue;
      const childManifest = await context.sourceClient.getManifest(context.source.repository, child.digest);
      await copyReferenced(childManifest, context);
      await context.client.putManifest(context.target.repository, child.digest, childManifest);
    }
    return;
  }
  await inPool(content.blobs, context.concurrency, (blob) => copyBlob(blob, context));
}

async function copyBlob(blob: Descriptor, context: CopyContext): Promise<void> {
  throwIfAborted(context.signal);
  const layerId = blob.digest.replace(/^sha256:/, '').slice(0, 12);
  if (await context.client.blobExists(context.target.repository, blob.digest)) {
    context.emit?.({ type: 'layer', phase: 'push', layerId, status: 'Layer already exists', total: blob.size });
    return;
  }
  const read: BlobSource = (range) => context.sourceClient.getBlob(context.source.repository, blob.digest, range);
  const how = await context.client.ensureBlob(
    context.target.repository,
    blob,
    read,
    context.mountable ? { mountFrom: context.source.repository } : {},
  );
  const status =
    how === 'mounted' ? `Mounted from ${context.source.repository}` : how === 'exists' ? 'Layer already exists' : 'Pushed';
  context.emit?.({
    type: 'layer',
    phase: 'push',
    layerId,
    status,
    ...(how === 'uploaded' ? { current: blob.size } : {}),
    total: blob.size,
  });
}

async function inPool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
