/**
 * The buddy allocator's free lists: mirrors mm/page_alloc.c @ v6.18 — struct free_area list surgery
 * (__add_to_free_list, move_to_free_list, __del_page_from_free_list, account_freepages), expand(),
 * __rmqueue_smallest(), __free_one_page() with buddy_merge_likely(), split_large_buddy(), fallbacks[],
 * find_suitable_fallback(), should_try_claim_block(), try_to_claim_block(), __rmqueue_claim(), __rmqueue_steal(),
 * __rmqueue(), prep_move_freepages_block() / __move_freepages_block() / move_freepages_block(),
 * change_pageblock_range(), reserve_highatomic_pageblock(), unreserve_highatomic_pageblock(), and the boot
 * release of memory (memblock_free_all → __free_pages_memory → __free_pages_core).
 *
 * State: the free lists are intrusive doubly-linked lists through the node memmap's `next`/`prev` Int32Arrays
 * (pfns, −1 = none); heads and tails per (order, migratetype) live in zone.freeArea, index
 * order * MIGRATE_TYPES + mt. Every list operation keeps nr_free (per order), the per-(order, mt) block counts
 * (pagetypeinfo), NR_FREE_PAGES, NR_FREE_PAGES_BLOCKS, NR_FREE_CMA_PAGES and nr_free_highatomic exact, as
 * account_freepages() does (6.10+: pages in MIGRATE_ISOLATE blocks are not counted).
 *
 * Not modelled: page shuffling (CONFIG_SHUFFLE_PAGE_ALLOCATOR, off by default), DEBUG_PAGEALLOC guard pages,
 * compaction capture inside __free_one_page (compaction.ts will hook in), page reporting.
 */
import type { Policy } from '../policy/policy.js';
import { v6_18 } from '../policy/v6.18.js';
import { InputError } from '../errors.js';
import * as internalModule from './internal.js';
import { getPageblockMigratetype, setPageblockMigratetype } from './memmap.js';
import * as memmapModule from './memmap.js';
import type { MemMap } from './memmap.js';
import * as mmzoneModule from './mmzone.js';
import type { FreeAreaState, Zone } from './mmzone.js';
import { boostWatermark } from './watermark.js';

// hot-path imports copied into module consts (README "Hot-path imports": V8 reads an import through its cell)
const { MAX_PAGE_ORDER, MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, MIGRATE_RECLAIMABLE, MIGRATE_TYPES, MIGRATE_UNMOVABLE, NR_PAGE_ORDERS, pageblock_nr_pages, pageblock_order } = mmzoneModule;
const { ALLOC_CMA, ALLOC_KSWAPD, ALLOC_NOFRAGMENT, ZONE_BOOSTED_WATERMARK } = internalModule;
const { PAGE_ALLOC, PAGE_BUDDY, PAGE_HOLE, PAGE_RESERVED, PAGE_TAIL, PB_MIGRATETYPE_MASK, PB_migrate_isolate, PG_BUDDY_MT_SHIFT, PG_movable_alike } = memmapModule;

/** fpi_t flags (mm/internal.h v6.18) */
export const FPI_NONE = 0;
/** skip the page-reporting notification (not modelled; accepted for fidelity of call sites) */
export const FPI_SKIP_REPORT_NOTIFY = 1 << 0;
/** put the freed (merged) block at the tail of its list: boot memory, onlining, page reporting */
export const FPI_TO_TAIL = 1 << 1;

/** enum rmqueue_mode (mm/page_alloc.c 6.15+): where __rmqueue starts; rmqueue_bulk() remembers the last one */
export const RMQUEUE_NORMAL = 0;
export const RMQUEUE_CMA = 1;
export const RMQUEUE_CLAIM = 2;
export const RMQUEUE_STEAL = 3;

const MT = MIGRATE_TYPES;

/**
 * What the last rmqueueBlock() / rmqueueSmallest() did, for the caller's decision log (style.md §2: one reusable
 * record, no allocation per request). Reset at the start of every rmqueueBlock().
 */
export interface BuddyStats {
  /** the rmqueue_mode that served the request (RMQUEUE_*), −1 if it failed; pass it back as rmqueue_bulk does */
  mode: number;
  /** the order the block was taken from (current_order), −1 if none */
  currentOrder: number;
  /** a fallback fired (mm_page_alloc_extfrag): claim or steal */
  fallback: boolean;
  /** fallback_migratetype of the extfrag event, −1 if none */
  fallbackMt: number;
  /** __rmqueue_claim succeeded: the whole pageblock (or the ≥ pageblock_order block) changed type */
  claimed: boolean;
  /** __rmqueue_steal succeeded: one block taken, the pageblock keeps its type */
  stole: boolean;
  /** extfrag's change_ownership: the returned page's pageblock now has the requested type */
  changeOwnership: boolean;
  /** try_to_claim_block() asked for boost_watermark() (a claim attempt below pageblock_order) */
  boostRequested: boolean;
  /** boost_watermark() returned true (the zone's watermark_boost grew) */
  boosted: boolean;
  /** claim attempts that failed the free + alike ≥ pageblock_nr_pages / 2 test */
  claimRejected: number;
  /** free / alike pages counted by the last claim attempt below pageblock_order */
  claimFreePages: number;
  claimAlikePages: number;
}

export const buddyStats: BuddyStats = {
  mode: -1,
  currentOrder: -1,
  fallback: false,
  fallbackMt: -1,
  claimed: false,
  stole: false,
  changeOwnership: false,
  boostRequested: false,
  boosted: false,
  claimRejected: 0,
  claimFreePages: 0,
  claimAlikePages: 0,
};

function resetBuddyStats(): void {
  const s = buddyStats;
  s.mode = -1;
  s.currentOrder = -1;
  s.fallback = false;
  s.fallbackMt = -1;
  s.claimed = false;
  s.stole = false;
  s.changeOwnership = false;
  s.boostRequested = false;
  s.boosted = false;
  s.claimRejected = 0;
  s.claimFreePages = 0;
  s.claimAlikePages = 0;
}

/**
 * A zone's struct free_area[NR_PAGE_ORDERS] (include/linux/mmzone.h), empty, set up for `policy`
 * (fallbacks[], move-to-tail rule). The caller sets `sysctl` so that claims can boost the watermark, and
 * `mobilityDisabled` for tiny machines (page_group_by_mobility_disabled).
 */
export function initFreeArea(policy: Policy = v6_18): FreeAreaState {
  const fallbacks = new Int8Array(MT * 2).fill(-1);
  for (let mt = 0; mt < policy.fallbacks.length; mt++) {
    const row = policy.fallbacks[mt]!;
    for (let i = 0; i < row.length && i < 2; i++) fallbacks[mt * 2 + i] = row[i]!;
  }
  return {
    head: new Int32Array(NR_PAGE_ORDERS * MT).fill(-1),
    tail: new Int32Array(NR_PAGE_ORDERS * MT).fill(-1),
    nrFree: new Int32Array(NR_PAGE_ORDERS),
    nrFreeMt: new Int32Array(NR_PAGE_ORDERS * MT),
    nrFreePagesBlocks: 0,
    fallbacks,
    moveToTail: policy.moveFreepagesToTail,
    mobilityDisabled: false,
    sysctl: null,
    policy,
  };
}

/** include/linux/mmzone.h migratetype_is_mergeable(): UNMOVABLE, MOVABLE, RECLAIMABLE */
export function migratetypeIsMergeable(mt: number): boolean {
  return mt < MIGRATE_PCPTYPES;
}

// ---------------------------------------------------------------------------------------------------------
// List surgery. A list is (head, tail) in freeArea at li = order * MT + mt; links are mm.next / mm.prev.
//   add at head:  p.prev = −1; p.next = head; head.prev = p (or tail = p when empty); head = p
//   add at tail:  p.next = −1; p.prev = tail; tail.next = p (or head = p when empty); tail = p
//   del:          prev.next = p.next (or head = p.next); next.prev = p.prev (or tail = p.prev); p.next = p.prev = −1
// ---------------------------------------------------------------------------------------------------------

function listAdd(fa: FreeAreaState, mm: MemMap, li: number, pfn: number): void {
  const next = mm.next;
  const prev = mm.prev;
  const base = mm.startPfn;
  const h = fa.head[li]!;
  prev[pfn - base] = -1;
  next[pfn - base] = h;
  if (h < 0) fa.tail[li] = pfn;
  else prev[h - base] = pfn;
  fa.head[li] = pfn;
}

