/** A second dockerd standing in for a fresh CI runner (see second-engine.mjs). */
export interface SecondEngine extends AsyncDisposable {
  /** The directory that holds everything it made: data root, exec root, socket, pidfile, log. */
  readonly root: string;
  /** Its own network bridge (never `--bridge none`, which deletes the host's docker0). */
  readonly bridge: string;
  readonly socketPath: string;
  /** `unix://…/docker.sock`, for DOCKER_HOST. */
  readonly host: string;
  /** process.env with DOCKER_HOST set to this engine, for the docker CLI. */
  readonly env: NodeJS.ProcessEnv;
  readonly pid: number | undefined;
  /** The bridge's 10.x.y.0/24, without the last octet. */
  readonly subnet: string | undefined;
  /** dockerd's log file. */
  readonly log: string;
  /** `docker save REFS | docker load` from the host engine into this one. */
  loadImages(refs: string[]): Promise<void>;
  /** Stops dockerd and its containerd, unmounts, deletes the bridge and the directory. */
  stop(): Promise<void>;
}

export function startSecondEngine(options?: {
  /** Names the directory, bridge and containerd namespace (`<prefix>-engine-<random>`). */
  prefix?: string;
  /** Copied from the host engine once the engine answers. */
  images?: string[];
  /** DOCKER_HOST of the engine the images come from; default: the environment's. */
  sourceHost?: string;
  timeoutMs?: number;
}): Promise<SecondEngine>;

/** Takes down second engines whose owner process is gone; returns their directories. */
export function sweepSecondEngines(): Promise<string[]>;

/** `docker save REFS | docker load` into one engine or several (`to`: DOCKER_HOST values); one save feeds every load. */
export function copyImages(refs: string[], engines: { from?: string | undefined; to: string | string[] }): Promise<void>;
