/**
 * readTrace(): the one entry the replay engine and the commands use to read any trace. Detects the format, takes
 * a first look to infer the kernel era (or uses --trace-kernel), then streams every event through onEvent with one
 * reused TraceEvent record. Bad lines are located errors (`file:line: message`): counted and skipped, or with
 * `strict` the first one throws InputError (exit 2).
 */
import { InputError, UsageError } from '../errors.js';
import { EV_OTHER, TraceEvent } from './event.js';
import { LineSplitter, openChunks } from './lines.js';
import { LINE_ERROR, LINE_EVENT, TextParser } from './ftrace.js';
import { chooseEra, eraForKernel, EraSignals, type EraChoice } from './era.js';
import { detectFormat, type TraceFormat } from './detect.js';
import { readJsonl } from './jsonl.js';
import type { Intern } from './intern.js';

export type { TraceFormat } from './detect.js';

export interface ReadOptions {
  strict: boolean; traceKernel?: string; maxErrorsShown?: number;
  /** backpressure from the consumer: called between input chunks; when it returns a promise, reading waits for it
   *  (e.g. `convert` writing to a slow pipe) */
  pause?: () => Promise<void> | undefined;
  /** read a file's chunks synchronously (ChunkSource.reuseBuffers): for a thread that does nothing else */
  syncReads?: boolean;
}

export interface ReadResult {
  format: TraceFormat;
  lines: number;
  /** events by name (without system), known or not; malformed lines are not counted */
  events: Map<string, number>;
  /** well-formed lines of events mmreplay does not interpret */
  skipped: number;
  /** malformed lines */
  unparsed: number;
  /** the first few errors, "file:line: msg" */
  firstErrors: string[];
  /** e.g. "6.15–6.18" */
  kernelEra: string;
  /** src/mm/gfp.ts era id used to decode gfp_flags */
  gfpEra: string;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  /** ring-buffer overrun notices in the trace and the events they say were lost (ftrace.ts lostNotice) */
  lostNotices: number;
  lostEvents: number;
}

/** how the first look is bounded: bytes read before deciding, and event lines examined */
export const FIRST_LOOK_BYTES = 64 * 1024;
export const FIRST_LOOK_EVENTS = 5000;
/** the message of a line longer than lines.ts MAX_LINE, which is skipped */
export const LONG_LINE_MESSAGE = 'line longer than 1 MiB (skipped)';
/** ReadResult.firstErrors holds this many messages unless ReadOptions.maxErrorsShown says otherwise */
export const FIRST_ERRORS_SHOWN = 10;

/** Collects what every front end reports: counts, timestamps, errors; applies --strict. */
export class Sink {
  lines = 0;
  skipped = 0;
  unparsed = 0;
  readonly firstErrors: string[] = [];
  /** the first and last event's time, once `timed`: double fields (a `number | null` field would box every time
   *  stored in it, an allocation per event) */
  private timed = false;
  private firstTime = NaN;
  private lastTime = NaN;
  private readonly maxErrors: number;

  readonly file: string;
  private readonly opts: ReadOptions;
  private readonly onEvent: (ev: TraceEvent) => void;
  private readonly onError: ((msg: string) => void) | undefined;

  constructor(file: string, opts: ReadOptions, onEvent: (ev: TraceEvent) => void, onError: ((msg: string) => void) | undefined) {
    this.file = file;
    this.opts = opts;
    this.onEvent = onEvent;
    this.onError = onError;
    this.maxErrors = opts.maxErrorsShown ?? FIRST_ERRORS_SHOWN;
  }

  /** a parsed event: counted under its name (names.counts) and handed to onEvent */
  event(ev: TraceEvent, lineNo: number): void {
    ev.line = lineNo;
    ev.names.counts[ev.nameId]!++;
    if (ev.id === EV_OTHER) this.skipped++;
    const t = ev.time;
    if (!this.timed) { this.timed = true; this.firstTime = t; }
    this.lastTime = t;
    this.onEvent(ev);
  }

  /** a malformed line: located error, thrown with --strict */
  bad(lineNo: number, msg: string): void {
    const loc = lineNo > 0 ? `${this.file}:${lineNo}` : this.file;
    if (this.opts.strict) throw new InputError(loc, msg, 'input.line');
    this.unparsed++;
    const full = `${loc}: ${msg}`;
    if (this.firstErrors.length < this.maxErrors) this.firstErrors.push(full);
    this.onError?.(full);
  }

  result(format: TraceFormat, names: Intern, era: EraChoice, lost?: { lostNotices: number; lostEvents: number }): ReadResult {
    const events = new Map<string, number>();
    for (let i = 0; i < names.size; i++) {
      const c = names.counts[i]!;
      if (c > 0) events.set(names.str(i), c);
    }
    return {
      format, lines: this.lines, events, skipped: this.skipped, unparsed: this.unparsed,
      firstErrors: this.firstErrors, kernelEra: era.kernelEra, gfpEra: era.gfpEra,
      firstTimestamp: this.timed ? this.firstTime : null, lastTimestamp: this.timed ? this.lastTime : null,
      lostNotices: lost?.lostNotices ?? 0, lostEvents: lost?.lostEvents ?? 0,
    };
  }
}