function listAddTail(fa: FreeAreaState, mm: MemMap, li: number, pfn: number): void {
  const next = mm.next;
  const prev = mm.prev;
  const base = mm.startPfn;
  const t = fa.tail[li]!;
  next[pfn - base] = -1;
  prev[pfn - base] = t;
  if (t < 0) fa.head[li] = pfn;
  else next[t - base] = pfn;
  fa.tail[li] = pfn;
}

function listDel(fa: FreeAreaState, mm: MemMap, li: number, pfn: number): void {
  const next = mm.next;
  const prev = mm.prev;
  const i = pfn - mm.startPfn;
  const n = next[i]!;
  const p = prev[i]!;
  if (p < 0) fa.head[li] = n;
  else next[p - mm.startPfn] = n;
  if (n < 0) fa.tail[li] = p;
  else prev[n - mm.startPfn] = p;
  next[i] = -1;
  prev[i] = -1;
}

/**
 * mm/page_alloc.c account_freepages() (6.10+): NR_FREE_PAGES, NR_FREE_CMA_PAGES and nr_free_highatomic follow
 * the pages on the lists of their type; MIGRATE_ISOLATE pages are not free memory.
 */
export function accountFreepages(zone: Zone, nrPages: number, mt: number): void {
  if (mt === MIGRATE_ISOLATE) return;
  zone.nrFreePages += nrPages;
  if (mt === MIGRATE_CMA) zone.nrFreeCmaPages = (zone.nrFreeCmaPages ?? 0) + nrPages;
  else if (mt === MIGRATE_HIGHATOMIC) zone.nrFreeHighatomic = (zone.nrFreeHighatomic ?? 0) + nrPages;
}

/**
 * mm/page_alloc.c __add_to_free_list(): link a block at the head (or tail) of free_list[mt] of its order and
 * mark it PageBuddy with its order (set_buddy_order()). Does not touch NR_FREE_PAGES (see addToFreeList).
 */
export function addToFreeListNoAccount(zone: Zone, mm: MemMap, pfn: number, order: number, mt: number, tail: boolean): void {
  const fa = zone.freeArea;
  const li = order * MT + mt;
  const i = pfn - mm.startPfn;
  mm.state[i] = PAGE_BUDDY;
  mm.order[i] = order;
  mm.flags[i] = mt << PG_BUDDY_MT_SHIFT;
  if (tail) listAddTail(fa, mm, li, pfn);
  else listAdd(fa, mm, li, pfn);
  fa.nrFree[order]!++;
  fa.nrFreeMt[li]!++;
  if (order >= pageblock_order && mt !== MIGRATE_ISOLATE) fa.nrFreePagesBlocks += 1 << order;
}

/** mm/page_alloc.c add_to_free_list(): __add_to_free_list() + account_freepages() */
export function addToFreeList(zone: Zone, mm: MemMap, pfn: number, order: number, mt: number, tail: boolean): void {
  addToFreeListNoAccount(zone, mm, pfn, order, mt, tail);
  accountFreepages(zone, 1 << order, mt);
}

/**
 * mm/page_alloc.c __del_page_from_free_list(): unlink a free block and clear PageBuddy. The caller sets the
 * page's new state (allocated head, or tail of a merged block). Does not touch NR_FREE_PAGES.
 */
export function delPageFromFreeListNoAccount(zone: Zone, mm: MemMap, pfn: number, order: number, _mt: number): number {
  const fa = zone.freeArea;
  // the list the block is really on (list_del() needs no type); equal to the caller's type on 6.10+
  const mt = mm.flags[pfn - mm.startPfn]! >> PG_BUDDY_MT_SHIFT;
  const li = order * MT + mt;
  listDel(fa, mm, li, pfn);
  mm.state[pfn - mm.startPfn] = PAGE_TAIL;
  mm.flags[pfn - mm.startPfn] = 0;
  fa.nrFree[order]!--;
  fa.nrFreeMt[li]!--;
  if (order >= pageblock_order && mt !== MIGRATE_ISOLATE) fa.nrFreePagesBlocks -= 1 << order;
  return mt;
}

/** mm/page_alloc.c del_page_from_free_list(): __del_page_from_free_list() + account_freepages() */
export function delPageFromFreeList(zone: Zone, mm: MemMap, pfn: number, order: number, mt: number): void {
  accountFreepages(zone, -(1 << order), delPageFromFreeListNoAccount(zone, mm, pfn, order, mt));
}

/**
 * mm/page_alloc.c move_to_free_list(): move a free block from free_list[oldMt] to free_list[newMt] of its order,
 * at the tail (5.10+: "so the moved pages won't immediately be considered for allocation again"), with the
 * accounting of both types.
 */
export function moveToFreeList(zone: Zone, mm: MemMap, pfn: number, order: number, _oldMt: number, newMt: number): void {
  const fa = zone.freeArea;
  // list_move(): from the list the block is really on
  const oldMt = mm.flags[pfn - mm.startPfn]! >> PG_BUDDY_MT_SHIFT;
  const oli = order * MT + oldMt;
  const nli = order * MT + newMt;
  listDel(fa, mm, oli, pfn);
  if (fa.moveToTail) listAddTail(fa, mm, nli, pfn);
  else listAdd(fa, mm, nli, pfn);
  mm.flags[pfn - mm.startPfn] = newMt << PG_BUDDY_MT_SHIFT;
  fa.nrFreeMt[oli]!--;
  fa.nrFreeMt[nli]!++;
  accountFreepages(zone, -(1 << order), oldMt);
  accountFreepages(zone, 1 << order, newMt);
  if (order >= pageblock_order && (oldMt === MIGRATE_ISOLATE) !== (newMt === MIGRATE_ISOLATE)) {
    fa.nrFreePagesBlocks += oldMt === MIGRATE_ISOLATE ? 1 << order : -(1 << order);
  }
}

/** The page leaves the buddy allocator as an allocated block of `order` (prep_new_page()'s view of the memmap). */
function markAllocated(mm: MemMap, pfn: number, order: number): void {
  const i = pfn - mm.startPfn;
  mm.state[i] = PAGE_ALLOC;
  mm.order[i] = order;
  mm.flags[i] = 0;
  mm.owner[i] = -1;
}

/**
 * mm/page_alloc.c expand(): split a block of order `high` at pfn down to `low`. The upper half of each split goes
 * to the HEAD of free_list[mt] of the lower order ("so that the next allocation finds the adjacent page first":
 * a run of small allocations out of one big block returns ascending pfns). Returns the pages put back.
 */
export function expand(zone: Zone, mm: MemMap, pfn: number, low: number, high: number, mt: number): number {
  let size = 1 << high;
  let nrAdded = 0;
  while (high > low) {
    high--;
    size >>= 1;
    addToFreeListNoAccount(zone, mm, pfn + size, high, mt, false);
    nrAdded += size;
  }
  return nrAdded;
}

/** mm/page_alloc.c page_del_and_expand(): unlink, split, and account only the pages that left the lists */
function pageDelAndExpand(zone: Zone, mm: MemMap, pfn: number, low: number, high: number, mt: number): void {
  const listMt = delPageFromFreeListNoAccount(zone, mm, pfn, high, mt);
  const nrAdded = expand(zone, mm, pfn, low, high, mt);
  // the remnants join `mt`'s lists: move their accounting from the list the block came from (same type on 6.10+)
  accountFreepages(zone, -(1 << high), listMt);
  accountFreepages(zone, nrAdded, mt);
}

/**
 * mm/page_alloc.c __rmqueue_smallest(): the head block of the smallest non-empty free_list[mt] at order ≥
 * `order`, split down to `order` by expand(). Returns its pfn (now a PAGE_ALLOC head) or −1.
 */
export function rmqueueSmallest(zone: Zone, mm: MemMap, order: number, mt: number): number {
  const head = zone.freeArea.head;
  for (let o = order; o < NR_PAGE_ORDERS; o++) {
    const pfn = head[o * MT + mt]!;
    if (pfn < 0) continue;
    pageDelAndExpand(zone, mm, pfn, order, o, mt);
    markAllocated(mm, pfn, order);
    buddyStats.currentOrder = o;
    return pfn;
  }
  return -1;
}

/**
 * mm/page_alloc.c buddy_merge_likely(): if the block just freed (pfn, order) has a free buddy one order up
 * once its own buddy is freed, put it at the tail so it stays free longer and the larger merge can happen.
 * Only below MAX_PAGE_ORDER − 1 (6.4+; `order < MAX_ORDER − 2` before: the same order 8 on x86-64).
 */
