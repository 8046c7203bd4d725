/**
 * Per-cpu page lists: mirrors struct per_cpu_pages (include/linux/mmzone.h) and the pcp half of mm/page_alloc.c
 * @ v6.18: pcp_allowed_order(), order_to_pindex(), pindex_to_order(), zone_batchsize(), zone_highsize(),
 * zone_set_high_and_batch(), nr_pcp_alloc(), rmqueue_bulk(), __rmqueue_pcplist() / rmqueue_pcplist(),
 * nr_pcp_high(), nr_pcp_free(), free_frozen_page_commit() (free_unref_page_commit() before 6.15),
 * free_pcppages_bulk(), drain_pages_zone(), drain_all_pages().
 *
 * State is struct-of-arrays (style.md §4): list heads/tails per (cpu, pindex) in one Int32Array per zone; the
 * pages are linked through the memmap's `next`/`prev` (page->pcp_list shares struct page's list_head with
 * page->buddy_list: a page is on one list at a time), and a block on a pcp list has state PAGE_PCP at its head.
 * So the pcp costs no memory per simulated page.
 *
 * Pages on pcp lists are not in NR_FREE_PAGES (zone.nrFreePages): the buddy's rmqueue took them out and only
 * __free_one_page() (a drain) puts them back. buddyinfo does not count them either.
 *
 * Simplifications, and what they cost:
 *  - decay_pcp_high() (vmstat worker, every second) is not run: pcp->high only moves on alloc and free, so after
 *    a burst it stays high where the kernel would decay it towards high_min, holding more pages on pcp lists.
 *  - PCPF_FREE_HIGH_BATCH (set from the CPU's cache size by zone_pcp_update_cacheinfo()) is taken as clear, so
 *    free_high drains as soon as its free_count rule holds, whatever pcp->count is.
 *  - Remote-node drains by the vmstat worker (drain_zone_pages) and CPU hotplug drains are not modelled.
 *  - Locks: pcp_spin_trylock() always succeeds (one simulated CPU runs at a time), so the "pcp locked → go to
 *    the buddy" paths never run.
 */
import type { Policy } from '../policy/policy.js';
import type { MemMap } from './memmap.js';
import * as memmapModule from './memmap.js';
import * as mmzoneModule from './mmzone.js';
import type { Zone } from './mmzone.js';
import * as internalModule from './internal.js';
import { FPI_NONE, RMQUEUE_NORMAL } from './buddy.js';

// hot-path imports copied into module consts (README "Hot-path imports": V8 reads an import through its cell)
const { MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, WMARK_HIGH, WMARK_LOW, ZONE_MOVABLE } = mmzoneModule;
const { ZONE_BELOW_HIGH, ZONE_RECLAIM_ACTIVE } = internalModule;
const { PAGE_ALLOC, PAGE_PCP } = memmapModule;


/** pcp->flags bits (mm/page_alloc.c) */
export const PCPF_PREV_FREE_HIGH_ORDER = 1 << 0;
const PCPF_FREE_HIGH_BATCH = 1 << 1;

/** The buddy-allocator entry points pcp.ts and page_alloc.ts call (buddy.ts). */
export interface BuddyOps {
  /** __rmqueue_smallest(): smallest free block of exactly migratetype `mt`; pfn or -1 */
  rmqueueSmallest(zone: Zone, mm: MemMap, order: number, mt: number): number;
  /**
   * __rmqueue(): with migratetype fallback (claim/steal) as the policy does it, starting at rmqueue_mode `mode`;
   * pfn or -1
   */
  rmqueueBlock(zone: Zone, mm: MemMap, order: number, mt: number, allocFlags: number, mode: number): number;
  /** the rmqueue_mode that served the last rmqueueBlock() (rmqueue_bulk() passes it to the next one) */
  lastMode(): number;
  /** what the last rmqueueBlock() fell back with: FALLBACK_NONE, FALLBACK_CLAIM or FALLBACK_STEAL */
  lastFallback(): number;
  /** __free_one_page(): merge and put on the free list of `mt` */
  freeOnePage(zone: Zone, mm: MemMap, pfn: number, order: number, mt: number, fpiFlags: number): void;
  /** get_pfnblock_migratetype() */
  getPageblockMigratetype(mm: MemMap, pfn: number): number;
  /** reserve_highatomic_pageblock(page, order, zone) */
  reserveHighatomicPageblock(zone: Zone, mm: MemMap, pfn: number, order: number): void;
}

