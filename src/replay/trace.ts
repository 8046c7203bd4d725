/**
 * A trace as a request stream: readTrace() events → Request records for the engine (one reused record).
 *
 * Requests: mm_page_alloc (failed ones included) and mm_page_free; mm_page_free_batched is a note about the
 * per-cpu batch, never a second free (design §11). The kernel's own record: mm_page_alloc_zone_locked with
 * percpu_refill=1 and mm_page_pcpu_drain (pcp lists, mirror mode), mm_compaction_begin / _migratepages
 * (compaction destinations), mm_vmscan_wakeup_kswapd, mm_vmscan_direct_reclaim_begin/end,
 * mm_compaction_try_to_compact_pages, mm_page_alloc_extfrag (agreement table; direct-reclaim windows),
 * mm_setup_per_zone_wmarks (zone growth). Everything else is counted by the reader and skipped.
 *
 * Mirror mode's first pass (mirrorFirstPass): what the trace reveals about the initial state. A pfn whose first
 * event is an allocation or a pcp refill was free at the start; one whose first event is a free was allocated;
 * one whose first event is a pcp drain sat on that CPU's pcp list. Needs a file: from stdin there is no first
 * pass (an unknown pfn's free then means it was allocated before the trace).
 */
import type { ReadResult } from '../trace/read.js';
import { readTrace } from '../trace/read.js';
import { EV_MM_PAGE_ALLOC, EV_MM_PAGE_ALLOC_ZONE_LOCKED, EV_MM_PAGE_FREE, EV_MM_PAGE_PCPU_DRAIN } from '../trace/event.js';
import { MIGRATE_MOVABLE, MIGRATE_PCPTYPES } from '../mm/mmzone.js';
import { PAGE_ALLOC, PAGE_BUDDY, PAGE_HOLE, PAGE_PCP, PAGE_RESERVED } from '../mm/memmap.js';
import { blockHead, claimBlock, CLAIM_IMPOSSIBLE, pcpAddTail } from '../mm/isolate.js';
import { freeOnePage as zoneFreeOnePage, pfnToZone } from '../mm/page_alloc.js';
import { pcpAllowedOrder } from '../mm/pcp.js';
import type { ReplayEngine } from './engine.js';
import { TracePipeline, usePipeline } from './pipeline.js';
import { Request } from './request.js';

export interface TraceReplayOptions {
  strict: boolean;
  traceKernel?: string;
  onError?: (msg: string) => void;
  /** the environment: when given, a large trace file is parsed in a worker thread (pipeline.ts usePipeline) */
  env?: Record<string, string | undefined>;
  /** a parser worker already started for this file (pipeline.ts startPipeline) */
  pipeline?: TracePipeline;
  /** backpressure from the log's consumer (Io.stdoutDrain): waited for between input chunks or batches */
  pause?: () => Promise<void> | undefined;
}

export { eventToRequest, migratetypeByMeaning } from './request.js';
import { eventToRequest } from './request.js';

/** Streams one trace through the engine. */
export async function replayTraceFile(engine: ReplayEngine, path: string, stdin: () => NodeJS.ReadableStream, opts: TraceReplayOptions): Promise<ReadResult> {
  if (opts.pipeline?.path === path && !opts.pipeline.used) return opts.pipeline.replay(engine, opts);
  if (opts.env && usePipeline(path, opts.env)) return new TracePipeline(path, opts.strict, opts.traceKernel).replay(engine, opts);
  const req = new Request();
  const nrCpus = Math.max(1, engine.machine.nrCpus);
  const r = await readTrace(path, stdin, { strict: opts.strict, traceKernel: opts.traceKernel, pause: opts.pause }, (ev) => {
    if (eventToRequest(ev, req, nrCpus)) engine.handle(req);
  }, opts.onError);
  engine.unparsed += r.unparsed;
  return r;
}

/** first event kinds of the mirror's first pass */
const FIRST_ALLOC = 1;
const FIRST_FREE = 2;
const FIRST_DRAIN = 3;

export interface FirstPass {
  /** per pfn: 0 unseen, FIRST_* */
  kind: Uint8Array;
  order: Uint8Array;
  cpu: Uint8Array;
  /** pfns seen, in first-seen order */
  pfns: number[];
}

/** Reads the trace once and records each pfn's first page event (see the file header). */
export async function mirrorFirstPass(path: string, stdin: () => NodeJS.ReadableStream, opts: TraceReplayOptions, maxPfn: number): Promise<FirstPass> {
  const fp: FirstPass = { kind: new Uint8Array(maxPfn), order: new Uint8Array(maxPfn), cpu: new Uint8Array(maxPfn), pfns: [] };
  await readTrace(path, stdin, { strict: opts.strict, traceKernel: opts.traceKernel }, (ev) => {
    let k = 0;
    switch (ev.id) {
      case EV_MM_PAGE_ALLOC: if (!ev.failed) k = FIRST_ALLOC; break;
      case EV_MM_PAGE_ALLOC_ZONE_LOCKED: if (ev.percpuRefill === 1) k = FIRST_ALLOC; break;
      case EV_MM_PAGE_FREE: k = FIRST_FREE; break;
      case EV_MM_PAGE_PCPU_DRAIN: k = FIRST_DRAIN; break;
      default: return;
    }
    if (k === 0) return;
    const pfn = ev.pfn;
    if (pfn < 0 || pfn >= maxPfn || fp.kind[pfn] !== 0) return;
    fp.kind[pfn] = k;
    fp.order[pfn] = ev.order;
    fp.cpu[pfn] = ev.cpu >= 0 ? ev.cpu : 0;
    fp.pfns.push(pfn);
  });
  return fp;
}

