import { randomBytes } from 'node:crypto';
import { RegistryClient, type RegistryClientOptions, sha256Digest } from '../client.js';
import { MEDIA_TYPES } from '../media-types.js';
import { parseRepositoryRef } from '../reference.js';

export interface SyntheticImage {
  ref: string;
  digest: string;
  mediaType: string;
  /** Blob bytes in all (config and layers, of every platform). */
  blobBytes: number;
}

/**
 * Pushes an image made of random blobs straight through the registry API, no engine:
 * a Docker or OCI image manifest, or an index of two platform manifests. For tests of the
 * registry code; the registry does not look inside layers, so random bytes are layers enough.
 */
export async function pushSyntheticImage(
  ref: string,
  options: RegistryClientOptions & { layerSizes?: number[]; format?: 'docker' | 'oci' | 'oci-index' | 'docker-list' } = {},
): Promise<SyntheticImage> {
  const repo = parseRepositoryRef(ref);
  const tag = repo.tag ?? 'latest';
  const client = new RegistryClient(repo.registry, options);
  const format = options.format ?? 'docker';
  const oci = format === 'oci' || format === 'oci-index';
  let blobBytes = 0;
  const pushBlob = async (bytes: Buffer, mediaType: string) => {
    const digest = sha256Digest(bytes);
    await client.ensureBlob(repo.name, { digest, size: bytes.length }, async () => bytes);
    blobBytes += bytes.length;
    return { mediaType, digest, size: bytes.length };
  };
  const pushImageManifest = async (platform: { architecture: string; os: string }, reference?: string) => {
    const config = Buffer.from(
      JSON.stringify({
        ...platform,
        config: {},
        rootfs: { type: 'layers', diff_ids: [] },
        nonce: randomBytes(8).toString('hex'),
      }),
    );
    const configDescriptor = await pushBlob(
      config,
      oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json',
    );
    const layers = [];
    for (const size of options.layerSizes ?? [4096, 65536]) {
      layers.push(
        await pushBlob(
          randomBytes(size),
          oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip',
        ),
      );
    }
    const mediaType = oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: configDescriptor, layers }, null, 3));
    const digest = sha256Digest(bytes);
    await client.putManifest(repo.name, reference ?? digest, { bytes, mediaType });
    return { mediaType, digest, size: bytes.length, platform };
  };
  try {
    if (format === 'docker' || format === 'oci') {
      const manifest = await pushImageManifest({ architecture: 'amd64', os: 'linux' }, tag);
      return { ref: `${repo.registry}/${repo.name}:${tag}`, digest: manifest.digest, mediaType: manifest.mediaType, blobBytes };
    }
    const children = [
      await pushImageManifest({ architecture: 'amd64', os: 'linux' }),
      await pushImageManifest({ architecture: 'arm64', os: 'linux' }),
    ];
    const mediaType = format === 'oci-index' ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.dockerManifestList;
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: children }));
    await client.putManifest(repo.name, tag, { bytes, mediaType });
    return { ref: `${repo.registry}/${repo.name}:${tag}`, digest: sha256Digest(bytes), mediaType, blobBytes };
  } finally {
    await client.close();
  }
}
