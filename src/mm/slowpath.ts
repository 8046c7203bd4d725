/**
 * The allocation entry point and the slow path: mirrors mm/page_alloc.c @ v6.18
 * __alloc_frozen_pages_noprof() (the whole request: fast path, then slow path), __alloc_pages_slowpath(),
 * gfp_to_alloc_flags(), __gfp_pfmemalloc_flags(), wake_all_kswapds(), __alloc_pages_direct_reclaim(),
 * __alloc_pages_direct_compact(), should_reclaim_retry(), should_compact_retry(), __alloc_pages_may_oom(),
 * __alloc_pages_cpuset_fallback(), unreserve_highatomic_pageblock()'s zonelist walk, and the free entry point
 * (__free_frozen_pages() with the pgfree count). createMmSystem() assembles the simulated kernel (system.ts).
 *
 * Source: the kernel-allocator-slowpath reference §2–§5, §10, §12 (6.19 read, 6.18 noted) checked against
 * mm/page_alloc.c as of v6.18; no copy of v6.18's page_alloc.c was available to the search index (only
 * mm/vmscan.c of gfunkmonk/linux-6.18.2), so where the reference and the code below differ the v6.18 shape
 * was taken from the v6.15–v6.18 history as we know it: see the notes at each function.
 *
 * Not modelled, on purpose (each costs nothing in a trace replay, where none of it is visible):
 *  - cpusets: the cpuset and zonelist cookies never change, so `restart:` is never taken, and
 *    cpusets_insane_config() is false; ALLOC_CPUSET is computed but filters nothing (page_alloc.ts header);
 *  - rt_or_dl_task() (ALLOC_MIN_RESERVE for realtime tasks): a trace has no scheduling class;
 *  - interrupt context (in_interrupt() / in_serving_softirq()): every request runs in task context;
 *  - PF_MEMALLOC: set only for tasks whose comm is kswapdN (they allocate with PF_MEMALLOC set in the kernel);
 *    nested allocations from inside direct reclaim/compaction do not exist in the simulation;
 *  - PF_DUMPCORE, pm_suspended_storage(), fatal_signal_pending(): never true;
 *  - the OOM lock is never contended (one request at a time);
 *  - WARN_ON_ONCE()s (order > MAX_PAGE_ORDER, NOFAIL misuse): they print a WARNING with a stack, not a
 *    "page allocation failure" report, so nothing is written for them;
 *
 * Livelock bound: in the kernel a request loops at `retry:` while someone else frees memory (a __GFP_NOFAIL
 * request, or a GFP_NOFS one whose OOM attempt "makes progress" without killing). Inside one simulated request
 * nothing else runs, so such a loop would repeat forever; after SLOWPATH_MAX_RETRIES passes of `retry:` the
 * request gives up: it returns -1 with path `fail`, `gaveUp` set and a STEP_NOPAGE step (aux NOPAGE_LIVELOCK),
 * and no warn_alloc report (the kernel would still be looping, not failing).
 */
import type { Machine } from './machine.js';
import type { Zone } from './mmzone.js';
import * as mmzoneModule from './mmzone.js';
import type { AllocContext } from './internal.js';
import type { Policy } from '../policy/policy.js';
import * as internalModule from './internal.js';
import { AllocSteps, buddyOps } from './page_alloc.js';
import * as pageAllocModule from './page_alloc.js';
import type { AllocOut } from './page_alloc.js';
import { drainAllPages } from './pcp.js';
import { unreserveHighatomicPageblock } from './buddy.js';
import { formatGfpMode, gfpBit } from './gfp.js';
import { newVmstat } from './vmstat.js';
import * as vmstatModule from './vmstat.js';
import { WARN_PRINT, newNopageRs, newWarnAllocState, referenceShowMemConfig, warnAlloc } from './show_mem.js';
import type { ShowMemConfig, ShowMemInput, WarnAllocCtx } from './show_mem.js';
import type { MmHooks, MmSystem } from './system.js';
import * as vmscanModule from './vmscan.js';
import type { ReclaimOptions } from './vmscan.js';
import {
  COMPACT_COMPLETE,
  COMPACT_CONTENDED,
  COMPACT_DEFERRED,
  COMPACT_PARTIAL_SKIPPED,
  COMPACT_SKIPPED,
  COMPACT_SUCCESS,
  DEF_COMPACT_PRIORITY,
  INIT_COMPACT_PRIORITY,
  MIN_COMPACT_COSTLY_PRIORITY,
  MIN_COMPACT_PRIORITY,
  compactionDeferReset,
  compactionZonelistSuitable,
  createCompactionState,
  tryToCompactPages,
  zoneCompaction,
} from './compaction.js';
import * as oomKillModule from './oom_kill.js';

// hot-path imports copied into module consts (README "Hot-path imports": V8 reads an import through its cell)
const { COMPACTFAIL, COMPACTSTALL, COMPACTSUCCESS, MMREPLAY_ALLOC_FAILURES, MMREPLAY_WARN_ALLOC_PRINTED, MMREPLAY_WARN_ALLOC_SUPPRESSED, PGALLOC_DMA, PGFREE } = vmstatModule;
const { MIGRATE_MOVABLE, WMARK_MIN, ZONE_NORMAL, pageblock_order } = mmzoneModule;
const { ALLOC_CMA, ALLOC_CPUSET, ALLOC_HARDER, ALLOC_HIGHATOMIC, ALLOC_KSWAPD, ALLOC_MIN_RESERVE, ALLOC_NOFRAGMENT, ALLOC_NON_BLOCK, ALLOC_NO_WATERMARKS, ALLOC_OOM, ALLOC_WMARK_HIGH, ALLOC_WMARK_MIN } = internalModule;
const { allocPagesFast, createAllocOut, createPageAlloc, freePagesZone, getPageFromFreelist, nextZonesZonelist, pfnToZone, zoneWatermarkOk } = pageAllocModule;
const { createReclaimState, lruAddZone, lruDelZone, tryToFreePages, wakeupKswapd, zoneReclaimablePages } = vmscanModule;
const { createTaskTable, outOfMemory, taskComm, taskIsOomVictim, taskPid, taskPagesAdd } = oomKillModule;

/** Simulator bound on passes of `retry:` in one request (see the file header). Not a kernel constant. */
export const SLOWPATH_MAX_RETRIES = 256;

// ---- the closed list of paths a request can take (AllocResult.path; the replay JSONL `path` field) ----

/** served by the fast path (get_page_from_freelist at the low watermark) */
export const ALLOC_PATH_FAST = 0;
/** served by the slow path's first freelist attempt, at the min watermark with gfp_to_alloc_flags() */
export const ALLOC_PATH_MIN_RETRY = 1;
/** served by the initial direct compaction (costly or non-movable high-order requests) */
export const ALLOC_PATH_INITIAL_COMPACT = 2;
/** served after direct reclaim (incl. the highatomic-unreserve + pcp drain retry, and later retry passes) */
export const ALLOC_PATH_RECLAIM = 3;
/** served by direct compaction in the retry loop (or a later pass after it) */
export const ALLOC_PATH_COMPACT = 4;
/** served with ALLOC_NO_WATERMARKS (__GFP_MEMALLOC, kswapd's PF_MEMALLOC) or ALLOC_OOM (an OOM victim) */
export const ALLOC_PATH_RESERVES = 5;
/** served in or after __alloc_pages_may_oom(): its high-watermark attempt, or a retry after an OOM kill */
export const ALLOC_PATH_OOM = 6;
/** served by the __GFP_NOFAIL fallbacks (cpuset fallback with ALLOC_MIN_RESERVE, or NO_WATERMARKS at OOM) */
export const ALLOC_PATH_NOFAIL = 7;
/** NULL after the slow path (warn_alloc unless __GFP_NOWARN or the ratelimit) */
export const ALLOC_PATH_FAIL = 8;
/** NULL without a slow path: order > MAX_PAGE_ORDER or GFP_ZONE_BAD */
export const ALLOC_PATH_REJECT = 9;
export const allocPathNames: readonly string[] = ['fast', 'min_retry', 'initial_compact', 'reclaim', 'compact', 'reserves', 'oom', 'nofail', 'fail', 'reject'];

// ---- decision steps pushed by the slow path (AllocSteps columns: kind, nid, zid, free, mark, reserve, result,
// flags, aux). page_alloc.ts uses kinds 1–8, compaction.ts 40–; the slow path owns 16–31.

/** slow path entered: free = order, flags = gfp_to_alloc_flags() */
export const STEP_SLOWPATH = 16;
/** wake_all_kswapds(): zone = first zone asked, free = order passed to kswapd, aux = nodes asked,
 *  result = nodes whose kswapd is running afterwards */
export const STEP_WAKE_KSWAPDS = 17;
/** a slow-path get_page_from_freelist() attempt (its zone steps follow): aux = ATTEMPT_*, flags = alloc_flags,
 *  result = pfn or -1 */
export const STEP_ATTEMPT = 18;
/** __gfp_pfmemalloc_flags() granted reserves: aux = reserve_flags, flags = the new alloc_flags */
export const STEP_RESERVES = 19;
/** __perform_reclaim(): free = did_some_progress (pages reclaimed), flags = alloc_flags */
export const STEP_DIRECT_RECLAIM = 20;
/** the post-reclaim drain: unreserve_highatomic_pageblock(ac, false) + drain_all_pages(NULL);
 *  free = pages drained from pcp lists, aux = 1 if a highatomic pageblock was released */
export const STEP_DRAIN = 21;
/** __alloc_pages_direct_compact(): aux = priority, result = compact_result, free = captured pfn or -1,
 *  mark = 1 if compact_stall was counted */
