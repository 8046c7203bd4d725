/**
 * `mmreplay stat` of one big text trace on two cores, plain or gzip.
 *
 * Plain files are cut into byte ranges of RANGE_BYTES; the main thread and one worker_threads Worker
 * (parallel-worker.ts) take ranges in turn from a shared counter (so a thread slowed by the worker's start-up or
 * by other load on the machine simply takes fewer ranges), each with its own PieceParser (TextParser and
 * StatCollector; parseRanges() in parallel-worker.ts). Ranges own lines by where they start: range k holds the
 * lines whose first byte lies in [k·R, (k+1)·R), so it skips to the first line start at or after k·R (the byte
 * after the first newline at or after k·R − 1) and reads past its end to finish its last line; a range inside
 * one long line holds no line.
 *
 * gzip files cannot be entered in the middle: the main thread inflates the stream (lines.ts openChunks, zlib
 * on the libuv pool) and cuts it into pieces of whole lines (PieceCutter); each piece goes to the worker while
 * fewer than PIECES_IN_FLIGHT are out there, else the main thread parses it itself (statGzipParallel), which
 * balances the two threads and bounds memory (~ PIECES_IN_FLIGHT + 2 pieces).
 *
 * Either way, line numbers are counted per piece and offset by the lines of the pieces before it when merged
 * (mergePieces), so bad-line messages carry the file's own line numbers, in file order. Order-free counts
 * (events by name, allocations and frees) are summed per thread; what depends on order (line count, first and
 * last event, bad lines) is kept per piece. Era and format come from the one first look readTrace takes
 * (firstLookText over the same head bytes). Used for regular plain files of at least PARALLEL_MIN_BYTES and gzip
 * files of at least GZIP_PARALLEL_MIN_BYTES compressed (MMREPLAY_PARALLEL_MIN_BYTES overrides both, and
 * MMREPLAY_PARALLEL_RANGE_BYTES the range and piece size, for tests) when the machine has two CPUs and the
 * compiled worker exists; MMREPLAY_NO_WORKER=1 turns it off. stdin, CSV and JSONL, and small files take the
 * serial readTrace.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, reviveError } from '../errors.js';
import { TraceEvent } from './event.js';
import { TextParser } from './ftrace.js';
import { detectFormat } from './detect.js';
import { CHUNK, MAX_LINE, openChunks } from './lines.js';
import { explicitEra, FIRST_LOOK_BYTES, firstLookText, FIRST_ERRORS_SHOWN, LONG_LINE_MESSAGE, type ReadResult, type TextFirstLook } from './read.js';
import type { EraChoice } from './era.js';
import { addStatCounts, emptyStatCounts, type StatCounts } from './stat.js';
import { BAD_LINE_MESSAGES, parseRanges, PieceParser, type PieceMsg, type PiecesJob, type RangeJob, type RangeOut, type ThreadOut, type WorkerMsg } from './parallel-worker.js';

export { BAD_LINE_MESSAGES } from './parallel-worker.js';

/** plain files below this size are read serially: the worker's start-up (~50 ms of CPU) is not worth it */
export const PARALLEL_MIN_BYTES = 16 << 20;
/** bytes per range: small enough that the two threads finish within ~30 ms of each other (32k lines), large
 *  enough that the per-range cost (a 4 KiB read to find the first line start, a LineSplitter) does not show */
export const RANGE_BYTES = 4 << 20;
/** at most this many ranges (bigger files get bigger ranges): bounds the bad-line messages kept, 1000 a range */
export const MAX_RANGES = 64;
/** gzip files (compressed size) below this are read serially */
export const GZIP_PARALLEL_MIN_BYTES = 4 << 20;
/** inflated bytes per piece of a gzip stream (at least: a piece ends at the first line end after this) */
export const PIECE_BYTES = 4 << 20;
/** pieces handed to the worker and not yet back: while this many are out the main thread parses the next piece
 *  itself, so the work balances by itself between the threads and at most this many pieces are in flight */
export const PIECES_IN_FLIGHT = 2;
/** readTrace's first look sees the stream's first chunk, which for a regular file is lines.ts CHUNK bytes */
export const FIRST_LOOK_FILE_HEAD = CHUNK;
/** the worker's young generation: as the replay pipeline's parser worker (pipeline.ts), a small default costs
 *  the parser's short-lived strings many scavenges */
