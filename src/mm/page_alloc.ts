/**
 * The allocation fast path and the free entry point: mirrors mm/page_alloc.c @ v6.18
 * __zone_watermark_unusable_free(), __zone_watermark_ok(), zone_watermark_ok(), zone_watermark_fast(),
 * alloc_flags_nofragment(), prepare_alloc_pages(), get_page_from_freelist(), rmqueue(), rmqueue_buddy(),
 * the first attempt of __alloc_frozen_pages_noprof() (__alloc_pages() before 6.15), and
 * __free_frozen_pages() / free_one_page() / split_large_buddy() (free_unref_page() before 6.15).
 *
 * The slow path (__alloc_pages_slowpath) is the next module: allocPagesFast() returns -1 and leaves the
 * AllocContext in `out.ac` for it; getPageFromFreelist() is shared with it.
 *
 * Not modelled, on purpose:
 *  - cpusets (cpusets_enabled() is false: no cgroup data in a trace), so ALLOC_CPUSET never filters a zone;
 *  - dirty-page spreading for __GFP_WRITE (node_dirty_ok() needs dirty-page accounting we do not keep): every
 *    node counts as within its dirty limit, which only matters on NUMA;
 *  - node_reclaim(): vm.zone_reclaim_mode defaults to 0, and with it off the kernel just moves to the next zone,
 *    which is what we do; a trace that relies on it shows mm_vmscan_node_reclaim_begin events;
 *  - deferred struct-page init growth and unaccepted memory (early boot / confidential VMs);
 *  - should_fail_alloc_page() fault injection, gfp_allowed_mask (boot only), current_gfp_context() task scopes
 *    (PF_MEMALLOC_NOIO/NOFS/PIN are not in a trace), memcg charging.
 */
import type { Policy } from '../policy/policy.js';
import { v6_18 } from '../policy/v6.18.js';
import type { PglistData, Sysctl, Zone } from './mmzone.js';
import * as mmzoneModule from './mmzone.js';
import { createAllocContext } from './internal.js';
import * as internalModule from './internal.js';
import type { AllocContext } from './internal.js';
import { pcpStats } from './pcp.js';
import * as pcpModule from './pcp.js';
import type { BuddyOps } from './pcp.js';
import * as gfpModule from './gfp.js';
import { FPI_NONE, RMQUEUE_NORMAL, buddyStats, freeOnePage as buddyFreeOnePage, reserveHighatomicPageblock, rmqueueBlock, rmqueueSmallest } from './buddy.js';
import * as memmapModule from './memmap.js';

// hot-path imports copied into module consts (README "Hot-path imports": V8 reads an import through its cell)
const { MAX_NR_ZONES, MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, MIGRATE_UNMOVABLE, MIGRATE_TYPES, WMARK_HIGH, WMARK_LOW, WMARK_MIN, ZONE_DMA32, ZONE_NORMAL, pageblock_order } = mmzoneModule;
const { ALLOC_CMA, ALLOC_FAIR, ALLOC_HARDER, ALLOC_HIGH, ALLOC_HIGHATOMIC, ALLOC_KSWAPD, ALLOC_MIN_RESERVE, ALLOC_NOFRAGMENT, ALLOC_NON_BLOCK, ALLOC_NO_WATERMARKS, ALLOC_OOM, ALLOC_RESERVES, ALLOC_WMARK_LOW, ALLOC_WMARK_MASK, ZONE_BELOW_HIGH, ZONE_BOOSTED_WATERMARK } = internalModule;
const { FALLBACK_NONE, FALLBACK_CLAIM, FALLBACK_STEAL, freeFrozenPageCommit, initZonePcp, pcpAllowedOrder, pcpFreeMigratetype, rmqueuePcplist } = pcpModule;
const { gfpBit, gfpCacheSlot, gfpMigratetype, gfpZone, gfpZoneBad } = gfpModule;
const { getPageblockMigratetype } = memmapModule;

/** The real buddy allocator (buddy.ts) as the fast path calls it; tests may pass a stand-in. */
export const buddyOps: BuddyOps = {
  rmqueueSmallest,
  rmqueueBlock,
  lastMode: () => buddyStats.mode,
  lastFallback: () => (buddyStats.stole ? FALLBACK_STEAL : buddyStats.claimed ? FALLBACK_CLAIM : FALLBACK_NONE),
  freeOnePage: buddyFreeOnePage,
  getPageblockMigratetype,
  reserveHighatomicPageblock,
};

/** The gfp bits the fast path tests, resolved once per policy (no gfp bit values are hardcoded here). */
export interface GfpBits {
  __GFP_KSWAPD_RECLAIM: number;
  __GFP_THISNODE: number;
  __GFP_WRITE: number;
}

export function resolveGfpBits(era: string): GfpBits {
  return {
    __GFP_KSWAPD_RECLAIM: gfpBit('__GFP_KSWAPD_RECLAIM', era),
    __GFP_THISNODE: gfpBit('__GFP_THISNODE', era),
    __GFP_WRITE: gfpBit('__GFP_WRITE', era),
  };
}

const GFP_CACHE_BITS = 6;
const GFP_CACHE_SIZE = 1 << GFP_CACHE_BITS;

/** gfp_zone() | gfp_migratetype() << 4 | GFP_ZONE_BAD << 8 for `mask`, through the cache. */
function gfpDecode(pa: PageAlloc, mask: number): number {
  const slot = gfpCacheSlot(mask, GFP_CACHE_BITS);
  if (pa.gfpCacheKey[slot] === mask) return pa.gfpCacheVal[slot]!;
  // gfp_migratetype() numbers types as that kernel does (MOVABLE 2 on v4.0): translate to the simulator's slots
  const v = gfpZone(mask, pa.era) | (pa.mtFromKernel[gfpMigratetype(mask, pa.era)]! << 4) | (gfpZoneBad(mask) ? 1 << 8 : 0);
  pa.gfpCacheKey[slot] = mask;
  pa.gfpCacheVal[slot] = v;
  return v;
}