/** the era of --trace-kernel, or a usage error naming the accepted range */
export function explicitEra(traceKernel: string): EraChoice {
  const era = eraForKernel(traceKernel);
  if (!era) throw new UsageError(`--trace-kernel ${traceKernel}: not a kernel version mmreplay knows (4.0 to 6.18, e.g. 5.15)`);
  return era;
}

/** what the first look at a kernel-text trace decides */
export interface TextFirstLook {
  /** 'ftrace', 'trace-cmd' or 'perf-script' */
  format: TraceFormat;
  era: EraChoice;
}

/**
 * The first look at a kernel-text trace (ftrace, trace-cmd report, perf script), as readTrace takes it: `head` is
 * the first chunks of the input (at least FIRST_LOOK_BYTES unless the input is shorter); its first
 * FIRST_LOOK_EVENTS event lines are parsed with `parser` for EraSignals (nothing is reported) and the era chosen
 * from them, unless `forced` (--trace-kernel) gives it, in which case no line is looked at. The format comes from
 * what the parser saw (`cpus=N` header, `comm pid` with a space). The parser's gfp era is left for the caller to set.
 */
export function firstLookText(head: Buffer, forced: EraChoice | undefined, parser: TextParser, ev: TraceEvent): TextFirstLook {
  // the look runs with --trace-kernel too: it also tells ftrace from trace-cmd report and perf script
  const sig = new EraSignals();
  parser.sig = sig;
  let seen = 0;
  const look = new LineSplitter((buf, s, e) => {
    if (seen < FIRST_LOOK_EVENTS && parser.parse(buf, s, e, ev) === LINE_EVENT) seen++;
  }, () => {});
  look.push(head);
  look.end();
  parser.sig = null;
  // the look's lines are parsed again by the real pass
  parser.lostNotices = 0;
  parser.lostEvents = 0;
  const era = forced ?? chooseEra(sig);
  const format: TraceFormat = parser.sawTraceCmdHeader ? 'trace-cmd' : parser.sawPerfShape ? 'perf-script' : 'ftrace';
  return { format, era };
}

/**
 * parses `path` ('-' = stdin) and calls onEvent synchronously for every parsed event (the same record object,
 * overwritten each time); onError for each bad line; with strict the first bad line throws InputError (exit 2)
 */
export async function readTrace(path: string, stdin: () => NodeJS.ReadableStream, opts: ReadOptions,
  onEvent: (ev: TraceEvent) => void, onError?: (msg: string) => void): Promise<ReadResult> {
  const forced = opts.traceKernel !== undefined ? explicitEra(opts.traceKernel) : undefined;
  const file = path === '-' ? '<stdin>' : path;
  const src = await openChunks(path, stdin);
  const it = src.chunks[Symbol.asyncIterator]();
  const sample: Buffer[] = [];
  let sampleLen = 0;
  let done = false;
  while (sampleLen < FIRST_LOOK_BYTES) {
    const r = await it.next();
    if (r.done) { done = true; break; }
    sample.push(r.value);
    sampleLen += r.value.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    for (const c of sample) yield c;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  const sink = new Sink(file, opts, onEvent, onError);
  const head = sample.length === 1 ? sample[0]! : Buffer.concat(sample, sampleLen);
  const format = detectFormat(head);
  if (format === 'jsonl') return readJsonl(all(), sink, forced, opts.pause);
  // csv-parse is loaded only for a CSV trace (a text trace's replay and its parser worker need not load it)
  if (format === 'csv') return (await import('./csv.js')).readCsv(all(), sink, forced, opts.pause);

  // the text front end copies what it keeps of a chunk (the line carried over): it may be handed reused buffers
  src.reuseBuffers(opts.syncReads === true);
  const parser = new TextParser();
  const ev = new TraceEvent(parser.names, parser.tasks, parser.gfps);
  ev.file = file;
  const { format: fmt, era } = firstLookText(head, forced, parser, ev);
  parser.setEra(era.gfpEra);
  ev.format = fmt; ev.kernelEra = era.kernelEra; ev.gfpEra = era.gfpEra;
  const splitter = new LineSplitter((buf, s, e, no) => {
    const r = parser.parse(buf, s, e, ev);
    if (r === LINE_EVENT) sink.event(ev, no);
    else if (r === LINE_ERROR) sink.bad(no, parser.error);
  }, (no) => sink.bad(no, LONG_LINE_MESSAGE));
  const pause = opts.pause;
  for await (const c of all()) {
    splitter.push(c);
    if (pause) { const w = pause(); if (w) await w; }
  }
  splitter.end();
  sink.lines = splitter.lineNo;
  return sink.result(fmt, parser.names, era, parser);
}
