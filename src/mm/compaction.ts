/**
 * Memory compaction: mirrors mm/compaction.c @ v6.18 — the deferral counters (defer_compaction,
 * compaction_deferred, compaction_defer_reset, compaction_restarting), the skip hints
 * (__reset_isolation_suitable, update_pageblock_skip, update_cached_migrate), the two scanners
 * (isolate_migratepages / isolate_migratepages_block going up from the zone start, isolate_freepages /
 * isolate_freepages_block going down from the zone end), compaction_alloc with the per-order free lists of 6.9+,
 * migrate_pages as compaction drives it, __compact_finished, __compaction_suitable / compaction_suitable /
 * compaction_suit_allocation_order (6.15+: the watermark is the caller's), compaction_zonelist_suitable,
 * compact_zone, compact_zone_order with page capture, try_to_compact_pages, and kcompactd
 * (wakeup_kcompactd, kcompactd_node_suitable, kcompactd_do_work, proactive compaction). Also mm/vmstat.c
 * __fragmentation_index() / extfrag_for_order(), and the constants of include/linux/compaction.h @ v6.18.
 *
 * The 6.18 file is not in the source index: the code follows the mainline compaction.c stored there (v6.7 shape),
 * plus the 6.8–6.15 changes read in their patches: skip_isolation_on_order() and freepages[NR_PAGE_ORDERS]
 * (6.9, large folio compaction), the watermark pushed into compaction_suitable() callers and defrag_mode
 * (6.15, Johannes Weiner's series: kcompactd compacts to the high watermark), and fragmentation_score_wmark()'s
 * leeway (6.15).
 *
 * Simplifications, each with its cost in fidelity:
 *  - fast_find_migrateblock() and fast_isolate_freepages() (5.1+) are not modelled: both scanners are linear.
 *    The kernel's free scanner first takes blocks from the MOVABLE free lists near the top quarter of the scan
 *    range; ours finds the same kind of blocks only by walking pageblocks down from the zone end.
 *  - A migration source is freed straight to the buddy allocator, as if the compactor's check_drain
 *    (lru_add_drain_cpu_zone) drained the per-cpu list at once; so merges, and page capture, happen a little
 *    earlier than in the kernel, where order-0 sources sit on the pcp list until the scanner leaves the block.
 *  - Every allocated block of order > 0 counts as a compound page (folio): the scanners skip it whole.
 *  - Migration never fails except for want of free targets (-ENOMEM): pinned, dirty, writeback and
 *    unmovable-mapping pages are not modelled; "movable" is the page kind vmscan.ts gives the block.
 *  - Lock contention, need_resched() and fatal signals do not happen: COMPACT_CONTENDED only comes from -ENOMEM
 *    before the scanners met. too_many_isolated() is never true.
 *  - kcompactd does all its work at the instant it runs (no throughput limit): see kcompactdRun().
 */
import type { MmSystem } from './system.js';
import type { Machine } from './machine.js';
import type { MemMap } from './memmap.js';
import type { Zone } from './mmzone.js';
import type { AllocContext } from './internal.js';
import type { Policy } from '../policy/policy.js';
import {
  MAX_NR_ZONES,
  MAX_PAGE_ORDER,
  MIGRATE_CMA,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  MIGRATE_PCPTYPES,
  MIGRATE_TYPES,
  NR_PAGE_ORDERS,
  PAGE_ALLOC_COSTLY_ORDER,
  WMARK_HIGH,
  WMARK_LOW,
  WMARK_MIN,
  pageblock_nr_pages,
  pageblock_order,
} from './mmzone.js';
import { ALLOC_CMA, ALLOC_WMARK_HIGH, ALLOC_WMARK_MASK, ALLOC_WMARK_MIN } from './internal.js';
import {
  PAGE_ALLOC,
  PAGE_BUDDY,
  PAGE_HOLE,
  PAGE_TAIL,
  PB_compact_skip,
  PG_movable_alike,
  getPageblockMigratetype,
} from './memmap.js';
import { addToFreeList, delPageFromFreeList, findSuitableFallback, freeOnePage, moveFreepagesBlock } from './buddy.js';
import { drainAllPages } from './pcp.js';
import { nextZonesZonelist, zoneWatermarkOk } from './page_alloc.js';
import { gfpBit, gfpMigratetype } from './gfp.js';
import { lruMove, zoneReclaimablePages as vmscanZoneReclaimablePages } from './vmscan.js';
import {
  COMPACTFREE_SCANNED,
  COMPACTISOLATED,
  COMPACTMIGRATE_SCANNED,
  KCOMPACTD_FREE_SCANNED,
  KCOMPACTD_MIGRATE_SCANNED,
  KCOMPACTD_WAKE,
  MMREPLAY_KCOMPACTD_WAKEUPS,
  PGMIGRATE_FAIL,
  PGMIGRATE_SUCCESS,
} from './vmstat.js';

// ---- include/linux/compaction.h @ v6.18 ----

/** enum compact_priority: lower value = more effort (as reclaim priority) */
export const COMPACT_PRIO_SYNC_FULL = 0;
export const MIN_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_FULL;
export const COMPACT_PRIO_SYNC_LIGHT = 1;
export const MIN_COMPACT_COSTLY_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
export const DEF_COMPACT_PRIORITY = COMPACT_PRIO_SYNC_LIGHT;
export const COMPACT_PRIO_ASYNC = 2;
export const INIT_COMPACT_PRIORITY = COMPACT_PRIO_ASYNC;
export const compactPriorityNames: readonly string[] = ['sync_full', 'sync_light', 'async'];

/** enum compact_result: the order matters, try_to_compact_pages() combines results with max() */
/** for trace points only (compaction_suitable said no because of the fragmentation index) */
export const COMPACT_NOT_SUITABLE_ZONE = 0;
/** compaction did not start: not enough free pages for the migration targets */
export const COMPACT_SKIPPED = 1;
/** compaction did not start: deferred after recent failures */
export const COMPACT_DEFERRED = 2;
/** for trace points only: no suitable free page yet (internal, becomes CONTINUE) */
export const COMPACT_NO_SUITABLE_PAGE = 3;
/** compaction should continue to another pageblock */
export const COMPACT_CONTINUE = 4;
/** the whole zone was scanned and no suitable page was freed */
export const COMPACT_COMPLETE = 5;
/** the scanners met, but not all of the zone was scanned (cached positions, skip hints) */
export const COMPACT_PARTIAL_SKIPPED = 6;
/** stopped early: lock contention, need_resched, fatal signal; here only -ENOMEM before the scanners met */
export const COMPACT_CONTENDED = 7;
/** a free page of the requested order exists (or was captured) */
export const COMPACT_SUCCESS = 8;
/** the names include/trace/events/compaction.h prints (COMPACTION_STATUS) */
export const compactResultNames: readonly string[] = [
  'not_suitable_zone',
  'skipped',
  'deferred',
  'no_suitable_page',
  'continue',
  'complete',
  'partial_skipped',
  'contended',
  'success',
];

/** mm/compaction.c: do not skip compaction more than 64 times */
export const COMPACT_MAX_DEFER_SHIFT = 6;
/** include/linux/swap.h COMPACT_CLUSTER_MAX = SWAP_CLUSTER_MAX: pages isolated per migration batch */
export const COMPACT_CLUSTER_MAX = 32;
/** enum migrate_mode (include/linux/migrate_mode.h) */
export const MIGRATE_ASYNC = 0;
export const MIGRATE_SYNC_LIGHT = 1;
export const MIGRATE_SYNC = 2;
/** COMPACTION_HPAGE_ORDER: HPAGE_PMD_ORDER on x86-64 with THP (proactive compaction's fragmentation score) */
export const COMPACTION_HPAGE_ORDER = 9;
/** HPAGE_FRAG_CHECK_INTERVAL_MSEC: kcompactd's proactive poll */
export const HPAGE_FRAG_CHECK_INTERVAL_MSEC = 500;

/** include/linux/compaction.h compact_gap(): free pages compaction needs as migration targets, 2 << order */
export function compactGap(order: number): number {
  return 2 << order;
}

// ---- decision steps (keep in sync with the replay JSONL schema's step kinds) ----

/**
 * compact_zone_order() ran in a zone: free = pages the migrate scanner scanned, mark = pages the free scanner
 * scanned, reserve = pages migrated, result = COMPACT_*, flags = compact_priority, aux = captured pfn or −1.
 */
export const STEP_COMPACT = 40;
/** the zone was skipped by compaction_deferred(): free = compact_considered, mark = 1 << compact_defer_shift,
 * reserve = compact_order_failed, result = COMPACT_DEFERRED, flags = compact_priority */
export const STEP_COMPACT_DEFERRED = 41;
/** kcompactd compacted a zone: the columns of STEP_COMPACT, flags = −1 */
export const STEP_KCOMPACTD = 42;
export const compactionStepNames: Readonly<Record<number, string>> = {
  [STEP_COMPACT]: 'compact',
  [STEP_COMPACT_DEFERRED]: 'compact_deferred',
  [STEP_KCOMPACTD]: 'kcompactd',
};

// ---- state ----

/** The compaction fields of struct zone (include/linux/mmzone.h, CONFIG_COMPACTION). */
export interface ZoneCompaction {
  /** compactions skipped since the last failure (counts up to 1 << compact_defer_shift) */
  compactConsidered: number;
  compactDeferShift: number;
  /** the lowest order that failed; smaller orders are never deferred */
  compactOrderFailed: number;
  /** compact_cached_migrate_pfn[ASYNC, SYNC]: where each mode's migrate scanner restarts */
  compactCachedMigratePfn: [number, number];
  /** where the free scanner restarts (the start of a pageblock) */
  compactCachedFreePfn: number;
  /** where __reset_isolation_suitable() found the first source / last target (whole-zone detection) */
  compactInitMigratePfn: number;
  compactInitFreePfn: number;
  /** a direct compactor scanned the whole zone: kswapd clears the skip bits when it goes to sleep */
  compactBlockskipFlush: boolean;
}

