import type { EngineStreamMessage } from '../engine/json-stream.js';
import type { ProgressListener } from '../progress.js';

/**
 * Reads the engine's push and pull streams: per-layer progress, the digest, and the first
 * `error` line, which the engine sends inside an HTTP 200 response. The caller turns
 * `failure` into its typed error; a stream without error and without digest is a failure too.
 */
export interface TransferOutcome {
  digest: string | undefined;
  /** Bytes the engine reported sending (push) or fetching (pull), summed over layers it moved. */
  bytesTransferred: number;
  layersMoved: number;
  /** Layers the registry (push) or engine (pull) already had. */
  layersPresent: number;
}

const DIGEST_STATUS = /(?:^|\s)digest: (sha256:[0-9a-f]{64})/i;
const MOVED = /^(Pushed|Pull complete|Download complete)$/;
const PRESENT = /^(Layer already exists|Already exists|Mounted from .*)$/;

export class TransferStreamDecoder {
  private readonly phase: 'push' | 'pull';
  private readonly onProgress: ProgressListener | undefined;
  private digest: string | undefined;
  private readonly current = new Map<string, number>();
  private readonly moved = new Set<string>();
  private readonly present = new Set<string>();
  /** The engine's error text, when the stream carried one. */
  failure: string | undefined;

  constructor(phase: 'push' | 'pull', onProgress?: ProgressListener) {
    this.phase = phase;
    this.onProgress = onProgress;
  }

  handle(message: EngineStreamMessage): void {
    if (this.failure !== undefined) return;
    if (message.error !== undefined || message.errorDetail !== undefined) {
      this.failure = (message.errorDetail?.message ?? message.error ?? 'unknown error').trim();
      return;
    }
    const auxDigest = message.aux?.Digest;
    if (typeof auxDigest === 'string') this.digest = auxDigest;
    const status = message.status;
    if (status === undefined) return;
    const digestMatch = DIGEST_STATUS.exec(status);
    if (digestMatch && !this.digest) this.digest = digestMatch[1];
    const id = message.id;
    // Pull's first line carries the tag as its id; layer ids are 12 hex digits.
    if (id === undefined || !/^[0-9a-f]{12}$/.test(id)) return;
    const current = message.progressDetail?.current;
    if (current !== undefined && /^(Pushing|Downloading)$/.test(status)) {
      // A pull's progress may stop short of the end (the layer's size is its total); a push's total is
      // the uncompressed size, so there only what was sent counts.
      const total = this.phase === 'pull' ? (message.progressDetail?.total ?? 0) : 0;
      this.current.set(id, Math.max(this.current.get(id) ?? 0, current, total));
    }
    if (MOVED.test(status)) this.moved.add(id);
    if (PRESENT.test(status)) this.present.add(id);
    this.onProgress?.({
      type: 'layer',
      phase: this.phase,
      layerId: id,
      status,
      ...(current === undefined ? {} : { current }),
      ...(message.progressDetail?.total === undefined ? {} : { total: message.progressDetail.total }),
    });
  }

  outcome(): TransferOutcome {
    let bytes = 0;
    for (const id of this.moved) bytes += this.current.get(id) ?? 0;
    return {
      digest: this.digest,
      bytesTransferred: bytes,
      layersMoved: this.moved.size,
      layersPresent: [...this.present].filter((id) => !this.moved.has(id)).length,
    };
  }
}
