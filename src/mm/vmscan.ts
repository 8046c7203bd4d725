/**
 * The reclaim model, direct reclaim and kswapd: mirrors mm/vmscan.c @ v6.18 — zone_reclaimable_pages(),
 * isolate_lru_folios(), shrink_inactive_list(), get_scan_count(), prepare_scan_control(), shrink_lruvec(),
 * should_continue_reclaim(), shrink_node(), compaction_ready(), shrink_zones(), do_try_to_free_pages(),
 * allow_direct_reclaim() / throttle_direct_reclaim(), try_to_free_pages(), pgdat_balanced(),
 * prepare_kswapd_sleep(), kswapd_shrink_node(), balance_pgdat(), kswapd_try_to_sleep(), kswapd(),
 * wakeup_kswapd(); and the slab shrinker's scan target (mm/shrinker.c do_shrink_slab()).
 * (Read in the gfunkmonk/linux-6.18.2 snapshot; its `vm_swappiness = 33` is a local edit of that repository:
 * upstream 6.18 has 60, which is our default.)
 *
 * The model (design §6). Every allocated block gets a page kind from its gfp and migratetype (kindRules):
 * file (page cache, reclaimable), anon (reclaimable only while swap has free slots), slab (slab-reclaimable:
 * freed by the shrinker pass), kernel (never reclaimed), pretrace (allocated before the trace and not laid over
 * as file/anon/slab: never reclaimed). Anon and file blocks sit on one LRU list each per node (the node
 * lruvec), slab blocks on a third list that stands in for the shrinkers' object LRUs. Lists are intrusive:
 * they reuse memmap.next/prev of the allocated head pfn, as struct page shares page->lru between the free
 * lists, the pcp lists and the LRU. New blocks go to the list head (lruvec_add_folio()) and reclaim takes
 * from the tail (lru_to_folio()), so the LRU order is allocation order.
 *
 * What is simplified, on purpose, and what it costs:
 *  - No active/inactive split and no page references: since 5.9 new anon folios start inactive like page
 *    cache, and without simulated accesses nothing would ever be activated, so every list is the inactive list
 *    (Mem-Info shows all LRU pages as inactive). kswapd_age_node() and shrink_active_list() have nothing to do.
 *  - All file pages are clean and every isolated folio is reclaimed at once (no writeback, no dirty throttling,
 *    no mapped-page rotation); an anon folio takes 2^order swap slots and is freed at once (no swap I/O).
 *  - get_scan_count() has no refault / IO cost history: SCAN_FRACT uses anon_cost = file_cost = 0, which gives
 *    the weights swappiness : (200 − swappiness).
 *  - The slab pool: one "object" per page, DEFAULT_SEEKS (2), SHRINK_BATCH (128) and the 2 × freeable cap of
 *    do_shrink_slab(); the oldest slab blocks are freed first; only with __GFP_FS (super_cache_scan() needs
 *    it); freed slab pages count in sc->nr_reclaimed (flush_reclaim_state()) but not in pgsteal.
 *  - No memcg (one root lruvec per node), no MGLRU, no demotion, no cpusets, no laptop_mode.
 *  - throttle_direct_reclaim() counts pgscan_direct_throttle and wakes kswapd as the kernel does, but the
 *    simulated task does not wait: the simulation has no concurrency to wait for.
 *  - kswapd runs at a throughput (ReclaimOptions.kswapdPagesPerSecond): each balance_pgdat() priority pass is
 *    done whole at the time kswapd reaches it, then kswapd is busy for reclaimed / throughput seconds.
 */
import { InputError } from '../errors.js';
import type { Machine } from './machine.js';
import type { AllocContext } from './internal.js';
import * as internalModule from './internal.js';
import * as memmapModule from './memmap.js';
import type { MemMap } from './memmap.js';
import * as mmzoneModule from './mmzone.js';
import type { PglistData, Zone } from './mmzone.js';
import { freePages, nextZonesZonelist, zoneWatermarkOk } from './page_alloc.js';
import * as gfpModule from './gfp.js';
import { FREED_BY_DIRECT_RECLAIM, FREED_BY_KSWAPD } from './system.js';
import type { MmSystem } from './system.js';
import type { TaskTable } from './oom_kill.js';
import { compactGap, compactionSuitable, wakeupKcompactd } from './compaction.js';
import { SWAP_CLUSTER_MAX } from './watermark.js';
import {
  ALLOCSTALL_DMA,
  KSWAPD_HIGH_WMARK_HIT_QUICKLY,
  KSWAPD_LOW_WMARK_HIT_QUICKLY,
  MMREPLAY_KSWAPD_WAKEUPS,
  PAGEOUTRUN,
  PGFREE,
  PGSCAN_ANON,
  PGSCAN_DIRECT,
  PGSCAN_DIRECT_THROTTLE,
  PGSCAN_FILE,
  PGSCAN_KSWAPD,
  PGSKIP_DMA,
  PGSTEAL_ANON,
  PGSTEAL_DIRECT,
  PGSTEAL_FILE,
  PGSTEAL_KSWAPD,
} from './vmstat.js';

// hot-path imports copied into module consts (README "Hot-path imports": V8 reads an import through its cell)
const { MAX_NR_ZONES, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, PAGE_ALLOC_COSTLY_ORDER, WMARK_HIGH, WMARK_MIN, ZONE_NORMAL, pageblock_order } = mmzoneModule;
const { ZONE_RECLAIM_ACTIVE } = internalModule;
const { PAGE_ALLOC, PAGE_TAIL, PG_movable_alike } = memmapModule;
const { gfpBit, gfpCacheSlot, gfpZone } = gfpModule;

// ---------------------------------------------------------------------------------------------------------------
// constants (mm/vmscan.c, include/linux/swap.h, include/linux/mmzone.h, include/linux/compaction.h @ v6.18)

/** DEF_PRIORITY: scan lru_size >> priority pages per pass, priority 12 down to 0 */
export const DEF_PRIORITY = 12;
/** MAX_RECLAIM_RETRIES (mm/internal.h): kswapd gives up on a node after this many fruitless balance_pgdat() runs */
export const MAX_RECLAIM_RETRIES = 16;
/** SWAP_CLUSTER_MAX_SKIPPED: isolate_lru_folios() stops skipping ineligible folios after this many */
export const SWAP_CLUSTER_MAX_SKIPPED = SWAP_CLUSTER_MAX << 10;
/** vm_swappiness default (mm/vmscan.c; 0..MAX_SWAPPINESS) */
export const DEFAULT_SWAPPINESS = 60;
export const MAX_SWAPPINESS = 200;
/** DEFAULT_SEEKS (include/linux/shrinker.h) and SHRINK_BATCH (mm/shrinker.c) */
export const DEFAULT_SEEKS = 2;
export const SHRINK_BATCH = 128;
/** kswapd_try_to_sleep(): schedule_timeout(HZ/10) — the short sleep, 100 ms */
export const KSWAPD_SHORT_SLEEP_NS = 100_000_000;


// ---------------------------------------------------------------------------------------------------------------
// page kinds and LRU lists

/** not an allocated head we track (free, pcp, tail pages, or a block whose kind was cleared) */
const PAGE_KIND_NONE = 0;
/** unreclaimable kernel memory */
export const PAGE_KIND_KERNEL = 1;
/** anonymous memory: reclaimable only while swap has free slots */
export const PAGE_KIND_ANON = 2;
/** page cache: reclaimable */
export const PAGE_KIND_FILE = 3;
/** slab-reclaimable (shrinkable) */
export const PAGE_KIND_SLAB = 4;
/** allocated before the trace (snapshot machines) and not laid over as file/anon/slab: unreclaimable */
export const PAGE_KIND_PRETRACE = 5;
const NR_PAGE_KINDS = 6;
export const pageKindNames: readonly string[] = ['none', 'kernel', 'anon', 'file', 'slab', 'pretrace'];

/** The lists of a node lruvec: enum lru_list reduced to one list per type (see the file header), plus slab. */
export const LRU_ANON = 0;
export const LRU_FILE = 1;
export const LRU_SLAB = 2;
export const NR_LRU = 3;
export const lruNames: readonly string[] = ['anon', 'file', 'slab'];
/** page kind → list, −1 = not on a list */
const lruOfKind: readonly number[] = [-1, -1, LRU_ANON, LRU_FILE, LRU_SLAB, -1];
/** page kind → the flag bit its head gets: PageLRU() (anon, file) counts as movable in prep_move_freepages_block() */
const movableAlikeOfKind: readonly number[] = lruOfKind.map((lru) => (lru === LRU_ANON || lru === LRU_FILE ? PG_movable_alike : 0));

/**
 * One rule of the page-kind table: the first rule whose conditions all hold gives the kind. Gfp names are kernel
 * symbols or composites of the policy's gfp era ('__GFP_ZERO', 'GFP_TRANSHUGE_LIGHT'); a composite in `all`
 * needs every one of its bits.
 */
export interface KindRule {
  kind: 'kernel' | 'anon' | 'file' | 'slab';
  /** gfp_migratetype() of the request */
  migratetype?: 'Unmovable' | 'Movable' | 'Reclaimable';
  /** every bit of every name must be set */
  all?: readonly string[];
  /** some bit of some name must be set */
  any?: readonly string[];
  /** no bit of any name may be set */
  none?: readonly string[];
}

/**
 * The default page-kind rules (README "Reclaim model"):
 *  1. Reclaimable migratetype (__GFP_RECLAIMABLE: slab caches created with SLAB_RECLAIM_ACCOUNT) → slab;
 *  2. Movable with every bit of GFP_TRANSHUGE_LIGHT (THP faults, khugepaged) → anon;
 *  3. Movable with __GFP_ZERO (anonymous faults zero their page: GFP_HIGHUSER_MOVABLE|__GFP_ZERO) → anon;
 *  4. any other Movable request (page cache: mapping gfp GFP_HIGHUSER_MOVABLE, readahead's |NORETRY|NOWARN,
 *     GFP_NOFS filesystems' |HIGHMEM|MOVABLE) → file (COW copies, also GFP_HIGHUSER_MOVABLE, land here too);
 *  5. everything else → kernel.
 */