/** The kcompactd fields of struct pglist_data, plus the simulated thread's state. */
export interface Kcompactd {
  kcompactdMaxOrder: number;
  kcompactdHighestZoneidx: number;
  /** woken (wake_up_interruptible) and not yet run: kcompactdRun() does the work */
  awake: boolean;
  /** simulated time of the next 500 ms proactive poll */
  nextPollNs: number;
  /** poll interval in ms: 500, or 500 << COMPACT_MAX_DEFER_SHIFT after proactive compaction made no progress */
  pollMs: number;
}

/** struct compact_control (mm/internal.h), one per MmSystem, reused by every compaction. */
export interface CompactControl {
  zone: Zone;
  mm: MemMap;
  /** −1 = whole-zone compaction (/proc/sys/vm/compact_memory, proactive) */
  order: number;
  gfpMask: number;
  migratetype: number;
  mode: number;
  allocFlags: number;
  highestZoneidx: number;
  directCompaction: boolean;
  proactiveCompaction: boolean;
  wholeZone: boolean;
  ignoreSkipHint: boolean;
  ignoreBlockSuitable: boolean;
  finishPageblock: boolean;
  contended: boolean;
  migratePfn: number;
  freePfn: number;
  nrMigratepages: number;
  nrFreepages: number;
  totalMigrateScanned: number;
  totalFreeScanned: number;
  /** pages migrated in this compact_zone() (pgmigrate_success of this run) */
  nrMigrated: number;
  /** cc->migratepages: isolated source heads, in isolation order (the kernel list_add()s: it migrates them last-first) */
  migratepages: Int32Array;
  nrMigrateEntries: number;
  /** cc->freepages[NR_PAGE_ORDERS]: list heads/tails of isolated free blocks, linked through memmap next/prev */
  freeHead: Int32Array;
  freeTail: Int32Array;
  /** compaction_alloc()'s targets for the current batch, parallel to migratepages (reused) */
  targets: Int32Array;
  /** capture_control: capture a freed block of exactly `order` for the direct compactor */
  capture: boolean;
  capturePfn: number;
}

export interface CompactionState {
  /** per zone: index nodeId * MAX_NR_ZONES + zoneIdx */
  zones: ZoneCompaction[];
  /** per node */
  kcompactd: Kcompactd[];
  cc: CompactControl;
  /** gfp bits read here, resolved once for the policy's era */
  gfpIo: number;
  /** __GFP_FS (the migrate scanner; v4.0's try_to_compact_pages() gate) */
  gfpFs: number;
  gfpKernel: number;
}

/** Creates the per-zone and per-node compaction state; cached scanner positions start invalid (compact_zone resets them). */
export function createCompactionState(machine: Machine): CompactionState {
  const zones: ZoneCompaction[] = [];
  const kcompactd: Kcompactd[] = [];
  for (const node of machine.nodes) {
    for (let z = 0; z < MAX_NR_ZONES; z++) {
      zones[node.nodeId * MAX_NR_ZONES + z] = {
        compactConsidered: 0,
        compactDeferShift: 0,
        compactOrderFailed: 0,
        compactCachedMigratePfn: [0, 0],
        compactCachedFreePfn: 0,
        compactInitMigratePfn: 0,
        compactInitFreePfn: 0,
        compactBlockskipFlush: false,
      };
    }
    kcompactd[node.nodeId] = {
      kcompactdMaxOrder: 0,
      kcompactdHighestZoneidx: nrZones(node.zones) - 1,
      awake: false,
      nextPollNs: HPAGE_FRAG_CHECK_INTERVAL_MSEC * 1e6,
      pollMs: HPAGE_FRAG_CHECK_INTERVAL_MSEC,
    };
  }
  const first = machine.nodes[0]!;
  const era = machine.policy.gfpEra;
  return {
    zones,
    kcompactd,
    cc: {
      zone: first.zones[0]!,
      mm: first.memmap,
      order: 0,
      gfpMask: 0,
      migratetype: 0,
      mode: MIGRATE_ASYNC,
      allocFlags: 0,
      highestZoneidx: 0,
      directCompaction: false,
      proactiveCompaction: false,
      wholeZone: false,
      ignoreSkipHint: false,
      ignoreBlockSuitable: false,
      finishPageblock: false,
      contended: false,
      migratePfn: 0,
      freePfn: 0,
      nrMigratepages: 0,
      nrFreepages: 0,
      totalMigrateScanned: 0,
      totalFreeScanned: 0,
      nrMigrated: 0,
      migratepages: new Int32Array(COMPACT_CLUSTER_MAX * 2),
      nrMigrateEntries: 0,
      freeHead: new Int32Array(NR_PAGE_ORDERS).fill(-1),
      freeTail: new Int32Array(NR_PAGE_ORDERS).fill(-1),
      targets: new Int32Array(COMPACT_CLUSTER_MAX * 2),
      capture: false,
      capturePfn: -1,
    },
    gfpIo: gfpBit('__GFP_IO', era),
    gfpFs: gfpBit('__GFP_FS', era),
    gfpKernel: gfpBit('GFP_KERNEL', era),
  };
}

/** pgdat->nr_zones: highest populated zone index + 1 */
function nrZones(zones: readonly Zone[]): number {
  let n = 0;
  for (const z of zones) if (z.presentPages > 0) n = z.zoneIdx + 1;
  return n;
}

/** The compaction fields of `zone`. */
export function zoneCompaction(sys: MmSystem, zone: Zone): ZoneCompaction {
  return sys.compaction.zones[zone.nodeId * MAX_NR_ZONES + zone.zoneIdx]!;
}

function memmapOf(sys: MmSystem, zone: Zone): MemMap {
  return sys.machine.nodes[zone.nodeId]!.memmap;
}

function zoneEndPfn(zone: Zone): number {
  return (zone.zoneStartPfn as number) + zone.spannedPages;
}

function pageblockStartPfn(pfn: number): number {
  return pfn - (pfn & (pageblock_nr_pages - 1));
}

/** block_end_pfn(pfn, order) = ALIGN(pfn + 1, 1 << order) */
function blockEndPfn(pfn: number, order: number): number {
  const n = 1 << order;
  return (pfn + n) & ~(n - 1);
}

function pbIndex(mm: MemMap, pfn: number): number {
  return (pfn >> pageblock_order) - mm.pageblockBase;
}

function getPageblockSkip(mm: MemMap, pfn: number): boolean {
  return (mm.pageblockFlags[pbIndex(mm, pfn)]! & PB_compact_skip) !== 0;
}

function setPageblockSkip(mm: MemMap, pfn: number): void {
  mm.pageblockFlags[pbIndex(mm, pfn)]! |= PB_compact_skip;
}

function clearPageblockSkip(mm: MemMap, pfn: number): void {
  mm.pageblockFlags[pbIndex(mm, pfn)]! &= ~PB_compact_skip;
}

/**
 * Whether the allocated block at `pfn` can migrate (PageLRU() or a page with movable ops). vmscan.ts sets
 * PG_movable_alike on the head of every anon and file LRU block (lruAdd) and lruMove() carries it, so this is
 * vmscan's pageIsMovable() without its per-call node lookup; it is also the bit buddy.ts's try_to_claim_block()
 * counts as "movable alike", so the allocator and compaction agree on what can move.
 */
function pageMovable(mm: MemMap, pfn: number): boolean {
  return (mm.flags[pfn - mm.startPfn]! & PG_movable_alike) !== 0;
}

// ---- mm/vmstat.c: fragmentation index ----

/** struct contig_page_info, filled by fillContigPageInfo() (reused; no allocation) */
const contigInfo = { freePages: 0, freeBlocksTotal: 0, freeBlocksSuitable: 0 };

/** mm/vmstat.c fill_contig_page_info(): free pages and blocks of the zone, blocks ≥ `order` in units of 2^order */
function fillContigPageInfo(zone: Zone, order: number): void {
  const nrFree = zone.freeArea.nrFree;
  let freePages = 0;
  let total = 0;
  let suitable = 0;
  for (let o = 0; o < NR_PAGE_ORDERS; o++) {
    const blocks = nrFree[o]!;
    total += blocks;
    freePages += blocks * 2 ** o;
    if (o >= order) suitable += blocks * 2 ** (o - order);
  }
  contigInfo.freePages = freePages;
  contigInfo.freeBlocksTotal = total;
  contigInfo.freeBlocksSuitable = suitable;
}

/**
 * mm/vmstat.c fragmentation_index() / __fragmentation_index(): 0 with no free blocks; −1000 when a block of
 * `order` is free (the request should succeed); else 1000 − (1000 + free_pages·1000/2^order) / free_blocks_total
 * in integer arithmetic: towards 0 the failure is a lack of memory, towards 1000 fragmentation.
 */
export function fragmentationIndex(zone: Zone, order: number): number {
  if (order > MAX_PAGE_ORDER) return 0;
  fillContigPageInfo(zone, order);
  if (!contigInfo.freeBlocksTotal) return 0;
  if (contigInfo.freeBlocksSuitable) return -1000;
  const requested = 2 ** order;
  return 1000 - Math.floor((1000 + Math.floor((contigInfo.freePages * 1000) / requested)) / contigInfo.freeBlocksTotal);
}

/**
 * mm/vmstat.c extfrag_for_order() (5.9+): the percentage of free pages that sit in blocks smaller than `order`
 * (proactive compaction's fragmentation score of a zone).
 */
export function extfragForOrder(zone: Zone, order: number): number {
  fillContigPageInfo(zone, order);
  if (contigInfo.freePages === 0) return 0;
  return Math.floor(((contigInfo.freePages - contigInfo.freeBlocksSuitable * 2 ** order) * 100) / contigInfo.freePages);
}

// ---- deferral ----

/**
 * mm/compaction.c defer_compaction(): after a failed compaction, skip the next 2^shift − 1 attempts at orders
 * ≥ the failed one (the shift grows by one per failure, up to COMPACT_MAX_DEFER_SHIFT).
 */