/**
 * zone->per_cpu_pageset for every CPU, plus zone->pageset_high_min / pageset_high_max / pageset_batch.
 * Per-cpu fields are arrays indexed by cpu; list arrays by cpu * nrLists + pindex.
 */
export interface ZonePcp {
  zone: Zone;
  /** the node's memmap: its next/prev links carry the pcp lists */
  mm: MemMap;
  nrCpus: number;
  /** NR_PCP_LISTS: MIGRATE_PCPTYPES * (maxLowOrder + 1) + THP lists */
  nrLists: number;
  /** NR_LOWORDER_PCP_LISTS */
  nrLowLists: number;
  maxLowOrder: number;
  thpOrder: number;
  nrThpLists: number;
  batchScaleMax: number;
  /** Policy.pcpHighRule: PCP_HIGH_BATCH6 (≤5.12), PCP_HIGH_LOW_WMARK (5.14–6.6), PCP_HIGH_ADAPTIVE (6.7+) */
  highRule: number;
  /** free_high exists (6.0+) */
  freeHighOn: boolean;
  /** list head / tail pfn per (cpu, pindex); -1 = empty */
  head: Int32Array;
  tail: Int32Array;
  /** pcp->count: pages (not blocks) on all of this CPU's lists */
  count: Int32Array;
  /** pcp->high: adaptive, 0 until first used (BOOT_PAGESET_HIGH), then clamped to [high_min, high_max] */
  high: Int32Array;
  /** pcp->free_count and pcp->alloc_factor: the 6.7+ batch scaling state (5.14–6.6: freeCount is pcp->free_factor) */
  freeCount: Int32Array;
  allocFactor: Int32Array;
  flags: Uint8Array;
  /** pcp->batch / high_min / high_max (the same for every CPU of the zone) */
  batch: number;
  highMin: number;
  highMax: number;
}

const PCP_HIGH_BATCH6 = 0;
const PCP_HIGH_LOW_WMARK = 1;
const PCP_HIGH_ADAPTIVE = 2;

/** pcp_allowed_order(): orders 0..PAGE_ALLOC_COSTLY_ORDER and HPAGE_PMD_ORDER (with THP) use pcp lists. */
export function pcpAllowedOrder(pcp: ZonePcp, order: number): boolean {
  return order <= pcp.maxLowOrder || order === pcp.thpOrder;
}

/**
 * order_to_pindex(): MIGRATE_PCPTYPES * order + migratetype for the low orders; the THP order has its own
 * lists after them, split movable / non-movable since 6.10 ([6.9→6.12]).
 */
export function orderToPindex(pcp: ZonePcp, mt: number, order: number): number {
  if (order > pcp.maxLowOrder) {
    return pcp.nrLowLists + (pcp.nrThpLists > 1 && mt === MIGRATE_MOVABLE ? 1 : 0);
  }
  return MIGRATE_PCPTYPES * order + mt;
}

/** pindex_to_order() */
export function pindexToOrder(pcp: ZonePcp, pindex: number): number {
  return pindex >= pcp.nrLowLists ? pcp.thpOrder : (pindex / MIGRATE_PCPTYPES) | 0;
}

/** rounddown_pow_of_two() for positive ints */
function rounddownPowOfTwo(n: number): number {
  return 1 << (31 - Math.clz32(n));
}

/**
 * zone_batchsize() (mm/page_alloc.c @ v6.18): ~0.1 % of the zone or 1 MiB, whichever is smaller, divided by 4,
 * then clamped to 2^n - 1 (a power of two would make the batches of different CPUs alias in the cache).
 * Zones below 8192 pages give 0; zone_set_high_and_batch() then uses 1.
 */