const WORKER_YOUNG_GEN_MB = 32;

const WORKER_URL = new URL('./parallel-worker.js', import.meta.url);

/** whether the compiled worker is there (running from the TypeScript sources, e.g. under vitest, it is not) */
export function parallelAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

function envBytes(env: Record<string, string | undefined>, name: string, dflt: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}


export interface ParallelStatOptions {
  strict: boolean;
  traceKernel?: string;
}

/** a file read in parallel: its ReadResult (as readTrace's) and its page-event counts for StatCollector.endFile */
export interface ParallelStat {
  result: ReadResult;
  counts: StatCounts;
}

/**
 * Reads `path` for `stat` in parallel when it qualifies (see the file header), else returns null and the caller
 * reads it serially (which also reports a missing or unreadable file). onError gets the first BAD_LINE_MESSAGES
 * bad-line messages in file order (`file:line: message`); with `strict` the first bad line in file order throws
 * its InputError, as readTrace does; a corrupt gzip stream throws readTrace's InputError (`corrupt gzip data: ...`)
 * after the messages of the lines before it. A worker that fails is an error (a plain Error: exit 70), never a hang.
 */
export async function statTraceParallel(path: string, opts: ParallelStatOptions, env: Record<string, string | undefined>,
  onError?: (msg: string) => void): Promise<ParallelStat | null> {
  if (path === '-' || env.MMREPLAY_NO_WORKER === '1' || !parallelAvailable() || availableParallelism() < 2) return null;
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) return null;
    size = st.size;
  } catch {
    return null;
  }
  const plainMin = envBytes(env, 'MMREPLAY_PARALLEL_MIN_BYTES', PARALLEL_MIN_BYTES);
  const gzipMin = envBytes(env, 'MMREPLAY_PARALLEL_MIN_BYTES', GZIP_PARALLEL_MIN_BYTES);
  if (size < Math.min(plainMin, gzipMin) || size === 0) return null;
  const forced = opts.traceKernel !== undefined ? explicitEra(opts.traceKernel) : undefined;

  // the head readTrace's first look would see; gzip, CSV and JSONL go the serial way
  const head = Buffer.allocUnsafe(Math.min(size, FIRST_LOOK_FILE_HEAD));
  try {
    const fd = openSync(path, 'r');
    try {
      let got = 0;
      while (got < head.length) {
        const n = readSync(fd, head, got, head.length - got, got);
        if (n <= 0) break;
        got += n;
      }
      if (got < head.length) return null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    return size < gzipMin ? null : statGzipParallel(path, opts, forced, env, onError);
  }
  if (size < plainMin || detectFormat(head) !== 'ftrace') return null;
  const lookParser = new TextParser();
  const look = firstLookText(head, forced, lookParser, new TraceEvent(lookParser.names, lookParser.tasks, lookParser.gfps));

  const rangeBytes = env.MMREPLAY_PARALLEL_RANGE_BYTES ? envBytes(env, 'MMREPLAY_PARALLEL_RANGE_BYTES', RANGE_BYTES)
    : Math.max(RANGE_BYTES, Math.ceil(size / MAX_RANGES));
  const nRanges = Math.max(1, Math.ceil(size / rangeBytes));
  const shared = new SharedArrayBuffer(8);
  new Int32Array(shared)[1] = nRanges;
  const job: RangeJob = { kind: 'stat-ranges', path, size, rangeBytes, nRanges, gfpEra: look.era.gfpEra, strict: opts.strict, longLineMessage: LONG_LINE_MESSAGE, shared };

  // the worker inherits node's flags, but --input-type (a `node -e` parent) is refused for a file entry
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const worker = new Worker(WORKER_URL, { workerData: job, execArgv, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GEN_MB } });
  let theirs: ThreadOut;
  let mine: ThreadOut;
  try {
    const done = new Promise<ThreadOut>((resolve, reject) => {
      worker.once('message', (m: WorkerMsg) => { if (m.t === 'done') resolve(m.out); else if (m.t === 'fail') reject(reviveError(m.err, 'stat: parser worker: ')); });
      worker.once('error', (err: Error) => reject(new Error(`stat: parser worker crashed: ${err.message}`)));
      worker.once('exit', (code: number) => reject(new Error(`stat: the parser worker exited (code ${code}) before its ranges were done`)));
    });
    // the main thread works while the worker starts; the worker's outcome is looked at when its own work is done
    done.catch(() => {});
    mine = parseRanges(job);
    // with --strict, the ranges up to the first bad one are all that is needed: when they are all the main
    // thread's (a bad line near the top, e.g. a file that is not a trace), the worker is not waited for
    const stop = Atomics.load(new Int32Array(shared), 1);
    const have = new Set(mine.ranges.map((r) => r.k));
    let needWorker = false;
    for (let k = 0; k <= Math.min(stop, nRanges - 1); k++) if (!have.has(k)) { needWorker = true; break; }
    theirs = needWorker ? await done : emptyThreadOut();
  } finally {
    void worker.terminate();
  }

  const ranges: (RangeOut | undefined)[] = new Array<RangeOut | undefined>(nRanges);
  for (const r of mine.ranges) ranges[r.k] = r;
  for (const r of theirs.ranges) ranges[r.k] = r;
  return { result: mergePieces(path, look, ranges, nRanges, mine, theirs, opts.strict, onError), counts: mine.counts };
}