export const STEP_DIRECT_COMPACT = 22;
/** should_reclaim_retry(): result = 1 retry / 0, aux = no_progress_loops, free = did_some_progress */
export const STEP_RECLAIM_RETRY = 23;
/** one zone of should_reclaim_retry() (trace_reclaim_retry_zone): free = available, mark = min watermark,
 *  reserve = reclaimable, result = watermark ok, aux = no_progress_loops */
export const STEP_RECLAIM_RETRY_ZONE = 24;
/** should_compact_retry() (trace_compact_retry): aux = priority before, reserve = compact_result,
 *  free = compaction_retries before, mark = max_retries, result = 1 retry / 0 */
export const STEP_COMPACT_RETRY = 25;
/** vm.defrag_mode: reclaim/compaction failed to avoid the fallback, retry without ALLOC_NOFRAGMENT */
export const STEP_NOFRAGMENT_DROP = 26;
/** __alloc_pages_may_oom(): aux = OOM_* outcome, result = did_some_progress */
export const STEP_MAY_OOM = 27;
/** nopage: aux = NOPAGE_* reason */
export const STEP_NOPAGE = 28;
/** __GFP_NOFAIL at nopage: result = pfn or -1 of the cpuset fallback with ALLOC_MIN_RESERVE, aux = pass */
export const STEP_NOFAIL = 29;
/** warn_alloc(): aux = WARN_PRINT or a WARN_SUPPRESSED_* code (show_mem.ts) */
export const STEP_WARN = 30;
/** should_reclaim_retry()'s exit released a highatomic pageblock (result 1) or found none (0) */
export const STEP_HIGHATOMIC_UNRESERVE = 31;

export const slowpathStepNames: Readonly<Record<number, string>> = {
  [STEP_SLOWPATH]: 'slowpath',
  [STEP_WAKE_KSWAPDS]: 'wake_all_kswapds',
  [STEP_ATTEMPT]: 'attempt',
  [STEP_RESERVES]: 'reserves',
  [STEP_DIRECT_RECLAIM]: 'direct_reclaim',
  [STEP_DRAIN]: 'drain',
  [STEP_DIRECT_COMPACT]: 'direct_compact',
  [STEP_RECLAIM_RETRY]: 'should_reclaim_retry',
  [STEP_RECLAIM_RETRY_ZONE]: 'reclaim_retry_zone',
  [STEP_COMPACT_RETRY]: 'should_compact_retry',
  [STEP_NOFRAGMENT_DROP]: 'nofragment_drop',
  [STEP_MAY_OOM]: 'may_oom',
  [STEP_NOPAGE]: 'nopage',
  [STEP_NOFAIL]: 'nofail',
  [STEP_WARN]: 'warn_alloc',
  [STEP_HIGHATOMIC_UNRESERVE]: 'unreserve_highatomic',
};

/** STEP_ATTEMPT aux: which freelist attempt */
export const ATTEMPT_MIN = 0;
export const ATTEMPT_RETRY = 1;
export const ATTEMPT_AFTER_RECLAIM = 2;
export const ATTEMPT_AFTER_DRAIN = 3;
export const ATTEMPT_AFTER_COMPACT = 4;
export const ATTEMPT_OOM_HIGH_WMARK = 5;
export const ATTEMPT_CPUSET_FALLBACK = 6;
export const attemptNames: readonly string[] = ['min', 'retry', 'after_reclaim', 'after_drain', 'after_compact', 'oom_high_wmark', 'cpuset_fallback'];

/** STEP_NOPAGE aux: why the slow path went to nopage */
export const NOPAGE_NO_ZONE = 0;
export const NOPAGE_COSTLY_NORETRY_COMPACT = 1;
export const NOPAGE_NO_DIRECT_RECLAIM = 2;
export const NOPAGE_PF_MEMALLOC = 3;
export const NOPAGE_NORETRY = 4;
export const NOPAGE_COSTLY = 5;
export const NOPAGE_OOM_VICTIM = 6;
export const NOPAGE_NO_PROGRESS = 7;
export const NOPAGE_LIVELOCK = 8;
/** v4.0 on NUMA: the gfp mask holds all of GFP_THISNODE (__GFP_THISNODE|__GFP_NORETRY|__GFP_NOWARN) */
export const NOPAGE_GFP_THISNODE = 9;
export const nopageNames: readonly string[] = ['no_zone', 'costly_noretry_compact', 'no_direct_reclaim', 'pf_memalloc', 'noretry', 'costly', 'oom_victim', 'no_progress', 'livelock', 'gfp_thisnode'];

/** STEP_MAY_OOM aux: what __alloc_pages_may_oom() did */
export const OOM_HIGH_WMARK_PAGE = 0;
export const OOM_SKIP_COSTLY = 1;
export const OOM_SKIP_RETRY_MAYFAIL_THISNODE = 2;
export const OOM_SKIP_LOWMEM = 3;
export const OOM_PROGRESS = 4;
export const OOM_NO_PROGRESS = 5;
export const oomOutcomeNames: readonly string[] = ['high_wmark_page', 'skip_costly', 'skip_retry_mayfail_thisnode', 'skip_lowmem', 'progress', 'no_progress'];

/**
 * The result record of allocPages(): reuse one per caller (nothing is allocated per request). The kernel's
 * slow-path locals that callers want to see (no_progress_loops, compaction_retries, compact_priority,
 * compact_result, did_some_progress) live here, under their kernel names in camelCase.
 */
export interface AllocResult {
  /** the page, or -1 */
  pfn: number;
  zone: Zone | null;
  /** ALLOC_PATH_* */
  path: number;
  /** wake_all_kswapds() calls (slow-path entry + each retry pass) */
  kswapdWakeups: number;
  /** passes of `retry:` */
  retries: number;
  noProgressLoops: number;
  compactionRetries: number;
  /** compact_priority: what the retry loop compacts at (DEF, escalated by should_compact_retry; INIT for costly
   *  __GFP_NORETRY); -1 when the slow path did not run */
  compactPriority: number;
  /** compact_result: the last COMPACT_* result (COMPACT_SKIPPED until compaction runs); -1 without a slow path */
  compactResult: number;
  /** the last direct reclaim's return (pages reclaimed, or 1 for "do not OOM") */
  didSomeProgress: number;
  /** pages reclaimed by direct reclaim over the whole request */
  reclaimed: number;
  /** out_of_memory() calls that returned true (a kill, or progress without one: no __GFP_FS, victim exiting) */
  oomKills: number;
  /** the livelock bound ended the request (file header) */
  gaveUp: boolean;
  /** why the slow path last went to nopage (NOPAGE_*), -1 if it never did */
  nopageReason: number;
  /** warn_alloc() verdict (WARN_PRINT / WARN_SUPPRESSED_*), -1 when the request did not fail */
  warnVerdict: number;
  /** the kernel log lines this request caused, with their dmesg prefix: the OOM killer's report and warn_alloc()'s;
   *  cleared per request */
  warned: string[];
  /** the fast path's record (AllocContext, zone of the last attempt): reused */
  fast: AllocOut;
}

export function createAllocResult(): AllocResult {
  return {
    pfn: -1,
    zone: null,
    path: ALLOC_PATH_FAIL,
    kswapdWakeups: 0,
    retries: 0,
    noProgressLoops: 0,
    compactionRetries: 0,
    compactPriority: -1,
    compactResult: -1,
    didSomeProgress: 0,
    reclaimed: 0,
    oomKills: 0,
    gaveUp: false,
    nopageReason: -1,
    warnVerdict: -1,
    warned: [],
    fast: createAllocOut(),
  };
}

// ---- gfp bits, resolved once per era (no gfp values are hardcoded here) ----

interface SlowGfp {
  era: string;
  __GFP_DMA: number;
  __GFP_HIGH: number;
  __GFP_IO: number;
  __GFP_FS: number;
  __GFP_DIRECT_RECLAIM: number;
  __GFP_KSWAPD_RECLAIM: number;
  __GFP_NOWARN: number;
  __GFP_RETRY_MAYFAIL: number;
  __GFP_NOFAIL: number;
  __GFP_NORETRY: number;
  __GFP_MEMALLOC: number;
  __GFP_NOMEMALLOC: number;
  __GFP_HARDWALL: number;
  __GFP_THISNODE: number;
  /** ≤4.3 names (0 in later eras): the blocking bit, the "do not wake kswapd" bit */
  __GFP_WAIT: number;
  __GFP_NO_KSWAPD: number;
  /** 4.4–6.2 (0 elsewhere): drives ALLOC_HARDER */
  __GFP_ATOMIC: number;
  /** ≤4.12 name of the 0x400 bit (0 from 4.13, where it is __GFP_RETRY_MAYFAIL) */
  __GFP_REPEAT: number;
  GFP_TRANSHUGE: number;
}

let lastGfp: SlowGfp | undefined;

function slowGfp(era: string): SlowGfp {
  const c = lastGfp;
  if (c !== undefined && c.era === era) return c;
  const b = (name: string) => gfpBit(name, era);
  return (lastGfp = {
    era,
    __GFP_DMA: b('__GFP_DMA'),
    __GFP_HIGH: b('__GFP_HIGH'),
    __GFP_IO: b('__GFP_IO'),
    __GFP_FS: b('__GFP_FS'),
    __GFP_DIRECT_RECLAIM: b('__GFP_DIRECT_RECLAIM'),
    __GFP_KSWAPD_RECLAIM: b('__GFP_KSWAPD_RECLAIM'),
    __GFP_NOWARN: b('__GFP_NOWARN'),
    __GFP_RETRY_MAYFAIL: b('__GFP_RETRY_MAYFAIL'),
    __GFP_NOFAIL: b('__GFP_NOFAIL'),
    __GFP_NORETRY: b('__GFP_NORETRY'),
    __GFP_MEMALLOC: b('__GFP_MEMALLOC'),
    __GFP_NOMEMALLOC: b('__GFP_NOMEMALLOC'),
    __GFP_HARDWALL: b('__GFP_HARDWALL'),
    __GFP_THISNODE: b('__GFP_THISNODE'),
    __GFP_WAIT: b('__GFP_WAIT'),
    __GFP_NO_KSWAPD: b('__GFP_NO_KSWAPD'),
    __GFP_ATOMIC: b('__GFP_ATOMIC'),
    __GFP_REPEAT: b('__GFP_REPEAT'),
    GFP_TRANSHUGE: b('GFP_TRANSHUGE'),
  });
}

