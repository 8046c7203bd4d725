/**
 * Requests: the one record type every input becomes before the engine (engine.ts) runs it, and the mapping from a
 * parsed trace event (eventToRequest). Kept apart from the engine so the replay pipeline's parser worker
 * (pipeline-worker.ts) loads only this and the trace parser, not the simulated kernel.
 */
import {
  EV_MM_COMPACTION_BEGIN, EV_MM_COMPACTION_MIGRATEPAGES, EV_MM_COMPACTION_TRY_TO_COMPACT_PAGES, EV_MM_PAGE_ALLOC,
  EV_MM_PAGE_ALLOC_EXTFRAG, EV_MM_PAGE_ALLOC_ZONE_LOCKED, EV_MM_PAGE_FREE, EV_MM_PAGE_PCPU_DRAIN,
  EV_MM_SETUP_PER_ZONE_WMARKS, EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN, EV_MM_VMSCAN_DIRECT_RECLAIM_END,
  EV_MM_VMSCAN_WAKEUP_KSWAPD, NR_EV,
} from '../trace/event.js';
import type { TraceEvent } from '../trace/event.js';
import { zoneNames } from '../mm/mmzone.js';
import type { Sysctl } from '../mm/mmzone.js';

export const REQ_ALLOC = 1;
export const REQ_FREE = 2;
/** time passes (scenario `advance`); the background actors run */
export const REQ_ADVANCE = 3;
/** sysctl change (scenario `sysctl`); watermarks are recomputed */
export const REQ_SYSCTL = 4;
/** mirror: mm_page_alloc_zone_locked percpu_refill=1 — a block moves from the buddy lists to a pcp list */
export const REQ_PCP_REFILL = 5;
/** mirror: mm_page_pcpu_drain — a block moves from a pcp list to the buddy lists */
export const REQ_PCP_DRAIN = 6;
/** mm_compaction_begin: zone start and the free scanner's position (aux = free_pfn, pfn = zone_start) */
export const REQ_COMPACT_BEGIN = 7;
/** mm_compaction_migratepages: aux = nr_migrated pages moved to free-scanner pages (mirror takes them) */
export const REQ_COMPACT_MIGRATED = 8;
/** the kernel's own record, counted for the agreement table: aux = REC_* */
export const REQ_RECORD = 9;
/** mm_setup_per_zone_wmarks: the kernel recomputed a zone's watermarks (zone growth): pfn = node, aux = zone idx */
export const REQ_WMARKS = 10;

export const REC_WAKEUP_KSWAPD = 0;
export const REC_DIRECT_RECLAIM_BEGIN = 1;
export const REC_DIRECT_RECLAIM_END = 2;
export const REC_COMPACTION = 3;
export const REC_EXTFRAG = 4;

/** One request; sources reuse one record and overwrite it. */
export class Request {
  kind = 0;
  timeNs = 0;
  /** seconds as printed (for the logs) */
  timeSec = 0;
  task = '';
  pid = -1;
  cpu = 0;
  order = 0;
  gfpMask = 0;
  /** recorded migratetype (-1: from the gfp mask) */
  migratetype = -1;
  /** gfp era (src/mm/gfp.ts) gfpMask is laid out in: a trace's kernel; '' = the policy's own (scenarios) */
  gfpEra = '';
  /** the trace's gfp_flags text ('' for scenarios), shown beside the policy's text when they differ */
  gfpText = '';
  /** recorded outcome (traces); for scenarios recOk is true and recPfn -1 */
  recOk = true;
  recPfn = -1;
  /** free: the recorded pfn; pcp events: the pfn */
  pfn = -1;
  aux = 0;
  /** node of a scenario alloc */
  nid = 0;
  /** scenario request name ('' for traces) */
  name = '';
  /** scenario sysctl change */
  sysctl: Partial<Sysctl> | null = null;
  /** watermarks of REQ_WMARKS: min, low, high, promo */
  wmarks: number[] = [0, 0, 0, 0];
}

/**
 * A trace's `migratetype=` number as the simulator's slot (mmzone.ts, 4.4+ numbering), by meaning: ≤4.3 kernels
 * number MIGRATE_RECLAIMABLE 1 and MIGRATE_MOVABLE 2, 4.4+ the other way round (include/linux/mmzone.h @ v4.0
 * and v4.4); slot 3 is MIGRATE_RESERVE there and MIGRATE_HIGHATOMIC later, CMA and ISOLATE keep their numbers.
 */