/** What the allocator needs of the simulated machine (machine.ts's Machine has these fields). */
export interface AllocMachine {
  nodes: PglistData[];
  sysctl: Sysctl;
  nrCpus: number;
  policy: Policy;
}

// ---- decision steps: a reusable recorder, free when disabled (style.md §2) ----

/** a zone's watermark check: free, mark, reserve (lowmem_reserve[highest_zoneidx]), result 0/1 */
export const STEP_WMARK = 1;
/** the ZONE_BELOW_HIGH detection check against the high watermark (6.7+): same fields */
export const STEP_WMARK_HIGH = 2;
/** zone skipped: its node's kswapd is running (NUMA, first pass only) */
export const STEP_SKIP_KSWAPD = 3;
/** walk restarted without ALLOC_NOFRAGMENT (aux 1 = reached a remote node, 0 = whole walk failed) */
export const STEP_NOFRAGMENT_RETRY = 4;
/** watermark failed but ALLOC_NO_WATERMARKS: zone used anyway */
export const STEP_NO_WATERMARKS = 5;
/**
 * rmqueue(): aux = source (SRC_*), result = pfn or -1, free = blocks the pcp refill took, mark = the fallback
 * __rmqueue used (FALLBACK_NONE / FALLBACK_CLAIM / FALLBACK_STEAL; for a refill the strongest of the batch)
 */
export const STEP_RMQUEUE = 6;
/** rmqueue() found ZONE_BOOSTED_WATERMARK with ALLOC_KSWAPD: wakeup_kswapd(zone, 0, 0, zone_idx) due */
export const STEP_BOOST_WAKE = 7;
/** walk restarted after skipping kswapd-busy nodes */
export const STEP_KSWAPD_RETRY = 8;

/** v4.0 fair zone policy: zone skipped, its NR_ALLOC_BATCH is used up (ZONE_FAIR_DEPLETED); free = the batch */
export const STEP_FAIR_SKIP = 9;
/** v4.0 fair zone policy: walk repeated without ALLOC_FAIR (aux 1 = the local batches were reset first) */
export const STEP_FAIR_RETRY = 10;

export const stepNames: readonly string[] = ['', 'wmark', 'wmark_high', 'skip_kswapd', 'nofragment_retry', 'no_watermarks', 'rmqueue', 'boost_wake', 'kswapd_retry', 'fair_skip', 'fair_retry'];

/** where rmqueue() found the page */
const SRC_NONE = 0;
const SRC_PCP = 1;
export const SRC_PCP_REFILL = 2;
export const SRC_BUDDY = 3;
export const SRC_HIGHATOMIC = 4;
export const srcNames: readonly string[] = ['none', 'pcp', 'pcp_refill', 'buddy', 'highatomic'];

/**
 * Fixed-size columns of small step records, reset per request. Callers test `enabled` before push(), so a
 * disabled recorder costs one branch per step and allocates nothing.
 */
export class AllocSteps {
  enabled = false;
  n = 0;
  /** steps that did not fit (the walk is bounded by zones × restarts, so this stays 0 in practice) */
  dropped = 0;
  readonly cap: number;
  readonly kind: Uint8Array;
  readonly nid: Int16Array;
  readonly zid: Int8Array;
  readonly free: Float64Array;
  readonly mark: Float64Array;
  readonly reserve: Float64Array;
  readonly result: Float64Array;
  readonly flags: Int32Array;
  readonly aux: Int32Array;
  constructor(cap = 64) {
    this.cap = cap;
    this.kind = new Uint8Array(cap);
    this.nid = new Int16Array(cap);
    this.zid = new Int8Array(cap);
    this.free = new Float64Array(cap);
    this.mark = new Float64Array(cap);
    this.reserve = new Float64Array(cap);
    this.result = new Float64Array(cap);
    this.flags = new Int32Array(cap);
    this.aux = new Int32Array(cap);
  }
  reset(): void {
    this.n = 0;
    this.dropped = 0;
  }
  push(kind: number, zone: Zone | null, free: number, mark: number, reserve: number, result: number, flags: number, aux: number): void {
    const i = this.n;
    if (i >= this.cap) {
      this.dropped++;
      return;
    }
    this.kind[i] = kind;
    this.nid[i] = zone ? zone.nodeId : -1;
    this.zid[i] = zone ? zone.zoneIdx : -1;
    this.free[i] = free;
    this.mark[i] = mark;
    this.reserve[i] = reserve;
    this.result[i] = result;
    this.flags[i] = flags;
    this.aux[i] = aux;
    this.n = i + 1;
  }
}

/** The fast path's per-machine state: made once by createPageAlloc(), used by every request. */
export interface PageAlloc {
  machine: AllocMachine;
  policy: Policy;
  buddy: BuddyOps;
  era: string;
  bits: GfpBits;
  /** nr_online_nodes */
  nrOnlineNodes: number;
  steps: AllocSteps;
  /** the CPU the current request runs on (smp_processor_id()) */
  cpu: number;
  /** where the last rmqueue() found its page (SRC_*) */
  lastSource: number;
  /** the fallback the last rmqueue() used (FALLBACK_*) */
  lastFallback: number;
  /** the zone pfnToZone() found last */
  lastZone: Zone | null;
  /** page_group_by_mobility_disabled (set at boot by build_all_zonelists() on tiny machines) */
  mobilityDisabled: boolean;
  /**
   * gfp → (gfp_zone, gfp_migratetype, GFP_ZONE_BAD) cache, direct-mapped: a trace repeats a handful of masks,
   * and gfp.ts resolves the era on every call. Value: zone | mt << 4 | bad << 8; key -1 = empty.
   */
  gfpCacheKey: Int32Array;
  gfpCacheVal: Int32Array;
  /** this kernel's migratetype number → simulator slot (Policy.kernelMigratetype inverted) */
  mtFromKernel: Int8Array;
  /** v4.0 NR_ALLOC_BATCH per zone (index nodeId * MAX_NR_ZONES + zoneIdx): ≤ 0 = ZONE_FAIR_DEPLETED */
  fairBatch: Float64Array;
}