export function deferCompaction(sys: MmSystem, zone: Zone, order: number): void {
  const zc = zoneCompaction(sys, zone);
  zc.compactConsidered = 0;
  zc.compactDeferShift++;
  if (order < zc.compactOrderFailed) zc.compactOrderFailed = order;
  if (zc.compactDeferShift > COMPACT_MAX_DEFER_SHIFT) zc.compactDeferShift = COMPACT_MAX_DEFER_SHIFT;
}

/**
 * mm/compaction.c compaction_deferred(): true if compaction of `order` should be skipped this time. Orders below
 * compact_order_failed always run; otherwise each call counts one consideration, and compaction runs again once
 * 1 << compact_defer_shift considerations have been counted.
 */
export function compactionDeferred(sys: MmSystem, zone: Zone, order: number): boolean {
  const zc = zoneCompaction(sys, zone);
  const deferLimit = 1 << zc.compactDeferShift;
  if (order < zc.compactOrderFailed) return false;
  if (++zc.compactConsidered >= deferLimit) {
    zc.compactConsidered = deferLimit;
    return false;
  }
  return true;
}

/**
 * mm/compaction.c compaction_defer_reset(): compaction of `order` succeeded (alloc_success: the allocation did;
 * else it is only expected to). A real success clears the backoff; either way orders up to `order` stop
 * counting as failed.
 */
export function compactionDeferReset(sys: MmSystem, zone: Zone, order: number, allocSuccess: boolean): void {
  const zc = zoneCompaction(sys, zone);
  if (allocSuccess) {
    zc.compactConsidered = 0;
    zc.compactDeferShift = 0;
  }
  if (order >= zc.compactOrderFailed) zc.compactOrderFailed = order + 1;
}

/** mm/compaction.c compaction_restarting(): compaction runs again after the maximum backoff (64 skipped tries) */
export function compactionRestarting(sys: MmSystem, zone: Zone, order: number): boolean {
  const zc = zoneCompaction(sys, zone);
  if (order < zc.compactOrderFailed) return false;
  return zc.compactDeferShift === COMPACT_MAX_DEFER_SHIFT && zc.compactConsidered >= 1 << zc.compactDeferShift;
}

// ---- skip hints ----

/** mm/compaction.c reset_cached_positions(): both scanners start over at the zone's ends next time */
function resetCachedPositions(zc: ZoneCompaction, zone: Zone): void {
  zc.compactCachedMigratePfn[0] = zone.zoneStartPfn as number;
  zc.compactCachedMigratePfn[1] = zone.zoneStartPfn as number;
  zc.compactCachedFreePfn = pageblockStartPfn(zoneEndPfn(zone) - 1);
}

/** A compound page of ≥ pageblock_order covers the pageblock at `pfn`: it is never worth scanning. */
function pageblockSkipPersistent(mm: MemMap, pfn: number): boolean {
  const base = mm.startPfn;
  for (let o = pageblock_order; o <= MAX_PAGE_ORDER; o++) {
    const head = pfn & ~((1 << o) - 1);
    if (head < base) break;
    const i = head - base;
    if (mm.state[i] === PAGE_ALLOC && mm.order[i]! >= pageblock_order && head + (1 << mm.order[i]!) > pfn) return true;
  }
  return false;
}

/**
 * mm/compaction.c __reset_isolation_pfn(): clear the skip bit of the pageblock at pfn if a sample of its pages
 * (every 8th) shows a migration source (an LRU page: here a movable allocated head) or a target (a free block).
 */
function resetIsolationPfn(zone: Zone, mm: MemMap, pfn: number, checkSource: boolean, checkTarget: boolean): boolean {
  const zs = zone.zoneStartPfn as number;
  const ze = zoneEndPfn(zone);
  if (pfn < zs || pfn >= ze) return false;
  const base = mm.startPfn;
  if (mm.state[pfn - base] === PAGE_HOLE) return false;
  if (pageblockSkipPersistent(mm, pfn)) return false;
  if (checkSource && checkTarget && !getPageblockSkip(mm, pfn)) return true;
  if (!checkSource && checkTarget && getPageblockMigratetype(mm, pfn) !== MIGRATE_MOVABLE) return false;
  let p = Math.max(pageblockStartPfn(pfn), zs);
  const end = Math.min(p - (p & (pageblock_nr_pages - 1)) + pageblock_nr_pages, ze) - 1;
  if (mm.state[end - base] === PAGE_HOLE) return false;
  for (; p <= end; p += 1 << PAGE_ALLOC_COSTLY_ORDER) {
    const st = mm.state[p - base];
    if (checkSource && st === PAGE_ALLOC && pageMovable(mm, p)) {
      clearPageblockSkip(mm, p);
      return true;
    }
    if (checkTarget && st === PAGE_BUDDY) {
      clearPageblockSkip(mm, p);
      return true;
    }
  }
  return false;
}

/**
 * mm/compaction.c __reset_isolation_suitable(): after a direct compactor scanned the whole zone
 * (compact_blockskip_flush), walk it from both ends clearing skip bits where a source or target is seen, and
 * move the cached scanner starts to the first such pageblocks.
 */
function resetIsolationSuitableZone(zc: ZoneCompaction, zone: Zone, mm: MemMap): void {
  let migratePfn = zone.zoneStartPfn as number;
  let freePfn = zoneEndPfn(zone) - 1;
  let resetMigrate = freePfn;
  let resetFree = migratePfn;
  let sourceSet = false;
  let freeSet = false;
  if (!zc.compactBlockskipFlush) return;
  zc.compactBlockskipFlush = false;
  for (; migratePfn < freePfn; migratePfn += pageblock_nr_pages, freePfn -= pageblock_nr_pages) {
    if (resetIsolationPfn(zone, mm, migratePfn, true, sourceSet) && migratePfn < resetMigrate) {
      sourceSet = true;
      resetMigrate = migratePfn;
      zc.compactInitMigratePfn = resetMigrate;
      zc.compactCachedMigratePfn[0] = resetMigrate;
      zc.compactCachedMigratePfn[1] = resetMigrate;
    }
    if (resetIsolationPfn(zone, mm, freePfn, freeSet, true) && freePfn > resetFree) {
      freeSet = true;
      resetFree = freePfn;
      zc.compactInitFreePfn = resetFree;
      zc.compactCachedFreePfn = resetFree;
    }
  }
  // leave no distance if no suitable block was reset
  if (resetMigrate >= resetFree) {
    zc.compactCachedMigratePfn[0] = migratePfn;
    zc.compactCachedMigratePfn[1] = migratePfn;
    zc.compactCachedFreePfn = freePfn;
  }
}

/**
 * mm/compaction.c reset_isolation_suitable(pgdat): kswapd calls it before it sleeps; only zones whose
 * compact_blockskip_flush is set (a direct compactor scanned them whole) get their skip bits cleared.
 */
export function resetIsolationSuitable(sys: MmSystem, nodeId: number): void {
  const node = sys.machine.nodes[nodeId]!;
  for (const zone of node.zones) {
    if (zone.presentPages === 0) continue;
    const zc = zoneCompaction(sys, zone);
    if (zc.compactBlockskipFlush) resetIsolationSuitableZone(zc, zone, node.memmap);
  }
}

/** mm/compaction.c isolation_suitable(): the pageblock's skip bit is clear, or skip hints are ignored */
function isolationSuitable(cc: CompactControl, pfn: number): boolean {
  if (cc.ignoreSkipHint) return true;
  return !getPageblockSkip(cc.mm, pfn);
}

/** mm/compaction.c update_cached_migrate(): where async and sync compaction restart */
function updateCachedMigrate(zc: ZoneCompaction, cc: CompactControl, pfn: number): void {
  pfn = blockEndPfn(pfn, pageblock_order);
  if (pfn > zc.compactCachedMigratePfn[0]) zc.compactCachedMigratePfn[0] = pfn;
  if (cc.mode !== MIGRATE_ASYNC && pfn > zc.compactCachedMigratePfn[1]) zc.compactCachedMigratePfn[1] = pfn;
}

/** mm/compaction.c update_pageblock_skip(): the free scanner found nothing more in this pageblock */
function updatePageblockSkip(zc: ZoneCompaction, cc: CompactControl, blockPfn: number, pfn: number): void {
  setPageblockSkip(cc.mm, blockPfn);
  if (pfn < zc.compactCachedFreePfn) zc.compactCachedFreePfn = pfn;
}

/**
 * pageblock_pfn_to_page(): the pageblock [start, end) can be scanned (its first and last pfn have struct pages).
 * The zone's holes are the PAGE_HOLE pfns of the memmap.
 */
function pageblockValid(mm: MemMap, start: number, end: number): boolean {
  return mm.state[start - mm.startPfn] !== PAGE_HOLE && mm.state[end - 1 - mm.startPfn] !== PAGE_HOLE;
}

// ---- the free scanner ----

/**
 * mm/page_alloc.c __isolate_free_page() (v6.18): take a free block off the buddy lists for compaction, if the
 * zone stays above min + 2^order at order 0 (as an allocation would); a block of ≥ half a pageblock re-types its
 * (mergeable) pageblock(s) MOVABLE. Returns the pages isolated (0 = watermark refused).
 */
function isolateFreePage(zone: Zone, mm: MemMap, pfn: number, order: number): number {
  const mt = getPageblockMigratetype(mm, pfn);
  if (mt !== MIGRATE_ISOLATE) {
    // emulate a high-order watermark check with a raised order-0 watermark: the block is known to exist
    const watermark = zone.watermark[WMARK_MIN]! + (1 << order);
    if (!zoneWatermarkOk(zone, 0, watermark, 0, ALLOC_CMA, zone.nrFreePages)) return 0;
  }
  delPageFromFreeList(zone, mm, pfn, order, mt);
  const i = pfn - mm.startPfn;
  mm.state[i] = PAGE_ALLOC;
  mm.order[i] = order;
  mm.flags[i] = 0;
  mm.owner[i] = -1;
  if (order >= pageblock_order - 1) {
    const end = pfn + (1 << order) - 1;
    for (let p = pfn; p < end; p += pageblock_nr_pages) {
      const pmt = getPageblockMigratetype(mm, p);
      // only change normal pageblocks (they can merge with others)
      if (pmt < MIGRATE_PCPTYPES) moveFreepagesBlock(zone, mm, p, pmt, MIGRATE_MOVABLE);
    }
  }
  return 1 << order;
}