/** Policy.blockingFlag's bit in the era: can_direct_reclaim (__GFP_DIRECT_RECLAIM; v4.0 `wait` = __GFP_WAIT) */
function blockingBit(policy: Policy, g: SlowGfp): number {
  return policy.blockingFlag === '__GFP_WAIT' ? g.__GFP_WAIT : g.__GFP_DIRECT_RECLAIM;
}

/** Policy.costlyRetryFlag's bit in the era: the flag that lets a costly order keep retrying */
function costlyRetryBit(policy: Policy, g: SlowGfp): number {
  return policy.costlyRetryFlag === '__GFP_REPEAT' ? g.__GFP_REPEAT : g.__GFP_RETRY_MAYFAIL;
}

/**
 * Does this request wake kswapd? 5.0+: ALLOC_KSWAPD in alloc_flags (policy.allocFlags.ALLOC_KSWAPD ≠ 0); 4.4–4.19:
 * __GFP_KSWAPD_RECLAIM in the gfp mask; ≤4.3: unless __GFP_NO_KSWAPD (mm/page_alloc.c __alloc_pages_slowpath).
 */
function wakesKswapd(policy: Policy, g: SlowGfp, gfpMask: number, allocFlags: number): boolean {
  if (policy.allocFlags.ALLOC_KSWAPD) return (allocFlags & ALLOC_KSWAPD) !== 0;
  if (policy.blockingFlag === '__GFP_WAIT') return !(gfpMask & g.__GFP_NO_KSWAPD);
  return (gfpMask & g.__GFP_KSWAPD_RECLAIM) !== 0;
}

// ---- the system ----

export interface MmSystemOptions {
  /** decision-step capacity per request (default 1024: a slow path with retries pushes far more than 64) */
  stepsCap: number;
  /** the kernel build switches of the failure report (default: the reference 6.18 VM; numa follows the machine) */
  showMem: ShowMemConfig;
  reclaim: Partial<ReclaimOptions>;
  hooks: MmHooks;
}

const noopHooks: MmHooks = {
  moved() {},
  freedBySimulator() {},
};

/**
 * The simulated kernel of one replay side: the fast path's state (page_alloc.ts on buddy.ts), /proc/vmstat,
 * reclaim (vmscan.ts), compaction (compaction.ts), tasks (oom_kill.ts), warn_alloc's ratelimit, and no-op hooks
 * until the engine installs its own.
 */
export function createMmSystem(machine: Machine, opts: Partial<MmSystemOptions> = {}): MmSystem {
  const pa = createPageAlloc(machine, buddyOps);
  pa.steps = new AllocSteps(opts.stepsCap ?? 1024);
  const era = machine.policy.gfpEra;
  // the machine's own build facts where it has them: MAX_NR_ZONES (lowmem_reserve[] entries) and CONFIG_CMA
  const showMem = opts.showMem ?? {
    ...referenceShowMemConfig,
    numa: machine.nodes.length > 1 || referenceShowMemConfig.numa,
    maxNrZones: machine.config.nrZoneTypes,
    cma: machine.config.cma,
  };
  return {
    machine,
    policy: machine.policy,
    pa,
    vmstat: newVmstat(),
    nowNs: 0,
    reclaim: createReclaimState(machine, opts.reclaim),
    compaction: createCompactionState(machine),
    tasks: createTaskTable(),
    warn: warnState(machine.policy, showMem, era),
    hooks: opts.hooks ?? noopHooks,
  };
}

/** warn_alloc()'s nopage_rs at the policy's interval and burst (DEFAULT_RATELIMIT 5*HZ/10 ≤5.0, 10*HZ/1 from 5.4) */
function warnState(policy: Policy, showMem: ShowMemConfig, era: string): MmSystem['warn'] {
  const warn = newWarnAllocState(showMem, { __GFP_DMA: gfpBit('__GFP_DMA', era), __GFP_NOWARN: gfpBit('__GFP_NOWARN', era) }, policy);
  warn.nopageRs = newNopageRs(showMem.hz, policy.warnAllocRatelimit.intervalS, policy.warnAllocRatelimit.burst);
  return warn;
}

// ---- the request ----

/**
 * __alloc_frozen_pages_noprof() (mm/page_alloc.c @ v6.18; __alloc_pages() before 6.15): the fast path
 * (allocPagesFast, page_alloc.ts), then __alloc_pages_slowpath(). On success: pgalloc_<zone> += 2^order, the
 * block goes on its LRU (vmscan.ts lruAdd) and is charged to the task (oom_kill.ts). `taskId` is the interned
 * task (oom_kill.ts taskId()). Returns the pfn or -1; `out` says how (path, steps, warnings).
 */
export function allocPages(sys: MmSystem, gfpMask: number, order: number, preferredNid: number, cpu: number, taskId: number, out: AllocResult): number {
  out.zone = null;
  out.kswapdWakeups = 0;
  out.retries = 0;
  out.noProgressLoops = 0;
  out.compactionRetries = 0;
  out.compactPriority = -1;
  out.compactResult = -1;
  out.didSomeProgress = 0;
  out.reclaimed = 0;
  out.oomKills = 0;
  out.gaveUp = false;
  out.nopageReason = -1;
  out.warnVerdict = -1;
  // setting an array's length is a runtime call: only when there is something to clear
  if (out.warned.length !== 0) out.warned.length = 0;
  const fo = out.fast;
  // First allocation attempt
  let pfn = allocPagesFast(sys.pa, gfpMask, order, preferredNid, cpu, fo);
  boostWake(sys, fo);
  if (pfn >= 0) {
    out.path = ALLOC_PATH_FAST;
    out.zone = fo.zone;
  } else if (fo.reject) {
    out.path = ALLOC_PATH_REJECT;
  } else {
    // ac.spread_dirty_pages = false; ac.nodemask = the caller's (NULL: no mempolicy in a trace)
    fo.ac.spreadDirtyPages = false;
    fo.ac.nodemask = -1;
    pfn = allocPagesSlowpath(sys, gfpMask, order, fo.ac, taskId, out);
  }
  out.pfn = pfn;
  if (pfn < 0) {
    sys.vmstat[MMREPLAY_ALLOC_FAILURES]! += 1;
    return -1;
  }
  const zone = out.zone!;
  // rmqueue() counts PGALLOC per zone (__count_zid_vm_events); the compaction capture is counted here too
  sys.vmstat[PGALLOC_DMA + zone.zoneIdx]! += 1 << order;
  lruAddZone(sys, zone, pfn, order, gfpMask, fo.ac.migratetype, taskId);
  taskPagesAdd(sys, taskId, 1 << order);
  return pfn;
}

/**
 * Frees a block the simulation allocated (the free side of a request): its LRU entry (vmscan.ts lruDel), the
 * owning task's charge (memmap.owner), then __free_frozen_pages() (page_alloc.ts freePages: pcp or buddy) and
 * pgfree += 2^order. Returns false if `pfn` is in no zone (nothing freed).
 */
export function freeAllocated(sys: MmSystem, pfn: number, order: number, cpu: number): boolean {
  const zone = pfnToZone(sys.pa, pfn);
  if (zone === null) return false;
  const mm = sys.machine.nodes[zone.nodeId]!.memmap;
  // memmap.owner is the task lruAdd() charged; the buddy free clears it
  const owner = mm.owner[pfn - mm.startPfn]!;
  lruDelZone(sys, zone, pfn);
  freePagesZone(sys.pa, zone, pfn, order, cpu);
  if (owner >= 0) taskPagesAdd(sys, owner, -(1 << order));
  sys.vmstat[PGFREE]! += 1 << order;
  return true;
}

/** rmqueue()'s deferred kswapd wakeup for a zone whose watermark a fallback boosted: wakeup_kswapd(zone, 0, 0, zone_idx). */
function boostWake(sys: MmSystem, fo: AllocOut): void {
  const zone = fo.boostWakeZone;
  if (zone === null) return;
  fo.boostWakeZone = null;
  wakeupKswapd(sys, zone, 0, 0, zone.zoneIdx);
}

/** One slow-path get_page_from_freelist() attempt, labelled by a STEP_ATTEMPT step whose result is patched in. */
function attempt(sys: MmSystem, gfpMask: number, order: number, allocFlags: number, ac: AllocContext, kind: number, out: AllocResult): number {
  const steps = sys.pa.steps;
  const i = steps.n;
  if (steps.enabled) steps.push(STEP_ATTEMPT, null, 0, 0, 0, -1, allocFlags, kind);
  const fo = out.fast;
  const pfn = getPageFromFreelist(sys.pa, gfpMask, order, allocFlags, ac, fo);
  boostWake(sys, fo);
  if (steps.enabled && i < steps.cap) {
    steps.result[i] = pfn;
    if (fo.zone !== null) {
      steps.nid[i] = fo.zone.nodeId;
      steps.zid[i] = fo.zone.zoneIdx;
    }
  }
  if (pfn >= 0) out.zone = fo.zone;
  return pfn;
}