/**
 * The merge of both paths: pieces[0, n) (ranges of a file, or pieces of a stream) in file order, line numbers
 * offset by the lines of the pieces before, bad-line messages to onError (the first BAD_LINE_MESSAGES) and
 * firstErrors; with `strict` the first bad line in file order throws its InputError, as readTrace does. The two
 * threads' order-free counts are summed into mine.
 */
function mergePieces(path: string, look: TextFirstLook, pieces: readonly (RangeOut | undefined)[], n: number,
  mine: ThreadOut, theirs: ThreadOut, strict: boolean, onError: ((msg: string) => void) | undefined): ReadResult {
  let lines = 0;
  let unparsed = 0;
  let first: number | null = null;
  let last: number | null = null;
  let sent = 0;
  const firstErrors: string[] = [];
  for (let k = 0; k < n; k++) {
    const r = pieces[k];
    if (r === undefined) throw new Error(`stat: piece ${k} of ${path} was not parsed`);
    if (strict && r.unparsed > 0) throw new InputError(`${path}:${lines + r.errLines[0]!}`, r.errMsgs[0]!, 'input.line');
    for (let i = 0; i < r.errMsgs.length; i++) {
      const msg = `${path}:${lines + r.errLines[i]!}: ${r.errMsgs[i]!}`;
      if (firstErrors.length < FIRST_ERRORS_SHOWN) firstErrors.push(msg);
      if (sent < BAD_LINE_MESSAGES) { onError?.(msg); sent++; }
    }
    unparsed += r.unparsed;
    if (r.firstTime !== null) {
      if (first === null) first = r.firstTime;
      last = r.lastTime;
    }
    lines += r.lines;
  }
  const events = mine.events;
  for (const [name, c] of theirs.events) events.set(name, (events.get(name) ?? 0) + c);
  addStatCounts(mine.counts, theirs.counts);
  return {
    format: look.format, lines, events, skipped: mine.skipped + theirs.skipped, unparsed, firstErrors,
    kernelEra: look.era.kernelEra, gfpEra: look.era.gfpEra, firstTimestamp: first, lastTimestamp: last,
    lostNotices: mine.lostNotices + theirs.lostNotices, lostEvents: mine.lostEvents + theirs.lostEvents,
  };
}

const emptyThreadOut = (): ThreadOut => ({ ranges: [], events: new Map(), skipped: 0, counts: emptyStatCounts(), lostNotices: 0, lostEvents: 0 });

/**
 * Cuts a stream of chunks into pieces of whole lines: a piece ends at the last line end of the chunk that brings
 * it to `pieceBytes` or more (the last piece holds the rest, its last line with or without a newline). Each piece is copied into a buffer of its own
 * (from `take`, byteOffset 0, so that its ArrayBuffer can be transferred) and handed to `emit` with its length.
 * A line longer than lines.ts MAX_LINE is kept only up to MAX_LINE + 1 bytes: still too long for LineSplitter,
 * which reports it as the serial read does, and memory stays bounded by pieceBytes + chunk + MAX_LINE.
 */