export function zoneBatchsize(managedPages: number, policy: Policy): number {
  let batch = Math.min(Math.floor(managedPages / 1024), policy.pcpBatchCapPages);
  batch = (batch / 4) | 0; // "We effectively *= 4 below"
  if (batch < 1) batch = 1;
  return rounddownPowOfTwo(batch + (batch >> 1)) - 1;
}

/**
 * zone_highsize() (v6.18): the zone's low watermark (or managed / percpu_pagelist_high_fraction) split over the
 * CPUs of the zone's node, at least 4 * batch. `highFraction` 0 = the low-watermark rule.
 * Checked against a real 6.18 zoneinfo (traces/real/fork-exec/before, 2 CPUs): DMA32 low 2888 → high_min 1444,
 * managed 772915 / 8 / 2 → high_max 48307.
 */
export function zoneHighsize(zone: Zone, batch: number, nrSplitCpus: number, highFraction: number): number {
  // low_wmark_pages() includes the boost at the time the sizes are recomputed
  const totalPages = highFraction === 0 ? zone.watermark[WMARK_LOW]! + zone.watermarkBoost : Math.floor(zone.managedPages / highFraction);
  const high = Math.floor(totalPages / nrSplitCpus);
  return Math.max(high, batch << 2);
}

/**
 * zone_set_high_and_batch() (zone_pcp_update()): batch = max(1, zone_batchsize()); high_min from the low
 * watermark and high_max = managed / 8 per CPU, or both pinned to managed / percpu_pagelist_high_fraction.
 * Called at init and whenever the watermarks are recomputed (setup_per_zone_wmarks() ends with zone_pcp_update()).
 */
export function zonePcpUpdate(pcp: ZonePcp, nrCpusOfNode: number, percpuPagelistHighFraction: number, policy: Policy): void {
  const zone = pcp.zone;
  const batch0 = zoneBatchsize(zone.managedPages, policy);
  const batch = Math.max(1, batch0);
  const split = nrCpusOfNode > 0 ? nrCpusOfNode : pcp.nrCpus;
  let highMin: number;
  let highMax: number;
  if (policy.pcpHighRule === 'batch6') {
    // ≤5.12 pageset_set_batch(): high = 6 * batch, batch = max(1, batch) (a small zone's high is 0: every free spills)
    highMin = highMax = 6 * batch0;
  } else if (policy.pcpHighRule === 'low-wmark') {
    // 5.14–6.6 zone_set_pageset_high_and_batch(): one high for all CPUs, no auto-tuning
    highMin = highMax = zoneHighsize(zone, batch, split, percpuPagelistHighFraction);
  } else if (percpuPagelistHighFraction) {
    // pcp high is tuned manually: auto-tuning off (high_min == high_max)
    highMin = highMax = zoneHighsize(zone, batch, split, percpuPagelistHighFraction);
  } else {
    highMin = zoneHighsize(zone, batch, split, 0);
    highMax = zoneHighsize(zone, batch, split, policy.pcpHighMaxFraction);
  }
  pcp.batch = batch;
  pcp.highMin = highMin;
  pcp.highMax = highMax;
}

/**
 * Allocates the per-cpu pagesets of one zone (per_cpu_pages_init() + zone_pcp_update()) and hangs them on
 * `zone.pcp`. The zone's watermarks must already be set. `nrCpusOfNode` = CPUs local to the zone's node
 * (0 = memoryless-CPU node: split over all CPUs).
 */
