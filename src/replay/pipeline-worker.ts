/**
 * The parsing half of the replay pipeline (pipeline.ts), run in a worker_threads Worker: readTrace() over one file,
 * and for each event the fields of the Request the in-thread path's eventToRequest() would make (the four page
 * requests packed straight from the TraceEvent, the other kinds through eventToRequest) packed into Float64Array
 * batches (layout in pipeline-layout.ts) posted to the main thread with their buffers transferred. Strings (task
 * names, gfp texts, the gfp era, bad-line messages) travel as ids into a table the main thread grows from each
 * batch's `strs`. At most `batchesAhead` full batches' worth of records are out at once (readTrace's pause hook
 * waits for a buffer to come back), so memory stays bounded whatever the trace's size.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { readTrace } from '../trace/read.js';
import { serializeError } from '../errors.js';
import {
  EV_MM_PAGE_ALLOC, EV_MM_PAGE_ALLOC_ZONE_LOCKED, EV_MM_PAGE_FREE, EV_MM_PAGE_PCPU_DRAIN, EV_MM_SETUP_PER_ZONE_WMARKS,
} from '../trace/event.js';
import type { TraceEvent } from '../trace/event.js';
import type { Intern } from '../trace/intern.js';
import {
  REQ_ALLOC, REQ_COMPACT_MIGRATED, REQ_FREE, REQ_PCP_DRAIN, REQ_PCP_REFILL, REQ_RECORD, REQ_WMARKS, Request, cpuOnMachine,
  eventToRequest, migratetypeByMeaning,
} from './request.js';
import {
  P_ERROR, P_WMARKS_ONLY, S_AUX, S_CPU, S_GFP_ERA, S_GFP_MASK, S_GFP_TEXT, S_KIND, S_MIGRATETYPE, S_NID, S_ORDER,
  S_PFN, S_PID, S_REC_OK, S_REC_PFN, S_TASK, S_TIME, S_WMARKS, STRIDE,
} from './pipeline-layout.js';
import type { PipelineWorkerData, ToMain, ToWorker } from './pipeline-layout.js';

const data = workerData as PipelineWorkerData;
const port = parentPort!;

/** records posted and not yet given back by the main thread, at most (then readTrace's pause hook waits) */
const maxInFlight = data.batchesAhead * data.batchEvents;

const pool: ArrayBuffer[] = [];
/** records in flight, and each posted batch's count (batches come back in order) */
let inFlight = 0;
const sizes: number[] = [];
let wake: (() => void) | null = null;
function onMessage(m: ToWorker): void {
  if (m.t !== 'free') return;
  pool.push(m.buf);
  inFlight -= sizes.shift()!;
  if (wake) { const w = wake; wake = null; w(); }
}
port.on('message', onMessage);

/**
 * readTrace's pause hook, between chunks: the buffers the main thread gave back are taken synchronously (the reads
 * are synchronous, so the event loop does not run while there is input) and reused; when the engine is
 * `batchesAhead` behind, the parser waits for it
 */
function pause(): Promise<void> | undefined {
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) onMessage(m.message as ToWorker);
  return inFlight >= maxInFlight ? new Promise<void>((res) => { wake = res; }) : undefined;
}

const batchBytes = data.batchEvents * STRIDE * 8;
let buf = new ArrayBuffer(batchBytes);
let f = new Float64Array(buf);
let n = 0;
let o = 0;
let strs: string[] = [];
let nextGid = 0;

function newString(s: string): number {
  strs.push(s);
  return nextGid++;
}

function flush(): void {
  if (n === 0 && strs.length === 0) return;
  const msg: ToMain = { t: 'batch', buf, n, strs };
  port.postMessage(msg, [buf]);
  inFlight += n;
  sizes.push(n);
  buf = pool.pop() ?? new ArrayBuffer(batchBytes);
  f = new Float64Array(buf);
  n = 0;
  o = 0;
  strs = [];
}

/** records in the batch being filled: the first batches are small, so the engine starts while the worker is
 *  still warming up, then they double up to batchEvents */
let limit = Math.min(1024, data.batchEvents);

function next(): void {
  n++;
  o += STRIDE;
  if (n === limit) {
    flush();
    if (limit < data.batchEvents) limit = Math.min(limit * 2, data.batchEvents);
  }
}

const EMPTY = newString('');
let lastEra: string | null = null;
let lastEraGid = -1;

/** intern id → string id for the Intern of the current reader (another reader's Intern starts over) */
class StringIds {
  private intern: Intern | null = null;
  private ids = new Int32Array(256).fill(-1);

  /** the string id of `intern`'s id (≥ 0), sent in the batch's `strs` the first time */
  of(intern: Intern, id: number): number {
    if (intern !== this.intern) { this.intern = intern; this.ids = new Int32Array(256).fill(-1); }
    if (id >= this.ids.length) {
      const m = new Int32Array(Math.max(this.ids.length * 2, id + 1)).fill(-1);
      m.set(this.ids);
      this.ids = m;
    }
    let g = this.ids[id]!;
    if (g < 0) { g = newString(intern.str(id)); this.ids[id] = g; }
    return g;
  }
}
const taskIds = new StringIds();
const gfpIds = new StringIds();

