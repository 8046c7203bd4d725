/**
 * The worker half of the parallel `stat` (parallel.ts), and the piece parser both threads run (PieceParser).
 * Loaded as the worker with workerData.kind 'stat-ranges', it takes ranges of a plain file from the shared
 * counter, parses them, and posts its ThreadOut once, or the error it met; with 'stat-pieces' it parses the
 * pieces of an inflated gzip stream the main thread posts (PieceMsg), posting each one's RangeOut back with its
 * buffer, then its ThreadOut. It imports the text parser only (ftrace.ts, lines.ts, event.ts, stat.ts: not
 * read.ts and the CSV/JSONL front ends behind it), so the worker starts in a few tens of ms.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { InputError, serializeError, type SerializedError } from '../errors.js';
import { EV_OTHER, TraceEvent } from './event.js';
import { LINE_ERROR, LINE_EVENT, TextParser } from './ftrace.js';
import { LineSplitter } from './lines.js';
import { StatCollector, type StatCounts } from './stat.js';

/**
 * Bad-line messages kept per range, and printed on stderr per trace file by `stat` (serial or parallel, the same
 * cap, so the output does not depend on the path): a file of millions of bad lines costs bounded memory.
 */
export const BAD_LINE_MESSAGES = 1000;
const READ_BYTES = 1 << 20;

/** one thread's work: which file, how it is cut, and how lines are decoded */
export interface RangeJob {
  kind: 'stat-ranges';
  path: string;
  /** file size when the run started (later growth is not read) */
  size: number;
  rangeBytes: number;
  nRanges: number;
  gfpEra: string;
  strict: boolean;
  /** the message of a line over lines.ts MAX_LINE (read.ts LONG_LINE_MESSAGE, passed so that the worker does
   *  not load read.ts and the CSV/JSONL front ends behind it) */
  longLineMessage: string;
  /** Int32Array view: [0] the next range to take; [1] the lowest range with a --strict error (ranges above it
   *  are not needed), nRanges while there is none */
  shared: SharedArrayBuffer;
}

/** what one range found: line count, first/last event time, bad lines (line numbers within the range) */
export interface RangeOut {
  k: number;
  lines: number;
  firstTime: number | null;
  lastTime: number | null;
  unparsed: number;
  /** the first BAD_LINE_MESSAGES bad lines: line within the range, message */
  errLines: number[];
  errMsgs: string[];
}

/** what one thread found over all its ranges */
export interface ThreadOut {
  ranges: RangeOut[];
  events: Map<string, number>;
  skipped: number;
  counts: StatCounts;
  lostNotices: number;
  lostEvents: number;
}

/** the worker's one message */
export type WorkerMsg = { t: 'done'; out: ThreadOut } |
  { t: 'piece'; out: RangeOut; buf: ArrayBuffer } |
  { t: 'fail'; err: SerializedError };

/** lowers shared[1] to k (the lowest range with a --strict error) */
function stopAbove(shared: Int32Array, k: number): void {
  for (;;) {
    const cur = Atomics.load(shared, 1);
    if (k >= cur || Atomics.compareExchange(shared, 1, cur, k) === cur) return;
  }
}

function readAt(fd: number, path: string, buf: Buffer, len: number, pos: number): number {
  try {
    return readSync(fd, buf, 0, len, pos);
  } catch (e) {
    throw new InputError(path, `cannot read: ${(e as Error).message}`, 'input.read');
  }
}

/** reads to find a line's end start small and double: a line is ~100 bytes, a range start reads little */
const SEEK_READ = 4096;

/** the first line start at or after `at` (0 < at < size): the byte after the first newline at or after at − 1 */
function lineStartFrom(fd: number, path: string, buf: Buffer, size: number, at: number): number {
  let p = at - 1;
  let want = SEEK_READ;
  while (p < size) {
    const n = readAt(fd, path, buf, Math.min(want, size - p), p);
    if (n <= 0) return size;
    const i = buf.indexOf(10);
    if (i >= 0 && i < n) return p + i + 1;
    p += n;
    want = Math.min(want * 2, buf.length);
  }
  return size;
}

