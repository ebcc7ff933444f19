import { newRunId, shipLabels } from '../cleanup/labels.js';
import { readImageFile } from '../engine/containers.js';
import { inspectImage } from '../engine/images.js';
import { isShipError } from '../errors.js';
import { type DeployOptions, resolvePinnedImage } from './deploy.js';
import { type ImageUser, type K8sPlan, type K8sPlanInput, planKubernetes } from './k8s-plan.js';

export interface KubernetesManifestOptions
  extends Omit<K8sPlanInput, 'image' | 'name' | 'imageUser'>,
    Pick<DeployOptions, 'auth' | 'authEnv' | 'registry' | 'signal' | 'connection' | 'docker'> {
  /** `registry/name@sha256:...`; a tag is resolved to its digest in the registry first. */
  image: string;
  /** Default: the last part of the image's repository. */
  name?: string | undefined;
}

export interface KubernetesManifests extends K8sPlan {
  image: string;
  digest: string;
}

/**
 * Who the image runs as, read from the engine's copy of it (its USER, and `/etc/passwd` for a
 * named user). An image the engine does not have is not pulled: the plan then warns.
 */
async function readImageUser(refs: string[], o: KubernetesManifestOptions): Promise<ImageUser | undefined> {
  try {
    for (const ref of refs) {
      const info = await inspectImage(ref, o);
      if (!info) continue;
      const user = info.user ?? '';
      const named = user !== '' && !/^\d+(:\d+)?$/.test(user);
      const labels = shipLabels({ runId: newRunId(), purpose: 'inspect' });
      const passwd = named ? await readImageFile(info.id, '/etc/passwd', { ...o, labels }) : undefined;
      return { user, ...(passwd === undefined ? {} : { passwd }) };
    }
  } catch (error) {
    if (!isShipError(error) || error.code !== 'ENGINE_UNAVAILABLE') throw error;
  }
  return undefined;
}

/** Resolves the image to its digest, reads its user, and plans the manifests (nothing is applied anywhere). */
export async function kubernetesManifests(o: KubernetesManifestOptions): Promise<KubernetesManifests> {
  const pinned = await resolvePinnedImage(o.image, o);
  const repository = pinned.image.split('@')[0]?.replace(/:[^/:]+$/, '') ?? '';
  const name = o.name ?? repository.slice(repository.lastIndexOf('/') + 1);
  const imageUser = await readImageUser([pinned.image.replace(/:[^/:@]+@/, '@'), o.image], o);
  const plan = planKubernetes({ ...o, name, image: pinned.image, imageUser });
  const warnings = imageUser
    ? plan.warnings
    : [
        ...plan.warnings,
        `the engine does not have ${o.image}, so the image's user was not read; pull it and run ship k8s again to set runAsUser`,
      ];
  return { ...plan, warnings, image: pinned.image, digest: pinned.digest };
}
