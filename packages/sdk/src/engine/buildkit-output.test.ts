import { EventEmitter } from 'node:events';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { localReceiver, type OutputReceiver, tarReceiver, unixPermissions } from './buildkit-output.js';

// The receivers' own rules, driven packet by packet the way the engine's fsutil sender sends them
// (the real engine is in build/output.itg.test.ts): what a hostile or broken stream must not do.

/** The server side of one FileSend/DiffCopy call: what the receiver wrote back, and how it ended. */
class FakeCall extends EventEmitter {
  readonly sent: Array<Record<string, unknown>> = [];
  ended = false;
  failure: { code: number; details: string } | undefined;
  constructor() {
    super();
    // The receiver reports failures by emitting 'error' on the call, as grpc-js handlers do.
    this.on('error', (status: { code?: number; details?: string } | Error) => {
      if ('details' in status && status.details !== undefined) this.failure = { code: status.code ?? 0, details: status.details };
    });
  }
  write(message: Record<string, unknown>) {
    this.sent.push(message);
    return true;
  }
  end() {
    this.ended = true;
  }
  pause() {}
  resume() {}
}

const DIR = 0x80000000 | 0o755;
const FILE = 0o644;
const SYMLINK = 0x8000000 | 0o777;
const stat = (path: string, mode: number, extra: { linkname?: string } = {}) => ({
  type: 0,
  stat: { path, mode, modTime: 1_700_000_000_000_000_000, linkname: extra.linkname ?? '' },
  ID: 0,
  data: Buffer.alloc(0),
});
const endOfStats = { type: 0, stat: null, ID: 0, data: Buffer.alloc(0) };
const data = (id: number, text: string) => ({ type: 2, stat: null, ID: id, data: Buffer.from(text) });
const fin = { type: 3, stat: null, ID: 0, data: Buffer.alloc(0) };

function start(receiver: OutputReceiver): FakeCall {
  const call = new FakeCall();
  receiver.receive(call as never);
  return call;
}