function freeListAddTail(cc: CompactControl, pfn: number, order: number): void {
  const mm = cc.mm;
  const i = pfn - mm.startPfn;
  const t = cc.freeTail[order]!;
  mm.next[i] = -1;
  mm.prev[i] = t;
  if (t < 0) cc.freeHead[order] = pfn;
  else mm.next[t - mm.startPfn] = pfn;
  cc.freeTail[order] = pfn;
}

function freeListAdd(cc: CompactControl, pfn: number, order: number): void {
  const mm = cc.mm;
  const i = pfn - mm.startPfn;
  const h = cc.freeHead[order]!;
  mm.prev[i] = -1;
  mm.next[i] = h;
  if (h < 0) cc.freeTail[order] = pfn;
  else mm.prev[h - mm.startPfn] = pfn;
  cc.freeHead[order] = pfn;
}

/** unlink the first entry of cc->freepages[order] */
function freeListPop(cc: CompactControl, order: number): number {
  const mm = cc.mm;
  const pfn = cc.freeHead[order]!;
  const i = pfn - mm.startPfn;
  const n = mm.next[i]!;
  cc.freeHead[order] = n;
  if (n < 0) cc.freeTail[order] = -1;
  else mm.prev[n - mm.startPfn] = -1;
  mm.next[i] = -1;
  mm.prev[i] = -1;
  return pfn;
}

/**
 * mm/compaction.c isolate_freepages_block() (not strict): from *start to end in steps of `stride`, isolate each
 * free block whole (6.9+: kept at its order on cc->freepages[order]), skipping compound pages, until enough pages
 * for the isolated sources are held. Returns the pages isolated; cc.freePfn gets where it stopped.
 */
function isolateFreepagesBlock(sys: MmSystem, cc: CompactControl, start: number, end: number, stride: number): number {
  const mm = cc.mm;
  const base = mm.startPfn;
  const state = mm.state;
  let nrScanned = 0;
  let totalIsolated = 0;
  let blockpfn = start;
  for (; blockpfn < end; blockpfn += stride) {
    nrScanned++;
    const i = blockpfn - base;
    const st = state[i];
    if (st === PAGE_ALLOC && mm.order[i]! > 0) {
      // a compound page: skip it at once
      const o = mm.order[i]!;
      blockpfn += (1 << o) - 1;
      nrScanned += (1 << o) - 1;
      continue;
    }
    if (st !== PAGE_BUDDY) continue;
    const order = mm.order[i]!;
    const isolated = isolateFreePage(cc.zone, mm, blockpfn, order);
    if (!isolated) break;
    freeListAddTail(cc, blockpfn, order);
    nrScanned += isolated - 1;
    totalIsolated += isolated;
    cc.nrFreepages += isolated;
    if (cc.nrMigratepages <= cc.nrFreepages) {
      blockpfn += isolated;
      break;
    }
    // advance to the end of the isolated block
    blockpfn += isolated - 1;
  }
  if (blockpfn > end) blockpfn = end;
  cc.totalFreeScanned += nrScanned;
  if (totalIsolated) sys.vmstat[COMPACTISOLATED]! += totalIsolated;
  isolateFreepagesBlockEnd = blockpfn;
  return totalIsolated;
}
/** isolate_freepages_block()'s *start_pfn out-parameter */
let isolateFreepagesBlockEnd = 0;

/** mm/compaction.c suitable_migration_target(): a pageblock to take free pages from */
function suitableMigrationTarget(cc: CompactControl, pfn: number): boolean {
  const mm = cc.mm;
  const i = pfn - mm.startPfn;
  // a large free block: do not split it for migration targets
  if (mm.state[i] === PAGE_BUDDY && mm.order[i]! >= pageblock_order) return false;
  if (cc.ignoreBlockSuitable) return true;
  const mt = getPageblockMigratetype(mm, pfn);
  return mt === MIGRATE_MOVABLE || mt === MIGRATE_CMA;
}

/**
 * mm/compaction.c isolate_freepages() without fast_isolate_freepages(): walk pageblocks down from cc.freePfn
 * (while above the migrate scanner's pageblock) isolating free blocks from MOVABLE/CMA pageblocks whose skip bit
 * is clear, until the sources have targets; the stride doubles (to 32) over empty pageblocks in async mode.
 */
function isolateFreepages(sys: MmSystem, cc: CompactControl, zc: ZoneCompaction): void {
  const zone = cc.zone;
  let isolateStartPfn = cc.freePfn;
  let blockStartPfn = pageblockStartPfn(isolateStartPfn);
  let blockEndPfn = Math.min(blockStartPfn + pageblock_nr_pages, zoneEndPfn(zone));
  // the low boundary is the end of the pageblock the migrate scanner is in
  const lowPfn = blockEndPfnFn(cc.migratePfn, pageblock_order);
  let stride = cc.mode === MIGRATE_ASYNC ? COMPACT_CLUSTER_MAX : 1;
  for (; blockStartPfn >= lowPfn; blockEndPfn = blockStartPfn, blockStartPfn -= pageblock_nr_pages, isolateStartPfn = blockStartPfn) {
    if (!pageblockValid(cc.mm, blockStartPfn, blockEndPfn)) continue;
    if (!suitableMigrationTarget(cc, blockStartPfn)) continue;
    // if isolation recently failed, do not retry
    if (!isolationSuitable(cc, blockStartPfn)) continue;
    const nrIsolated = isolateFreepagesBlock(sys, cc, isolateStartPfn, blockEndPfn, stride);
    isolateStartPfn = isolateFreepagesBlockEnd;
    // update the skip hint if the full pageblock was scanned
    if (isolateStartPfn === blockEndPfn) updatePageblockSkip(zc, cc, blockStartPfn, blockStartPfn - pageblock_nr_pages);
    if (cc.nrFreepages >= cc.nrMigratepages) {
      // restart at the previous pageblock if more free pages can be isolated next time
      if (isolateStartPfn >= blockEndPfn) isolateStartPfn = blockStartPfn - pageblock_nr_pages;
      break;
    } else if (isolateStartPfn < blockEndPfn) {
      // isolation failed early (watermark): do not continue needlessly
      break;
    }
    if (nrIsolated) {
      stride = 1;
      continue;
    }
    stride = Math.min(COMPACT_CLUSTER_MAX, stride << 1);
  }
  cc.freePfn = isolateStartPfn;
}

function blockEndPfnFn(pfn: number, order: number): number {
  return blockEndPfn(pfn, order);
}

/**
 * mm/compaction.c compaction_alloc() (6.9+): the migration target for a source of `order`: the first block on the
 * smallest non-empty cc->freepages[≥ order] (isolating more free pages once if none), split with its upper
 * halves put back at the head of the lower lists. Returns the pfn, or −1 (migrate_pages() then gets -ENOMEM).
 */
function compactionAlloc(sys: MmSystem, cc: CompactControl, zc: ZoneCompaction, order: number): number {
  let hasIsolatedPages = false;
  for (;;) {
    let startOrder = order;
    while (startOrder < NR_PAGE_ORDERS && cc.freeHead[startOrder]! < 0) startOrder++;
    if (startOrder === NR_PAGE_ORDERS) {
      if (hasIsolatedPages) return -1;
      isolateFreepages(sys, cc, zc);
      hasIsolatedPages = true;
      continue;
    }
    const mm = cc.mm;
    const pfn = freeListPop(cc, startOrder);
    let size = 1 << startOrder;
    while (startOrder > order) {
      startOrder--;
      size >>= 1;
      const half = pfn + size;
      mm.state[half - mm.startPfn] = PAGE_ALLOC;
      mm.order[half - mm.startPfn] = startOrder;
      freeListAdd(cc, half, startOrder);
    }
    mm.order[pfn - mm.startPfn] = order;
    cc.nrFreepages -= 1 << order;
    return pfn;
  }
}

/**
 * Free a block the compactor holds (a migration source, or an unused isolated target) back to the buddy, and
 * apply compaction_capture(): a direct compactor takes the freed block once it has merged to exactly cc.order
 * (not into CMA/isolated blocks; a MOVABLE pageblock's block below pageblock_order only for a MOVABLE request).
 */
function compactionFreeBlock(cc: CompactControl, pfn: number, order: number): void {
  const zone = cc.zone;
  const mm = cc.mm;
  freeOnePage(zone, mm, pfn, order, getPageblockMigratetype(mm, pfn), 0);
  if (!cc.capture || cc.capturePfn >= 0 || cc.order < 0 || order > cc.order) return;
  // find the free block holding pfn; __free_one_page would have stopped merging at cc.order and captured there
  const base = mm.startPfn;
  let head = -1;
  let headOrder = 0;
  for (let o = 0; o < NR_PAGE_ORDERS; o++) {
    const h = pfn & ~((1 << o) - 1);
    if (h < base) break;
    if (mm.state[h - base] === PAGE_BUDDY && mm.order[h - base] === o) {
      head = h;
      headOrder = o;
      break;
    }
  }
  if (head < 0 || headOrder < cc.order) return;
  const want = pfn & ~((1 << cc.order) - 1);
  const mt = getPageblockMigratetype(mm, want);
  if (mt === MIGRATE_CMA || mt === MIGRATE_ISOLATE) return;
  // do not let lower order allocations pollute a movable pageblock
  if (cc.order < pageblock_order && mt === MIGRATE_MOVABLE && cc.migratetype !== MIGRATE_MOVABLE) return;
  delPageFromFreeList(zone, mm, head, headOrder, getPageblockMigratetype(mm, head));
  // the halves that do not hold the captured block stay free at their order (they never merged in the kernel)
  let blockPfn = head;
  let o = headOrder;
  while (o > cc.order) {
    o--;
    const other = (want & (1 << o)) !== 0 ? blockPfn : blockPfn + (1 << o);
    if (other !== blockPfn) blockPfn += 1 << o;
    addToFreeList(zone, mm, other, o, getPageblockMigratetype(mm, other), false);
  }
  const i = want - base;
  mm.state[i] = PAGE_ALLOC;
  mm.order[i] = cc.order;
  mm.flags[i] = 0;
  mm.owner[i] = -1;
  cc.capturePfn = want;
}