export class PieceCutter {
  private buf: Buffer;
  private len = 0;
  /** where the current (unfinished) line starts in buf */
  private lineStart = 0;
  /** the current line is over MAX_LINE + 1 bytes: its further bytes are dropped */
  private longTail = false;
  private readonly pieceBytes: number;
  private readonly take: (min: number) => Buffer;
  private readonly emit: (buf: Buffer, len: number) => void;

  constructor(pieceBytes: number, take: (min: number) => Buffer, emit: (buf: Buffer, len: number) => void) {
    this.pieceBytes = pieceBytes;
    this.take = take;
    this.emit = emit;
    this.buf = take(0);
  }

  push(c: Buffer): void {
    const last = c.lastIndexOf(10);
    if (last < 0) { this.tail(c, 0, c.length); return; }
    // the current line ends at c's first newline; a long one's bytes up to it are dropped
    const from = this.longTail ? c.indexOf(10) : 0;
    this.longTail = false;
    this.append(c, from, last + 1);
    this.lineStart = this.len;
    this.tail(c, last + 1, c.length);
    if (this.lineStart >= this.pieceBytes) this.cut(this.lineStart);
  }

  /** the end of the stream: the rest is the last piece */
  end(): void {
    if (this.len > 0) this.cut(this.len);
  }

  /** the stream failed: its whole lines are the last piece (the unfinished line is not parsed, as serially) */
  flush(): void {
    if (this.lineStart > 0) this.cut(this.lineStart);
  }

  private tail(c: Buffer, s: number, e: number): void {
    if (this.longTail || s >= e) return;
    const room = MAX_LINE + 1 - (this.len - this.lineStart);
    if (e - s > room) { e = s + room; this.longTail = true; }
    this.append(c, s, e);
  }

  private append(c: Buffer, s: number, e: number): void {
    const need = this.len + e - s;
    if (need > this.buf.length) {
      const nb = Buffer.allocUnsafeSlow(Math.max(need, 2 * this.buf.length));
      this.buf.copy(nb, 0, 0, this.len);
      this.buf = nb;
    }
    c.copy(this.buf, this.len, s, e);
    this.len = need;
  }

  /** emits buf[0, n) and carries buf[n, len) over into a new buffer */
  private cut(n: number): void {
    const full = this.buf;
    const rest = this.len - n;
    this.buf = this.take(rest);
    full.copy(this.buf, 0, n, this.len);
    this.len = rest;
    this.lineStart = Math.max(0, this.lineStart - n);
    this.emit(full, n);
  }
}

/**
 * A gzip file on two threads: the main thread inflates it (lines.ts openChunks, the chunks readTrace reads, so
 * the first look sees the same head), cuts the inflated stream into pieces of whole lines (PieceCutter), hands
 * each piece to the worker while fewer than PIECES_IN_FLIGHT are out and parses it itself otherwise, then merges
 * the pieces in order (mergePieces). A corrupt stream ends the read as it ends readTrace's: the whole lines before
 * it are parsed and merged (their bad-line messages shown, --strict's error thrown), then its InputError thrown.
 * Returns null (read serially) when the head cannot be read or is not kernel text.
 */