/** The result record of allocPagesFast() / getPageFromFreelist(): reuse one per caller. */
export interface AllocOut {
  pfn: number;
  zone: Zone | null;
  /** the alloc_flags of the attempt (the fast path's, after alloc_flags_nofragment) */
  allocFlags: number;
  /** SRC_* of the page */
  source: number;
  /** the kernel returns NULL without entering the slow path (order > MAX_PAGE_ORDER, GFP_ZONE_BAD) */
  reject: boolean;
  /** a zone whose boosted watermark asks rmqueue() to wake kswapd (wakeup_kswapd(zone, 0, 0, zone_idx)) */
  boostWakeZone: Zone | null;
  /** the request's alloc_context, for the slow path */
  ac: AllocContext;
}

export function createAllocOut(): AllocOut {
  return { pfn: -1, zone: null, allocFlags: 0, source: SRC_NONE, reject: false, boostWakeZone: null, ac: createAllocContext() };
}

/**
 * Sets up the per-cpu pagesets of every zone and the fast path's state. Zone watermarks must already be set
 * (the pcp high limits derive from the low watermark). `nrCpusOfNode[nid]` defaults to the CPUs split evenly
 * over the nodes, the first nodes taking the remainder (machine.ts cpusOfNode()).
 */
export function createPageAlloc(machine: AllocMachine, buddy: BuddyOps = buddyOps, nrCpusOfNode?: readonly number[]): PageAlloc {
  const policy = machine.policy;
  const nrNodes = machine.nodes.length;
  for (const node of machine.nodes) {
    const nid = node.nodeId;
    // give every zone the optional fields now, in one order, so all zones keep one hidden class (monomorphic)
    for (const zone of node.zones) {
      zone.nrFreeHighatomic ??= 0;
      zone.nrFreeCmaPages ??= 0;
      zone.flags ??= 0;
    }
    const local = nrCpusOfNode?.[nid] ?? Math.floor(machine.nrCpus / nrNodes) + (nid < machine.nrCpus % nrNodes ? 1 : 0);
    for (const zone of node.zones) {
      initZonePcp(zone, node.memmap, machine.nrCpus, local, machine.sysctl.percpu_pagelist_high_fraction, policy);
    }
  }
  return {
    machine,
    policy,
    buddy,
    era: policy.gfpEra,
    bits: resolveGfpBits(policy.gfpEra),
    nrOnlineNodes: nrNodes,
    steps: new AllocSteps(),
    cpu: 0,
    lastSource: SRC_NONE,
    lastFallback: FALLBACK_NONE,
    lastZone: null,
    mobilityDisabled: machine.nodes.some((n) => n.zones.some((z) => z.freeArea?.mobilityDisabled === true)),
    gfpCacheKey: new Int32Array(GFP_CACHE_SIZE).fill(-1),
    gfpCacheVal: new Int32Array(GFP_CACHE_SIZE),
    mtFromKernel: mtFromKernel(policy),
    fairBatch: initFairBatches(machine.nodes, policy),
  };
}

function mtFromKernel(policy: Policy): Int8Array {
  const out = new Int8Array(16);
  for (let k = 0; k < 16; k++) out[k] = k < MIGRATE_TYPES ? k : MIGRATE_UNMOVABLE;
  policy.kernelMigratetype.forEach((k, slot) => {
    out[k] = slot;
  });
  return out;
}

/** __setup_per_zone_wmarks() @ v4.0: NR_ALLOC_BATCH = high − low of every zone (the fair zone policy's budget) */
function initFairBatches(nodes: readonly PglistData[], policy: Policy): Float64Array {
  const out = new Float64Array(nodes.length * MAX_NR_ZONES);
  if (!policy.fairZonePolicy) return out;
  for (const node of nodes) for (const zone of node.zones) if (zone.zoneIdx < MAX_NR_ZONES) resetFairBatch(out, zone);
  return out;
}

function resetFairBatch(batch: Float64Array, zone: Zone): void {
  batch[zone.nodeId * MAX_NR_ZONES + zone.zoneIdx] = wmark(zone, WMARK_HIGH) - wmark(zone, WMARK_LOW);
}

/**
 * reset_alloc_batches() @ v4.0: every zone of the preferred zone's node up to the preferred zone gets a fresh
 * NR_ALLOC_BATCH of high − low and loses ZONE_FAIR_DEPLETED.
 */
export function resetAllocBatches(pa: PageAlloc, preferredZone: Zone): void {
  const zones = pa.machine.nodes[preferredZone.nodeId]!.zones;
  for (let i = 0; i <= preferredZone.zoneIdx && i < zones.length; i++) resetFairBatch(pa.fairBatch, zones[i]!);
}

/** the v4.0 NR_ALLOC_BATCH left in `zone` (tests, decision log) */
export function zoneAllocBatch(pa: PageAlloc, zone: Zone): number {
  return pa.fairBatch[zone.nodeId * MAX_NR_ZONES + zone.zoneIdx]!;
}

// ---- watermarks ----

/**
 * __zone_watermark_unusable_free(): pages a request may not count as free: the 2^order - 1 the request itself
 * needs beyond one page, the highatomic reserve unless it may use reserves, and free CMA pages unless ALLOC_CMA.
 * 6.10+ (v6.18) subtracts nr_free_highatomic (pages really free on HIGHATOMIC lists) unless ALLOC_RESERVES;
 * 6.3–6.9 the whole nr_reserved_highatomic unless ALLOC_RESERVES; 4.13–6.2 nr_reserved_highatomic unless
 * ALLOC_HARDER or ALLOC_OOM; 4.4–4.12 unless ALLOC_HARDER; v4.0 has no highatomic reserve. Policy: the zone's.
 */
export function zoneWatermarkUnusableFree(zone: Zone, order: number, allocFlags: number): number {
  let unusable = (1 << order) - 1;
  const shape = zonePolicy(zone).watermarkCheck;
  if (shape === '6.10') {
    if (!(allocFlags & ALLOC_RESERVES)) unusable += zone.nrFreeHighatomic ?? 0;
  } else if (shape === '6.3') {
    if (!(allocFlags & ALLOC_RESERVES)) unusable += zone.nrReservedHighatomic;
  } else if (shape === '4.13') {
    if (!(allocFlags & (ALLOC_HARDER | ALLOC_OOM))) unusable += zone.nrReservedHighatomic;
  } else if (shape === '4.4') {
    if (!(allocFlags & ALLOC_HARDER)) unusable += zone.nrReservedHighatomic;
  }
  if (!(allocFlags & ALLOC_CMA)) unusable += zone.nrFreeCmaPages ?? 0;
  return unusable;
}