/**
 * mm/compaction.c release_free_list() (6.9+): unused isolated free blocks go back to the buddy; returns the
 * highest pfn released (0 if none) so compact_zone() can move the cached free scanner back.
 */
function releaseFreeList(cc: CompactControl): number {
  let highPfn = 0;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) {
    while (cc.freeHead[order]! >= 0) {
      const pfn = freeListPop(cc, order);
      compactionFreeBlock(cc, pfn, order);
      if (pfn > highPfn) highPfn = pfn;
    }
  }
  cc.nrFreepages = 0;
  return highPfn;
}

// ---- the migrate scanner ----

/**
 * mm/compaction.c skip_isolation_on_order() (6.9+): folios of ≥ the target order are not worth migrating (a free
 * block that big would already have been found), nor anything of ≥ pageblock_order.
 */
function skipIsolationOnOrder(order: number, targetOrder: number): boolean {
  if (targetOrder >= 0 && order >= targetOrder) return true;
  return order >= pageblock_order;
}

/**
 * mm/compaction.c isolate_migratepages_block(): scan [lowPfn, endPfn) isolating movable allocated blocks (up to
 * COMPACT_CLUSTER_MAX pages unless the pageblock is being finished). Free blocks are stepped over; compound pages
 * of ≥ the target order skipped whole. Async direct compaction gives up on a cc.order-aligned block at the first
 * page it cannot isolate. The first isolation sets the pageblock's skip bit (test_and_set_skip()); a fully
 * scanned pageblock with nothing isolated gets it too, and moves the cached migrate pfn.
 */
function isolateMigratepagesBlock(sys: MmSystem, cc: CompactControl, zc: ZoneCompaction, lowPfn: number, endPfn: number): void {
  const mm = cc.mm;
  const base = mm.startPfn;
  const state = mm.state;
  const ord = mm.order;
  const zs = cc.zone.zoneStartPfn as number;
  let nrScanned = 0;
  let nrIsolated = 0;
  let validPage = -1;
  let skipUpdated = false;
  let skipOnFailure = false;
  let nextSkipPfn = 0;
  let aborted = false;
  cc.migratePfn = lowPfn;
  if (cc.directCompaction && cc.mode === MIGRATE_ASYNC) {
    skipOnFailure = true;
    nextSkipPfn = blockEndPfnFn(lowPfn, cc.order);
  }
  for (; lowPfn < endPfn; lowPfn++) {
    if (skipOnFailure && lowPfn >= nextSkipPfn) {
      // all candidates of the previous order-aligned block are isolated: migrate them now
      if (nrIsolated) break;
      nextSkipPfn = blockEndPfnFn(lowPfn, cc.order);
    }
    nrScanned++;
    const i = lowPfn - base;
    // check the skip bit once per pageblock (the caller comes back mid-block after COMPACT_CLUSTER_MAX)
    if (validPage < 0 && ((lowPfn & (pageblock_nr_pages - 1)) === 0 || lowPfn === zs)) {
      if (!isolationSuitable(cc, lowPfn)) {
        lowPfn = endPfn;
        aborted = true;
        break;
      }
      validPage = lowPfn;
    }
    const st = state[i];
    if (st === PAGE_BUDDY) {
      // skip free blocks whole
      const fo = ord[i]!;
      if (fo > 0) {
        lowPfn += (1 << fo) - 1;
        nrScanned += (1 << fo) - 1;
      }
      continue;
    }
    let ok = false;
    if (st === PAGE_ALLOC) {
      const o = ord[i]!;
      if (o > 0 && skipIsolationOnOrder(o, cc.order)) {
        lowPfn += (1 << o) - 1;
        nrScanned += (1 << o) - 1;
      } else if (pageMovable(mm, lowPfn)) {
        // the LRU lock is taken on the first LRU page: claim the pageblock's skip bit
        if (!skipUpdated && validPage >= 0) {
          skipUpdated = true;
          if (!cc.ignoreSkipHint) {
            const was = getPageblockSkip(mm, validPage);
            setPageblockSkip(mm, validPage);
            if (was && !cc.finishPageblock) {
              lowPfn = endPfn;
              aborted = true;
              break;
            }
          }
        }
        ok = true;
        cc.migratepages[cc.nrMigrateEntries++] = lowPfn;
        const nr = 1 << o;
        cc.nrMigratepages += nr;
        nrIsolated += nr;
        nrScanned += nr - 1;
        lowPfn += nr - 1;
        // avoid isolating too much unless this block is being fully scanned
        if (cc.nrMigratepages >= COMPACT_CLUSTER_MAX && !cc.finishPageblock && !cc.contended) {
          ++lowPfn;
          break;
        }
      }
    }
    if (ok) continue;
    // isolate_fail:
    if (!skipOnFailure) continue;
    // some pages of this order-aligned block are isolated but it cannot become free: put them back
    if (nrIsolated) {
      cc.nrMigrateEntries = 0;
      cc.nrMigratepages = 0;
      nrIsolated = 0;
    }
    if (lowPfn < nextSkipPfn) {
      lowPfn = nextSkipPfn - 1;
      nextSkipPfn += 1 << cc.order;
    }
  }
  if (!aborted && lowPfn > endPfn) lowPfn = endPfn;
  // isolate_abort: once the pageblock is scanned, mark it skipped if it gave nothing (or is being finished)
  if (lowPfn === endPfn && (!nrIsolated || cc.finishPageblock)) {
    if (validPage >= 0 && !skipUpdated) setPageblockSkip(mm, validPage);
    updateCachedMigrate(zc, cc, lowPfn);
  }
  cc.totalMigrateScanned += nrScanned;
  if (nrIsolated) sys.vmstat[COMPACTISOLATED]! += nrIsolated;
  cc.migratePfn = lowPfn;
}

/**
 * mm/compaction.c suitable_migration_source(): never a pageblock under a ≥ pageblock_order compound page;
 * async direct compaction only takes MOVABLE/CMA pageblocks for movable requests and pageblocks of exactly the
 * request's type otherwise; sync compaction and kcompactd take any.
 */
function suitableMigrationSource(cc: CompactControl, pfn: number): boolean {
  if (pageblockSkipPersistent(cc.mm, pfn)) return false;
  if (cc.mode !== MIGRATE_ASYNC || !cc.directCompaction) return true;
  const blockMt = getPageblockMigratetype(cc.mm, pfn);
  if (cc.migratetype === MIGRATE_MOVABLE) return blockMt === MIGRATE_MOVABLE || blockMt === MIGRATE_CMA;
  return blockMt === cc.migratetype;
}

const ISOLATE_NONE = 1;
const ISOLATE_SUCCESS = 2;

/**
 * mm/compaction.c isolate_migratepages() without fast_find_migrateblock(): from cc.migratePfn, the first
 * pageblock (below the free scanner) that is suitable gets isolate_migratepages_block().
 */
function isolateMigratepages(sys: MmSystem, cc: CompactControl, zc: ZoneCompaction): number {
  const zs = cc.zone.zoneStartPfn as number;
  let lowPfn = cc.migratePfn;
  let blockStartPfn = Math.max(pageblockStartPfn(lowPfn), zs);
  let blockEndPfn = blockEndPfnFn(lowPfn, pageblock_order);
  for (; blockEndPfn <= cc.freePfn; cc.migratePfn = lowPfn = blockEndPfn, blockStartPfn = blockEndPfn, blockEndPfn += pageblock_nr_pages) {
    if (!pageblockValid(cc.mm, blockStartPfn, blockEndPfn)) continue;
    // check the skip bit only once per pageblock
    if (((lowPfn & (pageblock_nr_pages - 1)) === 0 || lowPfn === zs) && !isolationSuitable(cc, blockStartPfn)) continue;
    if (!suitableMigrationSource(cc, blockStartPfn)) {
      updateCachedMigrate(zc, cc, blockEndPfn);
      continue;
    }
    isolateMigratepagesBlock(sys, cc, zc, lowPfn, blockEndPfn);
    break;
  }
  return cc.nrMigratepages ? ISOLATE_SUCCESS : ISOLATE_NONE;
}

/**
 * migrate_pages(&cc->migratepages, compaction_alloc, ...) as compaction drives it: the sources in list order
 * (last isolated first) each get a target from compaction_alloc() (the unmap pass), then each moves (the move
 * pass): the target takes the source's flags and owner, vmscan's LRU entry and the replay's handle follow, and
 * the source is freed. Returns 0, or −1 for -ENOMEM (no target for a source: it and the rest stay put).
 */
function migratePages(sys: MmSystem, cc: CompactControl, zc: ZoneCompaction): number {
  const mm = cc.mm;
  const base = mm.startPfn;
  const n = cc.nrMigrateEntries;
  let nrAllocated = 0;
  let rc = 0;
  for (let k = n - 1; k >= 0; k--) {
    const src = cc.migratepages[k]!;
    const dst = compactionAlloc(sys, cc, zc, mm.order[src - base]!);
    if (dst < 0) {
      // -ENOMEM: this folio fails; the ones not yet tried are put back uncounted
      sys.vmstat[PGMIGRATE_FAIL]! += 1 << mm.order[src - base]!;
      rc = -1;
      break;
    }
    cc.targets[nrAllocated++] = dst;
  }
  let nrSucceeded = 0;
  for (let j = 0; j < nrAllocated; j++) {
    const src = cc.migratepages[n - 1 - j]!;
    const dst = cc.targets[j]!;
    const si = src - base;
    const di = dst - base;
    const order = mm.order[si]!;
    mm.state[di] = PAGE_ALLOC;
    mm.order[di] = order;
    mm.flags[di] = mm.flags[si]!;
    mm.owner[di] = mm.owner[si]!;
    lruMove(sys, src, dst);
    sys.hooks.moved(src, dst, order);
    mm.flags[si] = 0;
    mm.owner[si] = -1;
    compactionFreeBlock(cc, src, order);
    nrSucceeded += 1 << order;
  }
  sys.vmstat[PGMIGRATE_SUCCESS]! += nrSucceeded;
  cc.nrMigrated += nrSucceeded;
  cc.nrMigrateEntries = 0;
  return rc;
}