/** min, low, high, promo into the current record (replayBatch's unpackWmarks reads them) */
function packWmarks(w: number[]): void {
  for (let k = 0; k < 4; k++) f[o + S_WMARKS + k] = w[k]!;
}

const req = new Request();
const nrCpus = data.nrCpus;

/** string id of the event's task ('' when none) */
function taskGid(ev: TraceEvent): number {
  return ev.taskId < 0 ? EMPTY : taskIds.of(ev.tasks, ev.taskId);
}

/** string id of the event's gfp_flags text ('' when none) */
function gfpGid(ev: TraceEvent): number {
  return ev.gfpId < 0 ? EMPTY : gfpIds.of(ev.gfps, ev.gfpId);
}

/** string id of a gfp era */
function eraGid(era: string): number {
  if (era !== lastEra) { lastEra = era; lastEraGid = newString(era); }
  return lastEraGid;
}

/** any event but the four page requests (whose kinds never come here): through eventToRequest, the fields
 *  replayBatch (pipeline.ts) unpacks for the kind (the others are not written) */
function other(ev: TraceEvent): void {
  if (!eventToRequest(ev, req, nrCpus)) {
    // a malformed mm_setup_per_zone_wmarks still wrote the record's wmarks
    if (ev.id === EV_MM_SETUP_PER_ZONE_WMARKS) {
      f[o + S_KIND] = P_WMARKS_ONLY;
      packWmarks(req.wmarks);
      next();
    }
    return;
  }
  const kind = req.kind;
  f[o + S_KIND] = kind;
  f[o + S_TIME] = req.timeSec;
  f[o + S_TASK] = taskGid(ev);
  f[o + S_PID] = req.pid;
  f[o + S_CPU] = req.cpu;
  switch (kind) {
    case REQ_RECORD:
    case REQ_COMPACT_MIGRATED:
      f[o + S_AUX] = req.aux;
      break;
    default: {
      // REQ_COMPACT_BEGIN, REQ_WMARKS
      f[o + S_PFN] = req.pfn;
      f[o + S_AUX] = req.aux;
      if (kind === REQ_WMARKS) packWmarks(req.wmarks);
    }
  }
  next();
}

async function main(): Promise<void> {
  const r = await readTrace(data.path, () => { throw new Error('pipeline: stdin is read in-thread'); },
    { strict: data.strict, traceKernel: data.traceKernel, syncReads: true, pause },
    (ev) => {
      // the four page events that make up nearly every line are packed straight from the record: what
      // eventToRequest (request.ts) would put in the Request for them, without the Request fields nothing here
      // packs (timeNs, task and gfp texts); keep in sync with eventToRequest
      const id = ev.id;
      let kind: number;
      if (id === EV_MM_PAGE_ALLOC) kind = REQ_ALLOC;
      else if (id === EV_MM_PAGE_FREE) kind = REQ_FREE;
      else if (id === EV_MM_PAGE_ALLOC_ZONE_LOCKED && ev.percpuRefill === 1) kind = REQ_PCP_REFILL;
      else if (id === EV_MM_PAGE_PCPU_DRAIN) kind = REQ_PCP_DRAIN;
      else { other(ev); return; }
      // the calls first, then the stores through locals (module `let`s are reloaded after every call)
      const task = taskGid(ev);
      const r = f;
      const at = o;
      r[at + S_KIND] = kind;
      r[at + S_TIME] = ev.time;
      r[at + S_TASK] = task;
      r[at + S_PID] = ev.pid;
      r[at + S_CPU] = cpuOnMachine(ev.cpu, nrCpus);
      r[at + S_ORDER] = ev.order;
      if (kind === REQ_ALLOC) {
        const era = eraGid(ev.gfpEra);
        const gfp = gfpGid(ev);
        const failed = ev.failed;
        r[at + S_GFP_MASK] = ev.gfpMask >= 0 ? ev.gfpMask : 0;
        r[at + S_GFP_ERA] = era;
        r[at + S_GFP_TEXT] = gfp;
        r[at + S_MIGRATETYPE] = migratetypeByMeaning(ev.migratetype, ev.gfpEra);
        r[at + S_REC_OK] = failed ? 0 : 1;
        r[at + S_REC_PFN] = failed ? -1 : ev.pfn;
        r[at + S_NID] = 0;
      } else {
        r[at + S_PFN] = ev.pfn;
        if (kind === REQ_PCP_REFILL) r[at + S_MIGRATETYPE] = migratetypeByMeaning(ev.migratetype, ev.gfpEra);
      }
      next();
    },
    (msg) => {
      f[o + S_KIND] = P_ERROR;
      f[o + S_TASK] = newString(msg);
      next();
    });
  flush();
  port.postMessage({ t: 'done', result: r } satisfies ToMain);
}

main().catch((e: unknown) => {
  flush();
  port.postMessage({ t: 'fail', err: serializeError(e) } satisfies ToMain);
});