/**
 * gfp_to_alloc_flags() (v6.18): the slow path recomputes alloc_flags from the gfp mask. The min watermark and
 * ALLOC_CPUSET; __GFP_HIGH → ALLOC_MIN_RESERVE; __GFP_KSWAPD_RECLAIM → ALLOC_KSWAPD; a request that cannot
 * reclaim directly gets ALLOC_NON_BLOCK (unless __GFP_NOMEMALLOC), plus ALLOC_HIGHATOMIC for order > 0 when it
 * also has ALLOC_MIN_RESERVE (6.18: "only set ALLOC_HIGHATOMIC for __GFP_HIGH allocations"; before, any
 * non-blocking order > 0: Policy.highatomicNeedsMinReserve), and drops ALLOC_CPUSET when it has
 * ALLOC_MIN_RESERVE; movable requests get ALLOC_CMA (gfp_to_alloc_flags_cma()); vm.defrag_mode adds
 * ALLOC_NOFRAGMENT. rt_or_dl_task() is never true here (file header).
 * Per Policy.atomicRule (mm/page_alloc.c gfp_to_alloc_flags @ v4.0, v4.12, v5.0, v6.1 per the slow-path reference
 * §2.3): ≤6.2 the atomic test is __GFP_ATOMIC (4.4–6.2) or "neither __GFP_WAIT nor __GFP_NO_KSWAPD" (≤4.3), which
 * sets ALLOC_HARDER (unless __GFP_NOMEMALLOC) and always drops ALLOC_CPUSET; ALLOC_KSWAPD only where the policy has
 * it (5.0+); v4.0 also ORs in ALLOC_NO_WATERMARKS here (`taskId` is needed for that alone).
 */
export function gfpToAllocFlags(sys: MmSystem, gfpMask: number, order: number, migratetype: number, taskId = -1): number {
  const g = slowGfp(sys.pa.era);
  const policy = sys.policy;
  let allocFlags = ALLOC_WMARK_MIN | ALLOC_CPUSET;
  // __GFP_HIGH → ALLOC_HIGH (≤6.2) / ALLOC_MIN_RESERVE (6.3+): the same 0x20 bit in every version
  if (gfpMask & g.__GFP_HIGH) allocFlags |= ALLOC_MIN_RESERVE;
  // ALLOC_KSWAPD exists from 5.0 (Policy.allocFlags.ALLOC_KSWAPD; 0 before)
  if (policy.allocFlags.ALLOC_KSWAPD && gfpMask & g.__GFP_KSWAPD_RECLAIM) allocFlags |= ALLOC_KSWAPD;
  const rule = policy.atomicRule;
  if (rule === 'no-direct-reclaim') {
    if (!(gfpMask & g.__GFP_DIRECT_RECLAIM)) {
      // not worth trying harder for __GFP_NOMEMALLOC even if it cannot schedule
      if (!(gfpMask & g.__GFP_NOMEMALLOC)) {
        allocFlags |= ALLOC_NON_BLOCK;
        if (order > 0 && (!policy.highatomicNeedsMinReserve || allocFlags & ALLOC_MIN_RESERVE)) allocFlags |= ALLOC_HIGHATOMIC;
      }
      // ignore cpuset mems for non-blocking __GFP_HIGH (GFP_ATOMIC) rather than fail
      if (allocFlags & ALLOC_MIN_RESERVE) allocFlags &= ~ALLOC_CPUSET;
    }
  } else {
    // ≤6.2: "atomic" is __GFP_ATOMIC (4.4–6.2) or neither __GFP_WAIT nor __GFP_NO_KSWAPD (≤4.3); it gets
    // ALLOC_HARDER (0x10, the bit ALLOC_NON_BLOCK took) unless __GFP_NOMEMALLOC, and always loses ALLOC_CPUSET
    const atomic = rule === '__GFP_ATOMIC' ? (gfpMask & g.__GFP_ATOMIC) !== 0 : !(gfpMask & (g.__GFP_WAIT | g.__GFP_NO_KSWAPD));
    if (atomic) {
      if (!(gfpMask & g.__GFP_NOMEMALLOC)) allocFlags |= ALLOC_HARDER;
      allocFlags &= ~ALLOC_CPUSET;
    }
    // ≤4.3: ALLOC_NO_WATERMARKS is decided here (PF_MEMALLOC or TIF_MEMDIE, unless __GFP_NOMEMALLOC)
    if (rule === 'no-wait-no-kswapd') allocFlags |= gfpPfmemallocFlags(sys, gfpMask, taskId);
  }
  if (migratetype === MIGRATE_MOVABLE) allocFlags |= ALLOC_CMA;
  if (policy.hasDefragMode && sys.machine.sysctl.defrag_mode) allocFlags |= ALLOC_NOFRAGMENT;
  return allocFlags;
}

/** The PF_MEMALLOC stand-in: kswapd runs with PF_MEMALLOC set; other trace tasks are never inside reclaim. */
function taskHasPfMemalloc(sys: MmSystem, taskId: number): boolean {
  if (taskId < 0) return false;
  const comm = taskComm(sys, taskId);
  return comm.startsWith('kswapd');
}

/**
 * __gfp_pfmemalloc_flags() (v6.18): may this request ignore the watermarks? __GFP_NOMEMALLOC: never;
 * __GFP_MEMALLOC: ALLOC_NO_WATERMARKS; PF_MEMALLOC (kswapd, file header): ALLOC_NO_WATERMARKS; an OOM victim:
 * ALLOC_OOM. Every request is taken to run in task context (in_interrupt() false).
 */
export function gfpPfmemallocFlags(sys: MmSystem, gfpMask: number, taskId: number): number {
  const g = slowGfp(sys.pa.era);
  if (gfpMask & g.__GFP_NOMEMALLOC) return 0;
  if (gfpMask & g.__GFP_MEMALLOC) return ALLOC_NO_WATERMARKS;
  if (taskHasPfMemalloc(sys, taskId)) return ALLOC_NO_WATERMARKS;
  // ALLOC_OOM from 4.14; before, an OOM victim (TIF_MEMDIE) ignored the watermarks altogether
  if (taskId >= 0 && taskIsOomVictim(sys, taskId)) return sys.policy.hasAllocOom ? ALLOC_OOM : ALLOC_NO_WATERMARKS;
  return 0;
}

/**
 * wake_all_kswapds() (v6.18): wakeup_kswapd() once per node of the zonelist (consecutive zones of the node that
 * was just asked are skipped), managed zones only. With vm.defrag_mode kswapd is asked for at least a pageblock.
 */
function wakeAllKswapds(sys: MmSystem, order: number, gfpMask: number, ac: AllocContext, out: AllocResult): void {
  const zonelist = ac.zonelist;
  const highest = ac.highestZoneidx;
  const reclaimOrder = sys.policy.hasDefragMode && sys.machine.sysctl.defrag_mode ? Math.max(order, pageblock_order) : order;
  let lastNid = -1;
  let asked = 0;
  let first: Zone | null = null;
  const scope = sys.policy.kswapdWakeScope;
  for (let zi = nextZonesZonelist(zonelist, 0, highest, ac.nodemask); zi >= 0; zi = nextZonesZonelist(zonelist, zi + 1, highest, ac.nodemask)) {
    const zone = zonelist[zi]!;
    // Policy.kswapdWakeScope: 5.16+ skips unmanaged zones here; v4.0 asks every zone, later kernels once per node
    if (scope === 'per-node-managed' && !zone.managedPages) continue;
    if (scope !== 'every-zone' && zone.nodeId === lastNid) continue;
    wakeupKswapd(sys, zone, gfpMask, reclaimOrder, highest);
    lastNid = zone.nodeId;
    if (first === null) first = zone;
    asked++;
  }
  out.kswapdWakeups++;
  const steps = sys.pa.steps;
  if (steps.enabled) {
    let running = 0;
    for (const node of sys.machine.nodes) if (node.kswapdRunning) running++;
    steps.push(STEP_WAKE_KSWAPDS, first, reclaimOrder, 0, 0, running, 0, asked);
  }
}

/**
 * unreserve_highatomic_pageblock(ac, force) (v6.18): walk the request's zonelist and give the first highatomic
 * pageblock found back to the request's migratetype (buddy.ts does one zone). Unless `force`, each zone keeps
 * one pageblock of reserve. Returns true if a block moved.
 */
export function unreserveHighatomicPageblockAc(sys: MmSystem, ac: AllocContext, force: boolean): boolean {
  const zonelist = ac.zonelist;
  for (let zi = nextZonesZonelist(zonelist, 0, ac.highestZoneidx, ac.nodemask); zi >= 0; zi = nextZonesZonelist(zonelist, zi + 1, ac.highestZoneidx, ac.nodemask)) {
    const zone = zonelist[zi]!;
    if (unreserveHighatomicPageblock(zone, sys.machine.nodes[zone.nodeId]!.memmap, force, ac.migratetype)) return true;
  }
  return false;
}

/**
 * __alloc_pages_direct_reclaim() (v6.18): __perform_reclaim() (vmscan.ts tryToFreePages; allocstall and the
 * pgscan/pgsteal counters are vmscan's), then one freelist attempt; if that fails, once: release a highatomic
 * pageblock (not forced) and drain every CPU's pcp lists, and try again. Sets out.didSomeProgress.
 */
function allocPagesDirectReclaim(sys: MmSystem, gfpMask: number, order: number, allocFlags: number, ac: AllocContext, out: AllocResult): number {
  const steps = sys.pa.steps;
  const didSomeProgress = tryToFreePages(sys, ac, order, gfpMask);
  out.didSomeProgress = didSomeProgress;
  out.reclaimed += didSomeProgress;
  if (steps.enabled) steps.push(STEP_DIRECT_RECLAIM, null, didSomeProgress, 0, 0, didSomeProgress, allocFlags, 0);
  if (!didSomeProgress) return -1;
  let pfn = attempt(sys, gfpMask, order, allocFlags, ac, ATTEMPT_AFTER_RECLAIM, out);
  if (pfn < 0) {
    // pages may be pinned on the per-cpu lists or in high-order atomic reserves: shrink them and try again
    // (no highatomic reserve before 4.4: v4.0's MIGRATE_RESERVE in the same slot is not released)
    const unreserved = sys.policy.highatomicLimit !== 'none' && unreserveHighatomicPageblockAc(sys, ac, false);
    const drained = drainAllPages(allZones(sys), sys.pa.buddy);
    if (steps.enabled) steps.push(STEP_DRAIN, null, drained, 0, 0, 0, allocFlags, unreserved ? 1 : 0);
    pfn = attempt(sys, gfpMask, order, allocFlags, ac, ATTEMPT_AFTER_DRAIN, out);
  }
  return pfn;
}