// ---- finish and suitability ----

/** mm/compaction.c compact_scanners_met(): the free scanner reached the migrate scanner's pageblock */
function compactScannersMet(cc: CompactControl): boolean {
  return cc.freePfn >> pageblock_order <= cc.migratePfn >> pageblock_order;
}

/** fragmentation_score_zone(): extfrag_for_order(zone, COMPACTION_HPAGE_ORDER), 0..100 */
export function fragmentationScoreZone(zone: Zone): number {
  return extfragForOrder(zone, COMPACTION_HPAGE_ORDER);
}

/** fragmentation_score_node(): Σ zone score × present_pages / (node_present_pages + 1) */
export function fragmentationScoreNode(sys: MmSystem, nodeId: number): number {
  const node = sys.machine.nodes[nodeId]!;
  let nodePresent = 0;
  for (const z of node.zones) nodePresent += z.presentPages;
  let score = 0;
  for (const z of node.zones) {
    if (z.presentPages === 0) continue;
    score += Math.floor((z.presentPages * fragmentationScoreZone(z)) / (nodePresent + 1));
  }
  return score;
}

/** fragmentation_score_wmark() (6.15+): low = 100 − proactiveness, high = min(low + min(10, low / 2), 100) */
export function fragmentationScoreWmark(sys: MmSystem, low: boolean): number {
  const wmarkLow = 100 - sys.machine.sysctl.compaction_proactiveness;
  const leeway = Math.min(10, Math.floor(wmarkLow / 2));
  return low ? wmarkLow : Math.min(wmarkLow + leeway, 100);
}

/**
 * mm/compaction.c __compact_finished() (v6.18): COMPLETE / PARTIAL_SKIPPED when the scanners met (resetting the
 * cached positions; a direct compactor asks for the skip bits to be flushed); proactive runs stop at the low
 * fragmentation score; else, at a pageblock boundary, SUCCESS when a free block of ≥ cc.order is on the
 * request's list, on CMA for movable requests, or on a fallback list that could be claimed (defrag_mode:
 * kcompactd needs the high watermark in whole free pageblocks).
 */
function compactFinished(sys: MmSystem, cc: CompactControl, zc: ZoneCompaction): number {
  const zone = cc.zone;
  if (compactScannersMet(cc)) {
    // let the next compaction start anew
    resetCachedPositions(zc, zone);
    // kswapd clears the skip bits when it sleeps; kcompactd does not ask for it
    if (cc.directCompaction) zc.compactBlockskipFlush = true;
    return cc.wholeZone ? COMPACT_COMPLETE : COMPACT_PARTIAL_SKIPPED;
  }
  if (cc.proactiveCompaction) {
    if (sys.machine.nodes[zone.nodeId]!.kswapdRunning) return COMPACT_PARTIAL_SKIPPED;
    return fragmentationScoreZone(zone) > fragmentationScoreWmark(sys, true) ? COMPACT_CONTINUE : COMPACT_SUCCESS;
  }
  if (cc.order < 0) return COMPACT_CONTINUE;
  // always finish scanning a pageblock to reduce the possibility of fallbacks in the future
  if (cc.migratePfn & (pageblock_nr_pages - 1)) return COMPACT_CONTINUE;
  if (sys.policy.hasDefragMode && sys.machine.sysctl.defrag_mode && !cc.directCompaction) {
    const ok = zoneWatermarkOk(zone, cc.order, wmarkPages(zone, WMARK_HIGH), cc.highestZoneidx, cc.allocFlags, zone.freeArea.nrFreePagesBlocks);
    return ok ? COMPACT_SUCCESS : COMPACT_CONTINUE;
  }
  const fa = zone.freeArea;
  const mt = cc.migratetype;
  for (let order = cc.order; order < NR_PAGE_ORDERS; order++) {
    if (!fa.nrFree[order]) continue;
    // job done if a page is free of the right migratetype
    if (fa.head[order * MIGRATE_TYPES + mt]! >= 0) return COMPACT_SUCCESS;
    // MIGRATE_MOVABLE can fall back on MIGRATE_CMA
    if (mt === MIGRATE_MOVABLE && fa.head[order * MIGRATE_TYPES + MIGRATE_CMA]! >= 0) return COMPACT_SUCCESS;
    // job done if the allocation would claim a block from another migratetype's lists
    if (mt < MIGRATE_PCPTYPES && findSuitableFallback(fa, order, mt, true) >= 0) return COMPACT_SUCCESS;
  }
  return COMPACT_CONTINUE; // COMPACT_NO_SUITABLE_PAGE, reported as CONTINUE by compact_finished()
}

/** wmark_pages(): _watermark[i] + watermark_boost */
function wmarkPages(zone: Zone, i: number): number {
  return zone.watermark[i]! + zone.watermarkBoost;
}

/**
 * mm/compaction.c __compaction_suitable() (6.15+): are there enough free pages for the migration targets?
 * Order-0 check against `watermark` + compact_gap(order), plus (low − min) for costly orders, with ALLOC_CMA
 * (CMA pageblocks are suitable targets), against lowmem_reserve[highestZoneidx], with `freePages` as free.
 */
export function compactionSuitableFree(zone: Zone, order: number, watermark: number, highestZoneidx: number, freePages: number, rule: Policy['compactionSuitableRule'] = '6.15'): boolean {
  // older shapes (Policy.compactionSuitableRule; mm/compaction.c @ v4.0, v4.12, v6.1 per the slow-path reference
  // §8.2): v4.0 low + 2UL << order; 4.12–6.14 low for costly orders, min otherwise, + compact_gap(order)
  if (rule === '4.0') watermark = wmarkPages(zone, WMARK_LOW);
  else if (rule === '4.12') watermark = wmarkPages(zone, order > PAGE_ALLOC_COSTLY_ORDER ? WMARK_LOW : WMARK_MIN);
  watermark += compactGap(order);
  if (rule === '6.15' && order > PAGE_ALLOC_COSTLY_ORDER) watermark += wmarkPages(zone, WMARK_LOW) - wmarkPages(zone, WMARK_MIN);
  return zoneWatermarkOk(zone, 0, watermark, highestZoneidx, ALLOC_CMA, freePages);
}

/**
 * mm/compaction.c compaction_suitable() (6.15+): __compaction_suitable() with NR_FREE_PAGES, then, for costly
 * orders only, the fragmentation index: between 0 and vm.extfrag_threshold (500) the failure is a lack of memory,
 * not fragmentation, and compaction is not worth it. `watermark` is the caller's (min for direct reclaim and
 * compaction with ALLOC_WMARK_MIN; high for reclaim's compaction_ready()).
 */
export function compactionSuitable(sys: MmSystem, zone: Zone, order: number, highestZoneidx: number, watermark = wmarkPages(zone, WMARK_MIN)): boolean {
  const rule = sys.policy.compactionSuitableRule;
  let suitable = compactionSuitableFree(zone, order, watermark, highestZoneidx, zone.nrFreePages, rule);
  // v4.0 applies the fragmentation index to every order, later kernels to costly orders only
  if (suitable && (order > PAGE_ALLOC_COSTLY_ORDER || rule === '4.0')) {
    const fragindex = fragmentationIndex(zone, order);
    if (fragindex >= 0 && fragindex <= sys.machine.sysctl.extfrag_threshold) suitable = false;
  }
  return suitable;
}

/**
 * mm/compaction.c compaction_suit_allocation_order() (6.15+): SUCCESS if the zone already passes the alloc_flags'
 * watermark at `order` (kcompactd in defrag_mode counts only free pages in whole pageblocks); SKIPPED if a costly
 * async request without ALLOC_CMA lacks order-0 room outside CMA, or compaction_suitable() says no; else CONTINUE.
 */
export function compactionSuitAllocationOrder(sys: MmSystem, zone: Zone, order: number, highestZoneidx: number, allocFlags: number, async: boolean, kcompactd: boolean): number {
  const defrag = sys.policy.hasDefragMode && sys.machine.sysctl.defrag_mode !== 0;
  const freePages = kcompactd && defrag ? zone.freeArea.nrFreePagesBlocks : zone.nrFreePages;
  const watermark = wmarkPages(zone, allocFlags & ALLOC_WMARK_MASK);
  if (zoneWatermarkOk(zone, order, watermark, highestZoneidx, allocFlags, freePages)) return COMPACT_SUCCESS;
  // unmovable requests: enough free memory outside CMA pageblocks, else the page may form in CMA and not help
  if (order > PAGE_ALLOC_COSTLY_ORDER && async && !(allocFlags & ALLOC_CMA) && sys.policy.compactionSuitableRule === '6.15') {
    if (!zoneWatermarkOk(zone, 0, watermark + compactGap(order), highestZoneidx, 0, zone.nrFreePages)) return COMPACT_SKIPPED;
  }
  if (!compactionSuitable(sys, zone, order, highestZoneidx, watermark)) return COMPACT_SKIPPED;
  return COMPACT_CONTINUE;
}

/**
 * mm/compaction.c compaction_zonelist_suitable() (6.15+, used by should_compact_retry() on COMPACT_SKIPPED):
 * would some zone pass __compaction_suitable() at the min watermark if reclaim freed 1/order of its reclaimable
 * pages? `zoneReclaimablePages` is vmscan.ts's zone_reclaimable_pages().
 */
export function compactionZonelistSuitable(
  sys: MmSystem,
  ac: AllocContext,
  order: number,
  _allocFlags: number,
  zoneReclaimablePages: (sys: MmSystem, zone: Zone) => number = vmscanZoneReclaimablePages,
): boolean {
  const zl = ac.zonelist;
  for (let i = nextZonesZonelist(zl, 0, ac.highestZoneidx, ac.nodemask); i >= 0; i = nextZonesZonelist(zl, i + 1, ac.highestZoneidx, ac.nodemask)) {
    const zone = zl[i]!;
    // not all reclaimable memory: do not thrash for one high-order allocation
    const available = Math.floor(zoneReclaimablePages(sys, zone) / order) + zone.nrFreePages;
    if (compactionSuitableFree(zone, order, wmarkPages(zone, WMARK_MIN), ac.highestZoneidx, available, sys.policy.compactionSuitableRule)) return true;
  }
  return false;
}

