/**
 * Chunked input: Buffer chunks from a file or stdin, gunzipped when the data starts with the gzip magic bytes
 * (whatever the file name), split on 0x0a with the partial last line carried over to the next chunk. Memory is
 * bounded by the chunk size and the longest line (MAX_LINE): a longer line is reported and skipped without
 * being buffered.
 */
import { promises as fsp, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';

/** lines longer than this are skipped (reported as errors) */
export const MAX_LINE = 1 << 20;
export const CHUNK = 1 << 20;
/** read size into reused buffers (openFileChunks): two of them stay in a core's 1 MiB L2 cache beside the parser's state */
export const REUSED_CHUNK = 128 << 10;

/** a source of chunks and whether it was gzip */
export interface ChunkSource {
  gzip: boolean;
  chunks: AsyncIterable<Buffer>;
  /** the consumer is done with each chunk before it asks for the next (and keeps none): from now on a file's
   *  chunks may be read into reused buffers (see openFileChunks); with `sync`, by synchronous reads */
  reuseBuffers(sync?: boolean): void;
}

/**
 * Opens `path` ('-' = stdin). A missing or unreadable file is an InputError naming the path. Gzip is recognised by
 * its magic bytes 1f 8b; a corrupt gzip stream surfaces as an InputError while iterating.
 */
export async function openChunks(path: string, stdin: () => NodeJS.ReadableStream): Promise<ChunkSource> {
  if (path !== '-') return openFileChunks(path);
  const stream = stdin() as Readable;
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let first: IteratorResult<Buffer | string>;
  try {
    first = await it.next();
  } catch (e) {
    throw new InputError(path, `cannot read: ${(e as Error).message}`, 'input.read');
  }
  const head = first.done ? Buffer.alloc(0) : toBuf(first.value);
  const gzip = isGzip(head);
  async function* raw(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (first.done) return;
    for (;;) {
      let r: IteratorResult<Buffer | string>;
      try {
        r = await it.next();
      } catch (e) {
        throw new InputError(path, `cannot read: ${(e as Error).message}`, 'input.read');
      }
      if (r.done) return;
      yield toBuf(r.value);
    }
  }
  const chunks = gzip ? gunzipChunks(path, raw()) : raw();
  return { gzip, chunks, reuseBuffers() {} };
}

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * A regular file: its first CHUNK bytes in a buffer of their own (readTrace's first look keeps it), then
 * CHUNK-sized reads into new buffers, or, once the consumer calls reuseBuffers(), REUSED_CHUNK-sized reads into
 * two buffers taken in turn: a parser that has finished with a chunk before asking for the next reads every byte
 * from a buffer the core's cache still holds, where fresh buffers cost page faults and cache misses on each.
 * reuseBuffers(true) makes those reads synchronous: for a thread that does nothing else (the replay pipeline's
 * parser worker), where an async read hands each chunk to a libuv pool thread and back (≈ 2,000 round trips
 * for the 2M-line bench trace, measured ≈ 10 % of its wall time).
 */
async function openFileChunks(path: string): Promise<ChunkSource> {
  let fh: FileHandle;
  try {
    const st = await fsp.stat(path);
    if (st.isDirectory()) throw new InputError(path, 'is a directory, not a trace file', 'input.open');
    fh = await fsp.open(path, 'r');
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(path, code === 'ENOENT' ? 'no such file' : `cannot open: ${(e as Error).message}`, 'input.open');
  }
  let sync = false;
  const read = async (buf: Buffer, len: number): Promise<number> => {
    try {
      return sync ? readSync(fh.fd, buf, 0, len, null) : (await fh.read(buf, 0, len, null)).bytesRead;
    } catch (e) {
      await fh.close();
      throw new InputError(path, `cannot read: ${(e as Error).message}`, 'input.read');
    }
  };
  const headBuf = Buffer.allocUnsafe(CHUNK);
  let n = 0;
  for (let r = 1; n < CHUNK && r > 0; n += r) r = await read(headBuf.subarray(n), CHUNK - n);
  const head = headBuf.subarray(0, n);
  let reuse = false;
  const ring = [Buffer.allocUnsafe(0), Buffer.allocUnsafe(0)];
  let turn = 0;
  async function* raw(): AsyncGenerator<Buffer> {
    try {
      if (n === 0) return;
      yield head;
      if (n < CHUNK) return;
      for (;;) {
        let buf: Buffer;
        if (reuse) {
          turn ^= 1;
          if (ring[turn]!.length === 0) ring[turn] = Buffer.allocUnsafe(REUSED_CHUNK);
          buf = ring[turn]!;
        } else {
          buf = Buffer.allocUnsafe(CHUNK);
        }
        const got = await read(buf, buf.length);
        if (got === 0) return;
        yield buf.subarray(0, got);
      }
    } finally {
      await fh.close().catch(() => {});
    }
  }
  const gzip = isGzip(head);
  const chunks = gzip ? gunzipChunks(path, raw()) : raw();
  // zlib keeps its input chunks until it has inflated them: a gzip file's raw buffers are never reused
  return { gzip, chunks, reuseBuffers(s = false) { if (!gzip) { reuse = true; sync = s; } } };
}

function toBuf(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}

/**
 * gunzip with backpressure: feeds the raw chunks into zlib (inflate runs on the libuv pool, beside the parser) and
 * yields its output straight from the gunzip stream in CHUNK-sized buffers: a small chunkSize, or a PassThrough in
 * between (whose read() concatenates what it buffered), costs main-thread time per byte.
 */
async function* gunzipChunks(path: string, src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gz = createGunzip({ chunkSize: CHUNK });
  let feedError: Error | null = null;
  const feed = (async () => {
    try {
      for await (const c of src) {
        if (gz.destroyed) return;
        if (!gz.write(c)) {
          await new Promise<void>((r) => {
            const done = (): void => { gz.off('drain', done); gz.off('close', done); r(); };
            gz.once('drain', done);
            gz.once('close', done);
          });
        }
      }
      gz.end();
    } catch (e) {
      feedError = e as Error;
      gz.destroy(feedError);
    }
  })();
  try {
    for await (const c of gz) yield c as Buffer;
  } catch (e) {
    await feed;
    const f = feedError ?? (e as Error);
    if (f instanceof InputError) throw f;
    throw new InputError(path, `corrupt gzip data: ${f.message}`, 'input.gzip');
  } finally {
    if (!gz.destroyed) gz.destroy();
  }
  await feed;
}

/**
 * Splits chunks into lines and calls onLine(buf, start, end, lineNo) for each (end excludes the newline; the buffer
 * is only valid during the call). onLong(lineNo) is called for a line longer than MAX_LINE, which is not delivered.
 */
export class LineSplitter {
  lineNo = 0;
  private carry: Buffer[] = [];
  private carryLen = 0;
  private skipping = false;

  private readonly onLine: (buf: Buffer, start: number, end: number, lineNo: number) => void;
  private readonly onLong: (lineNo: number) => void;
  constructor(onLine: (buf: Buffer, start: number, end: number, lineNo: number) => void, onLong: (lineNo: number) => void) {
    this.onLine = onLine;
    this.onLong = onLong;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    const n = chunk.length;
    if (this.carryLen > 0 || this.skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.hold(chunk, 0, n);
        return;
      }
      this.hold(chunk, 0, nl);
      this.lineNo++;
      if (this.skipping) {
        this.skipping = false;
        this.onLong(this.lineNo);
      } else {
        const line = Buffer.concat(this.carry, this.carryLen);
        this.onLine(line, 0, line.length, this.lineNo);
      }
      this.carry = [];
      this.carryLen = 0;
      pos = nl + 1;
    }
    const onLine = this.onLine;
    for (;;) {
      const nl = chunk.indexOf(10, pos);
      if (nl < 0) break;
      const no = ++this.lineNo;
      if (nl - pos > MAX_LINE) this.onLong(no);
      else onLine(chunk, pos, nl, no);
      pos = nl + 1;
    }
    if (pos < n) this.hold(chunk, pos, n);
  }

  /** the last line when it has no newline */
  end(): void {
    if (this.skipping) {
      this.lineNo++;
      this.skipping = false;
      this.onLong(this.lineNo);
    } else if (this.carryLen > 0) {
      const line = Buffer.concat(this.carry, this.carryLen);
      this.lineNo++;
      this.onLine(line, 0, line.length, this.lineNo);
    }
    this.carry = [];
    this.carryLen = 0;
  }

  private hold(chunk: Buffer, s: number, e: number): void {
    if (this.skipping) return;
    if (this.carryLen + (e - s) > MAX_LINE) {
      this.skipping = true;
      this.carry = [];
      this.carryLen = 0;
      return;
    }
    // copy: the chunk's memory may be reused by the stream
    this.carry.push(Buffer.from(chunk.subarray(s, e)));
    this.carryLen += e - s;
  }
}
