import type { Readable } from 'node:stream';
import { AbortedError, throwIfAborted } from '../errors.js';
import { dockerFor } from './client.js';
import { translateEngineError } from './engine-errors.js';
import type { EngineCallOptions } from './images.js';

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
    throw translateEngineError(error, options, { image: ref, doing: `exporting '${ref}'` });
  }
}
