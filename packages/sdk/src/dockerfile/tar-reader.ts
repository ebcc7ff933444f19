/**
 * A small streaming tar reader: enough of ustar, pax (`x`) and GNU long names (`L`, `K`) to walk
 * `docker save` output and the layer tars nested in it without holding a layer in memory.
 */

export interface TarEntry {
  path: string;
  /** `file`, `directory`, `symlink`, `hardlink` or `other`. */
  type: 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';
  /** Bytes of content (0 for links and directories). */
  size: number;
  linkname: string;
}

/** Pulls exact byte counts from an async stream of chunks. */
export class ByteReader {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private buffer: Buffer = Buffer.alloc(0);
  private done = false;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.chunks = source[Symbol.asyncIterator]();
  }

  /** Exactly `n` bytes, or fewer only at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    while (this.buffer.length < n && !this.done) await this.pull();
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(out.length);
    return out;
  }

  /** Discards `n` bytes without keeping them. Returns how many were skipped. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.buffer.length === 0) {
        if (this.done) break;
        await this.pull();
        continue;
      }
      const take = Math.min(left, this.buffer.length);
      this.buffer = this.buffer.subarray(take);
      left -= take;
    }
    return n - left;
  }

  /** A reader over the next `n` bytes only; the caller must consume or skip all of them. */
  limit(n: number): AsyncIterable<Uint8Array> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        let left = n;
        while (left > 0) {
          const chunk = await self.read(Math.min(left, 1 << 20));
          if (chunk.length === 0) return;
          left -= chunk.length;
          yield chunk;
        }
      },
    };
  }

  private async pull(): Promise<void> {
    const next = await this.chunks.next();
    if (next.done) {
      this.done = true;
      return;
    }
    const chunk = Buffer.from(next.value);
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
  }
}

const BLOCK = 512;

/** The stream is not a tar (its first header's checksum does not add up). */
export class NotTarError extends Error {
  override readonly name = 'NotTarError';
  constructor() {
    super('Not a tar stream: a header checksum does not match.');
  }
}

/**
 * Walks a tar stream. For each entry `visit` gets the header and a reader limited to its content;
 * whatever `visit` leaves unread is skipped.
 */
export async function readTar(
  source: AsyncIterable<Uint8Array>,
  visit: (entry: TarEntry, content: AsyncIterable<Uint8Array>) => Promise<void> | void,
): Promise<void> {
  const reader = new ByteReader(source);
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header.length < BLOCK || header.every((byte) => byte === 0)) return;
    if (!checksumMatches(header)) throw new NotTarError();
    const size = parseSize(header.subarray(124, 136));
    const typeflag = String.fromCharCode(header[156] ?? 0);
    const padded = Math.ceil(size / BLOCK) * BLOCK;

    if (typeflag === 'x' || typeflag === 'L' || typeflag === 'K' || typeflag === 'g') {
      const body = (await reader.read(padded)).subarray(0, size);
      if (typeflag === 'x') pax = parsePax(body);
      else if (typeflag === 'L') longName = cString(body);
      else if (typeflag === 'K') longLink = cString(body);
      continue;
    }

    const prefix = header.subarray(257, 262).toString('latin1') === 'ustar' ? cString(header.subarray(345, 500)) : '';
    const name = cString(header.subarray(0, 100));
    const path = pax.path ?? longName ?? (prefix ? `${prefix}/${name}` : name);
    const entrySize = pax.size === undefined ? size : Number(pax.size);
    const entry: TarEntry = {
      path,
      type: entryType(typeflag),
      size: entryType(typeflag) === 'file' ? entrySize : 0,
      linkname: pax.linkpath ?? longLink ?? cString(header.subarray(157, 257)),
    };
    longName = undefined;
    longLink = undefined;
    pax = {};

    // Directories and links carry size 0 in the header; anything else is followed by its bytes.
    const contentBytes = entrySize;
    const entryPadded = Math.ceil(contentBytes / BLOCK) * BLOCK;
    let consumed = 0;
    const content = reader.limit(contentBytes);
    const counted: AsyncIterable<Uint8Array> = {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of content) {
          consumed += chunk.length;
          yield chunk;
        }
      },
    };
    await visit(entry, counted);
    await reader.skip(entryPadded - consumed);
  }
}

function entryType(typeflag: string): TarEntry['type'] {
  switch (typeflag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

/** The header checksum: the byte sum with the checksum field read as spaces. */
function checksumMatches(header: Buffer): boolean {
  const stored = Number.parseInt(cString(header.subarray(148, 156)).trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum === stored;
}

function cString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end === -1 ? bytes.length : end).toString('utf8');
}

function parseSize(field: Buffer): number {
  // Base-256 for sizes over 8 GiB: the high bit of the first byte is set.
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    return value;
  }
  const text = cString(field).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** `<length> key=value\n` records. */
function parsePax(body: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < body.length) {
    const space = body.indexOf(0x20, offset);
    if (space === -1) break;
    const length = Number.parseInt(body.subarray(offset, space).toString('latin1'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = body.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals !== -1) records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}
