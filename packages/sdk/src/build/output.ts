import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { localReceiver, type OutputReceiver, tarReceiver, WRITE_BUFFER } from '../engine/buildkit-output.js';
import { InvalidInputError } from '../errors.js';

/**
 * Where a BuildKit build's `--output` lands. Checked before the build starts; written to a
 * temporary name next to the destination and moved into place only when the build succeeded,
 * so a failed or aborted build leaves neither a partial tar nor half a directory behind (a tar
 * on a stream is the exception: what was written is the caller's).
 */
export type BuildOutput =
  /** A tar of the final stage's files at `dest` (a file; relative to the current directory). */
  | { type: 'tar'; dest: string }
  /** A tar of the final stage's files written to `stream` (e.g. standard output), which stays open. */
  | { type: 'tar'; stream: NodeJS.WritableStream }
  /** The final stage's files in the directory `dest`, merged into what is there (as buildx does). */
  | { type: 'local'; dest: string };

export interface WrittenOutput {
  type: 'tar' | 'local';
  /** The absolute path written, or `-` for a stream. */
  dest: string;
  /** Bytes of tar, or of file content for `local`. */
  bytes: number;
  /** Entries written into the directory (`local` only). */
  entries?: number;
}

export interface PreparedOutput {
  exporter: 'tar' | 'local';
  receiver: OutputReceiver;
  /** Waits for the transfer and moves the result into place. */
  commit(): Promise<WrittenOutput>;
  /** Removes whatever was written; safe to call at any point. */
  discard(): Promise<void>;
}

const PARTIAL = '.ship-output-';

export async function prepareOutput(output: BuildOutput): Promise<PreparedOutput> {
  if ('stream' in output) {
    const receiver = tarReceiver(output.stream, { ownSink: false });
    return {
      exporter: 'tar',
      receiver,
      commit: async () => ({ type: 'tar', dest: '-', bytes: (await receiver.done).bytes }),
      discard: async () => {},
    };
  }
  if (output.dest === '-') {
    throw new InvalidInputError(
      "The output dest '-' means standard output, which the SDK does not write on its own; pass { type: 'tar', stream: process.stdout } instead.",
    );
  }
  const dest = resolve(output.dest);
  const existing = await stat(dest).catch(() => undefined);
  return output.type === 'tar' ? prepareTar(dest, existing?.isDirectory() === true) : prepareLocal(dest, existing);
}

async function prepareTar(dest: string, isDirectory: boolean): Promise<PreparedOutput> {
  if (isDirectory) {
    throw new InvalidInputError(
      `The output '${dest}' is a directory; name a file for type=tar (e.g. dest=${join(dest, 'rootfs.tar')}) or use type=local,dest=${dest}.`,
    );
  }
  await makeParent(dest);
  const partial = join(dirname(dest), `${PARTIAL}${randomBytes(4).toString('hex')}-${basename(dest)}`);
  const file = createWriteStream(partial, { flags: 'wx', highWaterMark: WRITE_BUFFER });
  await new Promise<void>((ready, failed) => {
    file.once('open', () => ready());
    file.once('error', (cause: NodeJS.ErrnoException) =>
      failed(
        new InvalidInputError(
          `The output file '${dest}' cannot be written (${cause.code ?? cause.message}); choose a writable path.`,
          { cause },
        ),
      ),
    );
  });
  const receiver = tarReceiver(file, { ownSink: true });
  return {
    exporter: 'tar',
    receiver,
    async commit() {
      const { bytes } = await receiver.done;
      await rename(partial, dest);
      return { type: 'tar', dest, bytes };
    },
    async discard() {
      file.destroy();
      await rm(partial, { force: true });
    },
  };
}

async function prepareLocal(dest: string, existing: Awaited<ReturnType<typeof stat>> | undefined): Promise<PreparedOutput> {
  if (existing && !existing.isDirectory()) {
    throw new InvalidInputError(
      `The output directory '${dest}' is a file; name a directory for type=local, or use type=tar,dest=${dest} for a tar.`,
    );
  }
  await makeParent(dest);
  const partial = await mkdtemp(join(dirname(dest), `${PARTIAL}${basename(dest)}-`));
  const receiver = localReceiver(partial);
  return {
    exporter: 'local',
    receiver,
    async commit() {
      const { bytes, entries } = await receiver.done;
      if (existing) {
        await mergeInto(partial, dest);
        await rm(partial, { recursive: true, force: true });
      } else {
        // mkdtemp made it private; the directory itself gets the usual mode, as buildx's MkdirAll gives it.
        await chmod(partial, 0o755);
        await rename(partial, dest);
      }
      return { type: 'local', dest, bytes, ...(entries === undefined ? {} : { entries }) };
    },
    async discard() {
      await rm(partial, { recursive: true, force: true });
    },
  };
}

/** Moves every entry of `from` into `to`; a directory met by a directory is merged, anything else replaced. */
async function mergeInto(from: string, to: string): Promise<void> {
  for (const name of await readdir(from)) {
    const source = join(from, name);
    const target = join(to, name);
    const [sourceInfo, targetInfo] = await Promise.all([lstat(source), lstat(target).catch(() => undefined)]);
    if (sourceInfo.isDirectory() && targetInfo?.isDirectory()) {
      await mergeInto(source, target);
      continue;
    }
    if (targetInfo) await rm(target, { recursive: true, force: true });
    await rename(source, target);
  }
}

async function makeParent(dest: string): Promise<void> {
  await mkdir(dirname(dest), { recursive: true }).catch((cause: NodeJS.ErrnoException) => {
    throw new InvalidInputError(
      `The output's directory '${dirname(dest)}' cannot be created (${cause.code ?? cause.message}); choose a writable path.`,
      { cause },
    );
  });
}