function buddyMergeLikely(zone: Zone, mm: MemMap, pfn: number, buddyPfn: number, order: number): boolean {
  if (order >= MAX_PAGE_ORDER - 1) return false;
  const higher = buddyPfn & pfn;
  const higherBuddy = higher ^ (1 << (order + 1));
  const zs = zone.zoneStartPfn as number;
  if (higherBuddy < zs || higherBuddy >= zs + zone.spannedPages) return false;
  const i = higherBuddy - mm.startPfn;
  return mm.state[i] === PAGE_BUDDY && mm.order[i] === order + 1;
}

/** the free area's policy; v6.18 for hand-made test free areas without one */
function faPolicy(fa: FreeAreaState): Policy {
  return (fa.policy as Policy | undefined) ?? v6_18;
}

const MERGE_ISOLATE = 0;
const MERGE_MERGEABLE = 1;
const MERGE_RETYPE = 2;
function mergeRuleOf(p: Policy): number {
  return p.freeMergeRule === 'isolate' ? MERGE_ISOLATE : p.freeMergeRule === 'mergeable' ? MERGE_MERGEABLE : MERGE_RETYPE;
}

/**
 * mm/page_alloc.c __free_one_page() (v6.18): put a block of `order` at pfn (an allocated or pcp head) back,
 * merging with its free buddies. Buddy of (pfn, order) = pfn ^ 2^order; the merged block starts at pfn & buddy.
 * A buddy qualifies if it is a free block (PageBuddy) of exactly `order` in the same zone. At order ≥
 * pageblock_order the buddy's pageblock type is read: merging stops if the types differ and either is not
 * mergeable (HIGHATOMIC, CMA, ISOLATE); a mergeable buddy of another type is re-typed to `migratetype`
 * (6.10+: "so that an expand() down the line puts the sub-blocks on the right freelists").
 * The result goes to the tail with FPI_TO_TAIL or when buddy_merge_likely(), else to the head.
 */
export function freeOnePage(zone: Zone, mm: MemMap, pfn: number, order: number, migratetype: number, fpiFlags: number): void {
  const state = mm.state;
  const ord = mm.order;
  const base = mm.startPfn;
  const zs = zone.zoneStartPfn as number;
  const ze = zs + zone.spannedPages;
  const rule = mergeRuleOf(faPolicy(zone.freeArea));
  accountFreepages(zone, 1 << order, migratetype);
  state[pfn - base] = PAGE_TAIL;
  mm.owner[pfn - base] = -1;
  mm.flags[pfn - base] = 0;
  let buddyPfn = 0;
  while (order < MAX_PAGE_ORDER) {
    buddyPfn = pfn ^ (1 << order);
    // page_is_buddy(): a free block of this order in the same zone
    if (buddyPfn < zs || buddyPfn >= ze) break;
    const bi = buddyPfn - base;
    if (state[bi] !== PAGE_BUDDY || ord[bi] !== order) break;
    let buddyMt = migratetype;
    if (order >= pageblock_order) {
      buddyMt = getPageblockMigratetype(mm, buddyPfn);
      if (migratetype !== buddyMt) {
        // ≤5.x: only isolation stops the merge; 6.0+: any non-mergeable type (HIGHATOMIC, CMA, ISOLATE)
        if (rule === MERGE_ISOLATE ? migratetype === MIGRATE_ISOLATE || buddyMt === MIGRATE_ISOLATE
          : !migratetypeIsMergeable(migratetype) || !migratetypeIsMergeable(buddyMt)) break;
      }
    }
    delPageFromFreeListNoAccount(zone, mm, buddyPfn, order, buddyMt);
    // 6.10+: the buddy's pageblock takes the freeing page's type; before, the merged block just joins its list
    if (buddyMt !== migratetype && rule === MERGE_RETYPE) setPageblockMigratetype(mm, buddyPfn, migratetype);
    pfn = buddyPfn & pfn;
    order++;
  }
  let toTail: boolean;
  if (fpiFlags & FPI_TO_TAIL) toTail = true;
  else toTail = buddyMergeLikely(zone, mm, pfn, buddyPfn, order);
  addToFreeListNoAccount(zone, mm, pfn, order, migratetype, toTail);
}

/**
 * mm/page_alloc.c split_large_buddy() as called by free_one_page() (6.10+): a block larger than a pageblock is
 * freed pageblock by pageblock, each with its own pageblock's type, and re-merges under __free_one_page's rules.
 */
export function splitLargeBuddy(zone: Zone, mm: MemMap, pfn: number, order: number, fpiFlags: number): void {
  const end = pfn + (1 << order);
  if (order > pageblock_order) order = pageblock_order;
  for (;;) {
    const mt = getPageblockMigratetype(mm, pfn);
    freeOnePage(zone, mm, pfn, order, mt, fpiFlags);
    pfn += 1 << order;
    if (pfn === end) break;
  }
}

/** mm/page_alloc.c change_pageblock_range(): set every pageblock of the block (pfn, order ≥ pageblock_order) */
export function changePageblockRange(mm: MemMap, pfn: number, order: number, mt: number): void {
  let nrPageblocks = 1 << (order - pageblock_order);
  while (nrPageblocks--) {
    setPageblockMigratetype(mm, pfn, mt);
    pfn += pageblock_nr_pages;
  }
}

/** Counts written by prepMoveFreepagesBlock() (reused; no allocation). */
export const moveCounts = { startPfn: 0, numFree: 0, numMovable: 0 };

/**
 * mm/page_alloc.c prep_move_freepages_block(): the pageblock of pfn, refused (false) when it straddles the zone
 * ("the caller only has the lock for @zone"). With `count`, also counts its free pages and the allocated pages
 * that look movable (PageLRU() || page_has_movable_ops(): here PG_movable_alike on an allocated head, counted
 * for every page of that block) into moveCounts.
 */
export function prepMoveFreepagesBlock(zone: Zone, mm: MemMap, pfn: number, count: boolean): boolean {
  const start = pfn & ~(pageblock_nr_pages - 1);
  const end = start + pageblock_nr_pages;
  const zs = zone.zoneStartPfn as number;
  if (start < zs || end - 1 >= zs + zone.spannedPages) return false;
  moveCounts.startPfn = start;
  if (count) {
    const state = mm.state;
    const ord = mm.order;
    const flags = mm.flags;
    const base = mm.startPfn;
    let numFree = 0;
    let numMovable = 0;
    for (let p = start; p < end; ) {
      const i = p - base;
      const st = state[i]!;
      if (st === PAGE_BUDDY) {
        const nr = 1 << ord[i]!;
        numFree += nr;
        p += nr;
        continue;
      }
      if (st === PAGE_ALLOC) {
        // every page of an LRU / movable folio reports the head's flag (PF_HEAD policy)
        const nr = Math.min(1 << ord[i]!, end - p);
        if (flags[i]! & PG_movable_alike) numMovable += nr;
        p += nr;
        continue;
      }
      p++;
    }
    moveCounts.numFree = numFree;
    moveCounts.numMovable = numMovable;
  }
  return true;
}

/**
 * mm/page_alloc.c __move_freepages_block(): move every free block of the pageblock at startPfn from
 * free_list[oldMt] to free_list[newMt]. Returns the pages moved. The caller sets the pageblock type.
 */
export function moveFreepagesBlockRange(zone: Zone, mm: MemMap, startPfn: number, oldMt: number, newMt: number): number {
  const end = startPfn + pageblock_nr_pages;
  const state = mm.state;
  const ord = mm.order;
  const base = mm.startPfn;
  let moved = 0;
  for (let p = startPfn; p < end; ) {
    const i = p - base;
    if (state[i] !== PAGE_BUDDY) {
      p++;
      continue;
    }
    const o = ord[i]!;
    moveToFreeList(zone, mm, p, o, oldMt, newMt);
    p += 1 << o;
    moved += 1 << o;
  }
  return moved;
}

/**
 * mm/page_alloc.c move_freepages_block(): re-type the pageblock holding pfn and move its free blocks from
 * oldMt's lists to newMt's. Returns the pages moved, or −1 when the pageblock straddles the zone boundary.
 */
export function moveFreepagesBlock(zone: Zone, mm: MemMap, pfn: number, oldMt: number, newMt: number): number {
  if (!prepMoveFreepagesBlock(zone, mm, pfn, false)) return -1;
  const start = moveCounts.startPfn;
  const res = moveFreepagesBlockRange(zone, mm, start, oldMt, newMt);
  setPageblockMigratetype(mm, start, newMt);
  return res;
}

