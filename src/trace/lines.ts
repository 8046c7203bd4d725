/**
 * Chunked input: Buffer chunks from a file or stdin, gunzipped when the data starts with the gzip magic bytes
 * (whatever the file name), split on 0x0a with the partial last line carried over to the next chunk. Memory is
 * bounded by the chunk size and the longest line (MAX_LINE): a longer line is reported and skipped without
 * being buffered.
 */
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';

/** lines longer than this are skipped (reported as errors) */
export const MAX_LINE = 1 << 20;
export const CHUNK = 1 << 20;

/** a source of chunks and whether it was gzip */
export interface ChunkSource {
  gzip: boolean;
  chunks: AsyncIterable<Buffer>;
}

/**
 * Opens `path` ('-' = stdin). A missing or unreadable file is an InputError naming the path. Gzip is recognised by
 * its magic bytes 1f 8b; a corrupt gzip stream surfaces as an InputError while iterating.
 */
export async function openChunks(path: string, stdin: () => NodeJS.ReadableStream): Promise<ChunkSource> {
  let stream: Readable;
  if (path === '-') {
    stream = stdin() as Readable;
  } else {
    try {
      const st = await fsp.stat(path);
      if (st.isDirectory()) throw new InputError(path, 'is a directory, not a trace file', 'input.open');
    } catch (e) {
      if (e instanceof InputError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(path, code === 'ENOENT' ? 'no such file' : `cannot open: ${(e as Error).message}`, 'input.open');
    }
    stream = createReadStream(path, { highWaterMark: CHUNK });
  }
  const it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  let first: IteratorResult<Buffer | string>;
  try {
    first = await it.next();
  } catch (e) {
    throw new InputError(path, `cannot read: ${(e as Error).message}`, 'input.read');
  }
  const head = first.done ? Buffer.alloc(0) : toBuf(first.value);
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
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
  if (!gzip) return { gzip, chunks: raw() };
  return { gzip, chunks: gunzipChunks(path, raw()) };
}

function toBuf(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v) : v;
}

/**
 * gunzip with backpressure: feeds the raw chunks into zlib (inflate runs on the libuv pool, beside the parser) and
 * yields its output straight from the gunzip stream in CHUNK-sized buffers: a small chunkSize, or a PassThrough in
 * between (whose read() concatenates what it buffered), costs main-thread time per byte.
 */
export async function* gunzipChunks(path: string, src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
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
