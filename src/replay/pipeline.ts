/**
 * Trace replay on two threads: a worker_threads Worker (pipeline-worker.ts) parses the trace and turns events into
 * packed Request records while the main thread runs the engine on the previous batch, so the wall time approaches
 * the slower of parser and engine instead of their sum. The main thread writes into its one reused Request exactly
 * the fields eventToRequest() writes for that kind (the engine rewrites some of them, e.g. gfpMask, order, pfn,
 * and later requests see what it left), so the engine sees the same sequence of records as replayTraceFile();
 * bad lines reach onError at their place in the stream, and a --strict or open error is thrown after the events
 * before it were replayed, as in-thread.
 *
 * Used for trace files (not stdin) of at least PIPELINE_MIN_BYTES unless MMREPLAY_NO_WORKER=1; MMREPLAY_WORKER=1
 * forces it for any file (tests).
 */
import { existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { reviveError } from '../errors.js';
import type { ReadResult } from '../trace/read.js';
import type { ReplayEngine } from './engine.js';
// request.js, not engine.js: the replay command starts the worker before the simulator's modules load
import { Request } from './request.js';
import * as requestModule from './request.js';
import * as pipelineLayoutModule from './pipeline-layout.js';
import type { PipelineWorkerData, ToMain, ToWorker } from './pipeline-layout.js';
import type { TraceReplayOptions } from './trace.js';

// hot-path imports copied into module consts (README "Hot-path imports": V8 reads an import through its cell)
const {
  REQ_ALLOC, REQ_COMPACT_BEGIN, REQ_COMPACT_MIGRATED, REQ_FREE, REQ_PCP_DRAIN, REQ_PCP_REFILL, REQ_RECORD, REQ_WMARKS,
  cpuOnMachine,
} = requestModule;
const {
  P_ERROR, P_WMARKS_ONLY, S_AUX, S_CPU, S_GFP_ERA, S_GFP_MASK, S_GFP_TEXT, S_KIND, S_MIGRATETYPE, S_NID, S_ORDER,
  S_PFN, S_PID, S_REC_OK, S_REC_PFN, S_TASK, S_TIME, S_WMARKS, STRIDE,
} = pipelineLayoutModule;

/** files below this size replay in-thread: a worker's start-up (≈ 50 ms of CPU: loading the parser's modules) and its
 *  compiler's second warm-up are not worth it */
export const PIPELINE_MIN_BYTES = 4 << 20;
/** records per batch: 16384 × 19 doubles = 2.4 MiB */
export const PIPELINE_BATCH_EVENTS = 16384;
/**
 * batches the worker may parse ahead of the engine: 16 × 2.4 MiB. The main thread builds the machine (≈ 0.3–0.5 s
 * for 16 GiB) while the worker already parses; a deep queue lets that time count instead of the worker stopping
 * after a few batches. Memory stays bounded by this, whatever the trace's size.
 */
export const PIPELINE_BATCHES_AHEAD = 16;
/** the worker's young generation (see the constructor) */
const WORKER_YOUNG_GEN_MB = 32;
/** the worker's nrCpus: above any trace's cpu column, so eventToRequest leaves cpu numbers as printed */
const RAW_CPUS = 2 ** 30;

const WORKER_URL = new URL('./pipeline-worker.js', import.meta.url);

/** whether the compiled worker is there (running from the TypeScript sources, e.g. under vitest, it is not) */
export function pipelineAvailable(): boolean {
  return WORKER_URL.protocol === 'file:' && existsSync(fileURLToPath(WORKER_URL));
}

/** a started pipeline for `path` when usePipeline() says so (see TracePipeline) */
export function startPipeline(path: string, strict: boolean, traceKernel: string | undefined, env: Record<string, string | undefined>): TracePipeline | undefined {
  return usePipeline(path, env) ? new TracePipeline(path, strict, traceKernel) : undefined;
}

/** whether `path` replays through the worker pipeline (see the file header) */
export function usePipeline(path: string, env: Record<string, string | undefined>): boolean {
  if (path === '-' || env.MMREPLAY_NO_WORKER === '1' || !pipelineAvailable()) return false;
  let st;
  try { st = statSync(path); } catch { return false; }
  if (!st.isFile()) return false;
  return env.MMREPLAY_WORKER === '1' || st.size >= PIPELINE_MIN_BYTES;
}


/** pipelines started and not yet closed (tests check that a failed run stops its worker) */
let running = 0;
export function runningPipelines(): number {
  return running;
}

/**
 * A started parser worker for one trace file. Starting it early (before the machine is built) hides the worker's
 * start-up; until replay() runs it is unref'd, so an error in between does not keep the process alive (and it stops
 * by itself at its backpressure limit).
 */
export class TracePipeline {
  readonly path: string;
  readonly strict: boolean;
  readonly traceKernel: string | undefined;
  private readonly worker: Worker;
  private readonly queue: (ToMain | { t: 'crash'; err: Error } | { t: 'exit'; code: number })[] = [];
  private wake: (() => void) | null = null;
  /** replay() has run (a pipeline serves one pass over its file) */
  used = false;
  private closed = false;

  constructor(path: string, strict: boolean, traceKernel: string | undefined) {
    this.path = path;
    this.strict = strict;
    this.traceKernel = traceKernel;
    // cpu numbers cross raw: eventToRequest's `cpu % nrCpus` with this bound is the identity, and replay() applies
    // the machine's nrCpus (unknown before the machine is built)
    const workerData: PipelineWorkerData = { path, strict, traceKernel, nrCpus: RAW_CPUS, batchEvents: PIPELINE_BATCH_EVENTS, batchesAhead: PIPELINE_BATCHES_AHEAD };
    // the worker inherits node's flags, but --input-type (a `node -e` parent) is refused for a file entry
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    // a worker's default young generation is small: the parser's short-lived strings then cost it ~40% more CPU
    // in scavenges (measured on the 2M-line bench trace); 32 MB brings it to the in-thread parser's cost
    running++;
    this.worker = new Worker(WORKER_URL, { workerData, execArgv, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GEN_MB } });
    this.worker.unref();
    const push = (m: (typeof this.queue)[number]) => {
      this.queue.push(m);
      if (this.wake) { const w = this.wake; this.wake = null; w(); }
    };
    this.worker.on('message', (m: ToMain) => push(m));
    this.worker.on('error', (err: Error) => push({ t: 'crash', err }));
    this.worker.on('exit', (code: number) => push({ t: 'exit', code }));
  }

  /** stops the worker (idempotent) */
  close(): void {
    if (!this.closed) { this.closed = true; running--; }
    void this.worker.terminate();
  }

  /** replayTraceFile() with the parsing in the worker; same records, same errors, same result */
  async replay(engine: ReplayEngine, opts: TraceReplayOptions): Promise<ReadResult> {
    if (this.used) throw new Error(`pipeline: ${this.path} was already replayed`);
    this.used = true;
    const worker = this.worker;
    worker.ref();
    const queue = this.queue;
    const nrCpus = Math.max(1, engine.machine.nrCpus);
    const path = this.path;
    const req = new Request();
    // string ids req's task, gfp era and gfp text were last set from (see replayBatch)
    const lastStr = new Int32Array(3).fill(-1);
    const strs: string[] = [];
    const onError = opts.onError;
    try {
      for (;;) {
        while (queue.length === 0) await new Promise<void>((res) => { this.wake = res; });
        const m = queue.shift()!;
        if (m.t === 'batch') {
          for (const s of m.strs) strs.push(s);
          replayBatch(new Float64Array(m.buf), m.n, req, lastStr, strs, engine, nrCpus, onError);
          const wait = opts.pause?.();
          if (wait) await wait;
          worker.postMessage({ t: 'free', buf: m.buf } satisfies ToWorker, [m.buf]);
        } else if (m.t === 'done') {
          engine.unparsed += m.result.unparsed;
          return m.result;
        } else if (m.t === 'fail') {
          throw reviveError(m.err);
        } else if (m.t === 'crash') {
          throw m.err;
        } else {
          throw new Error(`pipeline: the parser worker exited (code ${m.code}) before the end of ${path}`);
        }
      }
    } finally {
      this.close();
    }
  }
}