/**
 * The snapshot layout puts a zone's holes and reserved pages at its bottom (buddy.ts placeReservedPages); the
 * real ones are elsewhere, and the trace uses pfns there. Every hole or reserved page inside a block the trace
 * touches swaps places with an untouched page the layout had allocated before the trace (scanning up from the
 * zone's first managed pfn), so present and managed counts stay the snapshot's.
 */
function relocateUnmanaged(engine: ReplayEngine, fp: FirstPass): void {
  const pa = engine.driver.pa;
  const len = fp.kind.length;
  const touched = new Uint8Array(len);
  for (const pfn of fp.pfns) {
    const e = Math.min(len, pfn + (1 << fp.order[pfn]!));
    for (let p = pfn; p < e; p++) touched[p] = 1;
  }
  const cursor = new Map<object, number>();
  for (const pfn of fp.pfns) {
    const zone = pfnToZone(pa, pfn);
    if (!zone) continue;
    const mm = engine.machine.nodes[zone.nodeId]!.memmap;
    const base = mm.startPfn;
    const zs = zone.zoneStartPfn as number;
    const ze = zs + zone.spannedPages;
    const e = Math.min(ze, pfn + (1 << fp.order[pfn]!));
    for (let p = pfn; p < e; p++) {
      const st = mm.state[p - base]!;
      if (st !== PAGE_HOLE && st !== PAGE_RESERVED) continue;
      let c = cursor.get(zone) ?? zs;
      while (c < ze && !(mm.state[c - base] === PAGE_ALLOC && mm.order[c - base] === 0 && mm.owner[c - base] === -1 && !(c < len && touched[c]))) c++;
      if (c >= ze) return;
      cursor.set(zone, c + 1);
      mm.state[c - base] = st;
      mm.state[p - base] = PAGE_ALLOC;
      mm.order[p - base] = 0;
      mm.owner[p - base] = -1;
    }
  }
}

/**
 * Applies the first pass to the snapshot layout: blocks first allocated become allocated here (taken off the
 * free lists when the layout had them free), blocks first drained from a pcp list go on that CPU's list, then
 * blocks first allocated (free at the start) are freed if the layout had them allocated. Returns the changes:
 * pages made allocated and pages made free (the layout's free counts drift by their difference).
 */
export function applyFirstPass(engine: ReplayEngine, fp: FirstPass): { madeAllocated: number; madeFree: number; madePcp: number } {
  const pa = engine.driver.pa;
  let madeAllocated = 0;
  let madeFree = 0;
  let madePcp = 0;
  relocateUnmanaged(engine, fp);
  for (const pass of [FIRST_FREE, FIRST_DRAIN, FIRST_ALLOC]) {
    for (const pfn of fp.pfns) {
      if (fp.kind[pfn] !== pass) continue;
      const zone = pfnToZone(pa, pfn);
      if (!zone) continue;
      const mm = engine.machine.nodes[zone.nodeId]!.memmap;
      const order = fp.order[pfn]!;
      const h = blockHead(mm, pfn);
      if (h < 0) continue;
      const st = mm.state[h - mm.startPfn]!;
      if (pass === FIRST_FREE) {
        if (st === PAGE_BUDDY && claimBlock(zone, mm, pfn, order) !== CLAIM_IMPOSSIBLE) madeAllocated += 1 << order;
      } else if (pass === FIRST_DRAIN) {
        const pcp = zone.pcp;
        const cpu = fp.cpu[pfn]!;
        if (!pcp || !pcpAllowedOrder(pcp, order) || cpu >= pcp.nrCpus || st === PAGE_PCP) continue;
        if (claimBlock(zone, mm, pfn, order) === CLAIM_IMPOSSIBLE) continue;
        if (st === PAGE_BUDDY) madeAllocated += 1 << order;
        const pbMt = mm.pageblockFlags[(pfn >> 9) - mm.pageblockBase]! & 7;
        pcpAddTail(pcp, cpu, pfn, order, pbMt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : pbMt);
        madePcp += 1 << order;
      } else {
        if (st !== PAGE_ALLOC) continue;
        if (claimBlock(zone, mm, pfn, order) === CLAIM_IMPOSSIBLE) continue;
        zoneFreeOnePage(pa, zone, pfn, order, 0);
        madeFree += 1 << order;
      }
    }
  }
  return { madeAllocated, madeFree, madePcp };
}