// ---- compact_zone ----

function resetControl(cc: CompactControl, zone: Zone, mm: MemMap): void {
  cc.zone = zone;
  cc.mm = mm;
  cc.totalMigrateScanned = 0;
  cc.totalFreeScanned = 0;
  cc.nrMigratepages = 0;
  cc.nrFreepages = 0;
  cc.nrMigrated = 0;
  cc.nrMigrateEntries = 0;
  cc.freeHead.fill(-1);
  cc.freeTail.fill(-1);
  cc.contended = false;
  cc.finishPageblock = false;
  cc.capturePfn = -1;
}

/**
 * mm/compaction.c compact_zone() (v6.18): check suitability (unless order −1), clear the skip bits when
 * restarting after the maximum backoff, start the scanners at the cached (or, whole-zone, the extreme)
 * positions, then isolate sources, migrate them to targets and test __compact_finished() until it stops;
 * release unused targets and move the cached free pfn back to them. The caller has set up `sys.compaction.cc`.
 */
export function compactZone(sys: MmSystem, cc: CompactControl): number {
  const zone = cc.zone;
  const zc = zoneCompaction(sys, zone);
  const startPfn = zone.zoneStartPfn as number;
  const endPfn = zoneEndPfn(zone);
  const sync = cc.mode !== MIGRATE_ASYNC;
  cc.migratetype = gfpMigratetype(cc.gfpMask, sys.policy.gfpEra);
  let ret: number;
  if (cc.order >= 0) {
    ret = compactionSuitAllocationOrder(sys, zone, cc.order, cc.highestZoneidx, cc.allocFlags, cc.mode === MIGRATE_ASYNC, !cc.directCompaction);
    if (ret !== COMPACT_CONTINUE) return ret;
  }
  // clear pageblock skip if there were failures recently and compaction is retried after being deferred
  if (compactionRestarting(sys, zone, cc.order)) resetIsolationSuitableZone(zc, zone, cc.mm);
  if (cc.wholeZone) {
    cc.migratePfn = startPfn;
    cc.freePfn = pageblockStartPfn(endPfn - 1);
  } else {
    cc.migratePfn = zc.compactCachedMigratePfn[sync ? 1 : 0];
    cc.freePfn = zc.compactCachedFreePfn;
    if (cc.freePfn < startPfn || cc.freePfn >= endPfn) {
      cc.freePfn = pageblockStartPfn(endPfn - 1);
      zc.compactCachedFreePfn = cc.freePfn;
    }
    if (cc.migratePfn < startPfn || cc.migratePfn >= endPfn) {
      cc.migratePfn = startPfn;
      zc.compactCachedMigratePfn[0] = cc.migratePfn;
      zc.compactCachedMigratePfn[1] = cc.migratePfn;
    }
    if (cc.migratePfn <= zc.compactInitMigratePfn) cc.wholeZone = true;
  }
  let lastMigratedPfn = 0;
  // keep the async and sync cached pfns together until a pageblock with candidates is found
  let updateCached = !sync && zc.compactCachedMigratePfn[0] === zc.compactCachedMigratePfn[1];
  while ((ret = compactFinished(sys, cc, zc)) === COMPACT_CONTINUE) {
    const iterationStartPfn = cc.migratePfn;
    // avoid rescanning the same pageblock twice: the second pass takes the whole pageblock
    cc.finishPageblock = pageblockStartPfn(lastMigratedPfn) === pageblockStartPfn(iterationStartPfn);
    let rescan = true;
    let isolated = ISOLATE_NONE;
    while (rescan) {
      rescan = false;
      isolated = isolateMigratepages(sys, cc, zc);
      if (isolated === ISOLATE_NONE) {
        if (updateCached) zc.compactCachedMigratePfn[1] = zc.compactCachedMigratePfn[0];
        break;
      }
      updateCached = false;
      lastMigratedPfn = Math.max(startPfn, pageblockStartPfn(cc.migratePfn - 1));
      const err = migratePages(sys, cc, zc);
      cc.nrMigratepages = 0;
      if (err) {
        // -ENOMEM when the scanners meet is for compact_finished() to see
        if (!compactScannersMet(cc)) {
          ret = COMPACT_CONTENDED;
          break;
        }
        if (cc.migratePfn & (pageblock_nr_pages - 1) && !cc.ignoreSkipHint && !cc.finishPageblock && cc.mode < MIGRATE_SYNC) {
          // scan the rest of the pageblock so that it gets marked skip
          cc.finishPageblock = true;
          if (cc.order === COMPACTION_HPAGE_ORDER) lastMigratedPfn = 0;
          rescan = true;
        }
      }
    }
    if (ret === COMPACT_CONTENDED) break;
    // stop if a page has been captured
    if (cc.capturePfn >= 0) {
      ret = COMPACT_SUCCESS;
      break;
    }
    // check_drain: sources were freed straight to the buddy (file header), nothing is left on pcp lists
    if (cc.order > 0 && lastMigratedPfn && lastMigratedPfn < cc.migratePfn - (cc.migratePfn & ((1 << cc.order) - 1))) lastMigratedPfn = 0;
  }
  // release free pages and move the free scanner's restart back to them
  if (cc.nrFreepages > 0 || freeListsNonEmpty(cc)) {
    let freePfn = releaseFreeList(cc);
    freePfn = pageblockStartPfn(freePfn);
    // only go back, not forward: the cached pfn may have been reset to the zone end already
    if (freePfn > zc.compactCachedFreePfn) zc.compactCachedFreePfn = freePfn;
  }
  sys.vmstat[COMPACTMIGRATE_SCANNED]! += cc.totalMigrateScanned;
  sys.vmstat[COMPACTFREE_SCANNED]! += cc.totalFreeScanned;
  return ret;
}

function freeListsNonEmpty(cc: CompactControl): boolean {
  for (let o = 0; o < NR_PAGE_ORDERS; o++) if (cc.freeHead[o]! >= 0) return true;
  return false;
}

/**
 * mm/compaction.c compact_zone_order(): one zone for a direct compactor at `prio` (ASYNC → MIGRATE_ASYNC, else
 * MIGRATE_SYNC_LIGHT; SYNC_FULL scans the whole zone ignoring skip bits and pageblock types), with page capture.
 * `out.capturePfn` gets the captured block (then the result is COMPACT_SUCCESS) or −1.
 */
export function compactZoneOrder(sys: MmSystem, zone: Zone, order: number, gfpMask: number, prio: number, allocFlags: number, highestZoneidx: number, out: { capturePfn: number }): number {
  const cc = sys.compaction.cc;
  resetControl(cc, zone, memmapOf(sys, zone));
  cc.order = order;
  cc.gfpMask = gfpMask;
  cc.mode = prio === COMPACT_PRIO_ASYNC ? MIGRATE_ASYNC : MIGRATE_SYNC_LIGHT;
  cc.allocFlags = allocFlags;
  cc.highestZoneidx = highestZoneidx;
  cc.directCompaction = true;
  cc.proactiveCompaction = false;
  cc.wholeZone = prio === MIN_COMPACT_PRIORITY;
  cc.ignoreSkipHint = prio === MIN_COMPACT_PRIORITY;
  cc.ignoreBlockSuitable = prio === MIN_COMPACT_PRIORITY;
  // capture_control exists from 5.1 (Policy.compactionCapture)
  cc.capture = sys.policy.compactionCapture;
  let ret = compactZone(sys, cc);
  cc.capture = false;
  out.capturePfn = cc.capturePfn;
  // a captured page means success even if the scan said otherwise
  if (cc.capturePfn >= 0) ret = COMPACT_SUCCESS;
  return ret;
}

/**
 * mm/compaction.c try_to_compact_pages() (v6.18): direct compaction for a high-order request. Without __GFP_IO
 * (gfp_compaction_allowed()) nothing is done. Each zone of the zonelist ≤ highest_zoneidx in the nodemask: deferred
 * zones are skipped unless prio is MIN_COMPACT_PRIORITY; a zone that reaches COMPACT_SUCCESS (or captures) resets
 * its deferral (expected success) and ends the walk; a sync run that ends COMPLETE or PARTIAL_SKIPPED defers the
 * zone. Returns the highest result seen; `out.capturePfn` is the captured block or −1. The slow path counts
 * compact_stall / compact_fail / compact_success (__alloc_pages_direct_compact()).
 */
export function tryToCompactPages(sys: MmSystem, gfpMask: number, order: number, allocFlags: number, ac: AllocContext, prio: number, out: { capturePfn: number }): number {
  out.capturePfn = -1;
  if (!(gfpMask & sys.compaction.gfpIo)) return COMPACT_SKIPPED;
  // v4.0 also needs __GFP_FS (may_enter_fs); the gate was dropped by 4.12
  const v40 = sys.policy.compactionSuitableRule === '4.0';
  if (v40 && !(gfpMask & sys.compaction.gfpFs)) return COMPACT_SKIPPED;
  const steps = sys.pa.steps;
  let rc = COMPACT_SKIPPED;
  const zl = ac.zonelist;
  for (let i = nextZonesZonelist(zl, 0, ac.highestZoneidx, ac.nodemask); i >= 0; i = nextZonesZonelist(zl, i + 1, ac.highestZoneidx, ac.nodemask)) {
    const zone = zl[i]!;
    if (prio > MIN_COMPACT_PRIORITY && compactionDeferred(sys, zone, order)) {
      rc = Math.max(COMPACT_DEFERRED, rc);
      if (steps.enabled) {
        const zc = zoneCompaction(sys, zone);
        steps.push(STEP_COMPACT_DEFERRED, zone, zc.compactConsidered, 1 << zc.compactDeferShift, zc.compactOrderFailed, COMPACT_DEFERRED, prio, -1);
      }
      continue;
    }
    const status = compactZoneOrder(sys, zone, order, gfpMask, prio, allocFlags, ac.highestZoneidx, out);
    rc = Math.max(status, rc);
    if (steps.enabled) {
      const cc = sys.compaction.cc;
      steps.push(STEP_COMPACT, zone, cc.totalMigrateScanned, cc.totalFreeScanned, cc.nrMigrated, status, prio, out.capturePfn);
    }
    if (status === COMPACT_SUCCESS) {
      // the allocation should succeed here, but it is not certain: the caller repeats this with true if it does
      compactionDeferReset(sys, zone, order, false);
      break;
    }
    // allocation will not succeed in this zone: defer; reset if it succeeds after all
    // (v4.0: only a sync run that scanned the whole zone, COMPACT_COMPLETE, defers)
    if (prio !== COMPACT_PRIO_ASYNC && (status === COMPACT_COMPLETE || (status === COMPACT_PARTIAL_SKIPPED && !v40))) deferCompaction(sys, zone, order);
  }
  return rc;
}