/**
 * mm/page_alloc.c should_try_claim_block(): is a fallback block of `order` worth claiming whole? Always at
 * ≥ pageblock_order / 2; for UNMOVABLE and RECLAIMABLE requests at any order ("would cause permanent
 * fragmentation"); always when mobility grouping is off; never for small MOVABLE requests (they steal).
 */
export function shouldTryClaimBlock(fa: FreeAreaState, order: number, startMt: number): boolean {
  if (order >= pageblock_order) return true;
  if (order >= pageblock_order >> 1) return true;
  if (startMt === MIGRATE_RECLAIMABLE || startMt === MIGRATE_UNMOVABLE) return true;
  if (fa.mobilityDisabled) return true;
  return false;
}

/**
 * mm/page_alloc.c find_suitable_fallback(): the first type of fallbacks[mt] with a free block of `order`;
 * −1 when none, −2 when `claimable` and the order is too low to claim (the claim scan stops there).
 */
export function findSuitableFallback(fa: FreeAreaState, order: number, mt: number, claimable: boolean): number {
  if (claimable && !shouldTryClaimBlock(fa, order, mt)) return -2;
  if (fa.nrFree[order] === 0) return -1;
  const fb = fa.fallbacks;
  for (let i = 0; i < 2; i++) {
    const fmt = fb[mt * 2 + i]!;
    if (fmt < 0) break;
    if (fa.head[order * MT + fmt]! >= 0) return fmt;
  }
  return -1;
}

/**
 * mm/page_alloc.c try_to_claim_block() (6.15+): take over the pageblock of a fallback block (pfn, currentOrder).
 * ≥ pageblock_order: re-type every covered pageblock and split with remnants on startType. Below: boost the
 * watermark, count the block's free and "alike" pages, and claim only if free + alike ≥ pageblock_nr_pages / 2
 * (or grouping is off): move its free blocks, re-type it, then allocate with __rmqueue_smallest. −1 = not claimed.
 * "Alike": for a MOVABLE request the movable-looking allocated pages; for UNMOVABLE/RECLAIMABLE falling into a
 * MOVABLE block every non-free non-movable page; between UNMOVABLE and RECLAIMABLE none.
 */
function tryToClaimBlock(
  zone: Zone,
  mm: MemMap,
  pfn: number,
  currentOrder: number,
  order: number,
  startType: number,
  blockType: number,
  allocFlags: number,
): number {
  const fa = zone.freeArea;
  if (currentOrder >= pageblock_order) {
    delPageFromFreeList(zone, mm, pfn, currentOrder, blockType);
    changePageblockRange(mm, pfn, currentOrder, startType);
    const nrAdded = expand(zone, mm, pfn, order, currentOrder, startType);
    accountFreepages(zone, nrAdded, startType);
    markAllocated(mm, pfn, order);
    buddyStats.currentOrder = currentOrder;
    return pfn;
  }
  // boost watermarks to increase reclaim pressure and so reduce the chance of future fallbacks
  buddyStats.boostRequested = true;
  if (fa.sysctl !== null && boostWatermark(zone, fa.sysctl, fa.policy)) {
    buddyStats.boosted = true;
    if (allocFlags & ALLOC_KSWAPD) zone.flags = (zone.flags ?? 0) | ZONE_BOOSTED_WATERMARK;
  }
  if (!prepMoveFreepagesBlock(zone, mm, pfn, true)) return -1;
  const freePages = moveCounts.numFree;
  const movablePages = moveCounts.numMovable;
  let alikePages: number;
  if (startType === MIGRATE_MOVABLE) alikePages = movablePages;
  else if (blockType === MIGRATE_MOVABLE) alikePages = pageblock_nr_pages - (freePages + movablePages);
  else alikePages = 0;
  buddyStats.claimFreePages = freePages;
  buddyStats.claimAlikePages = alikePages;
  if (freePages + alikePages >= 1 << (pageblock_order - 1) || fa.mobilityDisabled) {
    const start = moveCounts.startPfn;
    moveFreepagesBlockRange(zone, mm, start, blockType, startType);
    setPageblockMigratetype(mm, start, startType);
    return rmqueueSmallest(zone, mm, order, startType);
  }
  buddyStats.claimRejected++;
  return -1;
}

function recordExtfrag(mm: MemMap, pfn: number, currentOrder: number, startMt: number, fallbackMt: number): void {
  const s = buddyStats;
  s.fallback = true;
  s.fallbackMt = fallbackMt;
  s.currentOrder = currentOrder;
  s.changeOwnership = getPageblockMigratetype(mm, pfn) === startMt;
}

/**
 * mm/page_alloc.c __rmqueue_claim() (6.15+): from MAX_PAGE_ORDER down to `order` (to pageblock_order under
 * ALLOC_NOFRAGMENT for small requests), the largest fallback block whose pageblock can be claimed; the scan
 * stops at the first order too low to claim; a rejected claim goes on with the next lower order.
 */
export function rmqueueClaim(zone: Zone, mm: MemMap, order: number, startMt: number, allocFlags: number): number {
  const fa = zone.freeArea;
  let minOrder = order;
  if (order < pageblock_order && allocFlags & ALLOC_NOFRAGMENT) minOrder = pageblock_order;
  for (let co = MAX_PAGE_ORDER; co >= minOrder; co--) {
    const fmt = findSuitableFallback(fa, co, startMt, true);
    if (fmt === -1) continue;
    if (fmt === -2) break;
    const fpfn = fa.head[co * MT + fmt]!;
    const pfn = tryToClaimBlock(zone, mm, fpfn, co, order, startMt, fmt, allocFlags);
    if (pfn >= 0) {
      recordExtfrag(mm, pfn, co, startMt, fmt);
      buddyStats.claimed = true;
      return pfn;
    }
  }
  return -1;
}

/**
 * mm/page_alloc.c __rmqueue_steal() (6.15+): from `order` upward, the head block of the first fallback list with
 * one, split with the remnants left on the fallback (pageblock) type's lists; the pageblock keeps its type.
 */
export function rmqueueSteal(zone: Zone, mm: MemMap, order: number, startMt: number): number {
  const fa = zone.freeArea;
  for (let co = order; co < NR_PAGE_ORDERS; co++) {
    const fmt = findSuitableFallback(fa, co, startMt, false);
    if (fmt === -1) continue;
    const pfn = fa.head[co * MT + fmt]!;
    pageDelAndExpand(zone, mm, pfn, order, co, fmt);
    markAllocated(mm, pfn, order);
    recordExtfrag(mm, pfn, co, startMt, fmt);
    buddyStats.stole = true;
    return pfn;
  }
  return -1;
}

/**
 * mm/page_alloc.c __rmqueue() (6.15+): CMA first when ALLOC_CMA and more than half the zone's free pages are
 * CMA; then, from `mode`, NORMAL (__rmqueue_smallest) → CMA → CLAIM → STEAL (not under ALLOC_NOFRAGMENT).
 * rmqueue_bulk() passes back buddyStats.mode within one refill, as the kernel remembers "where we found pay
 * dirt"; a successful claim resets it to NORMAL. Returns the pfn (a PAGE_ALLOC head of `order`) or −1.
 */
export function rmqueueBlock(zone: Zone, mm: MemMap, order: number, mt: number, allocFlags: number, mode = RMQUEUE_NORMAL): number {
  resetBuddyStats();
  const s = buddyStats;
  let pfn: number;
  const shape = faPolicy(zone.freeArea).rmqueueFallback;
  if (shape !== 'claim-steal') return rmqueueOld(zone, mm, order, mt, allocFlags, shape === 'steal-4.0' ? 0 : shape === 'steal-4.4' ? 1 : 2);
  if (allocFlags & ALLOC_CMA && (zone.nrFreeCmaPages ?? 0) > Math.floor(zone.nrFreePages / 2)) {
    pfn = rmqueueSmallest(zone, mm, order, MIGRATE_CMA);
    if (pfn >= 0) {
      s.mode = mode;
      return pfn;
    }
  }
  switch (mode) {
    case RMQUEUE_NORMAL:
      pfn = rmqueueSmallest(zone, mm, order, mt);
      if (pfn >= 0) {
        s.mode = RMQUEUE_NORMAL;
        return pfn;
      }
    // fallthrough
    case RMQUEUE_CMA:
      if (allocFlags & ALLOC_CMA) {
        pfn = rmqueueSmallest(zone, mm, order, MIGRATE_CMA);
        if (pfn >= 0) {
          s.mode = RMQUEUE_CMA;
          return pfn;
        }
      }
    // fallthrough
    case RMQUEUE_CLAIM:
      pfn = rmqueueClaim(zone, mm, order, mt, allocFlags);
      if (pfn >= 0) {
        // replenished the preferred freelist: back to normal mode
        s.mode = RMQUEUE_NORMAL;
        return pfn;
      }
    // fallthrough
    case RMQUEUE_STEAL:
      if (!(allocFlags & ALLOC_NOFRAGMENT)) {
        pfn = rmqueueSteal(zone, mm, order, mt);
        if (pfn >= 0) {
          s.mode = RMQUEUE_STEAL;
          return pfn;
        }
      }
  }
  s.mode = -1;
  return -1;
}