export const defaultKindRules: readonly KindRule[] = [
  { kind: 'slab', migratetype: 'Reclaimable' },
  { kind: 'anon', migratetype: 'Movable', all: ['GFP_TRANSHUGE_LIGHT'] },
  { kind: 'anon', migratetype: 'Movable', all: ['__GFP_ZERO'] },
  { kind: 'file', migratetype: 'Movable' },
  { kind: 'kernel' },
];

/** Pages allocated before the trace that count as LRU / slab pages, per zone (`${nodeId}:${zoneName}`). */
export interface PreTraceCounts {
  file?: number;
  anon?: number;
  slab?: number;
}

export interface ReclaimOptions {
  /** page-kind rules, first match wins (default defaultKindRules) */
  kindRules: readonly KindRule[];
  /**
   * kswapd's reclaim throughput in pages per second of simulated time; 0 = instantaneous (kswapd finishes
   * as soon as it is woken, at the next kswapdRun()). Default 1,000,000 (≈ 4 GB/s of clean page cache: the
   * order of what one kswapd thread frees on current x86 hardware).
   */
  kswapdPagesPerSecond: number;
  /** vm.swappiness (default 60) */
  swappiness: number;
  /** swap slots (pages); default: the machine's managed pages when machine.swap, else 0 */
  swapPages: number;
  /**
   * Pre-trace pages laid over as file / anon / slab on a snapshot machine. 'snapshot' (default): per zone from
   * the snapshot's zoneinfo LRU counters when the machine kept them (SnapshotZone `stats`), else the node's
   * /proc/vmstat nr_{in,}active_{file,anon} shared over its zones in proportion to their pre-allocated pages;
   * slab from nr_slab_reclaimable the same way. 'none': all pre-trace pages are unreclaimable. Or explicit
   * counts per `${nodeId}:${zoneName}`.
   */
  preTrace: 'snapshot' | 'none' | Readonly<Record<string, PreTraceCounts>>;
}

/** One decision step of direct reclaim (AllocSteps): free = pages scanned, mark = priority reached, result = return value, aux = RECLAIM_AUX_* bits */
export const STEP_TRY_TO_FREE_PAGES = 56;
/** wakeup_kswapd(): result 1 = kswapd woken, 0 = only recorded (running, hopeless or balanced); aux = order */
export const STEP_WAKEUP_KSWAPD = 57;
/** throttle_direct_reclaim() found the pfmemalloc reserve depleted: free = free pages, mark = reserve */
export const STEP_THROTTLE_DIRECT = 58;
export const vmscanStepNames: Readonly<Record<number, string>> = {
  [STEP_TRY_TO_FREE_PAGES]: 'try_to_free_pages',
  [STEP_WAKEUP_KSWAPD]: 'wakeup_kswapd',
  [STEP_THROTTLE_DIRECT]: 'throttle_direct_reclaim',
};
/** STEP_TRY_TO_FREE_PAGES aux bits */
export const RECLAIM_AUX_COMPACTION_READY = 1;
export const RECLAIM_AUX_FULL_WALK_RETRY = 2;

/** kswapd states */
export const KSWAPD_SLEEPING = 0;
export const KSWAPD_RUNNING = 1;
export const KSWAPD_SHORT_SLEEP = 2;
export const kswapdStateNames: readonly string[] = ['sleeping', 'running', 'short_sleep'];

/** struct scan_control, the fields the model reads; reused (one for direct reclaim, one per kswapd). */
export interface ScanControl {
  nrToReclaim: number;
  gfpMask: number;
  reclaimIdx: number;
  order: number;
  priority: number;
  maySwap: boolean;
  nrScanned: number;
  nrReclaimed: number;
  compactionReady: boolean;
  cacheTrimMode: boolean;
  cacheTrimModeFailed: boolean;
  noCacheTrimMode: boolean;
  fileIsTiny: boolean;
  memcgFullWalk: boolean;
  /** current_is_kswapd() */
  kswapd: boolean;
  /** FREED_BY_* for the hooks */
  why: number;
  /** CPU the frees go through (pcp lists) */
  cpu: number;
}

function newScanControl(kswapd: boolean): ScanControl {
  return {
    nrToReclaim: SWAP_CLUSTER_MAX, gfpMask: 0, reclaimIdx: 0, order: 0, priority: DEF_PRIORITY, maySwap: true,
    nrScanned: 0, nrReclaimed: 0, compactionReady: false, cacheTrimMode: false, cacheTrimModeFailed: false,
    noCacheTrimMode: false, fileIsTiny: false, memcgFullWalk: false, kswapd, why: kswapd ? FREED_BY_KSWAPD : FREED_BY_DIRECT_RECLAIM, cpu: 0,
  };
}

/** A node's lruvec and kswapd (struct lruvec + the kswapd fields of struct pglist_data). */
export interface NodeReclaim {
  nodeId: number;
  node: PglistData;
  mm: MemMap;
  /** page kind per pfn − startPfn (set on allocated heads only) */
  kind: Uint8Array;
  /** list heads / tails (pfn, −1 empty), per LRU_* */
  head: Int32Array;
  tail: Int32Array;
  /** blocks per list */
  nrEntries: Float64Array;
  /** pages per (zone, kind): index zoneIdx * NR_PAGE_KINDS + kind (NR_ZONE_INACTIVE_FILE … analogues) */
  zonePages: Float64Array;

  // kswapd (pgdat->kswapd_order, kswapd_highest_zoneidx, kswapd_failures, and kswapd()'s own locals)
  kswapdState: number;
  kswapdOrder: number;
  /** MAX_NR_ZONES = unset */
  kswapdHighestZoneidx: number;
  kswapdFailures: number;
  /** simulated time kswapd has worked up to (ns) */
  busyUntilNs: number;
  shortSleepUntilNs: number;
  /** kswapd()'s alloc_order / reclaim_order / highest_zoneidx */
  allocOrder: number;
  reclaimOrder: number;
  highestZoneidx: number;
  // balance_pgdat() locals, kept across kswapdRun() calls
  sc: ScanControl;
  nrBoostReclaim: number;
  boosted: boolean;
  zoneBoosts: Float64Array;
}

export interface ReclaimState {
  opts: ReclaimOptions;
  nodes: NodeReclaim[];
  /** the kind rules resolved to bit masks: per rule kind, migratetype (−1 any), all, any, none */
  ruleKind: Int8Array;
  ruleMt: Int8Array;
  ruleAll: Int32Array;
  ruleAny: Int32Array;
  ruleNone: Int32Array;
  /** pageKindOf() memo, direct-mapped by gfp mask: key gfp (−1 empty) and migratetype, value the kind */
  kindCacheGfp: Int32Array;
  kindCacheMt: Int8Array;
  kindCacheKind: Int8Array;
  /** total_swap_pages and the slots in use */
  swapPages: number;
  swapUsed: number;
  swappiness: number;
  /** gfp bits read here, resolved once for the policy's era */
  bits: { __GFP_IO: number; __GFP_FS: number; __GFP_DIRECT_RECLAIM: number };
  /** the direct reclaimer's scan_control */
  directSc: ScanControl;
  /** compaction.ts wakeup_kcompactd(); replaceable for tests */
  wakeupKcompactd: (sys: MmSystem, nodeId: number, order: number, highestZoneidx: number) => void;
  /** pages the pre-trace overlay made file / anon / slab, per `${nodeId}:${zoneName}` (for the report) */
  preTraceApplied: Record<string, Required<PreTraceCounts>>;
}

const kindByName: Readonly<Record<KindRule['kind'], number>> = { kernel: PAGE_KIND_KERNEL, anon: PAGE_KIND_ANON, file: PAGE_KIND_FILE, slab: PAGE_KIND_SLAB };
const mtByName: Readonly<Record<string, number>> = { Unmovable: MIGRATE_UNMOVABLE, Movable: MIGRATE_MOVABLE, Reclaimable: MIGRATE_RECLAIMABLE };

function maskOf(names: readonly string[] | undefined, era: string, where: string): number {
  let m = 0;
  for (const name of names ?? []) {
    let b = gfpBit(name, era);
    // GFP_TRANSHUGE_LIGHT is 4.8+: before, THP faults used GFP_TRANSHUGE, without __GFP_WAIT / the reclaim bits
    // when defrag is off (mm/huge_memory.c alloc_hugepage_gfpmask @ v4.0)
    if (!b && name === 'GFP_TRANSHUGE_LIGHT') {
      b = gfpBit('GFP_TRANSHUGE', era) & ~(gfpBit('__GFP_WAIT', era) | gfpBit('__GFP_DIRECT_RECLAIM', era) | gfpBit('__GFP_KSWAPD_RECLAIM', era));
    }
    if (!b) throw new InputError(where, `unknown gfp flag '${name}' for the ${era} gfp layout`);
    m |= b;
  }
  return m;
}

/**
 * The reclaim state of a machine: page kinds and LRU lists per node (empty; the pre-trace overlay is laid over
 * the machine's pre-allocated pages), kswapd asleep on every node, swap empty.
 */