/**
 * __zone_watermark_ok() (mm/page_alloc.c @ v6.18): may `zone` serve an order-`order` request against `mark`?
 * `free` is NR_FREE_PAGES (signed arithmetic: it may go negative). The reserve users get a lower min:
 * ALLOC_MIN_RESERVE (__GFP_HIGH) halves it, and with ALLOC_NON_BLOCK too (GFP_ATOMIC) a quarter of the rest
 * goes (3/8 left); ALLOC_OOM then halves what is left. Then free must exceed min + lowmem_reserve[highest_zoneidx];
 * for order > 0 some free list of order ≥ `order` must be usable: the three pcp types always, CMA with
 * ALLOC_CMA, HIGHATOMIC with ALLOC_HIGHATOMIC or ALLOC_OOM. A plain GFP_NOWAIT (NON_BLOCK alone) gets no cut.
 * Older shapes (the zone's Policy.watermarkCheck): zoneWatermarkOk40 (v4.0), zoneWatermarkOkHarder (4.4–6.2).
 */
export function zoneWatermarkOk(zone: Zone, order: number, mark: number, highestZoneidx: number, allocFlags: number, free: number): boolean {
  const shape = zonePolicy(zone).watermarkCheck;
  if (shape === '4.0') return zoneWatermarkOk40(zone, order, mark, highestZoneidx, allocFlags, free);
  if (shape === '4.4' || shape === '4.13') return zoneWatermarkOkHarder(zone, order, mark, highestZoneidx, allocFlags, free, shape === '4.13');
  let min = mark;
  // free pages may go negative - that's OK
  free -= zoneWatermarkUnusableFree(zone, order, allocFlags);
  if (allocFlags & ALLOC_RESERVES) {
    // __GFP_HIGH allows access to 50% of the min reserve as well as OOM
    if (allocFlags & ALLOC_MIN_RESERVE) {
      min -= Math.floor(min / 2);
      // non-blocking allocations (GFP_ATOMIC) can access more reserves than just __GFP_HIGH
      if (allocFlags & ALLOC_NON_BLOCK) min -= Math.floor(min / 4);
    }
    // OOM victims can try even harder: they are about to exit and free memory
    if (allocFlags & ALLOC_OOM) min -= Math.floor(min / 2);
  }
  // the order-0 check: if it fails a high-order request cannot go ahead either
  if (free <= min + zone.lowmemReserve[highestZoneidx]!) return false;
  if (!order) return true;
  // for a high-order request, check at least one suitable page is free
  const nrFree = zone.freeArea.nrFree;
  const nrFreeMt = zone.freeArea.nrFreeMt;
  const highatomicOk = (allocFlags & (ALLOC_HIGHATOMIC | ALLOC_OOM)) !== 0;
  const cmaOk = (allocFlags & ALLOC_CMA) !== 0;
  const nrOrders = nrFree.length;
  for (let o = order; o < nrOrders; o++) {
    if (!nrFree[o]) continue;
    const base = o * MIGRATE_TYPES;
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) if (nrFreeMt[base + mt]! > 0) return true;
    if (cmaOk && nrFreeMt[base + MIGRATE_CMA]! > 0) return true;
    if (highatomicOk && nrFreeMt[base + MIGRATE_HIGHATOMIC]! > 0) return true;
  }
  return false;
}

/**
 * __zone_watermark_ok() @ v4.0: ALLOC_HIGH halves min, ALLOC_HARDER takes a further quarter (every
 * non-blocking request is "harder" there); free minus CMA must exceed min + lowmem_reserve; then, order by order
 * below the request, the pages of that order are no longer counted and min halves: "at the next order, this
 * order's pages become unavailable". No free list is looked at.
 */
export function zoneWatermarkOk40(zone: Zone, order: number, mark: number, classzoneIdx: number, allocFlags: number, free: number): boolean {
  let min = mark;
  free -= (1 << order) - 1;
  if (allocFlags & ALLOC_HIGH) min -= Math.floor(min / 2);
  if (allocFlags & ALLOC_HARDER) min -= Math.floor(min / 4);
  const freeCma = allocFlags & ALLOC_CMA ? 0 : (zone.nrFreeCmaPages ?? 0);
  if (free - freeCma <= min + zone.lowmemReserve[classzoneIdx]!) return false;
  const nrFree = zone.freeArea.nrFree;
  for (let o = 0; o < order; o++) {
    // at the next order, this order's pages become unavailable
    free -= nrFree[o]! << o;
    // require fewer higher order pages to be free
    min >>= 1;
    if (free <= min) return false;
  }
  return true;
}

/**
 * __zone_watermark_ok() 4.4–6.2. `oomShape` false (4.4–4.12): ALLOC_HARDER cuts min by a quarter and may use any
 * non-empty order (HIGHATOMIC and ISOLATE lists too); everyone else loses nr_reserved_highatomic. True (4.13–6.2):
 * ALLOC_HARDER or ALLOC_OOM ("alloc_harder") keep the reserve, OOM halving min instead of a quarter, and only
 * they may use the HIGHATOMIC lists. ALLOC_HIGH halves min first.
 */
