/**
 * `mmreplay stat` of one big plain text trace on two cores. The file is cut into byte ranges of RANGE_BYTES; the
 * main thread and one worker_threads Worker (parallel-worker.ts) take ranges in turn from a shared counter (so a
 * thread slowed by the worker's start-up or by other load on the machine simply takes fewer ranges), each with its
 * own TextParser and StatCollector, and the main thread merges the per-range results in file order into exactly
 * what readTrace + StatCollector give serially.
 *
 * Ranges own lines by where they start: range k holds the lines whose first byte lies in [k·R, (k+1)·R), so it
 * skips to the first line start at or after k·R (the byte after the first newline at or after k·R − 1) and
 * reads past its end to finish its last line; a range inside one long line holds no line. Line numbers are
 * counted per range and offset by the lines of the ranges before it when merged, so bad-line messages carry the
 * file's own line numbers, in file order. Order-free counts (events by name, allocations and frees) are summed
 * per thread; what depends on order (line count, first and last event, bad lines) is kept per range.
 *
 * Era and format come from the one first look readTrace takes (firstLookText over the same head bytes). Used for
 * regular plain files of at least PARALLEL_MIN_BYTES (MMREPLAY_PARALLEL_MIN_BYTES overrides it, for tests) when
 * the machine has two CPUs and the compiled worker exists; MMREPLAY_NO_WORKER=1 turns it off. gzip, stdin, CSV
 * and JSONL, and small files take the serial readTrace.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, MmreplayError, UsageError, type ExitCode } from '../errors.js';
import { EV_OTHER, TraceEvent } from './event.js';
import { LINE_ERROR, LINE_EVENT, TextParser } from './ftrace.js';
import { LineSplitter } from './lines.js';
import { detectFormat } from './detect.js';
import { explicitEra, firstLookText, FIRST_ERRORS_SHOWN, LONG_LINE_MESSAGE, type ReadResult } from './read.js';
import { addStatCounts, emptyStatCounts as emptyCounts, StatCollector, type StatCounts } from './stat.js';

/** plain files below this size are read serially: the worker's start-up (~40 ms) is not worth it */
export const PARALLEL_MIN_BYTES = 16 << 20;
/** bytes per range: small enough that the two threads finish within ~40 ms of each other, large enough that the
 *  per-range cost (a seek to the next line start, a LineSplitter) does not show */
export const RANGE_BYTES = 8 << 20;
/** at most this many ranges (bigger files get bigger ranges): bounds the bad-line messages kept, 1000 a range */
export const MAX_RANGES = 64;
/**
 * Bad-line messages kept per range, and printed on stderr per trace file by `stat` (serial or parallel, the same
 * cap, so the output does not depend on the path): a file of millions of bad lines costs bounded memory.
 */
export const BAD_LINE_MESSAGES = 1000;
/**
 * readTrace's first look sees the stream's first chunk, which for a regular file is its first 1 MiB (lines.ts
 * CHUNK, the read stream's highWaterMark; keep in sync, test/trace/parallel.test.ts checks it).
 */
export const FIRST_LOOK_FILE_HEAD = 1 << 20;
const READ_BYTES = 1 << 20;
/** the worker's young generation: as the replay pipeline's parser worker (pipeline.ts), a small default costs
 *  the parser's short-lived strings many scavenges */
const WORKER_YOUNG_GEN_MB = 32;

const WORKER_URL = new URL('./parallel-worker.js', import.meta.url);

/** whether the compiled worker is there (running from the TypeScript sources, e.g. under vitest, it is not) */
export function parallelAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

/** one thread's work: which file, how it is cut, and how lines are decoded */
export interface RangeJob {
  path: string;
  /** file size when the run started (later growth is not read) */
  size: number;
  rangeBytes: number;
  nRanges: number;
  gfpEra: string;
  strict: boolean;
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
}

/** the worker's one message */
export type WorkerMsg = { t: 'done'; out: ThreadOut } |
  { t: 'fail'; err: { name: string; message: string; stack?: string; code?: string; location?: string; exitCode?: number } };

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
 * Takes ranges of job's file from the shared counter until none is left, and parses them (synchronously): the
 * work of each thread, the main one included. InputError if the file cannot be opened or read.
 */
