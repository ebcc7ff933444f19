import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod, link, lutimes, mkdir, symlink, utimes } from 'node:fs/promises';
import { join, posix } from 'node:path';
import * as grpc from '@grpc/grpc-js';

/**
 * The receiving end of a BuildKit export (`--output`): the engine calls our session's
 * `moby.filesync.v1.FileSend/DiffCopy` once and streams the result. For `type=tar` the stream
 * is the tar itself in BytesMessage chunks; for `type=local` it speaks fsutil's packet protocol
 * (the engine sends a STAT per file in walk order, then an empty STAT; we ask for each regular
 * file's content by its walk index with REQ, it answers with DATA chunks and an empty DATA per
 * file; we send FIN when all is written and it answers FIN). Each receiver writes where it is
 * told and reports how much; placing the result (temp file, rename) is the caller's.
 */
export interface OutputTransfer {
  /** Bytes of tar, or of file content for `local`. */
  bytes: number;
  /** Entries written (`local` only): files, directories, links. */
  entries?: number;
}

export interface OutputReceiver {
  /** The message FileSend/DiffCopy carries on the wire for this export. */
  readonly wire: 'BytesMessage' | 'Packet';
  receive(call: grpc.ServerDuplexStream<object, object>): void;
  /** True once the engine has called. */
  readonly started: boolean;
  /** Settles when the transfer is over: resolved when all is written, rejected when it broke. */
  readonly done: Promise<OutputTransfer>;
}

interface Settle {
  promise: Promise<OutputTransfer>;
  resolve(transfer: OutputTransfer): void;
  reject(error: Error): void;
}

function settle(): Settle {
  let resolve!: (transfer: OutputTransfer) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<OutputTransfer>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // The build awaits it only after the engine called; an unobserved rejection must not crash.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function fail(call: grpc.ServerDuplexStream<object, object>, message: string): void {
  call.emit('error', { code: grpc.status.INTERNAL, details: message });
}

type Call = grpc.ServerDuplexStream<object, object>;

/** A receiver that takes the engine's first call (`transfer`) and refuses any other, as buildx's target does. */
function onceReceiver(wire: OutputReceiver['wire'], transfer: (call: Call, outcome: Settle) => void): OutputReceiver {
  const outcome = settle();
  let started = false;
  return {
    wire,
    get started() {
      return started;
    },
    done: outcome.promise,
    receive(call) {
      if (started) {
        call.emit('error', { code: grpc.status.ALREADY_EXISTS, details: 'target already exists' });
        return;
      }
      started = true;
      transfer(call, outcome);
    },
  };
}

/** `type=tar`: every BytesMessage appended to `sink`; `ownSink` ends it (a file) when the tar is complete. */
export function tarReceiver(sink: NodeJS.WritableStream, options: { ownSink: boolean }): OutputReceiver {
  return onceReceiver('BytesMessage', (call, outcome) => {
    let bytes = 0;
    let finished = false;
    let ended = false;
    const broke = (error: Error) => {
      if (finished) return;
      finished = true;
      outcome.reject(error);
    };
    sink.on('error', (error: Error) => {
      // Settled first: telling the engine emits 'error' on the call, which must not count as its own failure.
      broke(error);
      fail(call, `writing the tar failed: ${error.message}`);
    });
    call.on('data', (message: { data: Buffer }) => {
      bytes += message.data.length;
      if (!sink.write(message.data)) {
        call.pause();
        sink.once('drain', () => call.resume());
      }
    });
    call.on('end', () => {
      ended = true;
      const complete = () => {
        if (finished) return;
        finished = true;
        call.end();
        outcome.resolve({ bytes });
      };
      if (options.ownSink) sink.end(complete);
      else complete();
    });
    // Once the engine has sent the whole tar, what happens to the call no longer matters.
    call.on('error', (error: Error) => {
      if (!ended) broke(new Error(`the engine broke off the tar export (${error.message})`));
    });
    call.on('cancelled', () => {
      if (!ended) broke(new Error('the engine cancelled the tar export'));
    });
  });
}

