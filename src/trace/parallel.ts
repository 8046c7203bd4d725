/**
 * `mmreplay stat` of one big plain text trace on two cores. The file is cut into byte ranges of RANGE_BYTES; the
 * main thread and one worker_threads Worker (parallel-worker.ts) take ranges in turn from a shared counter (so a
 * thread slowed by the worker's start-up or by other load on the machine simply takes fewer ranges), each with its
 * own TextParser and StatCollector (parseRanges() in parallel-worker.ts), and the main thread merges the per-range results in file order into exactly
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
import { InputError, reviveError } from '../errors.js';
import { TraceEvent } from './event.js';
import { TextParser } from './ftrace.js';
import { detectFormat } from './detect.js';
import { CHUNK } from './lines.js';
import { explicitEra, firstLookText, FIRST_ERRORS_SHOWN, LONG_LINE_MESSAGE, type ReadResult } from './read.js';
import { addStatCounts, emptyStatCounts, type StatCounts } from './stat.js';
import { BAD_LINE_MESSAGES, parseRanges, type RangeJob, type RangeOut, type ThreadOut, type WorkerMsg } from './parallel-worker.js';

export { BAD_LINE_MESSAGES } from './parallel-worker.js';

/** plain files below this size are read serially: the worker's start-up (~50 ms of CPU) is not worth it */
export const PARALLEL_MIN_BYTES = 16 << 20;
/** bytes per range: small enough that the two threads finish within ~30 ms of each other (32k lines), large
 *  enough that the per-range cost (a 4 KiB read to find the first line start, a LineSplitter) does not show */
export const RANGE_BYTES = 4 << 20;
/** at most this many ranges (bigger files get bigger ranges): bounds the bad-line messages kept, 1000 a range */
export const MAX_RANGES = 64;
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
  const job: RangeJob = { kind: 'stat-ranges', path, size, rangeBytes, nRanges, gfpEra: look.era.gfpEra, strict: opts.strict, longLineMessage: LONG_LINE_MESSAGE, shared };

  // the worker inherits node's flags, but --input-type (a `node -e` parent) is refused for a file entry
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
  const worker = new Worker(WORKER_URL, { workerData: job, execArgv, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GEN_MB } });
  let theirs: ThreadOut;
  let mine: ThreadOut;
  try {
    const done = new Promise<ThreadOut>((resolve, reject) => {
      worker.once('message', (m: WorkerMsg) => { if (m.t === 'done') resolve(m.out); else reject(reviveError(m.err, 'stat: parser worker: ')); });
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
    theirs = needWorker ? await done : { ranges: [], events: new Map(), skipped: 0, counts: emptyStatCounts(), lostNotices: 0, lostEvents: 0 };
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
      lostNotices: mine.lostNotices + theirs.lostNotices, lostEvents: mine.lostEvents + theirs.lostEvents,
    },
    counts: mine.counts,
  };
}