export function parseRanges(job: RangeJob): ThreadOut {
  const shared = new Int32Array(job.shared);
  const { path, size, rangeBytes, nRanges, strict } = job;
  const parser = new TextParser();
  parser.setEra(job.gfpEra);
  const ev = new TraceEvent(parser.names, parser.tasks, parser.gfps);
  const stat = new StatCollector();
  const onEvent = stat.onEvent;
  const buf = Buffer.allocUnsafe(READ_BYTES);
  const ranges: RangeOut[] = [];
  let skipped = 0;

  // the current range's state, written by the line callbacks
  let k = 0;
  let first: number | null = null;
  let last: number | null = null;
  let unparsed = 0;
  let errLines: number[] = [];
  let errMsgs: string[] = [];
  let stop = false;
  const bad = (no: number, msg: string): void => {
    unparsed++;
    if (errMsgs.length < BAD_LINE_MESSAGES) { errLines.push(no); errMsgs.push(msg); }
    // --strict: this range ends at its first bad line, and ranges after it are not needed
    if (strict) { stop = true; stopAbove(shared, k); }
  };
  const onLine = (b: Buffer, s: number, e: number, no: number): void => {
    if (stop) return;
    const r = parser.parse(b, s, e, ev);
    if (r === LINE_EVENT) {
      ev.names.counts[ev.nameId]!++;
      if (ev.id === EV_OTHER) skipped++;
      if (first === null) first = ev.time;
      last = ev.time;
      onEvent(ev);
    } else if (r === LINE_ERROR) {
      bad(no, parser.error);
    }
  };
  const onLong = (no: number): void => { if (!stop) bad(no, LONG_LINE_MESSAGE); };

  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new InputError(path, `cannot open: ${(e as Error).message}`, 'input.open');
  }
  try {
    for (;;) {
      k = Atomics.add(shared, 0, 1);
      if (k >= nRanges || k > Atomics.load(shared, 1)) break;
      first = null; last = null; unparsed = 0; errLines = []; errMsgs = []; stop = false;
      const splitter = new LineSplitter(onLine, onLong);
      const isLast = k === nRanges - 1;
      const ne = isLast ? size : (k + 1) * rangeBytes;
      let pos = k === 0 ? 0 : lineStartFrom(fd, path, buf, size, k * rangeBytes);
      // the range ends after the first newline at or after ne − 1 (the end of the line holding byte ne − 1)
      const endFrom = isLast ? -1 : ne - 1;
      if (pos < ne) {
        // read up to and including byte ne − 1, then in growing steps to the newline that ends the range
        let seek = SEEK_READ;
        while (!stop && pos < size) {
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
          splitter.push(len === buf.length ? buf : buf.subarray(0, len));
          pos += len;
          if (done) break;
        }
        if (!stop) splitter.end();
      }
      ranges.push({ k, lines: splitter.lineNo, firstTime: first, lastTime: last, unparsed, errLines, errMsgs });
    }
  } finally {
    closeSync(fd);
  }
  const events = new Map<string, number>();
  const names = parser.names;
  for (let i = 0; i < names.size; i++) {
    const c = names.counts[i]!;
    if (c > 0) events.set(names.str(i), c);
  }
  return { ranges, events, skipped, counts: stat.takeCounts() };
}

function envBytes(env: Record<string, string | undefined>, name: string, dflt: number): number {
  const v = env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}

/** the worker's error as the class the main thread would have thrown (an InputError stays exit 2) */
function reviveError(e: Extract<WorkerMsg, { t: 'fail' }>['err']): Error {
  if (e.name === 'InputError' && e.location !== undefined) {
    const raw = e.location && e.message.startsWith(`${e.location}: `) ? e.message.slice(e.location.length + 2) : e.message;
    return new InputError(e.location, raw, e.code);
  }
  if (e.name === 'UsageError') return new UsageError(e.message, e.code);
  if (e.exitCode !== undefined && e.code !== undefined) return new MmreplayError(e.message, e.code, e.exitCode as ExitCode);
  const err = new Error(`stat: parser worker: ${e.message}`);
  if (e.stack) err.stack = e.stack;
  return err;
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
 * its InputError, as readTrace does. A worker that fails is an error (a plain Error: exit 70), never a hang.
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
  if (size < envBytes(env, 'MMREPLAY_PARALLEL_MIN_BYTES', PARALLEL_MIN_BYTES) || size === 0) return null;
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
  if ((head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) || detectFormat(head) !== 'ftrace') return null;
  const lookParser = new TextParser();
  const look = firstLookText(head, forced, lookParser, new TraceEvent(lookParser.names, lookParser.tasks, lookParser.gfps));

  const rangeBytes = env.MMREPLAY_PARALLEL_RANGE_BYTES ? envBytes(env, 'MMREPLAY_PARALLEL_RANGE_BYTES', RANGE_BYTES)
    : Math.max(RANGE_BYTES, Math.ceil(size / MAX_RANGES));
  const nRanges = Math.max(1, Math.ceil(size / rangeBytes));
  const shared = new SharedArrayBuffer(8);
  new Int32Array(shared)[1] = nRanges;
  const job: RangeJob = { path, size, rangeBytes, nRanges, gfpEra: look.era.gfpEra, strict: opts.strict, shared };

  // the worker inherits node's flags, but --input-type (a `node -e` parent) is refused for a file entry
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const worker = new Worker(WORKER_URL, { workerData: job, execArgv, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GEN_MB } });
  let theirs: ThreadOut;
  let mine: ThreadOut;
  try {
    const done = new Promise<ThreadOut>((resolve, reject) => {
      worker.once('message', (m: WorkerMsg) => { if (m.t === 'done') resolve(m.out); else reject(reviveError(m.err)); });
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
    theirs = needWorker ? await done : { ranges: [], events: new Map(), skipped: 0, counts: emptyCounts() };
  } finally {
    void worker.terminate();
  }

  // merge in file order
  const ranges: (RangeOut | undefined)[] = new Array<RangeOut | undefined>(nRanges);
  for (const r of mine.ranges) ranges[r.k] = r;
  for (const r of theirs.ranges) ranges[r.k] = r;
  let lines = 0;
  let unparsed = 0;
  let first: number | null = null;
  let last: number | null = null;
  let sent = 0;
  const firstErrors: string[] = [];
  for (let k = 0; k < nRanges; k++) {
    const r = ranges[k];
    if (r === undefined) throw new Error(`stat: range ${k} of ${path} was not parsed`);
    if (opts.strict && r.unparsed > 0) throw new InputError(`${path}:${lines + r.errLines[0]!}`, r.errMsgs[0]!, 'input.line');
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
    result: {
      format: look.format, lines, events, skipped: mine.skipped + theirs.skipped, unparsed, firstErrors,
      kernelEra: look.era.kernelEra, gfpEra: look.era.gfpEra, firstTimestamp: first, lastTimestamp: last,
    },
    counts: mine.counts,
  };
}