/**
 * One thread's parser of line-aligned pieces: ranges of a file (parseRanges) or pieces cut from an inflated
 * stream (parallel.ts statGzipParallel, the 'stat-pieces' worker). begin(k), push() the piece's bytes, end()
 * gives its RangeOut; totals() the thread's order-free counts over all its pieces.
 */
export class PieceParser {
  /** the current piece: --strict met its first bad line, the rest of the piece is not parsed */
  stop = false;
  private k = 0;
  private first: number | null = null;
  private last: number | null = null;
  private unparsed = 0;
  private errLines: number[] = [];
  private errMsgs: string[] = [];
  private skipped = 0;
  private splitter: LineSplitter;
  private readonly parser = new TextParser();
  private readonly stat = new StatCollector();
  private readonly onLine: (b: Buffer, s: number, e: number, no: number) => void;
  private readonly onLong: (no: number) => void;

  /** onStrict(k): --strict met a bad line in piece k */
  constructor(gfpEra: string, strict: boolean, longLineMessage: string, onStrict?: (k: number) => void) {
    const parser = this.parser;
    parser.setEra(gfpEra);
    const ev = new TraceEvent(parser.names, parser.tasks, parser.gfps);
    const onEvent = this.stat.onEvent;
    const bad = (no: number, msg: string): void => {
      this.unparsed++;
      if (this.errMsgs.length < BAD_LINE_MESSAGES) { this.errLines.push(no); this.errMsgs.push(msg); }
      // --strict: this piece ends at its first bad line, and pieces after it are not needed
      if (strict) { this.stop = true; onStrict?.(this.k); }
    };
    this.onLine = (b, s, e, no) => {
      if (this.stop) return;
      const r = parser.parse(b, s, e, ev);
      if (r === LINE_EVENT) {
        ev.names.counts[ev.nameId]!++;
        if (ev.id === EV_OTHER) this.skipped++;
        if (this.first === null) this.first = ev.time;
        this.last = ev.time;
        onEvent(ev);
      } else if (r === LINE_ERROR) {
        bad(no, parser.error);
      }
    };
    this.onLong = (no) => { if (!this.stop) bad(no, longLineMessage); };
    this.splitter = new LineSplitter(this.onLine, this.onLong);
  }

  /** starts piece k */
  begin(k: number): void {
    this.k = k;
    this.first = null; this.last = null; this.unparsed = 0; this.errLines = []; this.errMsgs = []; this.stop = false;
    this.splitter = new LineSplitter(this.onLine, this.onLong);
  }

  push(b: Buffer): void {
    if (!this.stop) this.splitter.push(b);
  }

  /** ends the piece (its last line may lack a newline) */
  end(): RangeOut {
    if (!this.stop) this.splitter.end();
    return { k: this.k, lines: this.splitter.lineNo, firstTime: this.first, lastTime: this.last, unparsed: this.unparsed, errLines: this.errLines, errMsgs: this.errMsgs };
  }

  /** begin, push, end of a whole piece */
  piece(k: number, b: Buffer): RangeOut {
    this.begin(k);
    this.push(b);
    return this.end();
  }

  /** what the thread found over all its pieces (`ranges` are the RangeOuts to send with it) */
  totals(ranges: RangeOut[]): ThreadOut {
    const events = new Map<string, number>();
    const names = this.parser.names;
    for (let i = 0; i < names.size; i++) {
      const c = names.counts[i]!;
      if (c > 0) events.set(names.str(i), c);
    }
    return { ranges, events, skipped: this.skipped, counts: this.stat.takeCounts(), lostNotices: this.parser.lostNotices, lostEvents: this.parser.lostEvents };
  }
}

/**
 * Takes ranges of job's file from the shared counter until none is left, and parses them (synchronously): the
 * work of each thread, the main one included. InputError if the file cannot be opened or read.
 */
