import { LABELS } from '../cleanup/labels.js';
import type { EngineOptions } from '../engine/client.js';
import { listContainersUsingImage } from '../engine/containers.js';
import { inspectImage, removeImage } from '../engine/images.js';
import { InvalidInputError, ShipError } from '../errors.js';

/**
 * Removes an image ship built (`docker rmi` for ship's images): one of several tags is untagged,
 * and the image goes with its last reference. Like docker, it refuses to remove the image while
 * any container, running or stopped, still uses it.
 */
export async function removeShipImage(o: EngineOptions & { image: string }): Promise<{ image: string; id: string }> {
  const info = await inspectImage(o.image, o);
  if (!info) throw new ShipError('IMAGE_NOT_FOUND', `The engine has no image '${o.image}'; see docker images for the names.`);
  if (info.labels[LABELS.managed] !== 'true') {
    throw new InvalidInputError(
      `The image '${o.image}' was not built by ship release, so ship leaves it alone; remove it with docker rmi.`,
    );
  }
  // Like docker: one of several tags is only untagged; the image itself stays for its containers.
  const untagOnly = info.repoTags.length > 1 && info.repoTags.includes(o.image);
  const user = untagOnly ? undefined : (await listContainersUsingImage(info.id, o))[0];
  const service = user?.labels['com.docker.swarm.service.name'];
  if (user && service) {
    throw new ShipError(
      'IMAGE_IN_USE',
      `The image '${o.image}' is used by a task of the Swarm service '${service}'; remove the service first (ship undeploy ${service}).`,
    );
  }
  if (user) {
    throw new ShipError(
      'IMAGE_IN_USE',
      `The image '${o.image}' is used by the container '${user.name}' (${user.state}); remove the container first (ship stop ${user.name}).`,
    );
  }
  await removeImage(o.image, o);
  return { image: o.image, id: info.id };
}