// ---------------------------------------------------------------------------------------------------------
// __rmqueue before 6.10: v4.0 (try_to_steal_freepages, MIGRATE_RESERVE), 4.4–4.12 and 4.13–6.9
// (find_suitable_fallback + steal_suitable_fallback, then __rmqueue_smallest again).
// ---------------------------------------------------------------------------------------------------------

const SHAPE_4_0 = 0;
const SHAPE_4_4 = 1;
const SHAPE_4_13 = 2;

/**
 * mm/page_alloc.c __rmqueue() ≤ 6.9. v4.0: __rmqueue_smallest, then __rmqueue_fallback (which hands out the page
 * itself), then MIGRATE_RESERVE (slot 3) as the last resort ("retry_reserve"). 4.4–6.9: __rmqueue_smallest, CMA,
 * then __rmqueue_fallback moves a fallback block (or its whole pageblock) to the requested type's lists and
 * __rmqueue_smallest runs again ("goto retry"). 5.8+ takes CMA first when it holds over half the free pages.
 */
function rmqueueOld(zone: Zone, mm: MemMap, order: number, mt: number, allocFlags: number, shape: number): number {
  const s = buddyStats;
  const p = zone.freeArea.policy;
  let pfn = -1;
  if (p.cmaFirstWhenHalf && allocFlags & ALLOC_CMA && (zone.nrFreeCmaPages ?? 0) > Math.floor(zone.nrFreePages / 2)) {
    pfn = rmqueueSmallest(zone, mm, order, MIGRATE_CMA);
    if (pfn >= 0) {
      s.mode = RMQUEUE_CMA;
      return pfn;
    }
  }
  if (shape === SHAPE_4_0) {
    pfn = rmqueueSmallest(zone, mm, order, mt);
    if (pfn < 0) pfn = rmqueueFallback40(zone, mm, order, mt);
    // MIGRATE_RESERVE handled later if necessary: the last resort of every request
    if (pfn < 0 && p.fallbackReserve && mt !== MIGRATE_HIGHATOMIC) pfn = rmqueueSmallest(zone, mm, order, MIGRATE_HIGHATOMIC);
    s.mode = pfn >= 0 ? RMQUEUE_NORMAL : -1;
    return pfn;
  }
  for (let tries = 0; tries < 2 * NR_PAGE_ORDERS; tries++) {
    pfn = rmqueueSmallest(zone, mm, order, mt);
    if (pfn >= 0) break;
    if (allocFlags & ALLOC_CMA) {
      pfn = rmqueueSmallest(zone, mm, order, MIGRATE_CMA);
      if (pfn >= 0) break;
    }
    if (!rmqueueFallbackSteal(zone, mm, order, mt, allocFlags, shape)) break;
  }
  s.mode = pfn >= 0 ? RMQUEUE_NORMAL : -1;
  return pfn;
}

/**
 * mm/page_alloc.c __rmqueue_fallback() + try_to_steal_freepages() @ v4.0: from MAX_ORDER − 1 down, the head block
 * of the first fallback list with one. At ≥ pageblock_order its pageblocks become the requested type; at ≥
 * pageblock_order / 2, or for UNMOVABLE / RECLAIMABLE requests, the pageblock's free blocks move to the requested
 * type and the pageblock changes type if that moved ≥ half of it; in both cases the split remnants go to the
 * requested type's lists ("always steal split buddies"); otherwise they stay on the fallback type's lists.
 */
function rmqueueFallback40(zone: Zone, mm: MemMap, order: number, startMt: number): number {
  const fa = zone.freeArea;
  const head = fa.head;
  for (let co = MAX_PAGE_ORDER; co >= order; co--) {
    for (let i = 0; i < 2; i++) {
      const fmt = fa.fallbacks[startMt * 2 + i]!;
      if (fmt < 0) break;
      const pfn = head[co * MT + fmt]!;
      if (pfn < 0) continue;
      let newType = fmt;
      if (co >= pageblock_order) {
        changePageblockRange(mm, pfn, co, startMt);
        newType = startMt;
      } else if (shouldTryClaimBlock(fa, co, startMt)) {
        let pages = 0;
        if (prepMoveFreepagesBlock(zone, mm, pfn, false)) pages = moveFreepagesBlockRange(zone, mm, moveCounts.startPfn, fmt, startMt);
        // claim the whole block if over half of it is free
        if (pages >= 1 << (pageblock_order - 1) || fa.mobilityDisabled) setPageblockMigratetype(mm, pfn, startMt);
        newType = startMt;
      }
      pageDelAndExpand(zone, mm, pfn, order, co, newType);
      markAllocated(mm, pfn, order);
      recordExtfrag(mm, pfn, co, startMt, fmt);
      if (buddyStats.changeOwnership) buddyStats.claimed = true;
      else buddyStats.stole = true;
      return pfn;
    }
  }
  return -1;
}

/**
 * mm/page_alloc.c __rmqueue_fallback() + steal_suitable_fallback() (4.4–6.9): find the largest fallback block
 * (from MAX_ORDER − 1 down to min_order: pageblock_order under ALLOC_NOFRAGMENT, 5.0+; 6.1+ only for requests
 * below pageblock_order). 4.13+: a MOVABLE request that could not take the whole pageblock takes the smallest
 * suitable block instead. Then steal: a HIGHATOMIC block moves alone; ≥ pageblock_order re-types its pageblocks;
 * otherwise (5.0+: boost the watermark first) with can_steal move every free block of the pageblock to the
 * requested type and re-type the pageblock if free + alike ≥ half of it (the moved pages stay moved when it is
 * not: lists and pageblock type then disagree until 6.10); without can_steal move just this block.
 * Returns whether it moved anything (the caller runs __rmqueue_smallest again).
 */
function rmqueueFallbackSteal(zone: Zone, mm: MemMap, order: number, startMt: number, allocFlags: number, shape: number): boolean {
  const fa = zone.freeArea;
  const p = fa.policy;
  let minOrder = order;
  if (allocFlags & ALLOC_NOFRAGMENT && (!p.nofragmentBelowPageblockOnly || order < pageblock_order)) minOrder = pageblock_order;
  let co = MAX_PAGE_ORDER;
  let fmt = -1;
  for (; co >= minOrder; co--) {
    fmt = findSuitableFallback(fa, co, startMt, false);
    if (fmt !== -1) break;
  }
  if (fmt === -1) return false;
  let canSteal = shouldTryClaimBlock(fa, co, startMt);
  if (shape === SHAPE_4_13 && !canSteal && startMt === MIGRATE_MOVABLE && co > order) {
    // find_smallest: even if the next movable allocation falls back elsewhere, no permanent fragmentation
    for (co = order; co < NR_PAGE_ORDERS; co++) {
      fmt = findSuitableFallback(fa, co, startMt, false);
      if (fmt !== -1) break;
    }
    canSteal = shouldTryClaimBlock(fa, co, startMt);
  }
  const pfn = fa.head[co * MT + fmt]!;
  const s = buddyStats;
  s.fallback = true;
  s.fallbackMt = fmt;
  stealSuitableFallback(zone, mm, pfn, co, startMt, canSteal, allocFlags);
  s.changeOwnership = getPageblockMigratetype(mm, pfn) === startMt;
  if (s.changeOwnership) s.claimed = true;
  else s.stole = true;
  return true;
}