const zonesOfMachine = new WeakMap<Machine, Zone[]>();

/** every zone of every node: drain_all_pages(NULL) */
function allZones(sys: MmSystem): Zone[] {
  let zones = zonesOfMachine.get(sys.machine);
  if (zones === undefined) {
    zones = sys.machine.nodes.flatMap((n) => n.zones);
    zonesOfMachine.set(sys.machine, zones);
  }
  return zones;
}

const capture = { capturePfn: -1 };

/**
 * __alloc_pages_direct_compact() (v6.18): order 0 returns at once (compact_result untouched). Otherwise
 * try_to_compact_pages() at `prio` (compaction.ts); COMPACT_SKIPPED returns without a stall (5.15+: DEFERRED
 * counts as a stall); else compact_stall, then the captured page or one freelist attempt: a page →
 * compact_blockskip_flush = false, compaction_defer_reset(zone, order, true) and compact_success; none → compact_fail. Sets out.compactResult
 * and out.compactPriority.
 */
function allocPagesDirectCompact(sys: MmSystem, gfpMask: number, order: number, allocFlags: number, ac: AllocContext, prio: number, out: AllocResult): number {
  if (!order) return -1;
  const steps = sys.pa.steps;
  capture.capturePfn = -1;
  const compactResult = tryToCompactPages(sys, gfpMask, order, allocFlags, ac, prio, capture);
  out.compactResult = compactResult;
  // ≤5.0 a deferred compaction returns here too (`compact_result <= COMPACT_INACTIVE`): Policy.compactStallOnDeferred
  if (compactResult === COMPACT_SKIPPED || (compactResult === COMPACT_DEFERRED && !sys.policy.compactStallOnDeferred)) {
    if (steps.enabled) steps.push(STEP_DIRECT_COMPACT, null, -1, 0, 0, compactResult, allocFlags, prio);
    return -1;
  }
  // at least in one zone compaction wasn't deferred or skipped: a compaction stall
  sys.vmstat[COMPACTSTALL]! += 1;
  if (steps.enabled) steps.push(STEP_DIRECT_COMPACT, null, capture.capturePfn, 1, 0, compactResult, allocFlags, prio);
  let pfn = capture.capturePfn;
  if (pfn >= 0) out.zone = pfnToZone(sys.pa, pfn);
  else pfn = attempt(sys, gfpMask, order, allocFlags, ac, ATTEMPT_AFTER_COMPACT, out);
  if (pfn >= 0) {
    const zone = out.zone!;
    zoneCompaction(sys, zone).compactBlockskipFlush = false;
    compactionDeferReset(sys, zone, order, true);
    sys.vmstat[COMPACTSUCCESS]! += 1;
    return pfn;
  }
  // compaction ran and failed: most likely pages exist, but not enough to satisfy watermarks
  sys.vmstat[COMPACTFAIL]! += 1;
  return -1;
}

/**
 * should_reclaim_retry() (v6.18): is another reclaim round worth it? Progress resets no_progress_loops only for
 * non-costly orders (a costly order may reclaim without its order becoming available); after more than
 * MAX_RECLAIM_RETRIES fruitless rounds, no. Otherwise yes if some zone would pass its min watermark at this order,
 * with this alloc_flags, counting every reclaimable page as free (__zone_watermark_ok on free + reclaimable; the
 * order check still needs a free block of that order). 6.8+: whenever the answer is no, one highatomic
 * pageblock is released first (forced) and, if one was, the answer becomes yes.
 */
function shouldReclaimRetry(sys: MmSystem, order: number, ac: AllocContext, allocFlags: number, didSomeProgress: boolean, out: AllocResult): boolean {
  const steps = sys.pa.steps;
  let ret = false;
  if (didSomeProgress && order <= sys.policy.costlyOrder) out.noProgressLoops = 0;
  else out.noProgressLoops++;
  // 4.10–6.7 (Policy.reclaimRetryUnreserve 'over-max'): only past MAX_RECLAIM_RETRIES does the highatomic reserve
  // decide, with `return unreserve_highatomic_pageblock(ac, true)`; a zonelist with no qualifying zone says no
  const exitUnreserve = sys.policy.reclaimRetryUnreserve === 'exit';
  const overMax = out.noProgressLoops > sys.policy.maxReclaimRetries;
  if (!overMax) {
    const zonelist = ac.zonelist;
    const highest = ac.highestZoneidx;
    for (let zi = nextZonesZonelist(zonelist, 0, highest, ac.nodemask); zi >= 0; zi = nextZonesZonelist(zonelist, zi + 1, highest, ac.nodemask)) {
      const zone = zonelist[zi]!;
      // cpusets_enabled() is false: no __cpuset_zone_allowed() filter
      const minWmark = zone.watermark[WMARK_MIN]! + zone.watermarkBoost;
      const reclaimable = zoneReclaimablePages(sys, zone);
      const available = reclaimable + zone.nrFreePages;
      // would the allocation succeed if we reclaimed all reclaimable pages?
      const wmark = zoneWatermarkOk(zone, order, minWmark, highest, allocFlags, available);
      if (steps.enabled) steps.push(STEP_RECLAIM_RETRY_ZONE, zone, available, minWmark, reclaimable, wmark ? 1 : 0, allocFlags, out.noProgressLoops);
      if (wmark) {
        ret = true;
        break;
      }
    }
  }
  // out: before OOM, exhaust the highatomic reserve
  if (!ret && (exitUnreserve || overMax)) {
    ret = unreserveHighatomicPageblockAc(sys, ac, true);
    if (steps.enabled) steps.push(STEP_HIGHATOMIC_UNRESERVE, null, 0, 0, 0, ret ? 1 : 0, allocFlags, 0);
  }
  if (steps.enabled) steps.push(STEP_RECLAIM_RETRY, null, out.didSomeProgress, 0, 0, ret ? 1 : 0, allocFlags, out.noProgressLoops);
  return ret;
}

/**
 * should_compact_retry() (v6.5–v6.18 shape): order 0 never. COMPACT_SKIPPED (too few free order-0 pages for
 * migration targets): retry only if reclaim could make compaction possible (compaction_zonelist_suitable).
 * COMPACT_SUCCESS (coalesced, but the page went elsewhere): retry up to MAX_COMPACT_RETRIES (a quarter for costly
 * orders). Anything else, or success beyond that budget: raise the priority one step (down to
 * MIN_COMPACT_PRIORITY, MIN_COMPACT_COSTLY_PRIORITY for costly orders), reset the retries, and retry; at the
 * minimum, give up.
 */
function shouldCompactRetry(sys: MmSystem, ac: AllocContext, order: number, allocFlags: number, out: AllocResult): boolean {
  if (sys.policy.compactRetry !== '6.5') return shouldCompactRetry47(sys, ac, order, allocFlags, out);
  const compactResult = out.compactResult;
  const priority = out.compactPriority;
  const retries = out.compactionRetries;
  let maxRetries = sys.policy.maxCompactRetries;
  let ret = false;
  if (!order) return false;
  // fatal_signal_pending(): never (file header)
  if (compactResult === COMPACT_SKIPPED) {
    ret = compactionZonelistSuitable(sys, ac, order, allocFlags, zoneReclaimablePages);
  } else {
    let escalate = true;
    if (compactResult === COMPACT_SUCCESS) {
      // !costly requests are de facto nofail; 1/4 of the retries for costly ones is arbitrary
      if (order > sys.policy.costlyOrder) maxRetries = Math.floor(maxRetries / 4);
      if (++out.compactionRetries <= maxRetries) {
        ret = true;
        escalate = false;
      }
    }
    // compaction failed: retry with increasing priority
    if (escalate && raiseCompactPriority(sys, order, out)) ret = true;
  }
  const steps = sys.pa.steps;
  if (steps.enabled) steps.push(STEP_COMPACT_RETRY, null, retries, maxRetries, compactResult, ret ? 1 : 0, allocFlags, priority);
  return ret;
}

/**
 * should_compact_retry()'s escalation (mm/page_alloc.c, every version with priorities): one step up in compaction
 * priority with the retry count reset, until the minimum priority (MIN_COMPACT_COSTLY_PRIORITY for costly orders);
 * returns whether there is a step left, i.e. whether to retry.
 */
function raiseCompactPriority(sys: MmSystem, order: number, out: AllocResult): boolean {
  const minPriority = order > sys.policy.costlyOrder ? MIN_COMPACT_COSTLY_PRIORITY : MIN_COMPACT_PRIORITY;
  if (out.compactPriority <= minPriority) return false;
  out.compactPriority--;
  out.compactionRetries = 0;
  return true;
}

/**
 * should_compact_retry() of 4.8–6.4 (Policy.compactRetry '4.7' for 4.7–5.0, '5.1' for 5.1–6.4; mm/page_alloc.c @
 * v4.12, v5.0, v5.15, v6.1; slow-path reference §5.3): COMPACT_SUCCESS (compaction_made_progress) counts a retry;
 * COMPACT_COMPLETE (compaction_failed) escalates; the "withdrawn" results return compaction_zonelist_suitable() —
 * in '4.7' SKIPPED, DEFERRED, CONTENDED and PARTIAL_SKIPPED, in '5.1' only SKIPPED (compaction_needs_reclaim), the
 * others escalating; otherwise retry while compaction_retries ≤ MAX_COMPACT_RETRIES (a quarter for costly orders),
 * then escalate: raise the priority one step, reset the retries, retry; at the minimum priority, give up.
 */