// Go's os.FileMode bits, which fsutil puts in Stat.mode.
const MODE_DIR = 0x80000000;
const MODE_SYMLINK = 0x8000000;
// ModeDir | ModeSymlink | ModeNamedPipe | ModeSocket | ModeDevice | ModeCharDevice | ModeIrregular
const MODE_TYPE = 0x80000000 | 0x8000000 | 0x2000000 | 0x1000000 | 0x4000000 | 0x200000 | 0x80000;
const MODE_SETUID = 0x800000;
const MODE_SETGID = 0x400000;
const MODE_STICKY = 0x100000;

const PACKET = { STAT: 0, REQ: 1, DATA: 2, FIN: 3, ERR: 4 } as const;

interface Stat {
  path: string;
  mode: number;
  modTime: number;
  linkname: string;
}

interface Packet {
  type: number;
  stat: Stat | null;
  ID: number;
  data: Buffer;
}

interface Entry {
  path: string;
  kind: 'dir' | 'file' | 'symlink' | 'hardlink';
  perm: number;
  modTime: number;
  /** A hard link's source path. */
  source?: string;
}

/** Big enough that a file's chunks (32 KiB from the engine) rarely wait for the disk. */
export const WRITE_BUFFER = 1 << 20;

/** Runs `work` on every item, `limit` at a time. */
async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Unix permission bits (with setuid, setgid, sticky) from a Go FileMode. */
export function unixPermissions(mode: number): number {
  return (
    (mode & 0o777) | (mode & MODE_SETUID ? 0o4000 : 0) | (mode & MODE_SETGID ? 0o2000 : 0) | (mode & MODE_STICKY ? 0o1000 : 0)
  );
}

/** A path the engine sent, checked to stay inside the output: relative, no `..`, parent already written. */
function safePath(path: string, directories: ReadonlySet<string>): string {
  const normalized = posix.normalize(path);
  if (normalized === '.' || normalized.startsWith('/') || normalized === '..' || normalized.startsWith('../')) {
    throw new Error(`the engine sent an unsafe path '${path}'`);
  }
  const parent = posix.dirname(normalized);
  if (parent !== '.' && !directories.has(parent)) throw new Error(`the engine sent '${path}' before its directory`);
  return normalized;
}

/**
 * `type=local`: the fsutil receiver. Creates directories, regular files, symlinks and hard links
 * under `root` (an empty directory); devices, pipes and sockets are skipped, and ownership is the
 * caller's (as `docker cp` without -a). Modes and times are set once everything is written.
 */