function stealSuitableFallback(zone: Zone, mm: MemMap, pfn: number, co: number, startType: number, wholeBlock: boolean, allocFlags: number): void {
  const fa = zone.freeArea;
  const oldBlockType = getPageblockMigratetype(mm, pfn);
  single: {
    // this can happen due to races, and would break the highatomic accounting
    if (oldBlockType === MIGRATE_HIGHATOMIC) break single;
    // take ownership for orders >= pageblock_order
    if (co >= pageblock_order) {
      changePageblockRange(mm, pfn, co, startType);
      break single;
    }
    // 5.0+: boost watermarks to increase reclaim pressure and reduce the likelihood of future fallbacks
    if (fa.policy.hasWatermarkBoost) {
      boostFromFallback(zone, allocFlags);
    }
    if (!wholeBlock) break single;
    if (!prepMoveFreepagesBlock(zone, mm, pfn, true)) break single;
    const freePages = moveCounts.numFree;
    const movablePages = moveCounts.numMovable;
    const start = moveCounts.startPfn;
    moveFreepagesBlockRange(zone, mm, start, oldBlockType, startType);
    let alikePages: number;
    if (startType === MIGRATE_MOVABLE) alikePages = movablePages;
    else if (oldBlockType === MIGRATE_MOVABLE) alikePages = pageblock_nr_pages - (freePages + movablePages);
    else alikePages = 0;
    buddyStats.claimFreePages = freePages;
    buddyStats.claimAlikePages = alikePages;
    // if a sufficient number of pages in the block are either free or of a comparable migratability, claim it
    if (freePages + alikePages >= 1 << (pageblock_order - 1) || fa.mobilityDisabled) setPageblockMigratetype(mm, start, startType);
    else buddyStats.claimRejected++;
    return;
  }
  // single_page:
  moveToFreeList(zone, mm, pfn, co, oldBlockType, startType);
}

/** boost_watermark() from a fallback, and ZONE_BOOSTED_WATERMARK for an ALLOC_KSWAPD request (5.0+) */
function boostFromFallback(zone: Zone, allocFlags: number): void {
  const fa = zone.freeArea;
  buddyStats.boostRequested = true;
  if (fa.sysctl !== null && boostWatermark(zone, fa.sysctl, fa.policy)) {
    buddyStats.boosted = true;
    if (allocFlags & ALLOC_KSWAPD) zone.flags = (zone.flags ?? 0) | ZONE_BOOSTED_WATERMARK;
  }
}

/**
 * mm/page_alloc.c reserve_highatomic_pageblock() (6.10+): after a high-order atomic allocation succeeded, make
 * its pageblock(s) MIGRATE_HIGHATOMIC, up to ALIGN(managed / 100, pageblock_nr_pages) pages per zone (none at
 * all when 1% of the zone is below one pageblock; 6.8+). Policy.highatomicLimit 'plus-pageblock' (4.4–6.7):
 * up to managed / 100 + pageblock_nr_pages; 'none' (v4.0): no such reserve. Only mergeable pageblocks are taken. Below pageblock_order the
 * block's free pages move with it and the reserve grows by a pageblock; at ≥ pageblock_order every covered
 * pageblock is re-typed and the reserve grows by 2^order. Returns true if it reserved.
 */
export function reserveHighatomicPageblock(zone: Zone, mm: MemMap, pfn: number, order: number, _allocFlags = 0): boolean {
  const limit = faPolicy(zone.freeArea).highatomicLimit;
  if (limit === 'none') return false;
  const onePercent = Math.floor(zone.managedPages / 100);
  let maxManaged: number;
  if (limit === 'plus-pageblock') {
    // ≤6.7: "Limit the number reserved to 1 pageblock or roughly 1% of a zone"
    maxManaged = onePercent + pageblock_nr_pages;
  } else {
    if (onePercent < pageblock_nr_pages) return false;
    maxManaged = Math.ceil(onePercent / pageblock_nr_pages) * pageblock_nr_pages;
  }
  if (zone.nrReservedHighatomic >= maxManaged) return false;
  const mt = getPageblockMigratetype(mm, pfn);
  if (!migratetypeIsMergeable(mt)) return false;
  if (order < pageblock_order || !faPolicy(zone.freeArea).splitLargeBuddyOnFree) {
    // ≤6.9 always takes one pageblock, whatever the order
    if (moveFreepagesBlock(zone, mm, pfn, mt, MIGRATE_HIGHATOMIC) === -1) return false;
    zone.nrReservedHighatomic += pageblock_nr_pages;
  } else {
    changePageblockRange(mm, pfn & ~((1 << order) - 1), order, MIGRATE_HIGHATOMIC);
    zone.nrReservedHighatomic += 1 << order;
  }
  return true;
}

/**
 * mm/page_alloc.c unreserve_highatomic_pageblock() (6.10+), for one zone of the zonelist walk: unless `force`,
 * keep at least one pageblock of reserve. Take the lowest-order HIGHATOMIC free block, shrink the reserve by
 * max(pageblock_nr_pages, 2^order), and give its pageblock(s) with their free pages to `migratetype` (the
 * request's type: "the caller is doing the work and needs the pages"). Returns true when pages moved (the
 * caller stops its zone walk there).
 */
export function unreserveHighatomicPageblock(zone: Zone, mm: MemMap, force: boolean, migratetype: number): boolean {
  if (!force && zone.nrReservedHighatomic <= pageblock_nr_pages) return false;
  const head = zone.freeArea.head;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) {
    const pfn = head[order * MT + MIGRATE_HIGHATOMIC]!;
    if (pfn < 0) continue;
    let size = Math.max(pageblock_nr_pages, 1 << order);
    if (size > zone.nrReservedHighatomic) size = zone.nrReservedHighatomic;
    zone.nrReservedHighatomic -= size;
    let ret: number;
    if (order < pageblock_order) {
      ret = moveFreepagesBlock(zone, mm, pfn, MIGRATE_HIGHATOMIC, migratetype);
    } else {
      moveToFreeList(zone, mm, pfn, order, MIGRATE_HIGHATOMIC, migratetype);
      changePageblockRange(mm, pfn, order, migratetype);
      ret = 1;
    }
    if (ret > 0) return true;
  }
  return false;
}

/**
 * mm/page_alloc.c setup_zone_migrate_reserve() @ v4.0 (run at the end of setup_per_zone_wmarks): mark the zone's
 * first MOVABLE pageblocks that hold no reserved page or hole as MIGRATE_RESERVE (slot 3), moving their free
 * pages, until roundup(min watermark, pageblock) / pageblock_nr_pages of them, at most Policy.migrateReserveBlocks
 * (2), are reserved. Returns how many are reserved.
 */
export function setupZoneMigrateReserve(zone: Zone, mm: MemMap): number {
  const max = faPolicy(zone.freeArea).migrateReserveBlocks;
  if (max === 0) return 0;
  const zs = zone.zoneStartPfn as number;
  const ze = zs + zone.spannedPages;
  let reserve = Math.min(max, Math.ceil(zone.watermark[0]! / pageblock_nr_pages));
  let done = 0;
  const base = mm.startPfn;
  for (let pfn = Math.ceil(zs / pageblock_nr_pages) * pageblock_nr_pages; pfn < ze && reserve > 0; pfn += pageblock_nr_pages) {
    const end = Math.min(pfn + pageblock_nr_pages, ze);
    // blocks with reserved pages will never free: skip them
    let usable = true;
    for (let p = pfn; p < end; p++) {
      const st = mm.state[p - base];
      if (st === PAGE_HOLE || st === PAGE_RESERVED) {
        usable = false;
        break;
      }
    }
    if (!usable) continue;
    const bt = getPageblockMigratetype(mm, pfn);
    if (bt === MIGRATE_HIGHATOMIC) {
      reserve--;
      done++;
    } else if (bt === MIGRATE_MOVABLE) {
      moveFreepagesBlock(zone, mm, pfn, MIGRATE_MOVABLE, MIGRATE_HIGHATOMIC);
      reserve--;
      done++;
    }
  }
  return done;
}

// ---------------------------------------------------------------------------------------------------------
// Building the initial state: boot, or a /proc snapshot.
// ---------------------------------------------------------------------------------------------------------

/**
 * The deterministic placement of a zone's non-managed pfns (both freeBootMemory and layoutSnapshotFreeLists):
 * the zone's lowest (spanned − present) pfns are holes, the next (present − managed) are reserved, and the top
 * `managed` pfns are the buddy allocator's. Real zones have their reserved pages low (firmware, kernel image,
 * memmap) and their holes anywhere; putting both at the bottom keeps the top of the zone whole, so the
 * captured max-order blocks fit (ZONE_DMA of a real x86-64 machine: pfns 1–255 unusable, 256–4095 free).
 * Returns the first managed pfn.
 */