function shouldCompactRetry47(sys: MmSystem, ac: AllocContext, order: number, allocFlags: number, out: AllocResult): boolean {
  const compactResult = out.compactResult;
  const priority = out.compactPriority;
  const retries = out.compactionRetries;
  let maxRetries = sys.policy.maxCompactRetries;
  if (!order) return false;
  if (compactResult === COMPACT_SUCCESS) out.compactionRetries++;
  let ret = false;
  let escalate = compactResult === COMPACT_COMPLETE;
  if (!escalate) {
    const withdrawn = compactResult === COMPACT_DEFERRED || compactResult === COMPACT_CONTENDED || compactResult === COMPACT_PARTIAL_SKIPPED;
    if (compactResult === COMPACT_SKIPPED || (withdrawn && sys.policy.compactRetry === '4.7')) {
      ret = compactionZonelistSuitable(sys, ac, order, allocFlags, zoneReclaimablePages);
    } else if (withdrawn) {
      escalate = true;
    } else {
      if (order > sys.policy.costlyOrder) maxRetries = Math.floor(maxRetries / 4);
      if (out.compactionRetries <= maxRetries) ret = true;
      else escalate = true;
    }
  }
  // make sure there are attempts at the highest priority if we exhausted all retries or failed at the lower ones
  if (escalate && raiseCompactPriority(sys, order, out)) ret = true;
  const steps = sys.pa.steps;
  if (steps.enabled) steps.push(STEP_COMPACT_RETRY, null, retries, maxRetries, compactResult, ret ? 1 : 0, allocFlags, priority);
  return ret;
}

/**
 * __alloc_pages_cpuset_fallback() (v6.18): with ALLOC_CPUSET, then (our nodes depleted) without. Cpusets are
 * not modelled, so the second attempt sees the same zones; it is kept for the step log's fidelity only when the
 * first one failed.
 */
function allocPagesCpusetFallback(sys: MmSystem, gfpMask: number, order: number, allocFlags: number, ac: AllocContext, out: AllocResult): number {
  let pfn = attempt(sys, gfpMask, order, allocFlags | ALLOC_CPUSET, ac, ATTEMPT_CPUSET_FALLBACK, out);
  if (pfn < 0) pfn = attempt(sys, gfpMask, order, allocFlags, ac, ATTEMPT_CPUSET_FALLBACK, out);
  return pfn;
}

/** struct oom_control, reused (oom_kill.ts outOfMemory) */
const oomControl = { gfpMask: 0, order: 0, nodemask: -1, highestZoneidx: 0, taskId: -1, lines: [] as string[] };

/**
 * __alloc_pages_may_oom() (v6.18): the OOM lock is never contended here. One last freelist attempt at the HIGH
 * watermark with ALLOC_CPUSET (gfp | __GFP_HARDWALL, without __GFP_DIRECT_RECLAIM): it only catches a parallel
 * OOM kill. Then no kill for costly orders, __GFP_RETRY_MAYFAIL or __GFP_THISNODE, or a lowmem-only request
 * (highest zone below ZONE_NORMAL); PF_DUMPCORE and suspend are never true. Else out_of_memory() (oom_kill.ts;
 * it returns true without a kill for a request lacking __GFP_FS); true — or a __GFP_NOFAIL request, for which the
 * kernel WARNs — sets did_some_progress, and a __GFP_NOFAIL request then tries the cpuset fallback with
 * ALLOC_NO_WATERMARKS. Sets out.didSomeProgress; returns the pfn or -1. `nofailServed` tells the caller the
 * page came from that fallback.
 */
function allocPagesMayOom(sys: MmSystem, gfpMask: number, order: number, ac: AllocContext, taskId: number, out: AllocResult): number {
  const g = slowGfp(sys.pa.era);
  const steps = sys.pa.steps;
  out.didSomeProgress = 0;
  mayOomNofailServed = false;
  let outcome: number;
  let pfn = attempt(sys, (gfpMask | g.__GFP_HARDWALL) & ~g.__GFP_DIRECT_RECLAIM, order, ALLOC_WMARK_HIGH | ALLOC_CPUSET, ac, ATTEMPT_OOM_HIGH_WMARK, out);
  // ≤4.6 (v4.0 __alloc_pages_may_oom, reference §10.1): __GFP_NOFAIL skips the bail-outs, and out_of_memory()
  // always counts as progress (it returns nothing there; no __GFP_FS "pretends" progress the same way)
  const old = sys.policy.retryLogic === 'should_alloc_retry';
  if (pfn >= 0) outcome = OOM_HIGH_WMARK_PAGE;
  else if (old && gfpMask & g.__GFP_NOFAIL) outcome = -1;
  // the OOM killer will not help higher-order allocations
  else if (order > sys.policy.costlyOrder) outcome = OOM_SKIP_COSTLY;
  // the caller has a more reasonable fallback than shooting a random task; OOM may not free on a given node
  else if (gfpMask & (g.__GFP_RETRY_MAYFAIL | g.__GFP_THISNODE)) outcome = OOM_SKIP_RETRY_MAYFAIL_THISNODE;
  // the OOM killer does not needlessly kill tasks for lowmem
  else if (ac.highestZoneidx < ZONE_NORMAL) outcome = OOM_SKIP_LOWMEM;
  else outcome = -1;
  if (outcome < 0) {
    oomControl.gfpMask = gfpMask;
    oomControl.order = order;
    oomControl.nodemask = ac.nodemask;
    oomControl.highestZoneidx = ac.highestZoneidx;
    oomControl.taskId = taskId;
    const killed = outOfMemory(sys, oomControl);
    // the OOM killer's own report (dump_header, "Killed process", oom_reaper) goes to the request's dmesg lines
    for (const line of oomControl.lines) out.warned.push(line);
    if (killed) out.oomKills++;
    if (old) out.didSomeProgress = 1;
    else if (killed || gfpMask & g.__GFP_NOFAIL) {
      out.didSomeProgress = 1;
      // help non-failing allocations by giving them access to memory reserves
      if (gfpMask & g.__GFP_NOFAIL) {
        pfn = allocPagesCpusetFallback(sys, gfpMask, order, ALLOC_NO_WATERMARKS, ac, out);
        if (pfn >= 0) mayOomNofailServed = true;
      }
    }
    outcome = out.didSomeProgress ? OOM_PROGRESS : OOM_NO_PROGRESS;
  }
  if (steps.enabled) steps.push(STEP_MAY_OOM, null, 0, 0, 0, out.didSomeProgress, 0, outcome);
  return pfn;
}

let mayOomNofailServed = false;

/**
 * __alloc_pages_slowpath() (mm/page_alloc.c @ v6.18), in the kernel's order with its local names
 * (compaction_retries, no_progress_loops, compact_priority, compact_result and did_some_progress live in `out`):
 * gfp_to_alloc_flags; wake kswapds; the min-watermark attempt; the initial compaction (costly, or non-movable
 * order > 0, when it may reclaim and compact (__GFP_IO) and has no reserve entitlement), with the costly
 * __GFP_NORETRY bail-out on SKIPPED/DEFERRED; then the retry loop: wake kswapds, reserves, freelist, direct
 * reclaim, direct compaction, NORETRY / costly exits, should_reclaim_retry, should_compact_retry, the
 * defrag_mode NOFRAGMENT drop, __alloc_pages_may_oom; nopage (the __GFP_NOFAIL loop), fail (warn_alloc).
 */