export function zoneWatermarkOkHarder(zone: Zone, order: number, mark: number, idx: number, allocFlags: number, free: number, oomShape: boolean): boolean {
  let min = mark;
  const harder = (allocFlags & (oomShape ? ALLOC_HARDER | ALLOC_OOM : ALLOC_HARDER)) !== 0;
  free -= (1 << order) - 1;
  if (allocFlags & ALLOC_HIGH) min -= Math.floor(min / 2);
  if (!harder) free -= zone.nrReservedHighatomic;
  else if (oomShape && allocFlags & ALLOC_OOM) min -= Math.floor(min / 2);
  else min -= Math.floor(min / 4);
  if (!(allocFlags & ALLOC_CMA)) free -= zone.nrFreeCmaPages ?? 0;
  if (free <= min + zone.lowmemReserve[idx]!) return false;
  if (!order) return true;
  const nrFree = zone.freeArea.nrFree;
  const nrFreeMt = zone.freeArea.nrFreeMt;
  const cmaOk = (allocFlags & ALLOC_CMA) !== 0;
  for (let o = order; o < nrFree.length; o++) {
    if (!nrFree[o]) continue;
    if (harder && !oomShape) return true;
    const base = o * MIGRATE_TYPES;
    for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) if (nrFreeMt[base + mt]! > 0) return true;
    if (cmaOk && nrFreeMt[base + MIGRATE_CMA]! > 0) return true;
    if (harder && nrFreeMt[base + MIGRATE_HIGHATOMIC]! > 0) return true;
  }
  return false;
}

/**
 * zone_watermark_fast() (v6.18): order 0 first tries the cheap test (free minus unusable, floored at 0, above
 * mark + reserve); otherwise the full __zone_watermark_ok(). If that fails for an order-0 ALLOC_MIN_RESERVE
 * request checking the min watermark of a boosted zone, it is retried against the unboosted min: the boost
 * exists to wake kswapd early, not to fail atomic allocations. Per Policy.watermarkFast: 'none' (v4.0) is
 * __zone_watermark_ok alone; 'order0' (4.7–5.8) passes order 0 on free − CMA > mark + reserve, ignoring the
 * highatomic reserve; 'unusable' with `atomicRule` '__GFP_ATOMIC' (5.9–6.2) keys the retry on __GFP_ATOMIC,
 * approximated by ALLOC_HARDER (which gfp_to_alloc_flags() derives from it).
 */
export function zoneWatermarkFast(zone: Zone, order: number, mark: number, highestZoneidx: number, allocFlags: number): boolean {
  const free = zone.nrFreePages;
  const p = zonePolicy(zone);
  const fast = p.watermarkFast;
  if (fast === 'none') return zoneWatermarkOk(zone, order, mark, highestZoneidx, allocFlags, free);
  if (fast === 'order0') {
    const cma = allocFlags & ALLOC_CMA ? 0 : (zone.nrFreeCmaPages ?? 0);
    if (!order && free - cma > mark + zone.lowmemReserve[highestZoneidx]!) return true;
    return zoneWatermarkOk(zone, order, mark, highestZoneidx, allocFlags, free);
  }
  if (!order) {
    let usable = free;
    const reserved = zoneWatermarkUnusableFree(zone, 0, allocFlags);
    // reserved may over-estimate the high-atomic reserves
    usable -= Math.min(usable, reserved);
    if (usable > mark + zone.lowmemReserve[highestZoneidx]!) return true;
  }
  if (zoneWatermarkOk(zone, order, mark, highestZoneidx, allocFlags, free)) return true;
  const atomic = p.atomicRule === '__GFP_ATOMIC' ? ALLOC_HARDER : ALLOC_MIN_RESERVE;
  if (!order && allocFlags & atomic && zone.watermarkBoost && (allocFlags & ALLOC_WMARK_MASK) === WMARK_MIN) {
    return zoneWatermarkOk(zone, order, zone.watermark[WMARK_MIN]!, highestZoneidx, allocFlags, free);
  }
  return false;
}

/** the policy a zone was built for (its free area's); v6.18 for hand-made test zones without one */
function zonePolicy(zone: Zone): Policy {
  return (zone.freeArea.policy as Policy | undefined) ?? v6_18;
}

/** wmark_pages(): _watermark[i] + watermark_boost (include/linux/mmzone.h) */
function wmark(zone: Zone, i: number): number {
  return zone.watermark[i]! + zone.watermarkBoost;
}

// ---- request setup ----

/**
 * alloc_flags_nofragment() (v6.18): ALLOC_KSWAPD from __GFP_KSWAPD_RECLAIM, and ALLOC_NOFRAGMENT when
 * vm.defrag_mode is set, or when the preferred zone is ZONE_NORMAL (and, on NUMA, its node has a populated
 * DMA32): the first pass then tries DMA32 before letting Normal fall back into other pageblock types.
 */
export function allocFlagsNofragment(pa: PageAlloc, zone: Zone | null, gfpMask: number): number {
  // ≤4.x: no ALLOC_KSWAPD; 5.0: ALLOC_NOFRAGMENT exists but the line setting it is missing (5.0.1 vs 5.1.15)
  let allocFlags = pa.policy.allocFlags.ALLOC_KSWAPD && gfpMask & pa.bits.__GFP_KSWAPD_RECLAIM ? ALLOC_KSWAPD : 0;
  if (pa.policy.hasDefragMode && pa.machine.sysctl.defrag_mode) return allocFlags | ALLOC_NOFRAGMENT;
  if (!zone || !pa.policy.setsAllocNofragment) return allocFlags;
  if (zone.zoneIdx !== ZONE_NORMAL) return allocFlags;
  // on UMA, a populated Normal implies a populated DMA32
  if (pa.nrOnlineNodes > 1 && !(pa.machine.nodes[zone.nodeId]!.zones[ZONE_DMA32]!.presentPages > 0)) return allocFlags;
  return allocFlags | ALLOC_NOFRAGMENT;
}

/**
 * first_zones_zonelist(): index of the first entry at or below `highestZoneidx` whose node is in `nodemask`
 * (-1 = all nodes), from `start`; -1 when none.
 */
export function nextZonesZonelist(zonelist: readonly Zone[], start: number, highestZoneidx: number, nodemask: number): number {
  for (let i = start; i < zonelist.length; i++) {
    const z = zonelist[i]!;
    if (z.zoneIdx <= highestZoneidx && (nodemask === -1 || nodemask & (1 << z.nodeId))) return i;
  }
  return -1;
}