export function migratetypeByMeaning(mt: number, gfpEra: string): number {
  if (gfpEra === '4.0' && (mt === 1 || mt === 2)) return 3 - mt;
  return mt;
}

/** the kernel's own records counted for the agreement table (REQ_RECORD): trace event id → REC_* (-1: none) */
const recordOf = new Int8Array(NR_EV).fill(-1);
recordOf[EV_MM_PAGE_ALLOC_EXTFRAG] = REC_EXTFRAG;
recordOf[EV_MM_VMSCAN_WAKEUP_KSWAPD] = REC_WAKEUP_KSWAPD;
recordOf[EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN] = REC_DIRECT_RECLAIM_BEGIN;
recordOf[EV_MM_VMSCAN_DIRECT_RECLAIM_END] = REC_DIRECT_RECLAIM_END;
recordOf[EV_MM_COMPACTION_TRY_TO_COMPACT_PAGES] = REC_COMPACTION;

/**
 * The trace's cpu column on a machine of nrCpus cpus: modulo nrCpus, an unknown (negative) cpu as 0. A compare
 * first: the replay pipeline's worker passes nrCpus = 2^30, a double, whose % is a call to fmod.
 */
export function cpuOnMachine(cpu: number, nrCpus: number): number {
  return cpu < 0 ? 0 : cpu < nrCpus ? cpu : cpu % nrCpus;
}

/** Fills `req` from a trace event; returns false for events that are not requests. */
export function eventToRequest(ev: TraceEvent, req: Request, nrCpus: number): boolean {
  req.timeSec = ev.time;
  req.timeNs = Math.round(ev.time * 1e9);
  req.task = ev.task;
  req.pid = ev.pid;
  req.cpu = cpuOnMachine(ev.cpu, nrCpus);
  req.name = '';
  switch (ev.id) {
    case EV_MM_PAGE_ALLOC:
      req.kind = REQ_ALLOC;
      req.order = ev.order;
      req.gfpMask = ev.gfpMask >= 0 ? ev.gfpMask : 0;
      req.gfpEra = ev.gfpEra;
      req.gfpText = ev.gfp;
      req.migratetype = migratetypeByMeaning(ev.migratetype, ev.gfpEra);
      req.recOk = !ev.failed;
      req.recPfn = ev.failed ? -1 : ev.pfn;
      req.nid = 0;
      return true;
    case EV_MM_PAGE_FREE:
      req.kind = REQ_FREE;
      req.order = ev.order;
      req.pfn = ev.pfn;
      return true;
    case EV_MM_PAGE_ALLOC_ZONE_LOCKED:
      if (ev.percpuRefill !== 1) return false;
      req.kind = REQ_PCP_REFILL;
      req.order = ev.order;
      req.pfn = ev.pfn;
      req.migratetype = migratetypeByMeaning(ev.migratetype, ev.gfpEra);
      return true;
    case EV_MM_PAGE_PCPU_DRAIN:
      req.kind = REQ_PCP_DRAIN;
      req.order = ev.order;
      req.pfn = ev.pfn;
      return true;
    case EV_MM_COMPACTION_BEGIN: {
      const zs = ev.num('zone_start');
      const fp = ev.num('free_pfn');
      if (!(zs >= 0) || !(fp >= 0)) return false;
      req.kind = REQ_COMPACT_BEGIN;
      req.pfn = zs;
      req.aux = fp;
      return true;
    }
    case EV_MM_COMPACTION_MIGRATEPAGES: {
      const n = ev.num('nr_migrated');
      if (!(n > 0)) return false;
      req.kind = REQ_COMPACT_MIGRATED;
      req.aux = n;
      return true;
    }
    case EV_MM_SETUP_PER_ZONE_WMARKS: {
      const nid = ev.num('node_id');
      const zi = zoneNames.indexOf(ev.field('zone') ?? '');
      const w = req.wmarks;
      w[0] = ev.num('watermark_min');
      w[1] = ev.num('watermark_low');
      w[2] = ev.num('watermark_high');
      w[3] = ev.num('watermark_promo');
      if (!(nid >= 0) || zi < 0 || !(w[0] >= 0) || !(w[1] >= 0) || !(w[2] >= 0)) return false;
      if (!(w[3]! >= 0)) w[3] = w[2]!;
      req.kind = REQ_WMARKS;
      req.pfn = nid;
      req.aux = zi;
      return true;
    }
    default: {
      const rec = recordOf[ev.id]!;
      if (rec < 0) return false;
      req.kind = REQ_RECORD;
      req.aux = rec;
      return true;
    }
  }
}