async function statGzipParallel(path: string, opts: ParallelStatOptions, forced: EraChoice | undefined,
  env: Record<string, string | undefined>, onError?: (msg: string) => void): Promise<ParallelStat | null> {
  let src;
  try {
    src = await openChunks(path, () => { throw new Error('stat: stdin is read serially'); });
  } catch {
    return null;
  }
  const it = src.chunks[Symbol.asyncIterator]();
  let worker: Worker | null = null;
  try {
    // readTrace's first look: the chunks up to FIRST_LOOK_BYTES
    const sample: Buffer[] = [];
    let sampleLen = 0;
    let done = false;
    try {
      while (sampleLen < FIRST_LOOK_BYTES) {
        const r = await it.next();
        if (r.done) { done = true; break; }
        sample.push(r.value);
        sampleLen += r.value.length;
      }
    } catch {
      return null;
    }
    const head = sample.length === 1 ? sample[0]! : Buffer.concat(sample, sampleLen);
    if (detectFormat(head) !== 'ftrace') return null;
    const lookParser = new TextParser();
    const look = firstLookText(head, forced, lookParser, new TraceEvent(lookParser.names, lookParser.tasks, lookParser.gfps));

    const strict = opts.strict;
    const pieceBytes = envBytes(env, 'MMREPLAY_PARALLEL_RANGE_BYTES', PIECE_BYTES);
    const job: PiecesJob = { kind: 'stat-pieces', gfpEra: look.era.gfpEra, strict, longLineMessage: LONG_LINE_MESSAGE };
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const w = new Worker(WORKER_URL, { workerData: job, execArgv, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GEN_MB } });
    worker = w;
    const pieces: (RangeOut | undefined)[] = [];
    const pool: Buffer[] = [];
    let inFlight = 0;
    let nPieces = 0;
    let stopped = false;
    let theirs: ThreadOut | null = null;
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    const kick = (): void => { const f = wake; wake = null; f?.(); };
    const got = (r: RangeOut): void => {
      pieces[r.k] = r;
      // --strict: the pieces after a bad line are not needed (those before it are all cut already)
      if (strict && r.unparsed > 0) stopped = true;
    };
    w.on('message', (m: WorkerMsg) => {
      if (m.t === 'piece') { got(m.out); inFlight--; pool.push(Buffer.from(m.buf)); }
      else if (m.t === 'done') theirs = m.out;
      else failure = reviveError(m.err, 'stat: parser worker: ');
      kick();
    });
    w.on('error', (err: Error) => { failure ??= new Error(`stat: parser worker crashed: ${err.message}`); kick(); });
    w.on('exit', (code: number) => { if (theirs === null) failure ??= new Error(`stat: the parser worker exited (code ${code}) before its pieces were done`); kick(); });
    const until = async (cond: () => boolean): Promise<void> => {
      for (;;) {
        if (failure) throw failure;
        if (cond()) return;
        await new Promise<void>((r) => { wake = r; });
      }
    };

    const mine = new PieceParser(look.era.gfpEra, strict, LONG_LINE_MESSAGE);
    const cap = pieceBytes + CHUNK;
    const take = (min: number): Buffer => {
      const b = pool.pop();
      return b !== undefined && b.length >= min ? b : Buffer.allocUnsafeSlow(Math.max(cap, min));
    };
    const cutter = new PieceCutter(pieceBytes, take, (buf, len) => {
      const k = nPieces++;
      if (inFlight < PIECES_IN_FLIGHT) {
        inFlight++;
        w.postMessage({ k, buf: buf.buffer as ArrayBuffer, len } satisfies PieceMsg, [buf.buffer as ArrayBuffer]);
      } else {
        got(mine.piece(k, buf.subarray(0, len)));
        pool.push(buf);
      }
    });
    let streamError: unknown = null;
    for (const c of sample) if (!stopped) cutter.push(c);
    while (!done && !stopped) {
      let r: IteratorResult<Buffer>;
      try {
        r = await it.next();
      } catch (e) {
        streamError = e;
        break;
      }
      if (r.done) break;
      cutter.push(r.value);
    }
    if (streamError !== null) cutter.flush();
    else if (!stopped) cutter.end();
    await until(() => inFlight === 0);
    if (streamError !== null || stopped) {
      // a strict error, or the whole lines before a corrupt stream: merged (messages shown) before the error
      mergePieces(path, look, pieces, nPieces, mine.totals([]), emptyThreadOut(), strict, onError);
      throw streamError ?? new Error(`stat: ${path}: --strict stopped without a bad line`);
    }
    w.postMessage({ k: -1, buf: null, len: 0 } satisfies PieceMsg);
    await until(() => theirs !== null);
    const m = mine.totals([]);
    return { result: mergePieces(path, look, pieces, nPieces, m, theirs!, strict, onError), counts: m.counts };
  } finally {
    if (worker) void worker.terminate();
    await it.return?.(undefined);
  }
}