export function initZonePcp(
  zone: Zone,
  mm: MemMap,
  nrCpus: number,
  nrCpusOfNode: number,
  percpuPagelistHighFraction: number,
  policy: Policy,
): ZonePcp {
  const maxLowOrder = policy.pcpMaxLowOrder;
  const nrLowLists = MIGRATE_PCPTYPES * (maxLowOrder + 1);
  const nrThpLists = policy.pcpThpOrder >= 0 ? policy.nrPcpThpLists : 0;
  const nrLists = nrLowLists + nrThpLists;
  const pcp: ZonePcp = {
    zone,
    mm,
    nrCpus,
    nrLists,
    nrLowLists,
    maxLowOrder,
    thpOrder: policy.pcpThpOrder,
    nrThpLists,
    batchScaleMax: policy.pcpBatchScaleMax,
    highRule: policy.pcpHighRule === 'batch6' ? PCP_HIGH_BATCH6 : policy.pcpHighRule === 'low-wmark' ? PCP_HIGH_LOW_WMARK : PCP_HIGH_ADAPTIVE,
    freeHighOn: policy.pcpFreeHigh,
    head: new Int32Array(nrCpus * nrLists).fill(-1),
    tail: new Int32Array(nrCpus * nrLists).fill(-1),
    count: new Int32Array(nrCpus),
    high: new Int32Array(nrCpus),
    freeCount: new Int32Array(nrCpus),
    allocFactor: new Int32Array(nrCpus),
    flags: new Uint8Array(nrCpus),
    batch: 1,
    highMin: 0,
    highMax: 0,
  };
  zonePcpUpdate(pcp, nrCpusOfNode, percpuPagelistHighFraction, policy);
  zone.pcp = pcp;
  return pcp;
}

// ---- list surgery (pcp->lists[pindex]: an intrusive list through the memmap's next/prev, values are pfns) ----
// add head:  next[p] = head; prev[p] = -1; prev[head] = p (or tail = p when empty); head = p
// add tail:  prev[p] = tail; next[p] = -1; next[tail] = p (or head = p when empty); tail = p
// delete:    next[prev[p]] = next[p] (or head = next[p]); prev[next[p]] = prev[p] (or tail = prev[p])

function listAddHead(pcp: ZonePcp, li: number, pfn: number, order: number): void {
  const mm = pcp.mm;
  const { next, prev } = mm;
  const base = mm.startPfn;
  const i = pfn - base;
  const h = pcp.head[li]!;
  next[i] = h;
  prev[i] = -1;
  if (h < 0) pcp.tail[li] = pfn;
  else prev[h - base] = pfn;
  pcp.head[li] = pfn;
  mm.state[i] = PAGE_PCP;
  mm.order[i] = order;
}

function listAddTail(pcp: ZonePcp, li: number, pfn: number, order: number): void {
  const mm = pcp.mm;
  const { next, prev } = mm;
  const base = mm.startPfn;
  const i = pfn - base;
  const t = pcp.tail[li]!;
  prev[i] = t;
  next[i] = -1;
  if (t < 0) pcp.head[li] = pfn;
  else next[t - base] = pfn;
  pcp.tail[li] = pfn;
  mm.state[i] = PAGE_PCP;
  mm.order[i] = order;
}

/**
 * list_del(&page->pcp_list) from list `li` (the caller knows which list holds the page). The page keeps state
 * PAGE_PCP: the caller gives it its next state (allocated, or free via __free_one_page()).
 */
export function pcpListDel(pcp: ZonePcp, li: number, pfn: number): void {
  const mm = pcp.mm;
  const { next, prev } = mm;
  const base = mm.startPfn;
  const i = pfn - base;
  const n = next[i]!;
  const p = prev[i]!;
  if (p < 0) pcp.head[li] = n;
  else next[p - base] = n;
  if (n < 0) pcp.tail[li] = p;
  else prev[n - base] = p;
  next[i] = -1;
  prev[i] = -1;
}

/** Whether the block headed by `pfn` sits on some pcp list. */
export function pageOnPcp(mm: MemMap, pfn: number): boolean {
  return mm.state[pfn - mm.startPfn] === PAGE_PCP;
}

/** The pfns on list (cpu, pindex), head first (tests, debugging; zoneinfo prints only `count`). */
export function pcpListPfns(pcp: ZonePcp, cpu: number, pindex: number): number[] {
  const { next, startPfn } = pcp.mm;
  const out: number[] = [];
  for (let p = pcp.head[cpu * pcp.nrLists + pindex]!; p >= 0; p = next[p - startPfn]!) out.push(p);
  return out;
}

// ---- allocation ----

/** __rmqueue fallbacks, as the decision log reports them */
export const FALLBACK_NONE = 0;
/** __rmqueue_claim: a whole pageblock (or larger block) changed migratetype */
export const FALLBACK_CLAIM = 1;
/** __rmqueue_steal: one block taken from another type's pageblock, which keeps its type */
export const FALLBACK_STEAL = 2;