function allocPagesSlowpath(sys: MmSystem, gfpMask: number, order: number, ac: AllocContext, taskId: number, out: AllocResult): number {
  if (sys.policy.slowpathLoop === 'compact-reclaim-compact') return allocPagesSlowpath40(sys, gfpMask, order, ac, taskId, out);
  const g = slowGfp(sys.pa.era);
  const steps = sys.pa.steps;
  const policy = sys.policy;
  const canDirectReclaim = (gfpMask & blockingBit(policy, g)) !== 0;
  // gfp_compaction_allowed(): CONFIG_COMPACTION && __GFP_IO (6.8+)
  const canCompact = !policy.compactionNeedsIo || (gfpMask & g.__GFP_IO) !== 0;
  const nofail = (gfpMask & g.__GFP_NOFAIL) !== 0;
  const costlyOrder = order > policy.costlyOrder;
  const pfMemalloc = taskHasPfMemalloc(sys, taskId);
  // the stage that ran last: names the path of a success at a later `retry:` attempt
  let stage = ALLOC_PATH_MIN_RETRY;
  let reason = -1;
  let pfn = -1;

  // restart: (the cpuset and zonelist cookies never change: see the file header)
  out.compactionRetries = 0;
  out.noProgressLoops = 0;
  out.compactResult = COMPACT_SKIPPED;
  out.compactPriority = DEF_COMPACT_PRIORITY;
  // the fast path's alloc_flags were conservative: set them up precisely now
  let allocFlags = gfpToAllocFlags(sys, gfpMask, order, ac.migratetype, taskId);
  if (steps.enabled) steps.push(STEP_SLOWPATH, null, order, 0, 0, 0, allocFlags, 0);
  ac.preferredZoneref = nextZonesZonelist(ac.zonelist, 0, ac.highestZoneidx, ac.nodemask);

  init: {
    if (ac.preferredZoneref < 0) {
      reason = NOPAGE_NO_ZONE;
      break init;
    }
    if (wakesKswapd(policy, g, gfpMask, allocFlags)) wakeAllKswapds(sys, order, gfpMask, ac, out);
    // the adjusted alloc_flags might result in immediate success
    pfn = attempt(sys, gfpMask, order, allocFlags, ac, ATTEMPT_MIN, out);
    if (pfn >= 0) {
      out.path = ALLOC_PATH_MIN_RETRY;
      return pfn;
    }
    // costly orders compact first (enough base pages, likely); non-movable high orders too, to avoid
    // permanent fragmentation; not for requests that may ignore watermarks (their attempt is still to come)
    if (canDirectReclaim && canCompact && (costlyOrder || (order > 0 && ac.migratetype !== MIGRATE_MOVABLE)) && !gfpPfmemallocFlags(sys, gfpMask, taskId)) {
      stage = ALLOC_PATH_INITIAL_COMPACT;
      pfn = allocPagesDirectCompact(sys, gfpMask, order, allocFlags, ac, INIT_COMPACT_PRIORITY, out);
      if (pfn >= 0) {
        out.path = ALLOC_PATH_INITIAL_COMPACT;
        return pfn;
      }
      // costly __GFP_NORETRY (some THP faults): whole pageblocks, compaction below low watermarks or deferred
      if (costlyOrder && gfpMask & g.__GFP_NORETRY) {
        // ≤5.3 (Policy.thpBail 'deferred') only a deferred compaction bails; 5.4+ a skipped one too
        if (out.compactResult === COMPACT_DEFERRED || (policy.thpBail === 'skipped-or-deferred' && out.compactResult === COMPACT_SKIPPED)) {
          reason = NOPAGE_COSTLY_NORETRY_COMPACT;
          break init;
        }
        // reclaim/compaction is worth trying, but sync compaction could be very expensive: stay async
        out.compactPriority = INIT_COMPACT_PRIORITY;
      }
    }
  }

  for (;;) {
    nopage: {
      if (reason >= 0) break nopage;
      for (;;) {
        // retry:
        if (++out.retries > SLOWPATH_MAX_RETRIES) {
          out.gaveUp = true;
          reason = NOPAGE_LIVELOCK;
          break nopage;
        }
        // ensure kswapd doesn't accidentally go to sleep as long as we loop
        if (wakesKswapd(policy, g, gfpMask, allocFlags)) wakeAllKswapds(sys, order, gfpMask, ac, out);
        const reserveFlags = gfpPfmemallocFlags(sys, gfpMask, taskId);
        if (reserveFlags) {
          // Policy.reserveFlagsKeep: ≤5.0 the reserve flag alone; 5.11+ ALLOC_CMA kept; 5.16+ ALLOC_KSWAPD too
          const keep = policy.reserveFlagsKeep;
          const kswapd = allocFlags & ALLOC_KSWAPD;
          allocFlags = reserveFlags;
          if (keep !== 'replace' && ac.migratetype === MIGRATE_MOVABLE) allocFlags |= ALLOC_CMA;
          if (keep === 'cma-kswapd') allocFlags |= kswapd;
          if (steps.enabled) steps.push(STEP_RESERVES, null, 0, 0, 0, 0, allocFlags, reserveFlags);
        }
        // high-priority, system-oriented requests may ignore memory policies
        if (!(allocFlags & ALLOC_CPUSET) || reserveFlags) {
          ac.nodemask = -1;
          ac.preferredZoneref = nextZonesZonelist(ac.zonelist, 0, ac.highestZoneidx, ac.nodemask);
        }
        pfn = attempt(sys, gfpMask, order, allocFlags, ac, ATTEMPT_RETRY, out);
        if (pfn >= 0) {
          out.path = reserveFlags ? ALLOC_PATH_RESERVES : stage;
          return pfn;
        }
        // caller is not willing to reclaim, we can't balance anything
        if (!canDirectReclaim) {
          reason = NOPAGE_NO_DIRECT_RECLAIM;
          break nopage;
        }
        // avoid recursion of direct reclaim
        if (pfMemalloc) {
          reason = NOPAGE_PF_MEMALLOC;
          break nopage;
        }
        stage = ALLOC_PATH_RECLAIM;
        pfn = allocPagesDirectReclaim(sys, gfpMask, order, allocFlags, ac, out);
        if (pfn >= 0) {
          out.path = ALLOC_PATH_RECLAIM;
          return pfn;
        }
        const didSomeProgress = out.didSomeProgress;
        if (order) stage = ALLOC_PATH_COMPACT;
        pfn = allocPagesDirectCompact(sys, gfpMask, order, allocFlags, ac, out.compactPriority, out);
        if (pfn >= 0) {
          out.path = ALLOC_PATH_COMPACT;
          return pfn;
        }
        // do not loop if specifically requested
        if (gfpMask & g.__GFP_NORETRY) {
          reason = NOPAGE_NORETRY;
          break nopage;
        }
        // do not retry costly high-order allocations unless they are __GFP_RETRY_MAYFAIL (≤4.12: __GFP_REPEAT) and
        // can compact
        if (costlyOrder && (!canCompact || !(gfpMask & costlyRetryBit(policy, g)))) {
          reason = NOPAGE_COSTLY;
          break nopage;
        }
        if (shouldReclaimRetry(sys, order, ac, allocFlags, didSomeProgress > 0, out)) continue;
        // compaction needs free order-0 pages: retrying it is pointless if order-0 reclaim made no progress
        if (didSomeProgress > 0 && canCompact && shouldCompactRetry(sys, ac, order, allocFlags, out)) continue;
        // reclaim/compaction failed to prevent the fallback
        if (policy.hasDefragMode && sys.machine.sysctl.defrag_mode && allocFlags & ALLOC_NOFRAGMENT) {
          allocFlags &= ~ALLOC_NOFRAGMENT;
          if (steps.enabled) steps.push(STEP_NOFRAGMENT_DROP, null, 0, 0, 0, 0, allocFlags, 0);
          continue;
        }
        // reclaim has failed us, start killing things
        pfn = allocPagesMayOom(sys, gfpMask, order, ac, taskId, out);
        if (pfn >= 0) {
          out.path = mayOomNofailServed ? ALLOC_PATH_NOFAIL : ALLOC_PATH_OOM;
          return pfn;
        }
        // avoid allocations with no watermarks from looping endlessly
        // (≤4.13 the victim's reserve was ALLOC_NO_WATERMARKS: Policy.hasAllocOom)
        if (taskId >= 0 && taskIsOomVictim(sys, taskId) && (allocFlags & (policy.hasAllocOom ? ALLOC_OOM : ALLOC_NO_WATERMARKS) || gfpMask & g.__GFP_NOMEMALLOC)) {
          reason = NOPAGE_OOM_VICTIM;
          break nopage;
        }
        // retry as long as the OOM killer is making progress
        if (out.didSomeProgress) {
          out.noProgressLoops = 0;
          stage = ALLOC_PATH_OOM;
          continue;
        }
        reason = NOPAGE_NO_PROGRESS;
        break nopage;
      }
    }
    // nopage:
    out.nopageReason = reason;
    if (steps.enabled) steps.push(STEP_NOPAGE, null, 0, 0, 0, 0, allocFlags, reason);
    // make sure a __GFP_NOFAIL request doesn't leak out: always retry (unless it cannot reclaim at all)
    if (!nofail || !canDirectReclaim || out.gaveUp) break;
    // some access to the reserves of high-priority non-blocking allocations, but not ALLOC_NO_WATERMARKS:
    // ALLOC_HARDER up to 6.2, ALLOC_MIN_RESERVE from 6.3
    const nofailFlags = policy.allocFlags.ALLOC_HARDER ? ALLOC_HARDER : ALLOC_MIN_RESERVE;
    pfn = allocPagesCpusetFallback(sys, gfpMask, order, nofailFlags, ac, out);
    if (steps.enabled) steps.push(STEP_NOFAIL, null, 0, 0, 0, pfn, nofailFlags, out.retries);
    if (pfn >= 0) {
      out.path = ALLOC_PATH_NOFAIL;
      return pfn;
    }
    // cond_resched(); goto retry
    reason = -1;
  }
  // fail:
  out.path = ALLOC_PATH_FAIL;
  if (!out.gaveUp) warnAllocFailure(sys, gfpMask, order, ac, taskId, out);
  return -1;
}

/**
 * should_alloc_retry() (mm/page_alloc.c @ v4.0, reference §3.1 step 14): __GFP_NORETRY never; __GFP_NOFAIL always;
 * (pm_suspended_storage() is never true); orders ≤ PAGE_ALLOC_COSTLY_ORDER always; a costly order with
 * __GFP_REPEAT until reclaim has freed 1 << order pages over the whole request.
 */
function shouldAllocRetry(sys: MmSystem, g: SlowGfp, gfpMask: number, order: number, pagesReclaimed: number): boolean {
  if (gfpMask & g.__GFP_NORETRY) return false;
  if (gfpMask & g.__GFP_NOFAIL) return true;
  if (order <= sys.policy.costlyOrder) return true;
  return (gfpMask & costlyRetryBit(sys.policy, g)) !== 0 && pagesReclaimed < 1 << order;
}

/**
 * __alloc_pages_slowpath() of v4.0 (Policy.slowpathLoop 'compact-reclaim-compact'; mm/page_alloc.c @ v4.0 as read
 * by the slow-path reference §3.1 — the tag is not in the search index). No MAX_ORDER test here (the fast path
 * rejected those); on NUMA a GFP_THISNODE mask goes to nopage at once. Every pass of `retry:` wakes kswapd for every
 * zone (unless __GFP_NO_KSWAPD), recomputes alloc_flags (ALLOC_NO_WATERMARKS included), tries the freelists without
 * NO_WATERMARKS, then with it alone if entitled (__alloc_pages_high_priority, which a __GFP_NOFAIL request repeats
 * forever: the livelock bound ends it). Non-blocking (no __GFP_WAIT), PF_MEMALLOC and OOM-victim (without
 * __GFP_NOFAIL) requests stop there. Then direct compaction in `migration_mode` (ASYNC on the first pass =
 * COMPACT_PRIO_ASYNC, then SYNC_LIGHT = DEF_COMPACT_PRIORITY, except for GFP_TRANSHUGE requests, which stay async
 * and give up when compaction was deferred), direct reclaim, and should_alloc_retry(): retry (after
 * __alloc_pages_may_oom when reclaim made no progress; no OOM progress → nopage), or one last compaction and nopage.
 * No cpuset fallback for __GFP_NOFAIL at nopage (4.10+). Paths: the first pass's attempts are min_retry /
 * reserves / initial_compact, later ones name the stage that ran before them.
 */