/**
 * prepare_alloc_pages() (v6.18): highest zone = gfp_zone(), the preferred node's zonelist (NOFALLBACK for
 * __GFP_THISNODE), migratetype = gfp_migratetype(), ALLOC_CMA for movable requests (gfp_to_alloc_flags_cma()),
 * dirty spreading for __GFP_WRITE, and the preferred zoneref. Returns the updated alloc_flags, or -1 for a gfp
 * whose zone bits are invalid (GFP_ZONE_BAD: a VM_BUG_ON in the kernel; here the request is rejected).
 */
export function prepareAllocPages(pa: PageAlloc, gfpMask: number, preferredNid: number, nodemask: number, ac: AllocContext, allocFlags: number): number {
  const dec = gfpDecode(pa, gfpMask);
  if (dec & (1 << 8)) return -1;
  const highest = dec & 15;
  const node = pa.machine.nodes[preferredNid]!;
  ac.highestZoneidx = highest;
  ac.zonelist = gfpMask & pa.bits.__GFP_THISNODE ? node.zonelistNofallback : node.zonelistFallback;
  ac.nodemask = nodemask;
  // gfp_migratetype(): every request is UNMOVABLE when page_group_by_mobility_disabled (tiny machines)
  ac.migratetype = pa.mobilityDisabled ? MIGRATE_UNMOVABLE : (dec >> 4) & 15;
  // cpusets_enabled() is false: no __GFP_HARDWALL, no ALLOC_CPUSET, no cpuset nodemask (see file header)
  if (ac.migratetype === MIGRATE_MOVABLE) allocFlags |= ALLOC_CMA;
  ac.spreadDirtyPages = (gfpMask & pa.bits.__GFP_WRITE) !== 0;
  ac.preferredZoneref = nextZonesZonelist(ac.zonelist, 0, highest, nodemask);
  return allocFlags;
}

// ---- the zone walk ----

/**
 * get_page_from_freelist() (v6.18): walk the zonelist from the preferred zoneref, skipping zones above the
 * request's highest zone or outside the nodemask, and take the first zone that passes its watermark. On NUMA,
 * nodes whose kswapd is running are skipped on a first pass, and reaching a remote node with ALLOC_NOFRAGMENT
 * restarts the walk without it; after a whole failed walk ALLOC_NOFRAGMENT is dropped and the walk repeated
 * (unless vm.defrag_mode). Returns the pfn or -1; `out` gets the zone, source and kswapd boost wakeup.
 */
export function getPageFromFreelist(pa: PageAlloc, gfpMask: number, order: number, allocFlags: number, ac: AllocContext, out: AllocOut): number {
  const steps = pa.steps;
  const zonelist = ac.zonelist;
  const highest = ac.highestZoneidx;
  const nodemask = ac.nodemask;
  const defragMode = pa.policy.hasDefragMode && pa.machine.sysctl.defrag_mode !== 0;
  const multiNode = pa.nrOnlineNodes > 1;
  let skipKswapdNodes = multiNode;
  let skippedKswapdNodes = false;
  out.pfn = -1;
  out.zone = null;
  out.source = SRC_NONE;
  if (ac.preferredZoneref < 0) return -1;
  const preferredZone = zonelist[ac.preferredZoneref]!;
  const policy = pa.policy;
  // ≤5.7 every check uses the preferred zone's lowmem_reserve index (classzone_idx), 5.8+ gfp_zone()
  const reserveIdx = policy.lowmemReserveIndex === 'classzone' ? preferredZone.zoneIdx : highest;
  // ZONE_BELOW_HIGH (pcp->high tuning) exists from 6.7
  const checkBelowHigh = policy.pcpHighRule === 'adaptive';
  const fairBatch = pa.fairBatch;

  for (;;) {
    // retry:
    const noFallback = (allocFlags & ALLOC_NOFRAGMENT) !== 0;
    const fair = (allocFlags & ALLOC_FAIR) !== 0;
    let nrFairSkipped = 0;
    let restart = false;
    for (let zi = ac.preferredZoneref; zi >= 0; zi = nextZonesZonelist(zonelist, zi + 1, highest, nodemask)) {
      const zone = zonelist[zi]!;
      // cpuset and dirty-limit checks: not modelled (file header)
      if (fair) {
        // v4.0 fair zone policy: local zones only, each until its batch is used up
        if (zone.nodeId !== preferredZone.nodeId) break;
        const b = fairBatch[zone.nodeId * MAX_NR_ZONES + zone.zoneIdx]!;
        if (b <= 0) {
          nrFairSkipped++;
          if (steps.enabled) steps.push(STEP_FAIR_SKIP, zone, b, 0, 0, 0, allocFlags, 0);
          continue;
        }
      }
      if (noFallback && !defragMode && multiNode && zone !== preferredZone && zone.nodeId !== preferredZone.nodeId) {
        // moving to a remote node: locality matters more than fragmentation avoidance
        allocFlags &= ~ALLOC_NOFRAGMENT;
        if (steps.enabled) steps.push(STEP_NOFRAGMENT_RETRY, zone, 0, 0, 0, 0, allocFlags, 1);
        restart = true;
        break;
      }
      if (skipKswapdNodes && pa.machine.nodes[zone.nodeId]!.kswapdRunning) {
        // kswapd already active there: keep looking for an idle node
        skippedKswapdNodes = true;
        if (steps.enabled) steps.push(STEP_SKIP_KSWAPD, zone, 0, 0, 0, 0, allocFlags, 0);
        continue;
      }
      const reserve = zone.lowmemReserve[reserveIdx]!;
      let ok = false;
      // detect a zone below its high watermark (pcp->high tuning); passing high passes any lower mark
      if (checkBelowHigh && !((zone.flags ?? 0) & ZONE_BELOW_HIGH)) {
        const high = wmark(zone, WMARK_HIGH);
        ok = zoneWatermarkFast(zone, order, high, reserveIdx, allocFlags);
        if (steps.enabled) steps.push(STEP_WMARK_HIGH, zone, zone.nrFreePages, high, reserve, ok ? 1 : 0, allocFlags, 0);
        if (!ok) zone.flags = (zone.flags ?? 0) | ZONE_BELOW_HIGH;
      }
      if (!ok) {
        const mark = wmark(zone, allocFlags & ALLOC_WMARK_MASK);
        ok = zoneWatermarkFast(zone, order, mark, reserveIdx, allocFlags);
        if (steps.enabled) steps.push(STEP_WMARK, zone, zone.nrFreePages, mark, reserve, ok ? 1 : 0, allocFlags, 0);
        if (!ok) {
          if (!(allocFlags & ALLOC_NO_WATERMARKS)) continue; // node_reclaim disabled (zone_reclaim_mode 0)
          if (steps.enabled) steps.push(STEP_NO_WATERMARKS, zone, zone.nrFreePages, mark, reserve, 1, allocFlags, 0);
        }
      }
      // try_this_zone:
      const pfn = rmqueue(pa, preferredZone, zone, order, gfpMask, allocFlags, ac.migratetype, out);
      if (steps.enabled) steps.push(STEP_RMQUEUE, zone, pa.lastSource === SRC_PCP_REFILL ? pcpStats.refilled : 0, pa.lastFallback, 0, pfn, allocFlags, pa.lastSource);
      if (pfn >= 0) {
        // v4.0 buffered_rmqueue(): every allocation spends the zone's fair batch
        if (policy.fairZonePolicy) fairBatch[zone.nodeId * MAX_NR_ZONES + zone.zoneIdx]! -= 1 << order;
        // a high-order atomic allocation may reserve its pageblock for the future (≤6.2: order && ALLOC_HARDER)
        if (policy.highatomicFlag === 'ALLOC_HIGHATOMIC' ? allocFlags & ALLOC_HIGHATOMIC : policy.highatomicFlag === 'ALLOC_HARDER' && order && allocFlags & ALLOC_HARDER) {
          pa.buddy.reserveHighatomicPageblock(zone, pa.machine.nodes[zone.nodeId]!.memmap, pfn, order);
        }
        out.pfn = pfn;
        out.zone = zone;
        out.source = pa.lastSource;
        return pfn;
      }
    }
    if (restart) continue;
    if (fair) {
      // the local batches are used up, or remote zones were not considered yet: once more without fairness,
      // before the slow path wakes kswapd ("prefer spilling to a remote zone over swapping locally")
      allocFlags &= ~ALLOC_FAIR;
      if (nrFairSkipped) resetAllocBatches(pa, preferredZone);
      if (nrFairSkipped || multiNode) {
        if (steps.enabled) steps.push(STEP_FAIR_RETRY, null, 0, 0, 0, 0, allocFlags, nrFairSkipped ? 1 : 0);
        continue;
      }
    }
    // skipped nodes with active kswapd and found no idle node: place anywhere the watermarks permit
    if (skipKswapdNodes && skippedKswapdNodes) {
      skipKswapdNodes = false;
      if (steps.enabled) steps.push(STEP_KSWAPD_RETRY, null, 0, 0, 0, 0, allocFlags, 0);
      continue;
    }
    // on UMA every zone may be fragmented: if avoiding fragmentation, reset and try again
    if (noFallback && !defragMode) {
      allocFlags &= ~ALLOC_NOFRAGMENT;
      if (steps.enabled) steps.push(STEP_NOFRAGMENT_RETRY, null, 0, 0, 0, 0, allocFlags, 0);
      continue;
    }
    return -1;
  }
}