export function placeReservedPages(zone: Zone, mm: MemMap): number {
  const zs = zone.zoneStartPfn as number;
  const spanned = zone.spannedPages;
  const where = `zone ${zone.name}`;
  if (zone.presentPages > spanned || zone.managedPages > zone.presentPages || zone.managedPages < 0) {
    throw new InputError(
      where,
      `needs managed ≤ present ≤ spanned (got managed ${zone.managedPages}, present ${zone.presentPages}, spanned ${spanned})`,
    );
  }
  if (zs < mm.startPfn || zs + spanned > mm.startPfn + mm.nrPages) {
    throw new InputError(where, `pfns ${zs}..${zs + spanned - 1} are outside its node's memmap`);
  }
  const holesEnd = zs + (spanned - zone.presentPages);
  const managedStart = zs + spanned - zone.managedPages;
  // whole ranges at once: a 16 GiB machine has 4M pfns, and a per-pfn loop in cold code costs tens of ms
  mm.state.fill(PAGE_HOLE, zs - mm.startPfn, holesEnd - mm.startPfn);
  mm.state.fill(PAGE_RESERVED, holesEnd - mm.startPfn, managedStart - mm.startPfn);
  return managedStart;
}

function resetZoneFreeArea(zone: Zone): void {
  const fa = zone.freeArea;
  fa.head.fill(-1);
  fa.tail.fill(-1);
  fa.nrFree.fill(0);
  fa.nrFreeMt.fill(0);
  fa.nrFreePagesBlocks = 0;
  zone.nrFreePages = 0;
  zone.nrFreeCmaPages = 0;
  zone.nrFreeHighatomic = 0;
}

function setZonePageblocks(zone: Zone, mm: MemMap, mt: number): void {
  const zs = zone.zoneStartPfn as number;
  const ze = zs + zone.spannedPages;
  for (let p = zs & ~(pageblock_nr_pages - 1); p < ze; p += pageblock_nr_pages) {
    const i = (p >> pageblock_order) - mm.pageblockBase;
    mm.pageblockFlags[i] = (mm.pageblockFlags[i]! & ~(PB_MIGRATETYPE_MASK | PB_migrate_isolate)) | mt;
  }
}

/**
 * memblock_free_all() → __free_pages_memory() → __free_pages_core() (mm/memblock.c, mm/page_alloc.c v6.18) for
 * a fresh zone: the managed pfns (see placeReservedPages) are freed in the largest aligned chunks
 * (order = min(MAX_PAGE_ORDER, alignment of the start), shrunk to fit), ascending, with FPI_TO_TAIL (5.10+), into
 * MOVABLE pageblocks (memmap_init_range() marks them all MOVABLE). So the lists hold ascending pfns and the
 * first allocations come from the bottom of the zone's managed range.
 *
 * With FPI_TO_TAIL the outcome is known without running __free_one_page() per pageblock (8192 calls for 16 GiB):
 * a chunk never merges with another (its buddy is either below it and of a smaller order — the chunks grow with
 * the alignment of their start — or above it and not freed yet), the pageblocks of a chunk bigger than a
 * pageblock are all MOVABLE and re-merge into the chunk, and every block goes to the tail. So each chunk is one
 * free block appended to free_list[order][MOVABLE]. `perPageblock` runs the kernel's sequence instead (always
 * so without FPI_TO_TAIL, where buddy_merge_likely() decides head or tail); the tests check the two agree.
 */
export function freeBootMemory(zone: Zone, mm: MemMap, perPageblock = false): void {
  resetZoneFreeArea(zone);
  setZonePageblocks(zone, mm, MIGRATE_MOVABLE);
  let start = placeReservedPages(zone, mm);
  const end = (zone.zoneStartPfn as number) + zone.spannedPages;
  const toTail = zone.freeArea.policy.freeBootToTail;
  const fpi = toTail ? FPI_TO_TAIL : FPI_NONE;
  const direct = toTail && !perPageblock;
  const state = mm.state;
  const base = mm.startPfn;
  // every managed pfn is the tail of its chunk until the chunk's head is set below (__free_one_page() only
  // merges with PAGE_BUDDY buddies, so the chunks not yet freed stay out of the merges either way)
  state.fill(PAGE_TAIL, start - base, end - base);
  while (start < end) {
    let order = start === 0 ? MAX_PAGE_ORDER : Math.min(MAX_PAGE_ORDER, 31 - Math.clz32(start & -start));
    while (start + (1 << order) > end) order--;
    if (direct) {
      // what __free_one_page() leaves on the heads of the chunk's pageblocks: no owner, no flags
      for (let p = start; p < start + (1 << order); p += pageblock_nr_pages) {
        mm.owner[p - base] = -1;
        mm.flags[p - base] = 0;
      }
      addToFreeList(zone, mm, start, order, getPageblockMigratetype(mm, start), true);
    } else {
      // the chunk enters as one allocated block (__free_pages_core's pages with refcount dropping to 0)
      state[start - base] = PAGE_ALLOC;
      mm.order[start - base] = order;
      splitLargeBuddy(zone, mm, start, order, fpi);
    }
    start += 1 << order;
  }
}

/** mt order in which layoutSnapshotFreeLists serves the types (big blocks and small-block packing). */
const layoutMtOrder: readonly number[] = [
  MIGRATE_UNMOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_HIGHATOMIC,
  MIGRATE_CMA,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
];

/**
 * Lay out a captured zone (/proc/pagetypeinfo) so that the free lists hold EXACTLY freeByOrderByMt[order][mt]
 * blocks (mmreplay migratetype numbering) and the pageblock types match blocksByMt as far as possible. The rule,
 * deterministic and documented in README:
 *  1. Holes and reserved pages at the bottom of the zone (placeReservedPages); all other managed pages start
 *     "allocated before the trace" (PAGE_ALLOC, order 0).
 *  2. Free blocks of order ≥ pageblock_order, per type (Unmovable, Reclaimable, HighAtomic, CMA, Isolate,
 *     Movable), take whole, fully managed pageblocks from the TOP of the zone down: order 10 first (aligned
 *     pairs), then order 9, never two order-9 blocks that are buddies (the kernel would have merged them).
 *  3. Smaller free blocks go into pageblocks of their own type (6.10+ hygiene) taken from the BOTTOM of the
 *     managed range up (whole pageblocks first, then those partly reserved), per type in the order above,
 *     from order 8 down to 0. A region that is not one free
 *     block must keep an allocated page (else it would have merged); going down one order, each such region
 *     either yields one free block (its low half) or splits into two such regions. This packs a type into the
 *     fewest pageblocks possible (a pageblock with one free block of each order 8..0 has 511 free pages), and
 *     no free block ever has a free buddy of its order. A type that needs more pageblocks than its captured
 *     count takes more (the count then differs).
 *  4. The remaining pageblocks get the remaining counts, bottom up, in the same type order; left-overs MOVABLE.
 *  5. Free blocks go on their lists in ascending pfn order at the tail (the head block is the lowest pfn).
 * Throws InputError when the counts cannot fit the zone.
 */