function allocPagesSlowpath40(sys: MmSystem, gfpMask: number, order: number, ac: AllocContext, taskId: number, out: AllocResult): number {
  const g = slowGfp(sys.pa.era);
  const steps = sys.pa.steps;
  const policy = sys.policy;
  const wait = (gfpMask & blockingBit(policy, g)) !== 0;
  const nofail = (gfpMask & g.__GFP_NOFAIL) !== 0;
  const pfMemalloc = taskHasPfMemalloc(sys, taskId);
  // THP page faults (every trace task counts as a user task, not a kthread like khugepaged)
  const thp = g.GFP_TRANSHUGE !== 0 && (gfpMask & g.GFP_TRANSHUGE) === g.GFP_TRANSHUGE;
  const thisnode = g.__GFP_THISNODE | g.__GFP_NORETRY | g.__GFP_NOWARN;
  let pagesReclaimed = 0;
  let stage = ALLOC_PATH_MIN_RETRY;
  let reason = -1;
  let pfn = -1;
  let allocFlags = 0;
  out.compactionRetries = 0;
  out.noProgressLoops = 0;
  out.compactResult = COMPACT_SKIPPED;
  // migration_mode = MIGRATE_ASYNC
  out.compactPriority = INIT_COMPACT_PRIORITY;
  ac.preferredZoneref = nextZonesZonelist(ac.zonelist, 0, ac.highestZoneidx, ac.nodemask);
  nopage: {
    // GFP_THISNODE (CONFIG_NUMA): no reclaim, no OOM, no warning (it carries __GFP_NOWARN)
    if (sys.pa.nrOnlineNodes > 1 && (gfpMask & thisnode) === thisnode) {
      reason = NOPAGE_GFP_THISNODE;
      break nopage;
    }
    if (ac.preferredZoneref < 0) {
      reason = NOPAGE_NO_ZONE;
      break nopage;
    }
    for (let pass = 0; ; pass++) {
      // retry:
      if (++out.retries > SLOWPATH_MAX_RETRIES) {
        out.gaveUp = true;
        reason = NOPAGE_LIVELOCK;
        break nopage;
      }
      if (wakesKswapd(policy, g, gfpMask, 0)) wakeAllKswapds(sys, order, gfpMask, ac, out);
      allocFlags = gfpToAllocFlags(sys, gfpMask, order, ac.migratetype, taskId);
      if (steps.enabled && pass === 0) steps.push(STEP_SLOWPATH, null, order, 0, 0, 0, allocFlags, 0);
      // (ALLOC_CPUSET dropped without a nodemask: the preferred zone ignoring cpusets is the same one here)
      // this is the last chance, in general, before the goto nopage
      pfn = attempt(sys, gfpMask, order, allocFlags & ~ALLOC_NO_WATERMARKS, ac, pass === 0 ? ATTEMPT_MIN : ATTEMPT_RETRY, out);
      if (pfn >= 0) {
        out.path = stage;
        return pfn;
      }
      // allocate without watermarks if the context allows (__alloc_pages_high_priority on the local zonelist)
      if (allocFlags & ALLOC_NO_WATERMARKS) {
        if (steps.enabled) steps.push(STEP_RESERVES, null, 0, 0, 0, 0, ALLOC_NO_WATERMARKS, ALLOC_NO_WATERMARKS);
        pfn = attempt(sys, gfpMask, order, ALLOC_NO_WATERMARKS, ac, ATTEMPT_RETRY, out);
        if (pfn >= 0) {
          out.path = ALLOC_PATH_RESERVES;
          return pfn;
        }
        // __GFP_NOFAIL: wait_iff_congested() and try again, forever: nothing else runs inside one request
        if (nofail) {
          out.gaveUp = true;
          reason = NOPAGE_LIVELOCK;
          break nopage;
        }
      }
      // atomic allocations cannot balance anything
      if (!wait) {
        reason = NOPAGE_NO_DIRECT_RECLAIM;
        break nopage;
      }
      // avoid recursion of direct reclaim
      if (pfMemalloc) {
        reason = NOPAGE_PF_MEMALLOC;
        break nopage;
      }
      // avoid allocations with no watermarks from looping endlessly (TIF_MEMDIE)
      if (taskId >= 0 && taskIsOomVictim(sys, taskId) && !nofail) {
        reason = NOPAGE_OOM_VICTIM;
        break nopage;
      }
      // try direct compaction: the first pass is asynchronous
      const compactStage = pass === 0 ? ALLOC_PATH_INITIAL_COMPACT : ALLOC_PATH_COMPACT;
      pfn = allocPagesDirectCompact(sys, gfpMask, order, allocFlags, ac, out.compactPriority, out);
      if (pfn >= 0) {
        out.path = compactStage;
        return pfn;
      }
      if (order) stage = compactStage;
      // THP page faults: a deferred compaction means recent failures, do not reclaim for it
      // (the lock-contention and need_resched bail-outs never happen here)
      if (thp && out.compactResult === COMPACT_DEFERRED) {
        reason = NOPAGE_COSTLY_NORETRY_COMPACT;
        break nopage;
      }
      // from now on compact synchronously (SYNC_LIGHT), except for THP page faults
      if (!thp) out.compactPriority = DEF_COMPACT_PRIORITY;
      stage = ALLOC_PATH_RECLAIM;
      pfn = allocPagesDirectReclaim(sys, gfpMask, order, allocFlags, ac, out);
      if (pfn >= 0) {
        out.path = ALLOC_PATH_RECLAIM;
        return pfn;
      }
      const didSomeProgress = out.didSomeProgress;
      pagesReclaimed += didSomeProgress;
      const retry = shouldAllocRetry(sys, g, gfpMask, order, pagesReclaimed);
      if (steps.enabled) steps.push(STEP_RECLAIM_RETRY, null, didSomeProgress, 0, 0, retry ? 1 : 0, allocFlags, pagesReclaimed);
      if (retry) {
        // no progress freeing individual pages, but the allocation wants us to keep going: OOM-kill
        if (!didSomeProgress) {
          pfn = allocPagesMayOom(sys, gfpMask, order, ac, taskId, out);
          if (pfn >= 0) {
            out.path = ALLOC_PATH_OOM;
            return pfn;
          }
          if (!out.didSomeProgress) {
            reason = NOPAGE_NO_PROGRESS;
            break nopage;
          }
          stage = ALLOC_PATH_OOM;
        }
        // wait_iff_congested(HZ/50): no time passes inside a request
        continue;
      }
      // high-order allocations do not loop: reclaim/compaction needs the compaction after reclaim
      pfn = allocPagesDirectCompact(sys, gfpMask, order, allocFlags, ac, out.compactPriority, out);
      if (pfn >= 0) {
        out.path = ALLOC_PATH_COMPACT;
        return pfn;
      }
      reason = gfpMask & g.__GFP_NORETRY ? NOPAGE_NORETRY : NOPAGE_COSTLY;
      break nopage;
    }
  }
  out.nopageReason = reason;
  if (steps.enabled) steps.push(STEP_NOPAGE, null, 0, 0, 0, 0, allocFlags, reason);
  out.path = ALLOC_PATH_FAIL;
  if (!out.gaveUp) warnAllocFailure(sys, gfpMask, order, ac, taskId, out);
  return -1;
}

/** warn_alloc(gfp_mask, ac->nodemask, "page allocation failure: order:%u", order) through show_mem.ts. */
function warnAllocFailure(sys: MmSystem, gfpMask: number, order: number, ac: AllocContext, taskId: number, out: AllocResult): void {
  const ctx: WarnAllocCtx = {
    timeNs: sys.nowNs,
    comm: taskId >= 0 ? taskComm(sys, taskId) : 'mmreplay',
    pid: taskId >= 0 ? taskPid(sys, taskId) : 0,
    cpu: sys.pa.cpu,
    order,
    gfpMask,
    mode: formatGfpMode(gfpMask, sys.pa.era),
    highestZoneIdx: ac.highestZoneidx,
    nodemask: ac.nodemask === -1 ? null : nodemaskList(ac.nodemask),
  };
  const input: ShowMemInput = {
    nodes: sys.machine.nodes,
    pcp: pcpCounts(sys.pa.cpu),
    ...(sys.machine.snapshot?.vmstat ? { snapshot: { vmstat: sys.machine.snapshot.vmstat } } : {}),
  };
  const verdict = warnAlloc(out.warned, sys.warn, ctx, input);
  out.warnVerdict = verdict;
  sys.vmstat[verdict === WARN_PRINT ? MMREPLAY_WARN_ALLOC_PRINTED : MMREPLAY_WARN_ALLOC_SUPPRESSED]! += 1;
  const steps = sys.pa.steps;
  if (steps.enabled) steps.push(STEP_WARN, null, 0, 0, 0, 0, 0, verdict);
}

function nodemaskList(mask: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < 31; i++) if (mask & (1 << i)) ids.push(i);
  return ids;
}

/** free_pcp / local_pcp of show_free_areas(): the zone's pcp counts (pcp.ts) */
function pcpCounts(cpu: number): ShowMemInput['pcp'] {
  return {
    pcpPages(zone: Zone): number {
      const pcp = zone.pcp;
      if (!pcp) return 0;
      let n = 0;
      for (let c = 0; c < pcp.nrCpus; c++) n += pcp.count[c]!;
      return n;
    },
    localPcpPages(zone: Zone): number {
      return zone.pcp ? zone.pcp.count[cpu] ?? 0 : 0;
    },
  };
}