export function parseRanges(job: RangeJob): ThreadOut {
  const shared = new Int32Array(job.shared);
  const { path, size, rangeBytes, nRanges } = job;
  const pp = new PieceParser(job.gfpEra, job.strict, job.longLineMessage, (k) => stopAbove(shared, k));
  const buf = Buffer.allocUnsafe(READ_BYTES);
  const ranges: RangeOut[] = [];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new InputError(path, `cannot open: ${(e as Error).message}`, 'input.open');
  }
  try {
    for (;;) {
      const k = Atomics.add(shared, 0, 1);
      if (k >= nRanges || k > Atomics.load(shared, 1)) break;
      pp.begin(k);
      const isLast = k === nRanges - 1;
      const ne = isLast ? size : (k + 1) * rangeBytes;
      let pos = k === 0 ? 0 : lineStartFrom(fd, path, buf, size, k * rangeBytes);
      // the range ends after the first newline at or after ne − 1 (the end of the line holding byte ne − 1)
      const endFrom = isLast ? -1 : ne - 1;
      if (pos < ne) {
        // read up to and including byte ne − 1, then in growing steps to the newline that ends the range
        let seek = SEEK_READ;
        while (!pp.stop && pos < size) {
          const want = pos <= endFrom ? Math.min(READ_BYTES, endFrom + 1 - pos) : endFrom >= 0 ? seek : READ_BYTES;
          const n = readAt(fd, path, buf, Math.min(want, size - pos), pos);
          if (n <= 0) break;
          let len = n;
          let done = false;
          if (endFrom >= 0 && pos + n > endFrom) {
            const nl = buf.indexOf(10, Math.max(0, endFrom - pos));
            if (nl >= 0 && nl < n) { len = nl + 1; done = true; }
            else seek = Math.min(seek * 2, READ_BYTES);
          }
          pp.push(len === buf.length ? buf : buf.subarray(0, len));
          pos += len;
          if (done) break;
        }
      }
      ranges.push(pp.end());
    }
  } finally {
    closeSync(fd);
  }
  return pp.totals(ranges);
}

/** the 'stat-pieces' worker's job: how lines are decoded (the pieces come as PieceMsg messages) */
export interface PiecesJob {
  kind: 'stat-pieces';
  gfpEra: string;
  strict: boolean;
  longLineMessage: string;
}

/** main thread → 'stat-pieces' worker: piece k is buf[0, len) (buf transferred, and sent back with its result);
 *  k = -1: no more pieces, post the totals */
export interface PieceMsg {
  k: number;
  buf: ArrayBuffer | null;
  len: number;
}

/** parses the pieces posted to `port`, posting each one's RangeOut (with its buffer) back, then its totals */
function servePieces(port: MessagePort, job: PiecesJob): void {
  const pp = new PieceParser(job.gfpEra, job.strict, job.longLineMessage);
  port.on('message', (m: PieceMsg) => {
    try {
      if (m.k < 0) {
        port.postMessage({ t: 'done', out: pp.totals([]) } satisfies WorkerMsg);
        port.close();
        return;
      }
      const out = pp.piece(m.k, Buffer.from(m.buf!, 0, m.len));
      port.postMessage({ t: 'piece', out, buf: m.buf! } satisfies WorkerMsg, [m.buf!]);
    } catch (e) {
      port.postMessage({ t: 'fail', err: serializeError(e) } satisfies WorkerMsg);
      port.close();
    }
  });
}

const kind = isMainThread ? undefined : (workerData as { kind?: unknown } | null)?.kind;
if (parentPort && kind === 'stat-pieces') servePieces(parentPort, workerData as PiecesJob);
if (parentPort && kind === 'stat-ranges') {
  const port = parentPort;
  try {
    port.postMessage({ t: 'done', out: parseRanges(workerData as RangeJob) } satisfies WorkerMsg);
  } catch (e) {
    port.postMessage({ t: 'fail', err: serializeError(e) } satisfies WorkerMsg);
  }
}