/**
 * rmqueue() (v6.18): pcp-eligible orders from this CPU's pcp list (refilled from the buddy), else — or if the
 * refill found nothing — rmqueue_buddy(). A zone whose watermark was boosted by a fallback (and a request that
 * may wake kswapd) gets kswapd woken here, page or not.
 */
export function rmqueue(pa: PageAlloc, preferredZone: Zone, zone: Zone, order: number, gfpMask: number, allocFlags: number, mt: number, out: AllocOut): number {
  let pfn = -1;
  const pcp = zone.pcp!;
  pa.lastFallback = FALLBACK_NONE;
  if (pcpAllowedOrder(pcp, order)) {
    pfn = rmqueuePcplist(pcp, pa.buddy, pa.cpu, order, mt, allocFlags);
    pa.lastSource = pcpStats.refilled ? SRC_PCP_REFILL : SRC_PCP;
    pa.lastFallback = pcpStats.fallback;
  }
  if (pfn < 0) pfn = rmqueueBuddy(pa, zone, order, allocFlags, mt);
  if (allocFlags & ALLOC_KSWAPD && (zone.flags ?? 0) & ZONE_BOOSTED_WATERMARK) {
    zone.flags = zone.flags! & ~ZONE_BOOSTED_WATERMARK;
    out.boostWakeZone = zone;
    if (pa.steps.enabled) pa.steps.push(STEP_BOOST_WAKE, zone, zone.nrFreePages, 0, 0, 0, allocFlags, 0);
  }
  return pfn;
}

/**
 * rmqueue_buddy() (v6.18): ALLOC_HIGHATOMIC requests take the HIGHATOMIC lists first; otherwise __rmqueue()
 * with fallback; if that fails, OOM victims and non-blocking requests may still take a highatomic block
 * (failing now is worse than failing a future high-order atomic allocation). Sets pa.lastSource.
 */
export function rmqueueBuddy(pa: PageAlloc, zone: Zone, order: number, allocFlags: number, mt: number): number {
  const buddy = pa.buddy;
  const mm = pa.machine.nodes[zone.nodeId]!.memmap;
  let pfn = -1;
  const p = pa.policy;
  const highatomicFirst =
    p.highatomicFlag === 'ALLOC_HIGHATOMIC'
      ? (allocFlags & ALLOC_HIGHATOMIC) !== 0
      : p.highatomicFlag === 'ALLOC_HARDER' && (allocFlags & ALLOC_HARDER) !== 0 && (order > 0 || !p.highatomicHarderOrderOnly);
  if (highatomicFirst) {
    pfn = buddy.rmqueueSmallest(zone, mm, order, MIGRATE_HIGHATOMIC);
    if (pfn >= 0) {
      pa.lastSource = SRC_HIGHATOMIC;
      return pfn;
    }
  }
  pfn = buddy.rmqueueBlock(zone, mm, order, mt, allocFlags, RMQUEUE_NORMAL);
  if (pfn >= 0) {
    pa.lastSource = SRC_BUDDY;
    pa.lastFallback = buddy.lastFallback();
    return pfn;
  }
  // 6.3–6.9: OOM victims; 6.10+: also non-blocking requests; ≤6.2 never
  if (allocFlags & p.highatomicOnFailure) {
    pfn = buddy.rmqueueSmallest(zone, mm, order, MIGRATE_HIGHATOMIC);
    if (pfn >= 0) {
      pa.lastSource = SRC_HIGHATOMIC;
      return pfn;
    }
  }
  pa.lastSource = SRC_NONE;
  return -1;
}

