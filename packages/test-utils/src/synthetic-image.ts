import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { parseImageRef } from '@container-ship/sdk';
import { RegistryClient, type RegistryClientOptions } from '@container-ship/sdk/registry';

/** Written out, not imported: the SDK keeps its media-type table internal. */
const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

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
  options: RegistryClientOptions & {
    layerSizes?: number[];
    format?: 'docker' | 'oci' | 'oci-index' | 'docker-list';
    /** Real gzipped tar layers and a config with their diff_ids, so an engine can pull and run-free push it. */
    pullable?: boolean;
  } = {},
): Promise<SyntheticImage> {
  const repo = parseImageRef(ref);
  const tag = repo.tag ?? 'latest';
  const client = new RegistryClient(repo.registry, options);
  const format = options.format ?? 'docker';
  const oci = format === 'oci' || format === 'oci-index';
  let blobBytes = 0;
  const pushBlob = async (bytes: Buffer, mediaType: string) => {
    const digest = sha256Digest(bytes);
    await client.ensureBlob(repo.repository, { digest, size: bytes.length }, async () => bytes);
    blobBytes += bytes.length;
    return { mediaType, digest, size: bytes.length };
  };
  const pushImageManifest = async (platform: { architecture: string; os: string }, reference?: string) => {
    const layerMediaType = oci
      ? 'application/vnd.oci.image.layer.v1.tar+gzip'
      : 'application/vnd.docker.image.rootfs.diff.tar.gzip';
    const layers = [];
    const diffIds: string[] = [];
    for (const [index, size] of (options.layerSizes ?? [4096, 65536]).entries()) {
      if (options.pullable) {
        const tar = tarWithFile(`data-${index}.bin`, randomBytes(size));
        diffIds.push(sha256Digest(tar));
        layers.push(await pushBlob(gzipSync(tar), layerMediaType));
      } else {
        layers.push(await pushBlob(randomBytes(size), layerMediaType));
      }
    }
    // The nonce keeps configs (and so manifests) of different synthetic images apart.
    const config = Buffer.from(
      JSON.stringify({
        ...platform,
        config: {},
        rootfs: { type: 'layers', diff_ids: diffIds },
        nonce: randomBytes(8).toString('hex'),
      }),
    );
    const configDescriptor = await pushBlob(
      config,
      oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json',
    );
    const mediaType = oci ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, config: configDescriptor, layers }, null, 3));
    const digest = sha256Digest(bytes);
    await client.putManifest(repo.repository, reference ?? digest, { bytes, mediaType });
    return { mediaType, digest, size: bytes.length, platform };
  };
  try {
    if (format === 'docker' || format === 'oci') {
      const manifest = await pushImageManifest({ architecture: 'amd64', os: 'linux' }, tag);
      return {
        ref: `${repo.registry}/${repo.repository}:${tag}`,
        digest: manifest.digest,
        mediaType: manifest.mediaType,
        blobBytes,
      };
    }
    const children = [
      await pushImageManifest({ architecture: 'amd64', os: 'linux' }),
      await pushImageManifest({ architecture: 'arm64', os: 'linux' }),
    ];
    const mediaType = format === 'oci-index' ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.dockerManifestList;
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: children }));
    await client.putManifest(repo.repository, tag, { bytes, mediaType });
    return { ref: `${repo.registry}/${repo.repository}:${tag}`, digest: sha256Digest(bytes), mediaType, blobBytes };
  } finally {
    await client.close();
  }
}

/** A one-file POSIX tar (ustar), enough for an engine to unpack as a layer. */
function tarWithFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => header.write(text.slice(0, length), offset, length, 'ascii');
  const octal = (value: number, length: number) => `${value.toString(8).padStart(length - 1, '0')}\0`;
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(content.length, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  put(`${checksum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}