export function createReclaimState(machine: Machine, opts?: Partial<ReclaimOptions>): ReclaimState {
  let managed = 0;
  for (const node of machine.nodes) for (const zone of node.zones) managed += zone.managedPages;
  const o: ReclaimOptions = {
    kindRules: opts?.kindRules ?? defaultKindRules,
    kswapdPagesPerSecond: opts?.kswapdPagesPerSecond ?? 1_000_000,
    swappiness: opts?.swappiness ?? DEFAULT_SWAPPINESS,
    swapPages: opts?.swapPages ?? (machine.swap ? managed : 0),
    preTrace: opts?.preTrace ?? 'snapshot',
  };
  if (!(o.kswapdPagesPerSecond >= 0)) throw new InputError('reclaim options', `kswapdPagesPerSecond must be ≥ 0, got ${o.kswapdPagesPerSecond}`);
  if (!(o.swappiness >= 0 && o.swappiness <= MAX_SWAPPINESS)) throw new InputError('reclaim options', `swappiness must be 0..200, got ${o.swappiness}`);
  if (!(o.swapPages >= 0)) throw new InputError('reclaim options', `swapPages must be ≥ 0, got ${o.swapPages}`);
  const era = machine.policy.gfpEra;
  const n = o.kindRules.length;
  const st: ReclaimState = {
    opts: o,
    nodes: [],
    ruleKind: new Int8Array(n),
    ruleMt: new Int8Array(n),
    ruleAll: new Int32Array(n),
    ruleAny: new Int32Array(n),
    ruleNone: new Int32Array(n),
    kindCacheGfp: new Int32Array(KIND_CACHE_SIZE).fill(-1),
    kindCacheMt: new Int8Array(KIND_CACHE_SIZE),
    kindCacheKind: new Int8Array(KIND_CACHE_SIZE),
    swapPages: o.swapPages,
    swapUsed: 0,
    swappiness: o.swappiness,
    bits: { __GFP_IO: gfpBit('__GFP_IO', era), __GFP_FS: gfpBit('__GFP_FS', era), __GFP_DIRECT_RECLAIM: gfpBit('__GFP_DIRECT_RECLAIM', era) },
    directSc: newScanControl(false),
    wakeupKcompactd,
    preTraceApplied: {},
  };
  o.kindRules.forEach((r, i) => {
    const where = `reclaim options: kindRules[${i}]`;
    const k = kindByName[r.kind];
    if (k === undefined) throw new InputError(where, `unknown kind '${String(r.kind)}' (kinds: kernel, anon, file, slab)`);
    st.ruleKind[i] = k;
    const mt = r.migratetype === undefined ? -1 : mtByName[r.migratetype];
    if (mt === undefined) throw new InputError(where, `unknown migratetype '${String(r.migratetype)}' (Unmovable, Movable, Reclaimable)`);
    st.ruleMt[i] = mt;
    st.ruleAll[i] = maskOf(r.all, era, where);
    st.ruleAny[i] = maskOf(r.any, era, where);
    st.ruleNone[i] = maskOf(r.none, era, where);
  });
  for (const node of machine.nodes) {
    const nr: NodeReclaim = {
      nodeId: node.nodeId,
      node,
      mm: node.memmap,
      kind: new Uint8Array(node.memmap.nrPages),
      head: new Int32Array(NR_LRU).fill(-1),
      tail: new Int32Array(NR_LRU).fill(-1),
      nrEntries: new Float64Array(NR_LRU),
      zonePages: new Float64Array(MAX_NR_ZONES * NR_PAGE_KINDS),
      kswapdState: KSWAPD_SLEEPING,
      kswapdOrder: 0,
      kswapdHighestZoneidx: MAX_NR_ZONES,
      kswapdFailures: 0,
      busyUntilNs: 0,
      shortSleepUntilNs: 0,
      allocOrder: 0,
      reclaimOrder: 0,
      highestZoneidx: MAX_NR_ZONES - 1,
      sc: newScanControl(true),
      nrBoostReclaim: 0,
      boosted: false,
      zoneBoosts: new Float64Array(MAX_NR_ZONES),
    };
    st.nodes.push(nr);
    node.kswapdRunning = false;
  }
  if (machine.source.kind === 'snapshot') layPreTrace(machine, st);
  return st;
}

// ---------------------------------------------------------------------------------------------------------------
// list surgery (memmap.next/prev of allocated heads; −1 = none). Head = newest, tail = oldest.
//   add at head:  next[p] = head; prev[p] = −1; prev[head] = p (or tail = p); head = p
//   unlink:       next[prev[p]] = next[p] (or head = next[p]); prev[next[p]] = prev[p] (or tail = prev[p])

function listAddHead(nr: NodeReclaim, lru: number, pfn: number): void {
  const mm = nr.mm;
  const base = mm.startPfn;
  const h = nr.head[lru]!;
  mm.next[pfn - base] = h;
  mm.prev[pfn - base] = -1;
  if (h >= 0) mm.prev[h - base] = pfn;
  else nr.tail[lru] = pfn;
  nr.head[lru] = pfn;
  nr.nrEntries[lru]!++;
}

function listAddTail(nr: NodeReclaim, lru: number, pfn: number): void {
  const mm = nr.mm;
  const base = mm.startPfn;
  const t = nr.tail[lru]!;
  mm.prev[pfn - base] = t;
  mm.next[pfn - base] = -1;
  if (t >= 0) mm.next[t - base] = pfn;
  else nr.head[lru] = pfn;
  nr.tail[lru] = pfn;
  nr.nrEntries[lru]!++;
}

function listDel(nr: NodeReclaim, lru: number, pfn: number): void {
  const mm = nr.mm;
  const base = mm.startPfn;
  const i = pfn - base;
  const p = mm.prev[i]!;
  const n = mm.next[i]!;
  if (p >= 0) mm.next[p - base] = n;
  else nr.head[lru] = n;
  if (n >= 0) mm.prev[n - base] = p;
  else nr.tail[lru] = p;
  mm.next[i] = -1;
  mm.prev[i] = -1;
  nr.nrEntries[lru]!--;
}

/** The pfns of one list from head (newest) to tail (oldest): for tests and reports. */
export function lruListPfns(sys: MmSystem, nodeId: number, lru: number): number[] {
  const nr = sys.reclaim.nodes[nodeId]!;
  const out: number[] = [];
  for (let p = nr.head[lru]!; p >= 0; p = nr.mm.next[p - nr.mm.startPfn]!) out.push(p);
  return out;
}

function nodeOfPfn(st: ReclaimState, pfn: number): NodeReclaim | null {
  const nodes = st.nodes;
  for (let i = 0; i < nodes.length; i++) {
    const nr = nodes[i]!;
    const mm = nr.mm;
    if (pfn >= mm.startPfn && pfn < mm.startPfn + mm.nrPages) return nr;
  }
  return null;
}

/** zone_idx(page_zone(pfn)) within its node, −1 if in no zone */
function zoneIdxOfPfn(node: PglistData, pfn: number): number {
  const zones = node.zones;
  for (let z = 0; z < zones.length; z++) {
    const zone = zones[z]!;
    const s = zone.zoneStartPfn as number;
    if (pfn >= s && pfn < s + zone.spannedPages) return z;
  }
  return -1;
}

const KIND_CACHE_BITS = 6;
const KIND_CACHE_SIZE = 1 << KIND_CACHE_BITS;

/** The page kind the rules give a request (gfp_mask, gfp_migratetype()); a trace repeats a few masks: memoized. */
export function pageKindOf(sys: MmSystem, gfpMask: number, migratetype: number): number {
  const st = sys.reclaim;
  const slot = gfpCacheSlot(gfpMask, KIND_CACHE_BITS);
  // key −1 marks an empty slot: a mask of −1 (every bit) is never memoized
  if (st.kindCacheGfp[slot] === gfpMask && st.kindCacheMt[slot] === migratetype && gfpMask !== -1) return st.kindCacheKind[slot]!;
  const kind = pageKindByRules(st, gfpMask, migratetype);
  st.kindCacheGfp[slot] = gfpMask;
  st.kindCacheMt[slot] = migratetype;
  st.kindCacheKind[slot] = kind;
  return kind;
}

function pageKindByRules(st: ReclaimState, gfpMask: number, migratetype: number): number {
  const n = st.ruleKind.length;
  for (let i = 0; i < n; i++) {
    const mt = st.ruleMt[i]!;
    if (mt >= 0 && mt !== migratetype) continue;
    const all = st.ruleAll[i]!;
    if ((gfpMask & all) !== all) continue;
    const any = st.ruleAny[i]!;
    if (any && !(gfpMask & any)) continue;
    if (gfpMask & st.ruleNone[i]!) continue;
    return st.ruleKind[i]!;
  }
  return PAGE_KIND_KERNEL;
}

/** Per-task page counters by kind (TaskTable arrays), kept here so lruAdd/lruDel/reclaim update them in one place. */
function taskAccount(tasks: TaskTable, taskId: number, kind: number, pages: number): void {
  if (taskId < 0 || taskId >= tasks.pid.length) return;
  switch (kind) {
    case PAGE_KIND_ANON: tasks.anonPages[taskId]! += pages; break;
    case PAGE_KIND_FILE: tasks.filePages[taskId]! += pages; break;
    case PAGE_KIND_SLAB: tasks.slabPages[taskId]! += pages; break;
    case PAGE_KIND_KERNEL: tasks.kernelPages[taskId]! += pages; break;
    default: break;
  }
}

function setKind(nr: NodeReclaim, pfn: number, order: number, kind: number, zid: number): void {
  const i = pfn - nr.mm.startPfn;
  nr.kind[i] = kind;
  nr.zonePages[zid * NR_PAGE_KINDS + kind]! += 1 << order;
  const lru = lruOfKind[kind]!;
  // PageLRU(): prep_move_freepages_block() counts such blocks as movable-alike
  nr.mm.flags[i] = nr.mm.flags[i]! | movableAlikeOfKind[kind]!;
  if (lru >= 0) listAddHead(nr, lru, pfn);
}

/** Take a head off its list and out of the counters (kind must be set). Returns the kind it had. */
function clearKind(nr: NodeReclaim, pfn: number, order: number, zid: number): number {
  const i = pfn - nr.mm.startPfn;
  const kind = nr.kind[i]!;
  if (kind === PAGE_KIND_NONE) return kind;
  const lru = lruOfKind[kind]!;
  if (lru >= 0) listDel(nr, lru, pfn);
  nr.kind[i] = PAGE_KIND_NONE;
  nr.mm.flags[i] = nr.mm.flags[i]! & ~PG_movable_alike;
  nr.zonePages[zid * NR_PAGE_KINDS + kind]! -= 1 << order;
  return kind;
}

/**
 * folio_add_lru() / lruvec_add_folio() for a block just allocated: its kind from the rules, onto its node's
 * list head (anon/file/slab), the zone counters, memmap.owner = taskId and the task's page counters.
 * Called by allocPages on every success.
 */
export function lruAdd(sys: MmSystem, pfn: number, order: number, gfpMask: number, migratetype: number, taskId: number): void {
  lruAddKind(sys, pfn, order, pageKindOf(sys, gfpMask, migratetype), taskId);
}

/**
 * lruAdd() for a block of `zone` (the caller has page_zone() at hand, as allocPages has the zone it allocated
 * from): no node or zone search per request.
 */