export function layoutSnapshotFreeLists(zone: Zone, mm: MemMap, freeByOrderByMt: number[][], blocksByMt: number[]): void {
  const where = `zone ${zone.name}`;
  for (let o = 0; o < NR_PAGE_ORDERS; o++) {
    const row = freeByOrderByMt[o] ?? [];
    for (let mt = 0; mt < MT; mt++) {
      const n = row[mt] ?? 0;
      if (!Number.isInteger(n) || n < 0) throw new InputError(where, `free block count at order ${o}, migratetype ${mt} is ${n}`);
    }
  }
  resetZoneFreeArea(zone);
  const zs = zone.zoneStartPfn as number;
  const ze = zs + zone.spannedPages;
  const managedStart = placeReservedPages(zone, mm);
  const base = mm.startPfn;
  const state = mm.state;
  for (let p = managedStart; p < ze; p++) {
    state[p - base] = PAGE_ALLOC;
    mm.order[p - base] = 0;
  }
  let totalFree = 0;
  for (let o = 0; o < NR_PAGE_ORDERS; o++) for (let mt = 0; mt < MT; mt++) totalFree += (freeByOrderByMt[o]?.[mt] ?? 0) << o;
  if (totalFree > zone.managedPages) {
    throw new InputError(where, `${totalFree} free pages do not fit ${zone.managedPages} managed pages`);
  }

  // pageblocks of the zone: index k = pb − pbFirst; −1 = unassigned
  const pbFirst = zs >> pageblock_order;
  const pbLast = (ze - 1) >> pageblock_order;
  const nPb = zone.spannedPages === 0 ? 0 : pbLast - pbFirst + 1;
  const pbMt = new Int8Array(nPb).fill(-1);
  const holesEnd = zs + (zone.spannedPages - zone.presentPages);
  const pbStartOf = (k: number): number => (pbFirst + k) << pageblock_order;
  const isFull = (k: number): boolean => pbStartOf(k) >= managedStart && pbStartOf(k) + pageblock_nr_pages <= ze;
  const isPresent = (k: number): boolean => Math.min(pbStartOf(k) + pageblock_nr_pages, ze) > Math.max(pbStartOf(k), holesEnd);
  const used = new Int32Array(MT);
  const blocks: number[] = []; // pairs (pfn, order * MT + mt)
  const order9 = new Uint8Array(nPb);

  // 2. big blocks from the top
  for (const mt of layoutMtOrder) {
    let n = freeByOrderByMt[MAX_PAGE_ORDER]?.[mt] ?? 0;
    for (let k = nPb - 2; k >= 0 && n > 0; k--) {
      if ((pbStartOf(k) & ((1 << MAX_PAGE_ORDER) - 1)) !== 0) continue;
      if (pbMt[k] !== -1 || pbMt[k + 1] !== -1 || !isFull(k) || !isFull(k + 1)) continue;
      pbMt[k] = mt;
      pbMt[k + 1] = mt;
      used[mt]! += 2;
      blocks.push(pbStartOf(k), MAX_PAGE_ORDER * MT + mt);
      n--;
    }
    if (n > 0) throw new InputError(where, `no room for ${n} more free order-${MAX_PAGE_ORDER} blocks of migratetype ${mt}`);
  }
  for (const mt of layoutMtOrder) {
    let n = freeByOrderByMt[pageblock_order]?.[mt] ?? 0;
    for (let k = nPb - 1; k >= 0 && n > 0; k--) {
      if (pbMt[k] !== -1 || !isFull(k)) continue;
      const bk = ((pbFirst + k) ^ 1) - pbFirst;
      if (bk >= 0 && bk < nPb && order9[bk]) continue;
      pbMt[k] = mt;
      used[mt]!++;
      order9[k] = 1;
      blocks.push(pbStartOf(k), pageblock_order * MT + mt);
      n--;
    }
    if (n > 0) throw new InputError(where, `no room for ${n} more free order-${pageblock_order} blocks of migratetype ${mt}`);
  }

  // 3. small blocks, bottom up, level by level from order 8 to 0. `open` holds the regions of the current
  // level + 1 that must keep at least one allocated page (a region entirely free would be merged); each either
  // gives one free block of order k (its low half; the high half stays open) or splits into two open halves.
  // exact[r]: whole regions of order r whose buddy holds unmanaged pfns (partial pageblocks): usable as a
  // free block of order r as they are.
  // the pool: full pageblocks bottom up, then the partial ones (their unmanaged pfns waste room)
  const poolOrder: number[] = [];
  for (let k = 0; k < nPb; k++) if (isFull(k)) poolOrder.push(k);
  for (let k = 0; k < nPb; k++) if (!isFull(k) && Math.min(pbStartOf(k) + pageblock_nr_pages, ze) > managedStart) poolOrder.push(k);
  let pool = 0;
  const exact: number[][] = [];
  for (let r = 0; r < pageblock_order; r++) exact.push([]);
  let open: number[] = [];
  let level = pageblock_order; // the order of the regions in `open`
  const takePageblock = (mt: number): boolean => {
    while (pool < poolOrder.length && pbMt[poolOrder[pool]!] !== -1) pool++;
    if (pool >= poolOrder.length) return false;
    const k = poolOrder[pool++]!;
    pbMt[k] = mt;
    used[mt]!++;
    let s = Math.max(pbStartOf(k), managedStart);
    const e = Math.min(pbStartOf(k) + pageblock_nr_pages, ze);
    const full = isFull(k);
    while (s < e) {
      let r = full ? pageblock_order : Math.min(pageblock_order - 1, 31 - Math.clz32(s & -s));
      while (s + (1 << r) > e) r--;
      if (r < level) exact[r]!.push(s);
      // at or above the current level: already passed, so it only holds smaller blocks: open pieces
      else for (let q = s; q < s + (1 << r); q += 1 << level) open.push(q);
      s += 1 << r;
    }
    return true;
  };
  for (const mt of layoutMtOrder) {
    for (let r = 0; r < pageblock_order; r++) exact[r]!.length = 0;
    open = [];
    level = pageblock_order;
    for (let k = pageblock_order - 1; k >= 0; k--) {
      let n = freeByOrderByMt[k]?.[mt] ?? 0;
      const ex = exact[k]!;
      while (n > 0 && ex.length > 0) {
        blocks.push(ex.pop()!, k * MT + mt);
        n--;
      }
      const next: number[] = [];
      let i = 0;
      while (n > 0) {
        if (i === open.length) {
          if (!takePageblock(mt)) throw new InputError(where, `no room for ${n} more free order-${k} blocks of migratetype ${mt}`);
          while (n > 0 && ex.length > 0) {
            blocks.push(ex.pop()!, k * MT + mt);
            n--;
          }
          continue;
        }
        const pos = open[i++]!;
        blocks.push(pos, k * MT + mt);
        next.push(pos + (1 << k));
        n--;
      }
      for (; i < open.length; i++) next.push(open[i]!, open[i]! + (1 << k));
      for (const pos of ex) next.push(pos);
      ex.length = 0;
      open = next;
      level = k;
    }
  }

  // 4. remaining pageblocks: the remaining counts, bottom up
  for (let k = 0; k < nPb; k++) {
    if (pbMt[k] !== -1 || !isPresent(k)) continue;
    let mt = MIGRATE_MOVABLE;
    for (const t of layoutMtOrder) {
      if (used[t]! < (blocksByMt[t] ?? 0)) {
        mt = t;
        break;
      }
    }
    pbMt[k] = mt;
    used[mt]!++;
  }
  for (let k = 0; k < nPb; k++) {
    const mt = pbMt[k]!;
    if (mt === -1) continue;
    const i = pbFirst + k - mm.pageblockBase;
    mm.pageblockFlags[i] =
      (mm.pageblockFlags[i]! & ~(PB_MIGRATETYPE_MASK | PB_migrate_isolate)) |
      (mt === MIGRATE_ISOLATE ? MIGRATE_MOVABLE | PB_migrate_isolate : mt);
  }

  // 5. the free blocks, ascending pfn, at the list tails
  const nBlocks = blocks.length >> 1;
  const idx = new Int32Array(nBlocks);
  for (let b = 0; b < nBlocks; b++) idx[b] = b;
  idx.sort((a, b) => blocks[a * 2]! - blocks[b * 2]!);
  for (let j = 0; j < nBlocks; j++) {
    const b = idx[j]!;
    const pfn = blocks[b * 2]!;
    const key = blocks[b * 2 + 1]!;
    const order = (key / MT) | 0;
    const mt = key - order * MT;
    for (let p = pfn + 1; p < pfn + (1 << order); p++) state[p - base] = PAGE_TAIL;
    addToFreeList(zone, mm, pfn, order, mt, true);
  }
}

/**
 * For the replay of a free of memory allocated before the trace: turn the 2^order order-0 "allocated" pages at
 * pfn (as layoutSnapshotFreeLists leaves them) into one allocated block of `order`. Returns false, changing
 * nothing, if any page of the range is not an allocated order-0 head of this zone or pfn is not aligned.
 */
export function mergeAllocatedRange(zone: Zone, mm: MemMap, pfn: number, order: number): boolean {
  const zs = zone.zoneStartPfn as number;
  const n = 1 << order;
  if (pfn & (n - 1) || pfn < zs || pfn + n > zs + zone.spannedPages) return false;
  const base = mm.startPfn;
  const i0 = pfn - base;
  if (mm.state[i0] === PAGE_ALLOC && mm.order[i0] === order) return true;
  for (let p = pfn; p < pfn + n; p++) {
    if (mm.state[p - base] !== PAGE_ALLOC || mm.order[p - base] !== 0) return false;
  }
  for (let p = pfn + 1; p < pfn + n; p++) mm.state[p - base] = PAGE_TAIL;
  mm.order[i0] = order;
  return true;
}
