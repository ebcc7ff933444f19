import type { Readable } from 'node:stream';
import { AbortedError, ShipError, throwIfAborted } from '../errors.js';
import { dockerFor } from './client.js';
import { commonEngineError, type EngineCallOptions, engineErrorMessage, engineStatusCode } from './images.js';

/**
 * The image export stream (`GET /images/{name}/get`, what `docker save` reads): a tar with
 * `manifest.json`, the image config and one uncompressed `layer.tar` per layer. The build report
 * walks it to find files that a later layer deletes or overwrites.
 */
export async function exportImage(ref: string, options: EngineCallOptions = {}): Promise<Readable> {
  throwIfAborted(options.signal);
  try {
    const stream = (await (await dockerFor(options)).getImage(ref).get()) as Readable;
    // dockerode's get() takes no signal: destroying the response ends the engine's export.
    const { signal } = options;
    if (signal) {
      const abort = (): void => {
        stream.destroy(new AbortedError(undefined, { cause: signal.reason }));
      };
      signal.addEventListener('abort', abort, { once: true });
      stream.once('close', () => signal.removeEventListener('abort', abort));
    }
    return stream;
  } catch (error) {
    const common = commonEngineError(error, options);
    if (common) throw common;
    if (engineStatusCode(error) === 404) {
      throw new ShipError('IMAGE_NOT_FOUND', `The image '${ref}' is not in the engine; build or pull it first.`, {
        cause: error,
      });
    }
    throw new ShipError('INTERNAL', `The engine could not export '${ref}': ${engineErrorMessage(error)}.`, { cause: error });
  }
}
