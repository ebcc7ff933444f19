/** The manifest media types a registry may answer with, and how to read what they point at. */
export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifestList,
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.dockerManifest,
];

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  urls?: string[];
}

export interface ManifestContent {
  /** Index or manifest list: the platform manifests it lists. */
  manifests: Descriptor[];
  /** Image manifest: config first, then layers (foreign layers with `urls` left out). */
  blobs: Descriptor[];
}

function isDescriptor(value: unknown): value is Descriptor {
  const d = value as Descriptor;
  return typeof d === 'object' && d !== null && typeof d.digest === 'string' && typeof d.size === 'number';
}

/** Pure: what a manifest refers to, whatever its media type says (OCI allows it to be absent). */
export function manifestContent(bytes: Buffer | string): ManifestContent {
  const parsed = JSON.parse(bytes.toString()) as { manifests?: unknown[]; config?: unknown; layers?: unknown[] };
  const manifests = (parsed.manifests ?? []).filter(isDescriptor);
  const blobs = [parsed.config, ...(parsed.layers ?? [])]
    .filter(isDescriptor)
    .filter((descriptor) => !(descriptor.urls && descriptor.urls.length > 0));
  return { manifests, blobs };
}

export function isIndexMediaType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerManifestList;
}