/**
 * The last pcp allocation's refill size (0 = served from the list without a refill) and the strongest
 * fallback any __rmqueue of that refill used (steal > claim > none): for the decision log.
 */
export const pcpStats = { refilled: 0, fallback: FALLBACK_NONE };

/**
 * nr_pcp_alloc() (6.7+): how many blocks rmqueue_bulk() takes. Order 0 takes batch << alloc_factor, at most
 * max(high - count - batch, batch), and alloc_factor doubles the next refill while it fits (up to
 * CONFIG_PCP_BATCH_SCALE_MAX); pcp->high grows by the batch unless the zone is below its high watermark.
 * Higher orders take max(batch >> order, 2).
 */
export function nrPcpAlloc(pcp: ZonePcp, cpu: number, order: number): number {
  const baseBatch = pcp.batch;
  if (pcp.highRule !== PCP_HIGH_ADAPTIVE) {
    // ≤6.6 rmqueue_pcplist(): one batch, scaled down by order (5.13+: max(batch >> order, 2))
    pcp.high[cpu] = pcp.highMin;
    return baseBatch > 1 ? Math.max(baseBatch >> order, 2) : baseBatch;
  }
  const highMin = pcp.highMin;
  const highMax = pcp.highMax;
  let high = clampInt(pcp.high[cpu]!, highMin, highMax);
  pcp.high[cpu] = high;
  // PCP disabled or boot pageset
  if (high < baseBatch) return 1;
  let batch = order ? baseBatch : baseBatch << pcp.allocFactor[cpu]!;
  // with a larger pcp->high we could have avoided going to the zone
  if (highMin !== highMax && !((pcp.zone.flags ?? 0) & ZONE_BELOW_HIGH)) {
    high = Math.min(high + batch, highMax);
    pcp.high[cpu] = high;
  }
  if (!order) {
    const maxNrAlloc = Math.max(high - pcp.count[cpu]! - baseBatch, baseBatch);
    // double the refill each time order-0 pages are allocated again without a free in between
    if (batch <= maxNrAlloc && pcp.allocFactor[cpu]! < pcp.batchScaleMax) pcp.allocFactor[cpu]!++;
    batch = Math.min(batch, maxNrAlloc);
  }
  // scale by order when pages may be stored on the pcp (batch 1 = small zone or boot pageset)
  if (batch > 1) batch = Math.max(batch >> order, 2);
  return batch;
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * rmqueue_bulk(): `count` blocks from the buddy (__rmqueue, with fallback), each appended to the list tail, so
 * the list is in the order the buddy handed them out (ascending pfns out of one split block). Returns how many.
 */
export function rmqueueBulk(pcp: ZonePcp, buddy: BuddyOps, li: number, order: number, count: number, mt: number, allocFlags: number): number {
  const zone = pcp.zone;
  const mm = pcp.mm;
  // 6.15+: the refill remembers where __rmqueue found pages (enum rmqueue_mode) and starts there next time
  let mode = RMQUEUE_NORMAL;
  let fallback = FALLBACK_NONE;
  let i = 0;
  for (; i < count; i++) {
    const pfn = buddy.rmqueueBlock(zone, mm, order, mt, allocFlags, mode);
    if (pfn < 0) break;
    mode = buddy.lastMode();
    const f = buddy.lastFallback();
    if (f > fallback) fallback = f;
    listAddTail(pcp, li, pfn, order);
  }
  pcpStats.fallback = fallback;
  return i;
}

/**
 * rmqueue_pcplist() + __rmqueue_pcplist(): the head block of this CPU's list for (order, migratetype),
 * refilled by rmqueue_bulk() when empty. Returns the pfn or -1 (refill found nothing: the caller falls back
 * to rmqueue_buddy()).
 */
export function rmqueuePcplist(pcp: ZonePcp, buddy: BuddyOps, cpu: number, order: number, mt: number, allocFlags: number): number {
  // on allocation, halve the number of pages the next free batch releases (see nrPcpFree)
  pcp.freeCount[cpu]! >>= 1;
  const li = cpu * pcp.nrLists + orderToPindex(pcp, mt, order);
  pcpStats.refilled = 0;
  pcpStats.fallback = FALLBACK_NONE;
  if (pcp.head[li]! < 0) {
    const batch = nrPcpAlloc(pcp, cpu, order);
    const alloced = rmqueueBulk(pcp, buddy, li, order, batch, mt, allocFlags);
    pcp.count[cpu]! += alloced << order;
    pcpStats.refilled = alloced;
    if (pcp.head[li]! < 0) return -1;
  }
  const pfn = pcp.head[li]!;
  pcpListDel(pcp, li, pfn);
  pcp.mm.state[pfn - pcp.mm.startPfn] = PAGE_ALLOC;
  pcp.count[cpu]! -= 1 << order;
  return pfn;
}

// ---- free ----

/**
 * nr_pcp_high() (6.7+): the count at which a free spills to the buddy, adapting pcp->high on the way: clamp to
 * [high_min, high_max]; a free_high burst shrinks it; reclaim activity or a zone below its high watermark
 * shrinks it by the recent free count; a full list that keeps receiving frees grows it to hold one more batch.
 */
export function nrPcpHigh(pcp: ZonePcp, cpu: number, batch: number, freeHigh: boolean): number {
  if (pcp.highRule !== PCP_HIGH_ADAPTIVE) {
    const high = (pcp.high[cpu] = pcp.highMin);
    if (pcp.highRule === PCP_HIGH_BATCH6) return high;
    // 5.14–6.6: free_high drains all; while reclaim is active at most 4 batches stay
    if (!high || freeHigh) return 0;
    if (!((pcp.zone.flags ?? 0) & ZONE_RECLAIM_ACTIVE)) return high;
    return Math.min(batch << 2, high);
  }
  const highMin = pcp.highMin;
  const highMax = pcp.highMax;
  const high = clampInt(pcp.high[cpu]!, highMin, highMax);
  pcp.high[cpu] = high;
  if (!high) return 0;
  if (freeHigh) {
    pcp.high[cpu] = Math.max(high - (batch << pcp.batchScaleMax), highMin);
    return 0;
  }
  const zflags = pcp.zone.flags ?? 0;
  // while reclaim is active, limit the pages held on pcp lists
  if (zflags & ZONE_RECLAIM_ACTIVE) {
    const freeCount = Math.max(pcp.freeCount[cpu]!, batch);
    pcp.high[cpu] = Math.max(high - freeCount, highMin);
    return Math.min(batch << 2, pcp.high[cpu]!);
  }
  if (highMin === highMax) return high;
  if (zflags & ZONE_BELOW_HIGH) {
    const freeCount = Math.max(pcp.freeCount[cpu]!, batch);
    pcp.high[cpu] = Math.max(high - freeCount, highMin);
    return Math.max(pcp.count[cpu]!, highMin);
  }
  if (pcp.count[cpu]! >= high) {
    const needHigh = pcp.freeCount[cpu]! + batch;
    // pcp->high should be large enough to hold the batch of freed pages
    if (pcp.high[cpu]! < needHigh) pcp.high[cpu] = clampInt(needHigh, highMin, highMax);
  }
  return high;
}

/**
 * nr_pcp_free(): how many pages a spill frees: the recent free count clamped to [batch, high - batch], or up
 * to batch << CONFIG_PCP_BATCH_SCALE_MAX for a free_high drain.
 */
export function nrPcpFree(pcp: ZonePcp, cpu: number, batch: number, high: number, freeHigh: boolean): number {
  // ≤5.12 free_hot_cold_page() / free_unref_page_commit(): one batch
  if (pcp.highRule === PCP_HIGH_BATCH6) return batch;
  if (pcp.highRule === PCP_HIGH_LOW_WMARK) {
    // 5.14–6.6 nr_pcp_free(): free everything for free_high; else batch << free_factor in [batch, high - batch]
    if (freeHigh) return pcp.count[cpu]!;
    if (high < batch) return 1;
    const maxNrFree = high - batch;
    const n = batch * 2 ** pcp.freeCount[cpu]!;
    // double the pages freed each time there is subsequent freeing without any allocation
    if (n < maxNrFree) pcp.freeCount[cpu]!++;
    return Math.min(Math.max(n, batch), maxNrFree);
  }
  if (freeHigh) return Math.min(pcp.count[cpu]!, batch << pcp.batchScaleMax);
  // clamp_t(): max first, then min, as the kernel's clamp does when high - batch < batch
  return Math.min(Math.max(pcp.freeCount[cpu]!, batch), high - batch);
}

/** What the last free_frozen_page_commit() did, for the decision log. */
export const pcpFreeStats = { drained: 0, freeHigh: false };

/**
 * free_frozen_page_commit() (free_unref_page_commit() before 6.15): put the block at the head of this CPU's
 * list; if pcp->count reaches nr_pcp_high(), spill nr_pcp_free() pages back with free_pcppages_bulk(),
 * starting with this list. High-order (1..3) frees that follow each other with enough recent frees trigger
 * free_high: drain rather than hoard fragmenting high-order pages. `mt` is already the pcp migratetype.
 */
export function freeFrozenPageCommit(pcp: ZonePcp, buddy: BuddyOps, cpu: number, pfn: number, order: number, mt: number): void {
  // on freeing, halve the next refill's scaling (see nrPcpAlloc)
  pcp.allocFactor[cpu]! >>= 1;
  const pindex = orderToPindex(pcp, mt, order);
  listAddHead(pcp, cpu * pcp.nrLists + pindex, pfn, order);
  pcp.count[cpu]! += 1 << order;
  const batch = pcp.batch;
  let freeHigh = false;
  const f = pcp.flags[cpu]!;
  if (pcp.highRule !== PCP_HIGH_ADAPTIVE) {
    // 6.0–6.6: a high-order free while pages are being freed without allocations in between (free_factor)
    freeHigh = pcp.freeHighOn && pcp.freeCount[cpu]! > 0 && order > 0 && order <= pcp.maxLowOrder;
  } else if (order && order <= pcp.maxLowOrder) {
    // free_count threshold batch + high_min / 2 ("mm: pcp: increase pcp->free_count threshold to trigger
    // free_high"; read in mm/page_alloc.c @ v6.17.2 free_frozen_page_commit(), before it was `batch`)
    freeHigh =
      pcp.freeCount[cpu]! >= batch + (pcp.highMin >> 1) &&
      (f & PCPF_PREV_FREE_HIGH_ORDER) !== 0 &&
      (!(f & PCPF_FREE_HIGH_BATCH) || pcp.count[cpu]! >= batch);
    pcp.flags[cpu] = f | PCPF_PREV_FREE_HIGH_ORDER;
  } else if (f & PCPF_PREV_FREE_HIGH_ORDER) {
    pcp.flags[cpu] = f & ~PCPF_PREV_FREE_HIGH_ORDER;
  }
  if (pcp.highRule === PCP_HIGH_ADAPTIVE && pcp.freeCount[cpu]! < batch << pcp.batchScaleMax) pcp.freeCount[cpu]! += 1 << order;
  pcpFreeStats.drained = 0;
  pcpFreeStats.freeHigh = freeHigh;
  const high = nrPcpHigh(pcp, cpu, batch, freeHigh);
  if (pcp.count[cpu]! >= high) {
    pcpFreeStats.drained = freePcppagesBulk(pcp, buddy, cpu, nrPcpFree(pcp, cpu, batch, high, freeHigh), pindex);
    const zone = pcp.zone;
    if ((zone.flags ?? 0) & ZONE_BELOW_HIGH && zoneMeetsHigh(zone)) zone.flags = zone.flags! & ~ZONE_BELOW_HIGH;
  }
}

/**
 * zone_watermark_ok(zone, 0, high_wmark_pages(zone), ZONE_MOVABLE, 0): the order-0 check with no reserves,
 * ALLOC_CMA unset and the highatomic free pages unusable (lowmem_reserve[ZONE_MOVABLE] of the zone itself).
 */
function zoneMeetsHigh(zone: Zone): boolean {
  const free = zone.nrFreePages - (zone.nrFreeHighatomic ?? 0) - (zone.nrFreeCmaPages ?? 0);
  return free > zone.watermark[WMARK_HIGH]! + zone.watermarkBoost + (zone.lowmemReserve[ZONE_MOVABLE] ?? 0);
}

/**
 * free_pcppages_bulk() (6.0+ shape): free `count` pages from this CPU's lists to the buddy, round-robin over
 * the lists starting with `pindex`, each list drained from the tail (coldest first) until empty or done; each
 * block goes through __free_one_page() with its pageblock's current migratetype (6.10+; it was the cached one
 * before). Returns the pages freed.
 */
export function freePcppagesBulk(pcp: ZonePcp, buddy: BuddyOps, cpu: number, count: number, pindex: number): number {
  // a count above pcp->count would spin forever on empty lists
  count = Math.min(pcp.count[cpu]!, count);
  const zone = pcp.zone;
  const mm = pcp.mm;
  const nrLists = pcp.nrLists;
  const base = cpu * nrLists;
  let freed = 0;
  pindex = pindex - 1; // ensure the requested list is drained first
  while (count > 0) {
    let li: number;
    do {
      if (++pindex > nrLists - 1) pindex = 0;
      li = base + pindex;
    } while (pcp.head[li]! < 0);
    const order = pindexToOrder(pcp, pindex);
    const nrPages = 1 << order;
    do {
      const pfn = pcp.tail[li]!;
      const mt = buddy.getPageblockMigratetype(mm, pfn);
      pcpListDel(pcp, li, pfn);
      count -= nrPages;
      pcp.count[cpu]! -= nrPages;
      freed += nrPages;
      buddy.freeOnePage(zone, mm, pfn, order, mt, FPI_NONE);
    } while (count > 0 && pcp.head[li]! >= 0);
  }
  return freed;
}

/**
 * drain_pages_zone(): empty this CPU's pagesets of the zone, at most batch << CONFIG_PCP_BATCH_SCALE_MAX pages
 * per round (the kernel drops the lock between rounds). Returns the pages freed.
 */
export function drainPagesZone(pcp: ZonePcp, buddy: BuddyOps, cpu: number): number {
  let freed = 0;
  let count: number;
  do {
    count = pcp.count[cpu]!;
    if (count) freed += freePcppagesBulk(pcp, buddy, cpu, Math.min(count, pcp.batch << pcp.batchScaleMax), 0);
  } while (count);
  return freed;
}

/**
 * drain_all_pages(zone) / drain_all_pages(NULL): every CPU's pagesets of `zones` (the slow path calls it after a
 * failed direct reclaim, before retrying). Returns the pages freed.
 */
export function drainAllPages(zones: readonly Zone[], buddy: BuddyOps): number {
  let freed = 0;
  for (const zone of zones) {
    const pcp = zone.pcp;
    if (!pcp) continue;
    for (let cpu = 0; cpu < pcp.nrCpus; cpu++) freed += drainPagesZone(pcp, buddy, cpu);
  }
  return freed;
}

/**
 * The pcp migratetype a freed block goes to (__free_frozen_pages()): HIGHATOMIC and CMA blocks go on the
 * MOVABLE list so those areas can be got back; -1 for MIGRATE_ISOLATE, which bypasses the pcp.
 */
export function pcpFreeMigratetype(pageblockMt: number): number {
  if (pageblockMt >= MIGRATE_PCPTYPES) return pageblockMt === MIGRATE_ISOLATE ? -1 : MIGRATE_MOVABLE;
  return pageblockMt;
}

/** One CPU's pageset as /proc/zoneinfo prints it (mm/vmstat.c zoneinfo_show_print(): count, high, batch, high_min, high_max). */
export interface PagesetView {
  cpu: number;
  count: number;
  high: number;
  batch: number;
  highMin: number;
  highMax: number;
}

/** The zone's pagesets, one per CPU, for the zoneinfo printer. */
export function zonePagesets(pcp: ZonePcp): PagesetView[] {
  const out: PagesetView[] = [];
  for (let cpu = 0; cpu < pcp.nrCpus; cpu++) {
    out.push({ cpu, count: pcp.count[cpu]!, high: pcp.high[cpu]!, batch: pcp.batch, highMin: pcp.highMin, highMax: pcp.highMax });
  }
  return out;
}