/** lastStr slots: the string ids req.task, req.gfpEra and req.gfpText hold */
const LAST_TASK = 0;
const LAST_GFP_ERA = 1;
const LAST_GFP_TEXT = 2;

/**
 * one batch through the engine: a plain (not async) function, so V8 optimises the loop on its own. The string
 * fields are stored only when their id changes (the engine never writes them, and a string store is a write
 * barrier while the collector marks); req.name stays the '' of a new Request, as eventToRequest() writes it.
 */
function replayBatch(f: Float64Array, n: number, req: Request, lastStr: Int32Array, strs: string[], engine: ReplayEngine, nrCpus: number, onError: ((msg: string) => void) | undefined): void {
  for (let i = 0, o = 0; i < n; i++, o += STRIDE) {
    const kind = f[o + S_KIND]! | 0;
    if (kind < 0) {
      if (kind === P_ERROR) onError?.(strs[f[o + S_TASK]! | 0]!);
      else if (kind === P_WMARKS_ONLY) unpackWmarks(f, o, req.wmarks);
      continue;
    }
    // the fields eventToRequest (trace.ts) writes, kind by kind; the int fields hold small integers (pid,
    // cpu, order, migratetype -1..5, nid), converted back from doubles so their V8 representation stays Smi
    const t = f[o + S_TIME]!;
    req.timeSec = t;
    req.timeNs = Math.round(t * 1e9);
    const task = f[o + S_TASK]! | 0;
    if (task !== lastStr[LAST_TASK]) {
      lastStr[LAST_TASK] = task;
      req.task = strs[task]!;
    }
    req.pid = f[o + S_PID]! | 0;
    req.cpu = cpuOnMachine(f[o + S_CPU]! | 0, nrCpus);
    req.kind = kind;
    switch (kind) {
      case REQ_ALLOC: {
        req.order = f[o + S_ORDER]! | 0;
        req.gfpMask = num(f[o + S_GFP_MASK]!);
        const era = f[o + S_GFP_ERA]! | 0;
        if (era !== lastStr[LAST_GFP_ERA]) {
          lastStr[LAST_GFP_ERA] = era;
          req.gfpEra = strs[era]!;
        }
        const text = f[o + S_GFP_TEXT]! | 0;
        if (text !== lastStr[LAST_GFP_TEXT]) {
          lastStr[LAST_GFP_TEXT] = text;
          req.gfpText = strs[text]!;
        }
        req.migratetype = f[o + S_MIGRATETYPE]! | 0;
        req.recOk = f[o + S_REC_OK] === 1;
        req.recPfn = num(f[o + S_REC_PFN]!);
        req.nid = f[o + S_NID]! | 0;
        break;
      }
      case REQ_FREE:
      case REQ_PCP_DRAIN:
        req.order = f[o + S_ORDER]! | 0;
        req.pfn = num(f[o + S_PFN]!);
        break;
      case REQ_PCP_REFILL:
        req.order = f[o + S_ORDER]! | 0;
        req.pfn = num(f[o + S_PFN]!);
        req.migratetype = f[o + S_MIGRATETYPE]! | 0;
        break;
      case REQ_RECORD:
      case REQ_COMPACT_MIGRATED:
        req.aux = num(f[o + S_AUX]!);
        break;
      case REQ_COMPACT_BEGIN:
        req.pfn = num(f[o + S_PFN]!);
        req.aux = num(f[o + S_AUX]!);
        break;
      case REQ_WMARKS:
        unpackWmarks(f, o, req.wmarks);
        req.pfn = num(f[o + S_PFN]!);
        req.aux = num(f[o + S_AUX]!);
        break;
      default:
        throw new Error(`pipeline: unknown packed request kind ${kind}`);
    }
    engine.handle(req);
  }
}

/** an unpacked number as a small integer when it is one (the engine's hot fields stay V8 Smis, as in-thread) */
function num(v: number): number {
  const i = v | 0;
  return i === v ? i : v;
}

function unpackWmarks(f: Float64Array, o: number, w: number[]): void {
  w[0] = f[o + S_WMARKS]!;
  w[1] = f[o + S_WMARKS + 1]!;
  w[2] = f[o + S_WMARKS + 2]!;
  w[3] = f[o + S_WMARKS + 3]!;
}