// ---- the fast path ----

/**
 * The first attempt of __alloc_frozen_pages_noprof() (__alloc_pages() before 6.15): prepare_alloc_pages(),
 * ALLOC_WMARK_LOW | alloc_flags_nofragment(), one get_page_from_freelist(). Returns the pfn, or -1: then the
 * caller runs the slow path with `out.ac` (unless `out.reject`: order > MAX_PAGE_ORDER or an invalid gfp zone,
 * where the kernel returns NULL at once). The fast path never uses the min-watermark reductions, never touches
 * HIGHATOMIC lists and never wakes kswapd except through a boosted zone (`out.boostWakeZone`).
 */
export function allocPagesFast(pa: PageAlloc, gfpMask: number, order: number, preferredNid: number, cpu: number, out: AllocOut): number {
  if (pa.steps.enabled) pa.steps.reset();
  out.pfn = -1;
  out.zone = null;
  out.source = SRC_NONE;
  out.boostWakeZone = null;
  out.reject = false;
  pa.cpu = cpu;
  // WARN_ON_ONCE_GFP(order > MAX_PAGE_ORDER): NULL without a slow path
  if (order > pa.policy.maxPageOrder) {
    out.reject = true;
    return -1;
  }
  const ac = out.ac;
  // v4.0: the fast path is also the fair pass (ALLOC_WMARK_LOW | ALLOC_CPUSET | ALLOC_FAIR; cpusets not modelled)
  let allocFlags = prepareAllocPages(pa, gfpMask, preferredNid, -1, ac, pa.policy.fairZonePolicy ? ALLOC_WMARK_LOW | ALLOC_FAIR : ALLOC_WMARK_LOW);
  if (allocFlags < 0) {
    out.reject = true;
    return -1;
  }
  // forbid the first pass from falling back to types that fragment memory until all local zones are considered
  allocFlags |= allocFlagsNofragment(pa, ac.preferredZoneref >= 0 ? ac.zonelist[ac.preferredZoneref]! : null, gfpMask);
  out.allocFlags = allocFlags;
  return getPageFromFreelist(pa, gfpMask, order, allocFlags, ac, out);
}

// ---- the free path ----

/** page_zone(pfn_to_page(pfn)): the zone spanning `pfn`, or null. */
export function pfnToZone(pa: PageAlloc, pfn: number): Zone | null {
  // frees cluster: try the zone of the last lookup first
  const last = pa.lastZone;
  if (last !== null && pfn >= last.zoneStartPfn && pfn < last.zoneStartPfn + last.spannedPages) return last;
  for (const node of pa.machine.nodes) {
    if (pfn < node.nodeStartPfn || pfn >= node.nodeStartPfn + node.nodeSpannedPages) continue;
    for (const zone of node.zones) {
      if (zone.spannedPages > 0 && pfn >= zone.zoneStartPfn && pfn < zone.zoneStartPfn + zone.spannedPages) {
        pa.lastZone = zone;
        return zone;
      }
    }
  }
  return null;
}

/**
 * free_one_page() → split_large_buddy() (6.10+): free a block straight to the buddy, one pageblock at a time
 * when it is larger than a pageblock, each piece with its own pageblock's migratetype.
 */
export function freeOnePage(pa: PageAlloc, zone: Zone, pfn: number, order: number, fpiFlags: number): void {
  const buddy = pa.buddy;
  const mm = pa.machine.nodes[zone.nodeId]!.memmap;
  const end = pfn + (1 << order);
  // ≤6.9 __free_pages_ok(): the whole block with the type of its first pageblock
  if (!pa.policy.splitLargeBuddyOnFree) {
    buddy.freeOnePage(zone, mm, pfn, order, buddy.getPageblockMigratetype(mm, pfn), fpiFlags);
    return;
  }
  if (order > pageblock_order) order = pageblock_order;
  for (;;) {
    buddy.freeOnePage(zone, mm, pfn, order, buddy.getPageblockMigratetype(mm, pfn), fpiFlags);
    pfn += 1 << order;
    if (pfn === end) break;
  }
}

/**
 * __free_frozen_pages() (free_unref_page() before 6.15; the tail of __free_pages()): pcp-eligible orders go to
 * this CPU's pcp list (HIGHATOMIC/CMA blocks on the MOVABLE list, ISOLATE blocks straight to the buddy) with
 * the free_high / high-watermark spill rules of free_frozen_page_commit(); other orders go to the buddy.
 * Returns false if `pfn` is in no zone (nothing is freed).
 */
export function freePages(pa: PageAlloc, pfn: number, order: number, cpu: number): boolean {
  const zone = pfnToZone(pa, pfn);
  if (!zone) return false;
  freePagesZone(pa, zone, pfn, order, cpu);
  return true;
}

/** freePages() for a pfn of `zone` (the caller looked it up): page_zone() is not searched again */
export function freePagesZone(pa: PageAlloc, zone: Zone, pfn: number, order: number, cpu: number): void {
  const pcp = zone.pcp!;
  if (!pcpAllowedOrder(pcp, order)) {
    freeOnePage(pa, zone, pfn, order, FPI_NONE);
    return;
  }
  const mt = pcpFreeMigratetype(pa.buddy.getPageblockMigratetype(pcp.mm, pfn));
  if (mt < 0) {
    freeOnePage(pa, zone, pfn, order, FPI_NONE);
    return;
  }
  freeFrozenPageCommit(pcp, pa.buddy, cpu, pfn, order, mt);
}