/** Waits for what the receiver does on disk first; no deadline of its own (the test's timeout is the limit). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

const settled = (receiver: OutputReceiver) =>
  receiver.done.then(
    (transfer) => ({ ok: true as const, transfer }),
    (error: Error) => ({ ok: false as const, message: error.message }),
  );

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'i11c-receiver-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('type=local: the fsutil receiver', () => {
  test('asks for each regular file by its walk index, writes it, answers FIN, and ends the call after the sender FIN', async () => {
    const receiver = localReceiver(root);
    const call = start(receiver);
    for (const packet of [
      stat('app', DIR),
      stat('app/a.txt', FILE),
      stat('app/link', SYMLINK, { linkname: 'a.txt' }),
      stat('b.txt', FILE),
    ])
      call.emit('data', packet);
    call.emit('data', endOfStats);
    // The requests go out once the directories are made (on disk, so asynchronously).
    await until(() => call.sent.length >= 2);
    // Walk indexes count every entry: app=0, app/a.txt=1, app/link=2, b.txt=3.
    expect(call.sent).toEqual([
      { type: 1, ID: 1 },
      { type: 1, ID: 3 },
    ]);
    call.emit('data', data(1, 'hello '));
    call.emit('data', data(1, 'world'));
    call.emit('data', data(1, ''));
    call.emit('data', data(3, ''));
    await until(() => call.sent.length >= 3);
    expect(call.sent.at(-1)).toEqual({ type: 3 });
    call.emit('data', fin);
    expect(await settled(receiver)).toEqual({ ok: true, transfer: { bytes: 11, entries: 4 } });
    expect(call.ended).toBe(true);
    expect(await readFile(join(root, 'app', 'a.txt'), 'utf8')).toBe('hello world');
    expect(await readFile(join(root, 'b.txt'), 'utf8')).toBe('');
  });

  test.each([
    ['../escape', "the engine sent an unsafe path '../escape'"],
    ['/etc/passwd', "the engine sent an unsafe path '/etc/passwd'"],
    ['a/../../escape', "the engine sent an unsafe path 'a/../../escape'"],
    ['missing-dir/file', "the engine sent 'missing-dir/file' before its directory"],
  ])('a path %j is refused and nothing is written outside', async (path, message) => {
    const receiver = localReceiver(root);
    const call = start(receiver);
    call.emit('data', stat(path, FILE));
    expect(await settled(receiver)).toEqual({ ok: false, message });
    expect(call.failure).toEqual({ code: 13, details: message });
    expect(await readdir(root)).toEqual([]);
  });

  test('a symlink is not a directory to write through, a hard link must name a file that was sent', async () => {
    const through = localReceiver(root);
    const call = start(through);
    call.emit('data', stat('etc', SYMLINK, { linkname: '/etc' }));
    call.emit('data', stat('etc/passwd', FILE));
    expect(await settled(through)).toEqual({ ok: false, message: "the engine sent 'etc/passwd' before its directory" });

    const hardlink = localReceiver(root);
    const second = start(hardlink);
    second.emit('data', stat('copy', FILE, { linkname: '../../etc/shadow' }));
    expect(await settled(hardlink)).toEqual({
      ok: false,
      message: "the engine sent a hard link 'copy' to '../../etc/shadow', which it did not send",
    });
  });

  test('data for a file that was not asked for, an ERR from the sender, and an early end each fail the export', async () => {
    const unasked = localReceiver(root);
    start(unasked).emit('data', data(7, 'x'));
    expect(await settled(unasked)).toEqual({ ok: false, message: 'the engine sent data for 7, which was not asked for' });

    const errored = localReceiver(root);
    start(errored).emit('data', { type: 4, stat: null, ID: 0, data: Buffer.from('disk full') });
    expect(await settled(errored)).toEqual({ ok: false, message: 'the engine failed to send the output: disk full' });

    const early = localReceiver(root);
    const call = start(early);
    call.emit('data', stat('a.txt', FILE));
    call.emit('end');
    expect(await settled(early)).toEqual({ ok: false, message: 'the engine ended the export before it was complete' });
  });

  test('a second call is refused, as buildx refuses a second export to one target', async () => {
    const receiver = localReceiver(root);
    start(receiver);
    const second = start(receiver);
    expect(second.failure).toEqual({ code: 6, details: 'target already exists' });
  });
});

describe('type=tar: the byte stream', () => {
  test('chunks are appended in order; an owned sink is ended, the call answered', async () => {
    const chunks: Buffer[] = [];
    let ended = false;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
      final(done) {
        ended = true;
        done();
      },
    });
    const receiver = tarReceiver(sink, { ownSink: true });
    const call = start(receiver);
    call.emit('data', { data: Buffer.from('abc') });
    call.emit('data', { data: Buffer.from('def') });
    call.emit('end');
    expect(await settled(receiver)).toEqual({ ok: true, transfer: { bytes: 6 } });
    expect(Buffer.concat(chunks).toString()).toBe('abcdef');
    expect(ended).toBe(true);
    expect(call.ended).toBe(true);
  });

  test("the caller's stream stays open; a cancelled call or a failing sink fails the export", async () => {
    const stream = new PassThrough();
    stream.resume();
    const open = tarReceiver(stream, { ownSink: false });
    const call = start(open);
    call.emit('data', { data: Buffer.from('abc') });
    call.emit('end');
    await open.done;
    expect(stream.writableEnded).toBe(false);

    const cancelled = tarReceiver(new PassThrough(), { ownSink: true });
    const second = start(cancelled);
    second.emit('data', { data: Buffer.from('abc') });
    second.emit('cancelled');
    expect(await settled(cancelled)).toEqual({ ok: false, message: 'the engine cancelled the tar export' });

    const broken = new Writable({
      write(_chunk, _encoding, done) {
        done(new Error('ENOSPC: no space left on device'));
      },
    });
    const failing = tarReceiver(broken, { ownSink: true });
    const third = start(failing);
    third.emit('data', { data: Buffer.from('abc') });
    expect(await settled(failing)).toEqual({ ok: false, message: 'ENOSPC: no space left on device' });
    expect(third.failure?.details).toBe('writing the tar failed: ENOSPC: no space left on device');
  });
});

test.each([
  ['a file 0644', 0o644, 0o644],
  ['a directory 0755', 0x80000000 | 0o755, 0o755],
  ['setuid 0755', 0x800000 | 0o755, 0o4755],
  ['setgid 0755', 0x400000 | 0o755, 0o2755],
  ['a sticky directory 0777', 0x100000 | 0x80000000 | 0o777, 0o1777],
])("Go's FileMode of %s in unix permission bits", (_name, mode, expected) => {
  expect(unixPermissions(mode)).toBe(expected);
});