// ---- kcompactd ----

/**
 * mm/compaction.c kcompactd_node_suitable() (6.15+): some populated zone ≤ kcompactd_highest_zoneidx where
 * compaction for kcompactd_max_order would run (compaction_suit_allocation_order() at the min watermark says
 * CONTINUE).
 */
export function kcompactdNodeSuitable(sys: MmSystem, nodeId: number): boolean {
  const node = sys.machine.nodes[nodeId]!;
  const kd = sys.compaction.kcompactd[nodeId]!;
  const highest = kd.kcompactdHighestZoneidx;
  for (let zoneid = 0; zoneid <= highest; zoneid++) {
    const zone = node.zones[zoneid];
    if (!zone || zone.presentPages === 0) continue;
    if (compactionSuitAllocationOrder(sys, zone, kd.kcompactdMaxOrder, highest, ALLOC_WMARK_MIN, false, true) === COMPACT_CONTINUE) return true;
  }
  return false;
}

/**
 * mm/compaction.c wakeup_kcompactd(): ignore order 0; remember the largest order and the lowest highest_zoneidx
 * asked for; wake the (sleeping) thread only if kcompactd_node_suitable(). A request recorded without a wakeup is
 * still served at kcompactd's next 500 ms poll (kcompactd_work_requested() is checked on the timeout).
 */
export function wakeupKcompactd(sys: MmSystem, nodeId: number, order: number, highestZoneidx: number): void {
  if (!order) return;
  const kd = sys.compaction.kcompactd[nodeId]!;
  if (kd.kcompactdMaxOrder < order) kd.kcompactdMaxOrder = order;
  if (kd.kcompactdHighestZoneidx > highestZoneidx) kd.kcompactdHighestZoneidx = highestZoneidx;
  // already running: it will see the new request
  if (kd.awake) return;
  if (!kcompactdNodeSuitable(sys, nodeId)) return;
  kd.awake = true;
  sys.vmstat[MMREPLAY_KCOMPACTD_WAKEUPS]! += 1;
}

/**
 * mm/compaction.c kcompactd_do_work() (v6.18): count compact_daemon_wake; compact each populated zone ≤
 * kcompactd_highest_zoneidx that is not deferred and where compaction would run, at MIGRATE_SYNC_LIGHT with skip
 * hints, towards the HIGH watermark (6.15+); success resets deferral, COMPLETE / PARTIAL_SKIPPED drains the
 * zone's pcp lists and defers. Then forget the request unless a bigger one came meanwhile.
 */
export function kcompactdDoWork(sys: MmSystem, nodeId: number): void {
  const node = sys.machine.nodes[nodeId]!;
  const kd = sys.compaction.kcompactd[nodeId]!;
  const cc = sys.compaction.cc;
  const order = kd.kcompactdMaxOrder;
  const highest = kd.kcompactdHighestZoneidx;
  const steps = sys.pa.steps;
  sys.vmstat[KCOMPACTD_WAKE]! += 1;
  for (let zoneid = 0; zoneid <= highest; zoneid++) {
    const zone = node.zones[zoneid];
    if (!zone || zone.presentPages === 0) continue;
    if (compactionDeferred(sys, zone, order)) continue;
    if (compactionSuitAllocationOrder(sys, zone, order, zoneid, ALLOC_WMARK_HIGH, false, true) !== COMPACT_CONTINUE) continue;
    resetControl(cc, zone, node.memmap);
    cc.order = order;
    cc.gfpMask = sys.compaction.gfpKernel;
    cc.mode = MIGRATE_SYNC_LIGHT;
    cc.allocFlags = ALLOC_WMARK_HIGH;
    cc.highestZoneidx = highest;
    cc.directCompaction = false;
    cc.proactiveCompaction = false;
    cc.wholeZone = false;
    cc.ignoreSkipHint = false;
    cc.ignoreBlockSuitable = false;
    cc.capture = false;
    const status = compactZone(sys, cc);
    if (steps.enabled) steps.push(STEP_KCOMPACTD, zone, cc.totalMigrateScanned, cc.totalFreeScanned, cc.nrMigrated, status, -1, -1);
    if (status === COMPACT_SUCCESS) {
      compactionDeferReset(sys, zone, order, false);
    } else if (status === COMPACT_PARTIAL_SKIPPED || status === COMPACT_COMPLETE) {
      // buddy pages stranded on pcp lists could coalesce: drain them (rate-limited by the deferral below)
      drainAllPages([zone], sys.pa.buddy);
      // sync migration mode: defer like sync direct compaction
      deferCompaction(sys, zone, order);
    }
    sys.vmstat[KCOMPACTD_MIGRATE_SCANNED]! += cc.totalMigrateScanned;
    sys.vmstat[KCOMPACTD_FREE_SCANNED]! += cc.totalFreeScanned;
  }
  // done until woken again; keep a request that is bigger or tighter than the one served
  if (kd.kcompactdMaxOrder <= order) kd.kcompactdMaxOrder = 0;
  if (kd.kcompactdHighestZoneidx >= highest) kd.kcompactdHighestZoneidx = nrZones(node.zones) - 1;
}

/**
 * mm/compaction.c proactive_compact_node(): order −1, MIGRATE_SYNC_LIGHT, whole zone, skip hints ignored, in every
 * populated zone until its fragmentation score falls to the low mark (or kswapd runs).
 */
export function proactiveCompactNode(sys: MmSystem, nodeId: number): void {
  const node = sys.machine.nodes[nodeId]!;
  const cc = sys.compaction.cc;
  for (const zone of node.zones) {
    if (zone.presentPages === 0) continue;
    resetControl(cc, zone, node.memmap);
    cc.order = -1;
    cc.gfpMask = sys.compaction.gfpKernel;
    cc.mode = MIGRATE_SYNC_LIGHT;
    cc.allocFlags = 0;
    cc.highestZoneidx = zone.zoneIdx;
    cc.directCompaction = false;
    cc.proactiveCompaction = true;
    cc.wholeZone = true;
    cc.ignoreSkipHint = true;
    cc.ignoreBlockSuitable = false;
    cc.capture = false;
    compactZone(sys, cc);
    sys.vmstat[KCOMPACTD_MIGRATE_SCANNED]! += cc.totalMigrateScanned;
    sys.vmstat[KCOMPACTD_FREE_SCANNED]! += cc.totalFreeScanned;
  }
}

/** should_proactive_compact_node(): proactiveness on, kswapd not running, node score above the high mark */
export function shouldProactiveCompactNode(sys: MmSystem, nodeId: number): boolean {
  if (!sys.machine.sysctl.compaction_proactiveness || sys.machine.nodes[nodeId]!.kswapdRunning) return false;
  return fragmentationScoreNode(sys, nodeId) > fragmentationScoreWmark(sys, false);
}

/**
 * The kcompactd threads up to simulated time `untilNs` (the replay engine calls it as time advances). A woken
 * thread does all its work at once, at the time of the call: compaction has no simulated duration. Without a
 * wakeup, each thread polls every 500 ms (HPAGE_FRAG_CHECK_INTERVAL_MSEC) while compaction_proactiveness > 0:
 * a pending request (kcompactd_max_order > 0) is then served, else proactive compaction runs if the node's
 * fragmentation score is above the high mark; if that did not lower the score the next poll waits
 * 500 ms << COMPACT_MAX_DEFER_SHIFT (32 s). With proactiveness 0 the thread only runs when woken.
 */
export function kcompactdRun(sys: MmSystem, untilNs: number): void {
  const kds = sys.compaction.kcompactd;
  for (let nid = 0; nid < kds.length; nid++) {
    const kd = kds[nid]!;
    if (kd.awake) {
      kd.awake = false;
      kcompactdDoWork(sys, nid);
      kd.pollMs = HPAGE_FRAG_CHECK_INTERVAL_MSEC;
    }
    if (!sys.machine.sysctl.compaction_proactiveness) continue;
    while (kd.nextPollNs <= untilNs) {
      if (kd.kcompactdMaxOrder > 0) {
        kcompactdDoWork(sys, nid);
        kd.pollMs = HPAGE_FRAG_CHECK_INTERVAL_MSEC;
      } else {
        kd.pollMs = HPAGE_FRAG_CHECK_INTERVAL_MSEC;
        if (shouldProactiveCompactNode(sys, nid)) {
          const prevScore = fragmentationScoreNode(sys, nid);
          proactiveCompactNode(sys, nid);
          // no progress: defer the next proactive attempt
          if (fragmentationScoreNode(sys, nid) >= prevScore) kd.pollMs = HPAGE_FRAG_CHECK_INTERVAL_MSEC << COMPACT_MAX_DEFER_SHIFT;
        } else {
          // nothing changes before the next request: every poll up to untilNs would find the same score (a trace
          // that starts at 1000 s would otherwise poll 2,000 times on its first event)
          const step = kd.pollMs * 1e6;
          kd.nextPollNs += Math.floor((untilNs - kd.nextPollNs) / step) * step;
        }
      }
      kd.nextPollNs += kd.pollMs * 1e6;
    }
  }
}