export function localReceiver(root: string): OutputReceiver {
  return onceReceiver('Packet', (call, outcome) => {
    const entries: Entry[] = [];
    const directories = new Set<string>();
    const files = new Set<string>();
    const wanted = new Map<number, Entry>();
    const writers = new Map<number, WriteStream>();
    let walkIndex = 0;
    let statsDone = false;
    let pending = 0;
    let bytes = 0;
    let finished = false;
    let allSent = false;
    // Entries are created in the order the engine walked them, one after the other; the first
    // failure stops the rest and is reported when the walk is over.
    let creating: Promise<void> = Promise.resolve();
    let createFailed: Error | undefined;
    const create = (operation: () => Promise<unknown>) => {
      creating = creating
        .then(async () => {
          if (!createFailed) await operation();
        })
        .catch((error: Error) => {
          createFailed ??= error;
        });
    };

    const broke = (error: Error, tell = true) => {
      if (finished) return;
      finished = true;
      for (const writer of writers.values()) writer.destroy();
      if (tell) fail(call, error.message);
      outcome.reject(error);
    };
    const send = (packet: Partial<Packet>) => call.write(packet);
    const fileDone = () => {
      pending -= 1;
      if (statsDone && pending === 0) send({ type: PACKET.FIN });
    };

    const stat = (raw: Stat) => {
      const index = walkIndex++;
      const path = safePath(raw.path, directories);
      const mode = raw.mode >>> 0;
      const perm = unixPermissions(mode);
      const target = join(root, path);
      if (mode & MODE_DIR) {
        directories.add(path);
        entries.push({ path, kind: 'dir', perm, modTime: raw.modTime });
        create(() => mkdir(target, { mode: 0o700 }));
      } else if (mode & MODE_SYMLINK) {
        entries.push({ path, kind: 'symlink', perm, modTime: raw.modTime });
        create(() => symlink(raw.linkname, target));
      } else if ((mode & MODE_TYPE) === 0 && raw.linkname) {
        const source = posix.normalize(raw.linkname);
        if (!files.has(source))
          throw new Error(`the engine sent a hard link '${path}' to '${raw.linkname}', which it did not send`);
        // Linked once its source has its content, when everything has arrived.
        entries.push({ path, kind: 'hardlink', perm, modTime: raw.modTime, source });
      } else if ((mode & MODE_TYPE) === 0) {
        // Created when its content arrives (every regular file is asked for, empty ones too).
        const entry: Entry = { path, kind: 'file', perm, modTime: raw.modTime };
        files.add(path);
        entries.push(entry);
        wanted.set(index, entry);
      }
    };

    const requestFiles = () => {
      statsDone = true;
      pending = wanted.size;
      if (pending === 0) {
        send({ type: PACKET.FIN });
        return;
      }
      for (const index of wanted.keys()) send({ type: PACKET.REQ, ID: index });
    };

    const data = (packet: Packet) => {
      const entry = wanted.get(packet.ID);
      if (!entry) throw new Error(`the engine sent data for ${packet.ID}, which was not asked for`);
      let writer = writers.get(packet.ID);
      if (!writer) {
        writer = createWriteStream(join(root, entry.path), { flags: 'w', mode: 0o600, highWaterMark: WRITE_BUFFER });
        writer.on('error', (error) => broke(new Error(`writing ${entry.path} failed: ${error.message}`)));
        writers.set(packet.ID, writer);
      }
      if (packet.data.length === 0) {
        writers.delete(packet.ID);
        wanted.delete(packet.ID);
        writer.end(fileDone);
        return;
      }
      bytes += packet.data.length;
      if (!writer.write(packet.data)) {
        call.pause();
        writer.once('drain', () => call.resume());
      }
    };

    const finish = async () => {
      for (const entry of entries) {
        if (entry.kind === 'hardlink' && entry.source) await link(join(root, entry.source), join(root, entry.path));
      }
      const times = (entry: Entry) => [entry.modTime / 1e9, entry.modTime / 1e9] as const;
      await eachLimited(
        entries.filter((entry) => entry.kind === 'file' || entry.kind === 'symlink'),
        16,
        async (entry) => {
          const target = join(root, entry.path);
          if (entry.kind === 'symlink') return lutimes(target, ...times(entry)).catch(() => {});
          await chmod(target, entry.perm);
          await utimes(target, ...times(entry));
        },
      );
      // Directories last and deepest first: a mode without write or search permission must not
      // stop the rest, and creating an entry would change its directory's time.
      for (const entry of entries.filter((candidate) => candidate.kind === 'dir').reverse()) {
        const target = join(root, entry.path);
        await chmod(target, entry.perm);
        await utimes(target, ...times(entry));
      }
    };

    call.on('data', (packet: Packet) => {
      if (finished) return;
      try {
        switch (packet.type) {
          case PACKET.STAT:
            if (packet.stat) stat(packet.stat);
            else void creating.then(() => (createFailed ? broke(createFailed) : requestFiles()));
            break;
          case PACKET.DATA:
            data(packet);
            break;
          case PACKET.FIN:
            // Everything is here; what happens to the call from now on no longer matters.
            allSent = true;
            creating
              .then(finish)
              .then(() => {
                if (finished) return;
                finished = true;
                call.end();
                outcome.resolve({ bytes, entries: entries.length });
              })
              .catch((error: Error) => broke(error, false));
            break;
          case PACKET.ERR:
            broke(new Error(`the engine failed to send the output: ${packet.data.toString('utf8')}`), false);
            break;
        }
      } catch (error) {
        broke(error as Error);
      }
    });
    const stopped = (error: Error) => {
      if (!allSent) broke(error, false);
    };
    call.on('end', () => stopped(new Error('the engine ended the export before it was complete')));
    call.on('error', (error: Error) => stopped(new Error(`the engine broke off the export (${error.message})`)));
    call.on('cancelled', () => stopped(new Error('the engine cancelled the export')));
  });
}