export function lruAddZone(sys: MmSystem, zone: Zone, pfn: number, order: number, gfpMask: number, migratetype: number, taskId: number): void {
  lruAddBlock(sys, sys.reclaim.nodes[zone.nodeId]!, zone.zoneIdx, pfn, order, pageKindOf(sys, gfpMask, migratetype), taskId);
}

/** lruAdd() with the page kind given (PAGE_KIND_*), for scenario setup steps that name the kind outright. */
export function lruAddKind(sys: MmSystem, pfn: number, order: number, kind: number, taskId: number): void {
  const nr = nodeOfPfn(sys.reclaim, pfn);
  if (!nr) return;
  const zid = zoneIdxOfPfn(nr.node, pfn);
  if (zid < 0) return;
  lruAddBlock(sys, nr, zid, pfn, order, kind, taskId);
}

/** the block at pfn (zone zid of node nr) onto its kind's list, charged to taskId */
function lruAddBlock(sys: MmSystem, nr: NodeReclaim, zid: number, pfn: number, order: number, kind: number, taskId: number): void {
  const i = pfn - nr.mm.startPfn;
  if (nr.kind[i] !== PAGE_KIND_NONE) clearKind(nr, pfn, nr.mm.order[i]!, zid);
  setKind(nr, pfn, order, kind, zid);
  nr.mm.owner[i] = taskId;
  taskAccount(sys.tasks, taskId, kind, 1 << order);
}

/**
 * The block at pfn leaves the reclaim model before it is freed: every page of the block (a pre-trace range that
 * mergeAllocatedRange() joined keeps its pages' kinds until here) is taken off its list and out of the
 * counters, and its owner's counters drop. Called by freeAllocated before the buddy free.
 */
export function lruDel(sys: MmSystem, pfn: number): void {
  const nr = nodeOfPfn(sys.reclaim, pfn);
  if (!nr) return;
  const zid = zoneIdxOfPfn(nr.node, pfn);
  if (zid < 0) return;
  lruDelBlock(sys, nr, zid, pfn);
}

/** lruDel() for a block of `zone` (the caller looked it up: freeAllocated): no node or zone search per request. */
export function lruDelZone(sys: MmSystem, zone: Zone, pfn: number): void {
  lruDelBlock(sys, sys.reclaim.nodes[zone.nodeId]!, zone.zoneIdx, pfn);
}

function lruDelBlock(sys: MmSystem, nr: NodeReclaim, zid: number, pfn: number): void {
  const mm = nr.mm;
  const i0 = pfn - mm.startPfn;
  const order = mm.state[i0] === PAGE_ALLOC ? mm.order[i0]! : 0;
  const owner = mm.owner[i0]!;
  const end = i0 + (1 << order);
  for (let i = i0; i < end; i++) {
    if (nr.kind[i] === PAGE_KIND_NONE) continue;
    const o = i === i0 ? order : mm.state[i] === PAGE_TAIL ? 0 : mm.order[i]!;
    const kind = clearKind(nr, i + mm.startPfn, o, zid);
    if (i === i0) taskAccount(sys.tasks, owner, kind, -(1 << o));
  }
}

/** Compaction migrated the block at oldPfn to newPfn: kind, owner and LRU position move with it (call before the old block is freed). */
export function lruMove(sys: MmSystem, oldPfn: number, newPfn: number): void {
  const st = sys.reclaim;
  const a = nodeOfPfn(st, oldPfn);
  const b = nodeOfPfn(st, newPfn);
  if (!a || !b) return;
  const ia = oldPfn - a.mm.startPfn;
  const ib = newPfn - b.mm.startPfn;
  const kind = a.kind[ia]!;
  const owner = a.mm.owner[ia]!;
  b.mm.owner[ib] = owner;
  if (kind === PAGE_KIND_NONE) return;
  const order = a.mm.order[ia]!;
  const za = zoneIdxOfPfn(a.node, oldPfn);
  const zb = zoneIdxOfPfn(b.node, newPfn);
  const lru = lruOfKind[kind]!;
  if (a === b && lru >= 0) {
    // take the old block's place in the list: the LRU order is kept
    const mm = a.mm;
    const base = mm.startPfn;
    const p = mm.prev[ia]!;
    const n = mm.next[ia]!;
    mm.prev[ib] = p;
    mm.next[ib] = n;
    if (p >= 0) mm.next[p - base] = newPfn;
    else a.head[lru] = newPfn;
    if (n >= 0) mm.prev[n - base] = newPfn;
    else a.tail[lru] = newPfn;
    mm.next[ia] = -1;
    mm.prev[ia] = -1;
    a.kind[ia] = PAGE_KIND_NONE;
    b.kind[ib] = kind;
    mm.flags[ib] = mm.flags[ib]! | (mm.flags[ia]! & PG_movable_alike);
    mm.flags[ia] = mm.flags[ia]! & ~PG_movable_alike;
    a.zonePages[za * NR_PAGE_KINDS + kind]! -= 1 << order;
    b.zonePages[zb * NR_PAGE_KINDS + kind]! += 1 << order;
    return;
  }
  clearKind(a, oldPfn, order, za);
  setKind(b, newPfn, order, kind, zb);
}

/**
 * Can compaction's migrate scanner move this allocated block? PageLRU() folios (anon, file) are movable;
 * slab, kernel and pre-trace blocks are not (no movable_ops pages are modelled).
 */
export function pageIsMovable(sys: MmSystem, pfn: number): boolean {
  const nr = nodeOfPfn(sys.reclaim, pfn);
  if (!nr) return false;
  const i = pfn - nr.mm.startPfn;
  if (nr.mm.state[i] !== PAGE_ALLOC) return false;
  const k = nr.kind[i]!;
  return k === PAGE_KIND_ANON || k === PAGE_KIND_FILE;
}

/** The kind of the allocated head at pfn (PAGE_KIND_*). */
export function pageKindAt(sys: MmSystem, pfn: number): number {
  const nr = nodeOfPfn(sys.reclaim, pfn);
  return nr ? nr.kind[pfn - nr.mm.startPfn]! : PAGE_KIND_NONE;
}

/** Pages of one kind in one zone (NR_ZONE_INACTIVE_FILE = PAGE_KIND_FILE, … ). */
export function zoneKindPages(sys: MmSystem, zone: Zone, kind: number): number {
  return sys.reclaim.nodes[zone.nodeId]!.zonePages[zone.zoneIdx * NR_PAGE_KINDS + kind]!;
}

/** can_reclaim_anon_pages(NULL, nid, NULL): is there space in any swap device? (get_nr_swap_pages() > 0; no demotion) */
export function canReclaimAnonPages(sys: MmSystem): boolean {
  return sys.reclaim.swapPages - sys.reclaim.swapUsed > 0;
}

/**
 * zone_reclaimable_pages(): the zone's file LRU pages, plus its anon LRU pages while swap has free slots
 * (what should_reclaim_retry() adds to the free pages).
 */
export function zoneReclaimablePages(sys: MmSystem, zone: Zone): number {
  const zp = sys.reclaim.nodes[zone.nodeId]!.zonePages;
  const b = zone.zoneIdx * NR_PAGE_KINDS;
  let nr = zp[b + PAGE_KIND_FILE]!;
  if (canReclaimAnonPages(sys)) nr += zp[b + PAGE_KIND_ANON]!;
  return nr;
}

/**
 * The per-zone LRU counters /proc/zoneinfo and show_mem print, keyed `${nodeId}:${zoneName}` as show_mem.ts's
 * MemSnapshot.zones wants them: everything on the (single) LRU lists is reported as inactive.
 */
