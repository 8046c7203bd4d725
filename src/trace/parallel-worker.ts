/**
 * The worker half of the parallel `stat` (parallel.ts), and the range parser both threads run. Loaded as the
 * worker (workerData.kind 'stat-ranges'), it takes ranges of the file from the shared counter, parses them, and
 * posts its ThreadOut once, or the error it met. It imports the text parser only (ftrace.ts, lines.ts, event.ts,
 * stat.ts: not read.ts and the CSV/JSONL front ends behind it), so the worker starts in a few tens of ms.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
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
 * Takes ranges of job's file from the shared counter until none is left, and parses them (synchronously): the
 * work of each thread, the main one included. InputError if the file cannot be opened or read.
 */
export function parseRanges(job: RangeJob): ThreadOut {
  const shared = new Int32Array(job.shared);
  const { path, size, rangeBytes, nRanges, strict, longLineMessage } = job;
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
  const onLong = (no: number): void => { if (!stop) bad(no, longLineMessage); };

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
  return { ranges, events, skipped, counts: stat.takeCounts(), lostNotices: parser.lostNotices, lostEvents: parser.lostEvents };
}

if (!isMainThread && parentPort && (workerData as { kind?: unknown } | null)?.kind === 'stat-ranges') {
  const port = parentPort;
  try {
    port.postMessage({ t: 'done', out: parseRanges(workerData as RangeJob) } satisfies WorkerMsg);
  } catch (e) {
    port.postMessage({ t: 'fail', err: serializeError(e) } satisfies WorkerMsg);
  }
}