export function reclaimZoneCounters(sys: MmSystem): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const nr of sys.reclaim.nodes) {
    for (const zone of nr.node.zones) {
      if (zone.presentPages === 0) continue;
      const b = zone.zoneIdx * NR_PAGE_KINDS;
      out[`${zone.nodeId}:${zone.name}`] = {
        nr_zone_inactive_anon: nr.zonePages[b + PAGE_KIND_ANON]!,
        nr_zone_active_anon: 0,
        nr_zone_inactive_file: nr.zonePages[b + PAGE_KIND_FILE]!,
        nr_zone_active_file: 0,
        nr_zone_unevictable: 0,
        nr_slab_reclaimable: nr.zonePages[b + PAGE_KIND_SLAB]!,
      };
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// the pre-trace overlay

function snapshotZoneStats(machine: Machine, nodeId: number, zoneIdx: number): Record<string, number> | undefined {
  const sz = machine.snapshot?.zones.find((z) => z.nodeId === nodeId && z.zoneIdx === zoneIdx) as { stats?: Record<string, number> } | undefined;
  return sz?.stats;
}

/**
 * Lay file / anon / slab kinds over the pre-allocated order-0 pages of a snapshot machine (see ReclaimOptions.preTrace).
 * Inside a zone the kinds are spread evenly over its pre-allocated pages in ascending pfn order (largest
 * deficit first: page i gets the kind whose count is furthest behind count × (i+1) / N), so page cache is
 * scattered over the zone as on a machine that has run for a while; the rest become PAGE_KIND_PRETRACE. The
 * overlaid pages join their lists as the oldest entries (tail), in ascending pfn order towards the tail.
 */
function layPreTrace(machine: Machine, st: ReclaimState): void {
  const mode = st.opts.preTrace;
  const vm = machine.snapshot?.vmstat;
  for (const nr of st.nodes) {
    const node = nr.node;
    const mm = nr.mm;
    const base = mm.startPfn;
    // pre-allocated pages per zone
    const pre = new Float64Array(MAX_NR_ZONES);
    let nodePre = 0;
    for (const zone of node.zones) {
      if (zone.presentPages === 0) continue;
      const s = zone.zoneStartPfn as number;
      let c = 0;
      for (let p = s; p < s + zone.spannedPages; p++) if (mm.state[p - base] === PAGE_ALLOC && mm.order[p - base] === 0) c++;
      pre[zone.zoneIdx] = c;
      nodePre += c;
    }
    for (const zone of node.zones) {
      if (zone.presentPages === 0) continue;
      const key = `${zone.nodeId}:${zone.name}`;
      const n = pre[zone.zoneIdx]!;
      let want: Required<PreTraceCounts> = { file: 0, anon: 0, slab: 0 };
      if (mode === 'none') {
        // nothing laid over
      } else if (mode === 'snapshot') {
        const share = nodePre > 0 ? n / nodePre : 0;
        const zs = snapshotZoneStats(machine, zone.nodeId, zone.zoneIdx);
        const fromVm = (a: string, b: string): number => Math.floor(((vm?.[a] ?? 0) + (vm?.[b] ?? 0)) * share);
        want = {
          file: zs ? (zs['nr_zone_inactive_file'] ?? 0) + (zs['nr_zone_active_file'] ?? 0) : fromVm('nr_inactive_file', 'nr_active_file'),
          anon: zs ? (zs['nr_zone_inactive_anon'] ?? 0) + (zs['nr_zone_active_anon'] ?? 0) : fromVm('nr_inactive_anon', 'nr_active_anon'),
          slab: Math.floor((vm?.['nr_slab_reclaimable'] ?? 0) * share),
        };
      } else {
        const c = mode[key];
        want = { file: c?.file ?? 0, anon: c?.anon ?? 0, slab: c?.slab ?? 0 };
      }
      // never more than the zone's pre-allocated pages: file first, then anon, then slab
      want.file = Math.min(want.file, n);
      want.anon = Math.min(want.anon, n - want.file);
      want.slab = Math.min(want.slab, n - want.file - want.anon);
      st.preTraceApplied[key] = want;
      const counts = [want.file, want.anon, want.slab];
      const kinds = [PAGE_KIND_FILE, PAGE_KIND_ANON, PAGE_KIND_SLAB];
      const done = [0, 0, 0];
      const s = zone.zoneStartPfn as number;
      let i = 0;
      for (let p = s; p < s + zone.spannedPages; p++) {
        const idx = p - base;
        if (mm.state[idx] !== PAGE_ALLOC || mm.order[idx] !== 0) continue;
        i++;
        let best = -1;
        let bestDeficit = 0;
        for (let k = 0; k < 3; k++) {
          const deficit = Math.floor((counts[k]! * i) / n) - done[k]!;
          if (deficit > bestDeficit) {
            best = k;
            bestDeficit = deficit;
          }
        }
        const kind = best >= 0 ? kinds[best]! : PAGE_KIND_PRETRACE;
        if (best >= 0) done[best]!++;
        nr.kind[idx] = kind;
        nr.zonePages[zone.zoneIdx * NR_PAGE_KINDS + kind]!++;
        const lru = lruOfKind[kind]!;
        if (lru === LRU_ANON || lru === LRU_FILE) mm.flags[idx] = mm.flags[idx]! | PG_movable_alike;
        if (lru >= 0) listAddTail(nr, lru, p);
      }
      // the deficit rule can only fall behind on its last pages: convert pretrace pages from the top down
      for (let k = 0; k < 3; k++) {
        for (let p = s + zone.spannedPages - 1; p >= s && done[k]! < counts[k]!; p--) {
          const idx = p - base;
          if (nr.kind[idx] !== PAGE_KIND_PRETRACE) continue;
          nr.zonePages[zone.zoneIdx * NR_PAGE_KINDS + PAGE_KIND_PRETRACE]!--;
          nr.kind[idx] = kinds[k]!;
          nr.zonePages[zone.zoneIdx * NR_PAGE_KINDS + kinds[k]!]!++;
          if (kinds[k] !== PAGE_KIND_SLAB) mm.flags[idx] = mm.flags[idx]! | PG_movable_alike;
          listAddTail(nr, lruOfKind[kinds[k]!]!, p);
          done[k]!++;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// reclaiming one block

/** shrink_folio_list() → free_unref_folios() for one isolated block (already off its list) that reclaim frees. */
function reclaimBlock(sys: MmSystem, nr: NodeReclaim, pfn: number, order: number, kind: number, zid: number, sc: ScanControl): void {
  const mm = nr.mm;
  const i = pfn - mm.startPfn;
  const pages = 1 << order;
  nr.kind[i] = PAGE_KIND_NONE;
  mm.flags[i] = mm.flags[i]! & ~PG_movable_alike;
  nr.zonePages[zid * NR_PAGE_KINDS + kind]! -= pages;
  const owner = mm.owner[i]!;
  const tasks = sys.tasks;
  taskAccount(tasks, owner, kind, -pages);
  if (kind === PAGE_KIND_ANON) {
    // add_to_swap(): the folio's contents now live in swap slots charged to its owner (MM_SWAPENTS)
    sys.reclaim.swapUsed += pages;
    if (owner >= 0 && owner < tasks.pid.length) tasks.swapents[owner]! += pages;
  }
  mm.owner[i] = -1;
  sys.hooks.freedBySimulator(pfn, order, sc.why);
  freePages(sys.pa, pfn, order, sc.cpu);
  sys.vmstat[PGFREE]! += pages;
}

/**
 * isolate_lru_folios() + shrink_inactive_list() for one list: look at up to nrToScan eligible pages from the
 * tail; folios in zones above reclaim_idx are skipped (pgskip_<zone>) and put back at the head, as the kernel
 * splices folios_skipped to the list head; every isolated folio is reclaimed (anon only while swap slots
 * last, else it goes back to the head). pgscan counts every page looked at, skipped ones included.
 * Returns the pages reclaimed.
 */
function shrinkInactiveList(sys: MmSystem, nr: NodeReclaim, sc: ScanControl, lru: number, nrToScan: number): number {
  const mm = nr.mm;
  const base = mm.startPfn;
  const node = nr.node;
  const st = sys.reclaim;
  const vm = sys.vmstat;
  let totalScan = 0;
  let scan = 0;
  let taken = 0;
  let reclaimed = 0;
  let maxNrSkipped = 0;
  // each block present at the start is looked at once at most: skipped ones go to the head, behind the rest
  let remaining = nr.nrEntries[lru]!;
  while (scan < nrToScan && remaining-- > 0) {
    const pfn = nr.tail[lru]!;
    if (pfn < 0) break;
    const i = pfn - base;
    const order = mm.order[i]!;
    const pages = 1 << order;
    totalScan += pages;
    const zid = zoneIdxOfPfn(node, pfn);
    if (maxNrSkipped < SWAP_CLUSTER_MAX_SKIPPED && zid > sc.reclaimIdx) {
      vm[PGSKIP_DMA + zid]! += pages;
      maxNrSkipped++;
      listDel(nr, lru, pfn);
      listAddHead(nr, lru, pfn);
      continue;
    }
    scan += pages;
    listDel(nr, lru, pfn);
    taken += pages;
    const kind = nr.kind[i]!;
    if (kind === PAGE_KIND_ANON && st.swapPages - st.swapUsed < pages) {
      // no swap slot left: activate/putback (the folio stays on the list, at the head)
      listAddHead(nr, lru, pfn);
      continue;
    }
    reclaimBlock(sys, nr, pfn, order, kind, zid, sc);
    reclaimed += pages;
  }
  sc.nrScanned += taken;
  vm[sc.kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT]! += totalScan;
  vm[lru === LRU_FILE ? PGSCAN_FILE : PGSCAN_ANON]! += totalScan;
  vm[sc.kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT]! += reclaimed;
  vm[lru === LRU_FILE ? PGSTEAL_FILE : PGSTEAL_ANON]! += reclaimed;
  return reclaimed;
}

/** Pages of a list in zones ≤ reclaim_idx (lruvec_lru_size(lruvec, lru, sc->reclaim_idx)). */
function lruvecLruSize(nr: NodeReclaim, kind: number, reclaimIdx: number): number {
  let size = 0;
  const zones = nr.node.zones;
  for (let z = 0; z <= reclaimIdx && z < zones.length; z++) {
    if (zones[z]!.managedPages === 0) continue;
    size += nr.zonePages[z * NR_PAGE_KINDS + kind]!;
  }
  return size;
}

function nodePages(nr: NodeReclaim, kind: number): number {
  return lruvecLruSize(nr, kind, MAX_NR_ZONES - 1);
}

/**
 * prepare_scan_control(): cache_trim_mode when the node's inactive file list has pages at this priority (and the
 * caller did not turn it off); file_is_tiny when file + free pages are within the node's high watermarks and
 * there is inactive anon to scan at this priority. (may_deactivate is always 0 here: no active lists.)
 */
function prepareScanControl(nr: NodeReclaim, sc: ScanControl): void {
  const file = nodePages(nr, PAGE_KIND_FILE);
  sc.cacheTrimMode = Math.floor(file / 2 ** sc.priority) > 0 && !sc.noCacheTrimMode;
  let totalHigh = 0;
  let free = 0;
  for (const zone of nr.node.zones) {
    free += zone.nrFreePages;
    if (zone.managedPages > 0) totalHigh += zone.watermark[WMARK_HIGH]! + zone.watermarkBoost;
  }
  const anon = nodePages(nr, PAGE_KIND_ANON);
  sc.fileIsTiny = file + free <= totalHigh && Math.floor(anon / 2 ** sc.priority) > 0;
}

const SCAN_EQUAL = 0;
const SCAN_FRACT = 1;
const SCAN_ANON = 2;
const SCAN_FILE = 3;

/** get_scan_count(): how many anon (nr[0]) and file (nr[1]) pages to scan at sc.priority. */
function getScanCount(sys: MmSystem, nr: NodeReclaim, sc: ScanControl, out: Float64Array): void {
  const swappiness = sys.reclaim.swappiness;
  let balance: number;
  if (!sc.maySwap || !canReclaimAnonPages(sys)) balance = SCAN_FILE;
  else if (sc.priority === 0 && swappiness) balance = SCAN_EQUAL;
  else if (sc.fileIsTiny) balance = SCAN_ANON;
  else if (sc.cacheTrimMode) balance = SCAN_FILE;
  else balance = SCAN_FRACT;
  // calculate_pressure_balance() with anon_cost = file_cost = 0 (no refault history): ap = swappiness, fp = 200 − swappiness
  const ap = swappiness;
  const fp = MAX_SWAPPINESS - swappiness;
  for (let lru = LRU_ANON; lru <= LRU_FILE; lru++) {
    const file = lru === LRU_FILE;
    const size = lruvecLruSize(nr, file ? PAGE_KIND_FILE : PAGE_KIND_ANON, sc.reclaimIdx);
    let scan = Math.floor(size / 2 ** sc.priority);
    if (balance === SCAN_FRACT) scan = Math.floor((scan * (file ? fp : ap)) / (ap + fp));
    else if (balance === SCAN_FILE || balance === SCAN_ANON) {
      if ((balance === SCAN_FILE) !== file) scan = 0;
    }
    out[lru] = scan;
  }
}

/**
 * shrink_lruvec(): scan both lists in SWAP_CLUSTER_MAX chunks, round-robin, until the targets are done. Direct
 * reclaim at DEF_PRIORITY does the whole batch (proportional_reclaim); otherwise once nr_to_reclaim is reached
 * the smaller list stops and the other is cut to the same share of its target (kswapd), or the loop ends when
 * one list was not being scanned at all.
 */
function shrinkLruvec(sys: MmSystem, nr: NodeReclaim, sc: ScanControl): void {
  const cnt = scratchNr;
  const targets = scratchTargets;
  getScanCount(sys, nr, sc, cnt);
  targets[0] = cnt[0]!;
  targets[1] = cnt[1]!;
  const proportional = !sc.kswapd && sc.priority === DEF_PRIORITY;
  let nrReclaimed = 0;
  const nrToReclaim = sc.nrToReclaim;
  while (cnt[LRU_ANON]! > 0 || cnt[LRU_FILE]! > 0) {
    for (let lru = LRU_ANON; lru <= LRU_FILE; lru++) {
      if (cnt[lru]! > 0) {
        const n = Math.min(cnt[lru]!, SWAP_CLUSTER_MAX);
        cnt[lru] = cnt[lru]! - n;
        nrReclaimed += shrinkInactiveList(sys, nr, sc, lru, n);
      }
    }
    if (nrReclaimed < nrToReclaim || proportional) continue;
    const nrFile = cnt[LRU_FILE]!;
    const nrAnon = cnt[LRU_ANON]!;
    if (!nrFile || !nrAnon) break;
    let lru: number;
    let percentage: number;
    if (nrFile > nrAnon) {
      lru = LRU_ANON;
      percentage = Math.floor((nrAnon * 100) / (targets[LRU_ANON]! + 1));
    } else {
      lru = LRU_FILE;
      percentage = Math.floor((nrFile * 100) / (targets[LRU_FILE]! + 1));
    }
    cnt[lru] = 0;
    const other = lru === LRU_FILE ? LRU_ANON : LRU_FILE;
    const scanned = targets[other]! - cnt[other]!;
    let v = Math.floor((targets[other]! * (100 - percentage)) / 100);
    v -= Math.min(v, scanned);
    cnt[other] = v;
  }
  sc.nrReclaimed += nrReclaimed;
}
const scratchNr = new Float64Array(2);
const scratchTargets = new Float64Array(2);

/**
 * shrink_slab() for the node's slab-reclaimable pool: do_shrink_slab()'s target (freeable >> priority) × 4 /
 * DEFAULT_SEEKS, capped at 2 × freeable, worked in SHRINK_BATCH chunks while a whole batch (or all freeable
 * objects) is left; the oldest slab blocks are freed. Returns the pages freed.
 */
function shrinkSlab(sys: MmSystem, nr: NodeReclaim, sc: ScanControl): number {
  const freeable = nr.nrEntries[LRU_SLAB]! > 0 ? nodePages(nr, PAGE_KIND_SLAB) : 0;
  if (freeable === 0) return 0;
  let totalScan = Math.floor((Math.floor(freeable / 2 ** sc.priority) * 4) / DEFAULT_SEEKS);
  totalScan = Math.min(totalScan, 2 * freeable);
  let toFree = 0;
  while (totalScan >= SHRINK_BATCH || totalScan >= freeable) {
    const n = Math.min(SHRINK_BATCH, totalScan);
    if (n === 0) break;
    toFree += n;
    totalScan -= n;
  }
  let freed = 0;
  const mm = nr.mm;
  while (freed < toFree) {
    const pfn = nr.tail[LRU_SLAB]!;
    if (pfn < 0) break;
    const order = mm.order[pfn - mm.startPfn]!;
    listDel(nr, LRU_SLAB, pfn);
    reclaimBlock(sys, nr, pfn, order, PAGE_KIND_SLAB, zoneIdxOfPfn(nr.node, pfn), sc);
    freed += 1 << order;
  }
  return freed;
}

/** gfp_compaction_allowed(): CONFIG_COMPACTION and __GFP_IO */
function gfpCompactionAllowed(sys: MmSystem, gfpMask: number): boolean {
  return (gfpMask & sys.reclaim.bits.__GFP_IO) !== 0;
}

/** compaction_ready(): a costly-order reclaimer stops when compaction can go ahead (or the request would already succeed). */
function compactionReady(sys: MmSystem, zone: Zone, sc: ScanControl): boolean {
  if (!gfpCompactionAllowed(sys, sc.gfpMask)) return false;
  if (zoneWatermarkOk(zone, sc.order, zone.watermark[WMARK_MIN]! + zone.watermarkBoost, sc.reclaimIdx, 0, zone.nrFreePages)) return true;
  return compactionSuitable(sys, zone, sc.order, sc.reclaimIdx, zone.watermark[WMARK_HIGH]! + zone.watermarkBoost);
}

/**
 * should_continue_reclaim(): in reclaim/compaction mode (order > 0 and costly or priority < 10) keep shrinking
 * the node while the last pass freed something, no eligible zone could already allocate or compact, and the
 * inactive lists hold more than compact_gap(order) pages.
 */
function shouldContinueReclaim(sys: MmSystem, nr: NodeReclaim, nrReclaimed: number, sc: ScanControl): boolean {
  if (!(gfpCompactionAllowed(sys, sc.gfpMask) && sc.order && (sc.order > PAGE_ALLOC_COSTLY_ORDER || sc.priority < DEF_PRIORITY - 2))) return false;
  if (!nrReclaimed) return false;
  const zones = nr.node.zones;
  for (let z = 0; z <= sc.reclaimIdx && z < zones.length; z++) {
    const zone = zones[z]!;
    if (zone.managedPages === 0) continue;
    const wm = zone.watermark[WMARK_MIN]! + zone.watermarkBoost;
    if (zoneWatermarkOk(zone, sc.order, wm, sc.reclaimIdx, 0, zone.nrFreePages)) return false;
    if (compactionSuitable(sys, zone, sc.order, sc.reclaimIdx, wm)) return false;
  }
  let inactive = nodePages(nr, PAGE_KIND_FILE);
  if (canReclaimAnonPages(sys)) inactive += nodePages(nr, PAGE_KIND_ANON);
  return inactive > compactGap(sc.order);
}

/**
 * shrink_node(): shrink the node's lruvec and its slab pool, again while should_continue_reclaim(); any progress
 * resets the node's kswapd_failures (a successful direct reclaim revives a dormant kswapd).
 */
function shrinkNode(sys: MmSystem, nr: NodeReclaim, sc: ScanControl): void {
  let reclaimable = false;
  for (;;) {
    const before = sc.nrReclaimed;
    prepareScanControl(nr, sc);
    shrinkLruvec(sys, nr, sc);
    if (sc.gfpMask & sys.reclaim.bits.__GFP_FS) sc.nrReclaimed += shrinkSlab(sys, nr, sc);
    const nodeReclaimed = sc.nrReclaimed - before;
    if (nodeReclaimed) reclaimable = true;
    if (!shouldContinueReclaim(sys, nr, nodeReclaimed, sc)) break;
  }
  if (reclaimable) nr.kswapdFailures = 0;
  else if (sc.cacheTrimMode) sc.cacheTrimModeFailed = true;
}

/**
 * shrink_zones(): each node of the zonelist (zones ≤ reclaim_idx, in the nodemask) is shrunk once; for costly
 * orders a zone where compaction is ready sets sc->compaction_ready and is skipped.
 */
function shrinkZones(sys: MmSystem, zonelist: readonly Zone[], nodemask: number, sc: ScanControl): void {
  let lastNode = -1;
  for (let zi = nextZonesZonelist(zonelist, 0, sc.reclaimIdx, nodemask); zi >= 0; zi = nextZonesZonelist(zonelist, zi + 1, sc.reclaimIdx, nodemask)) {
    const zone = zonelist[zi]!;
    if (sc.order > PAGE_ALLOC_COSTLY_ORDER && compactionReady(sys, zone, sc)) {
      sc.compactionReady = true;
      continue;
    }
    if (zone.nodeId === lastNode) continue;
    lastNode = zone.nodeId;
    shrinkNode(sys, sys.reclaim.nodes[zone.nodeId]!, sc);
  }
}

/**
 * allow_direct_reclaim(): a hopeless node never throttles; else the free pages of its zones ≤ Normal (those
 * with reclaimable pages, or with no free pages) must exceed half their min watermarks. When they do not and
 * kswapd is asleep, kswapd is woken for zones ≤ Normal.
 */
function allowDirectReclaim(sys: MmSystem, nr: NodeReclaim): boolean {
  if (nr.kswapdFailures >= MAX_RECLAIM_RETRIES) return true;
  let reserve = 0;
  let free = 0;
  const zones = nr.node.zones;
  for (let z = 0; z <= ZONE_NORMAL && z < zones.length; z++) {
    const zone = zones[z]!;
    if (zone.managedPages === 0) continue;
    if (!zoneReclaimablePages(sys, zone) && zone.nrFreePages) continue;
    reserve += zone.watermark[WMARK_MIN]! + zone.watermarkBoost;
    free += zone.nrFreePages;
  }
  if (!reserve) return true;
  const ok = free > Math.floor(reserve / 2);
  if (!ok && nr.kswapdState !== KSWAPD_RUNNING) {
    if (nr.kswapdHighestZoneidx > ZONE_NORMAL) nr.kswapdHighestZoneidx = ZONE_NORMAL;
    wakeKswapdThread(sys, nr);
  }
  if (!ok && sys.pa.steps.enabled) sys.pa.steps.push(STEP_THROTTLE_DIRECT, zones[0] ?? null, free, reserve, 0, 0, 0, nr.nodeId);
  return ok;
}

/** throttle_direct_reclaim(): checks the first node with a zone ≤ Normal in the zonelist; counts pgscan_direct_throttle (no wait: see header). */
function throttleDirectReclaim(sys: MmSystem, gfpMask: number, ac: AllocContext): void {
  const zl = ac.zonelist;
  const hz = gfpZone(gfpMask, sys.pa.era);
  for (let zi = nextZonesZonelist(zl, 0, hz, ac.nodemask); zi >= 0; zi = nextZonesZonelist(zl, zi + 1, hz, ac.nodemask)) {
    const zone = zl[zi]!;
    if (zone.zoneIdx > ZONE_NORMAL) continue;
    if (!allowDirectReclaim(sys, sys.reclaim.nodes[zone.nodeId]!)) sys.vmstat[PGSCAN_DIRECT_THROTTLE]!++;
    return;
  }
}

/**
 * try_to_free_pages() → do_try_to_free_pages(): direct reclaim for an allocation. scan_control: nr_to_reclaim
 * SWAP_CLUSTER_MAX, reclaim_idx gfp_zone(gfp), priority DEF_PRIORITY down to 0, may_swap. allocstall_<zone of
 * reclaim_idx> counts every pass through do_try_to_free_pages(), including its memcg_full_walk retry (taken
 * once when nothing was reclaimed), so a fruitless call counts 2. Returns the pages reclaimed, 1 if it stopped
 * early because compaction is ready (costly orders), or 0.
 */
export function tryToFreePages(sys: MmSystem, ac: AllocContext, order: number, gfpMask: number): number {
  const sc = sys.reclaim.directSc;
  sc.nrToReclaim = SWAP_CLUSTER_MAX;
  sc.gfpMask = gfpMask;
  sc.reclaimIdx = gfpZone(gfpMask, sys.pa.era);
  sc.order = order;
  sc.priority = DEF_PRIORITY;
  sc.maySwap = true;
  sc.nrScanned = 0;
  sc.nrReclaimed = 0;
  sc.compactionReady = false;
  sc.cacheTrimMode = false;
  sc.cacheTrimModeFailed = false;
  sc.noCacheTrimMode = false;
  sc.fileIsTiny = false;
  sc.memcgFullWalk = false;
  sc.cpu = sys.pa.cpu;
  throttleDirectReclaim(sys, gfpMask, ac);
  let totalScanned = 0;
  let aux = 0;
  let ret: number;
  for (;;) {
    // retry:
    sys.vmstat[ALLOCSTALL_DMA + sc.reclaimIdx]!++;
    do {
      sc.nrScanned = 0;
      shrinkZones(sys, ac.zonelist, ac.nodemask, sc);
      totalScanned += sc.nrScanned;
      if (sc.nrReclaimed >= sc.nrToReclaim) break;
      if (sc.compactionReady) break;
    } while (--sc.priority >= 0);
    if (sc.nrReclaimed) {
      ret = sc.nrReclaimed;
      break;
    }
    if (sc.compactionReady) {
      aux |= RECLAIM_AUX_COMPACTION_READY;
      ret = 1;
      break;
    }
    if (!sc.memcgFullWalk) {
      // partial cgroup walks may miss memory: one more full pass before giving up (6.12+)
      sc.priority = DEF_PRIORITY;
      sc.memcgFullWalk = true;
      aux |= RECLAIM_AUX_FULL_WALK_RETRY;
      continue;
    }
    ret = 0;
    break;
  }
  if (sys.pa.steps.enabled) sys.pa.steps.push(STEP_TRY_TO_FREE_PAGES, null, totalScanned, sc.priority, 0, ret, gfpMask, aux);
  return ret;
}

// ---------------------------------------------------------------------------------------------------------------
// kswapd

/**
 * pgdat_balanced(): some managed zone ≤ highest_zoneidx meets its high watermark (with boost) for the order
 * (__zone_watermark_ok with alloc_flags 0; NR_FREE_PAGES_BLOCKS in defrag_mode for order > 0). A node with no
 * managed zone in range is balanced.
 */
export function pgdatBalanced(sys: MmSystem, nodeId: number, order: number, highestZoneidx: number): boolean {
  const zones = sys.machine.nodes[nodeId]!.zones;
  const defragMode = sys.policy.hasDefragMode && sys.machine.sysctl.defrag_mode !== 0;
  let any = false;
  for (let z = 0; z <= highestZoneidx && z < zones.length; z++) {
    const zone = zones[z]!;
    if (zone.managedPages === 0) continue;
    any = true;
    const mark = zone.watermark[WMARK_HIGH]! + zone.watermarkBoost;
    const free = defragMode && order ? zone.freeArea.nrFreePagesBlocks : zone.nrFreePages;
    if (zoneWatermarkOk(zone, order, mark, highestZoneidx, 0, free)) return true;
  }
  return !any;
}

/** pgdat_watermark_boosted(): a managed zone ≤ highest_zoneidx has a watermark boost */
function pgdatWatermarkBoosted(nr: NodeReclaim, highestZoneidx: number): boolean {
  const zones = nr.node.zones;
  for (let z = Math.min(highestZoneidx, zones.length - 1); z >= 0; z--) {
    const zone = zones[z]!;
    if (zone.managedPages > 0 && zone.watermarkBoost) return true;
  }
  return false;
}

/** prepare_kswapd_sleep(): a hopeless node (kswapd_failures ≥ 16) or a balanced one lets kswapd sleep. */
function prepareKswapdSleep(sys: MmSystem, nr: NodeReclaim, order: number, highestZoneidx: number): boolean {
  if (nr.kswapdFailures >= MAX_RECLAIM_RETRIES) return true;
  return pgdatBalanced(sys, nr.nodeId, order, highestZoneidx);
}

/** kswapd_highest_zoneidx(): the recorded index, or the previous one when unset (MAX_NR_ZONES) */
function kswapdHighestZoneidx(nr: NodeReclaim, prev: number): number {
  return nr.kswapdHighestZoneidx === MAX_NR_ZONES ? prev : nr.kswapdHighestZoneidx;
}

function setReclaimActive(nr: NodeReclaim, highestZoneidx: number, active: boolean): void {
  const zones = nr.node.zones;
  for (let z = 0; z <= highestZoneidx && z < zones.length; z++) {
    const zone = zones[z]!;
    if (zone.managedPages === 0) continue;
    zone.flags = active ? (zone.flags ?? 0) | ZONE_RECLAIM_ACTIVE : (zone.flags ?? 0) & ~ZONE_RECLAIM_ACTIVE;
  }
}

/** kswapd() after a wakeup: read and reset the request, enter balance_pgdat() (pageoutrun, boost accounting). */
function startBalance(sys: MmSystem, nr: NodeReclaim, atNs: number): void {
  nr.allocOrder = nr.kswapdOrder;
  nr.highestZoneidx = kswapdHighestZoneidx(nr, nr.highestZoneidx);
  nr.kswapdOrder = 0;
  nr.kswapdHighestZoneidx = MAX_NR_ZONES;
  nr.kswapdState = KSWAPD_RUNNING;
  nr.node.kswapdRunning = true;
  nr.busyUntilNs = Math.max(nr.busyUntilNs, atNs);
  balancePgdatEnter(sys, nr, nr.allocOrder, nr.highestZoneidx);
}

/** balance_pgdat() entry: count the run, remember the boosts, restart at DEF_PRIORITY. */
function balancePgdatEnter(sys: MmSystem, nr: NodeReclaim, order: number, highestZoneidx: number): void {
  const sc = nr.sc;
  sc.gfpMask = gfpBit('GFP_KERNEL', sys.pa.era);
  sc.order = order;
  sc.nrReclaimed = 0;
  sc.nrScanned = 0;
  sc.noCacheTrimMode = false;
  sc.cacheTrimModeFailed = false;
  sc.compactionReady = false;
  sc.cpu = firstCpuOfNode(sys, nr.nodeId);
  sys.vmstat[PAGEOUTRUN]!++;
  // the zone boost is left in place so that allocations near the watermark stall until kswapd is done
  nr.nrBoostReclaim = 0;
  nr.zoneBoosts.fill(0);
  const zones = nr.node.zones;
  for (let z = 0; z <= highestZoneidx && z < zones.length; z++) {
    const zone = zones[z]!;
    if (zone.managedPages === 0) continue;
    nr.nrBoostReclaim += zone.watermarkBoost;
    nr.zoneBoosts[z] = zone.watermarkBoost;
  }
  nr.boosted = nr.nrBoostReclaim > 0;
  setReclaimActive(nr, highestZoneidx, true);
  sc.priority = DEF_PRIORITY;
}

function firstCpuOfNode(sys: MmSystem, nodeId: number): number {
  const n = sys.machine.nodes.length;
  let cpu = 0;
  for (let i = 0; i < nodeId; i++) cpu += Math.floor(sys.machine.nrCpus / n) + (i < sys.machine.nrCpus % n ? 1 : 0);
  return cpu;
}

/**
 * kswapd_shrink_node(): nr_to_reclaim = Σ max(high_wmark, SWAP_CLUSTER_MAX) over managed zones ≤ reclaim_idx,
 * shrink the node, drop to order 0 once compact_gap(order) pages were reclaimed in this run; true when enough
 * was scanned (or reclaimed) that the priority need not rise.
 */
function kswapdShrinkNode(sys: MmSystem, nr: NodeReclaim, sc: ScanControl): boolean {
  const before = sc.nrReclaimed;
  sc.nrToReclaim = 0;
  const zones = nr.node.zones;
  for (let z = 0; z <= sc.reclaimIdx && z < zones.length; z++) {
    const zone = zones[z]!;
    if (zone.managedPages === 0) continue;
    sc.nrToReclaim += Math.max(zone.watermark[WMARK_HIGH]! + zone.watermarkBoost, SWAP_CLUSTER_MAX);
  }
  shrinkNode(sys, nr, sc);
  if (sc.order && sc.nrReclaimed >= compactGap(sc.order)) sc.order = 0;
  return Math.max(sc.nrScanned, sc.nrReclaimed - before) >= sc.nrToReclaim;
}

/**
 * One pass of balance_pgdat()'s priority loop. Returns true when balance_pgdat() is finished (then
 * balancePgdatOut() has run and nr.reclaimOrder holds its return value).
 */
function balancePgdatStep(sys: MmSystem, nr: NodeReclaim): boolean {
  const sc = nr.sc;
  const highest = nr.highestZoneidx;
  const reclaimedBefore = sc.nrReclaimed;
  let raisePriority = true;
  sc.reclaimIdx = highest;
  const balanced = pgdatBalanced(sys, nr.nodeId, sc.order, highest);
  if (!balanced && nr.nrBoostReclaim) {
    // imbalanced: forget the boost, reclaim for the watermarks proper (restart:)
    nr.nrBoostReclaim = 0;
    setReclaimActive(nr, highest, true);
    sc.priority = DEF_PRIORITY;
    return false;
  }
  if (!nr.nrBoostReclaim && balanced) {
    balancePgdatOut(sys, nr);
    return true;
  }
  if (nr.nrBoostReclaim && sc.priority === DEF_PRIORITY - 2) raisePriority = false;
  // boosted reclaim neither writes back nor swaps
  sc.maySwap = !nr.nrBoostReclaim;
  sc.nrScanned = 0;
  if (kswapdShrinkNode(sys, nr, sc)) raisePriority = false;
  const reclaimed = sc.nrReclaimed - reclaimedBefore;
  if (sys.reclaim.opts.kswapdPagesPerSecond > 0) nr.busyUntilNs += (reclaimed * 1e9) / sys.reclaim.opts.kswapdPagesPerSecond;
  nr.nrBoostReclaim -= Math.min(nr.nrBoostReclaim, reclaimed);
  let endLoop = false;
  // no progress on a boost: stop, IO cannot be queued
  if (nr.nrBoostReclaim && !reclaimed) endLoop = true;
  else if (raisePriority || !reclaimed) {
    sc.priority--;
    if (sc.priority < 1) endLoop = true;
  }
  if (!endLoop) return false;
  // the whole priority loop without progress while cache_trim_mode kept anon out: once more without it (6.12+)
  if (!sc.nrReclaimed && sc.priority < 1 && !sc.noCacheTrimMode && sc.cacheTrimModeFailed) {
    sc.noCacheTrimMode = true;
    setReclaimActive(nr, highest, true);
    sc.priority = DEF_PRIORITY;
    return false;
  }
  if (!sc.nrReclaimed) nr.kswapdFailures++;
  balancePgdatOut(sys, nr);
  return true;
}

/** balance_pgdat()'s out: label: clear reclaim-active, take the remembered boosts off, wake kcompactd after boosted reclaim. */
function balancePgdatOut(sys: MmSystem, nr: NodeReclaim): void {
  const highest = nr.highestZoneidx;
  setReclaimActive(nr, highest, false);
  if (nr.boosted) {
    const zones = nr.node.zones;
    for (let z = 0; z <= highest && z < zones.length; z++) {
      const b = nr.zoneBoosts[z]!;
      if (!b) continue;
      const zone = zones[z]!;
      zone.watermarkBoost -= Math.min(zone.watermarkBoost, b);
    }
    // as there is now likely space, wake kcompactd to defragment pageblocks
    sys.reclaim.wakeupKcompactd(sys, nr.nodeId, pageblock_order, highest);
  }
  nr.reclaimOrder = nr.sc.order;
}

/**
 * kswapd()'s loop after balance_pgdat() returned, into kswapd_try_to_sleep(): if the node may sleep, wake
 * kcompactd for alloc_order and sleep HZ/10 (KSWAPD_SHORT_SLEEP); else count kswapd_high_wmark_hit_quickly
 * and balance again at once.
 */
function kswapdTryToSleep(sys: MmSystem, nr: NodeReclaim): void {
  if (nr.reclaimOrder >= nr.allocOrder) {
    // loop top: alloc_order = reclaim_order = kswapd_order; highest_zoneidx = kswapd_highest_zoneidx(prev)
    nr.allocOrder = nr.reclaimOrder = nr.kswapdOrder;
    nr.highestZoneidx = kswapdHighestZoneidx(nr, nr.highestZoneidx);
  }
  if (prepareKswapdSleep(sys, nr, nr.reclaimOrder, nr.highestZoneidx)) {
    sys.reclaim.wakeupKcompactd(sys, nr.nodeId, nr.allocOrder, nr.highestZoneidx);
    nr.kswapdState = KSWAPD_SHORT_SLEEP;
    nr.node.kswapdRunning = false;
    nr.shortSleepUntilNs = nr.busyUntilNs + KSWAPD_SHORT_SLEEP_NS;
    return;
  }
  sys.vmstat[KSWAPD_HIGH_WMARK_HIT_QUICKLY]!++;
  startBalance(sys, nr, nr.busyUntilNs);
}

/** The kswapd state of a node, for reports and tests. */
export function kswapdState(sys: MmSystem, nodeId: number): { state: string; order: number; highestZoneidx: number; failures: number; busyUntilNs: number } {
  const nr = sys.reclaim.nodes[nodeId]!;
  return { state: kswapdStateNames[nr.kswapdState]!, order: nr.kswapdOrder, highestZoneidx: nr.kswapdHighestZoneidx, failures: nr.kswapdFailures, busyUntilNs: nr.busyUntilNs };
}

/** wake_up_interruptible(&pgdat->kswapd_wait) on a waiting kswapd */
function wakeKswapdThread(sys: MmSystem, nr: NodeReclaim): void {
  if (nr.kswapdState === KSWAPD_RUNNING) return;
  if (nr.kswapdState === KSWAPD_SHORT_SLEEP) {
    // woken during the short sleep (remaining != 0): keep the request, the node became unbalanced quickly
    nr.kswapdHighestZoneidx = kswapdHighestZoneidx(nr, nr.highestZoneidx);
    if (nr.kswapdOrder < nr.reclaimOrder) nr.kswapdOrder = nr.reclaimOrder;
    sys.vmstat[KSWAPD_LOW_WMARK_HIT_QUICKLY]!++;
  }
  sys.vmstat[MMREPLAY_KSWAPD_WAKEUPS]!++;
  startBalance(sys, nr, sys.nowNs);
}

/**
 * wakeup_kswapd(): for a managed zone, raise the node's kswapd_order / kswapd_highest_zoneidx request; if kswapd
 * is waiting, wake it unless the node is hopeless (kswapd_failures ≥ MAX_RECLAIM_RETRIES) or balanced with no
 * boost — then a caller that cannot direct-reclaim wakes kcompactd instead (fragmented but not short of memory).
 * cpusets are not modelled. Counts mmreplay_kswapd_wakeups when kswapd is woken.
 */
export function wakeupKswapd(sys: MmSystem, zone: Zone, gfpMask: number, order: number, highestZoneidx: number): void {
  if (zone.managedPages === 0) return;
  const nr = sys.reclaim.nodes[zone.nodeId]!;
  const curr = nr.kswapdHighestZoneidx;
  if (curr === MAX_NR_ZONES || curr < highestZoneidx) nr.kswapdHighestZoneidx = highestZoneidx;
  if (nr.kswapdOrder < order) nr.kswapdOrder = order;
  const steps = sys.pa.steps;
  if (nr.kswapdState === KSWAPD_RUNNING) {
    if (steps.enabled) steps.push(STEP_WAKEUP_KSWAPD, zone, zone.nrFreePages, 0, 0, 0, gfpMask, order);
    return;
  }
  if (nr.kswapdFailures >= MAX_RECLAIM_RETRIES || (pgdatBalanced(sys, zone.nodeId, order, highestZoneidx) && !pgdatWatermarkBoosted(nr, highestZoneidx))) {
    // (4.17+, Policy.kswapdWakesKcompactd; before, wakeup_kswapd() just returned)
    if (sys.policy.kswapdWakesKcompactd && !(gfpMask & sys.reclaim.bits.__GFP_DIRECT_RECLAIM)) sys.reclaim.wakeupKcompactd(sys, zone.nodeId, order, highestZoneidx);
    if (steps.enabled) steps.push(STEP_WAKEUP_KSWAPD, zone, zone.nrFreePages, 0, 0, 0, gfpMask, order);
    return;
  }
  if (steps.enabled) steps.push(STEP_WAKEUP_KSWAPD, zone, zone.nrFreePages, 0, 0, 1, gfpMask, order);
  wakeKswapdThread(sys, nr);
}

/**
 * Run every node's kswapd up to simulated time untilNs: balance_pgdat() passes while kswapd is busy before
 * untilNs (each pass costs its reclaimed pages / kswapdPagesPerSecond), then kswapd_try_to_sleep(): the short
 * sleep, and after it either the full sleep (node still balanced) or kswapd_high_wmark_hit_quickly and more
 * balancing. The engine calls this as time advances; kswapd's frees are reported with FREED_BY_KSWAPD.
 */
export function kswapdRun(sys: MmSystem, untilNs: number): void {
  // an index loop: for-of keeps an iterator and its close-on-exit frame, on every request
  const nodes = sys.reclaim.nodes;
  for (let nid = 0; nid < nodes.length; nid++) {
    const nr = nodes[nid]!;
    for (;;) {
      if (nr.kswapdState === KSWAPD_SLEEPING) break;
      if (nr.kswapdState === KSWAPD_SHORT_SLEEP) {
        if (nr.shortSleepUntilNs > untilNs) break;
        nr.busyUntilNs = nr.shortSleepUntilNs;
        if (prepareKswapdSleep(sys, nr, nr.reclaimOrder, nr.highestZoneidx)) {
          nr.kswapdState = KSWAPD_SLEEPING;
          break;
        }
        sys.vmstat[KSWAPD_HIGH_WMARK_HIT_QUICKLY]!++;
        startBalance(sys, nr, nr.busyUntilNs);
        continue;
      }
      if (nr.busyUntilNs > untilNs) break;
      if (balancePgdatStep(sys, nr)) kswapdTryToSleep(sys, nr);
    }
  }
}
