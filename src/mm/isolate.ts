/**
 * Taking one specific block out of the allocator, wherever it sits: mirrors mm/page_alloc.c @ v6.18
 * take_page_off_buddy() and break_down_buddy_pages() (CONFIG_MEMORY_FAILURE: pull one named page out of the
 * buddy lists, splitting the free block that contains it and putting the other halves back at the head of their
 * lists), generalised from one page to a block of `order`, plus the per-cpu-list equivalent (a pfn that sits on a
 * pcp list is unlinked from it, as rmqueue_pcplist() would when it reaches it).
 *
 * The replay engine uses it in mirror mode, where the state applies what the kernel really did: the recorded pfn
 * of an allocation is claimed here; a pcp refill (mm_page_alloc_zone_locked percpu_refill=1) moves a named block
 * from the buddy lists to a pcp list; a pcp drain (mm_page_pcpu_drain) moves it back.
 *
 * claimBlock() also resolves what the kernel's record and the simulated state disagree on (a block that is
 * allocated here but was free in the kernel, e.g. a compaction destination or a page allocated before the trace):
 * it never fails on an allocated overlap, it takes it over, and says so in its result.
 */
import { PAGE_ALLOC, PAGE_BUDDY, PAGE_HOLE, PAGE_PCP, PAGE_RESERVED, PAGE_TAIL, getPageblockMigratetype } from './memmap.js';
import type { MemMap } from './memmap.js';
import { MAX_PAGE_ORDER, MIGRATE_PCPTYPES, MIGRATE_MOVABLE } from './mmzone.js';
import type { Zone } from './mmzone.js';
import { addToFreeList, delPageFromFreeList, freeOnePage } from './buddy.js';
import { orderToPindex, pcpListDel } from './pcp.js';
import type { ZonePcp } from './pcp.js';

/** claimBlock() results: where the block was */
export const CLAIM_BUDDY = 0;
export const CLAIM_PCP = 1;
/** (part of) the range was allocated already: taken over (mirror disagreement, counted by the engine) */
export const CLAIM_TAKEOVER = 2;
/** the range holds a hole or reserved page, or lies outside the zone: nothing changed */
export const CLAIM_IMPOSSIBLE = 3;
export const claimResultNames: readonly string[] = ['buddy', 'pcp', 'takeover', 'impossible'];

/**
 * Head pfn of the block (free, allocated or pcp) that contains `pfn`, or `pfn` itself for a hole or reserved
 * page; -1 when the memmap is inconsistent (a tail with no head). Blocks are naturally aligned, so the head is
 * `pfn` rounded down to some order whose head state is not PAGE_TAIL and whose order reaches `pfn`.
 */
export function blockHead(mm: MemMap, pfn: number): number {
  const base = mm.startPfn;
  const state = mm.state;
  for (let o = 0; o <= MAX_PAGE_ORDER; o++) {
    const h = pfn & ~((1 << o) - 1);
    if (h < base) return -1;
    const st = state[h - base]!;
    if (st === PAGE_TAIL) continue;
    if (st === PAGE_HOLE || st === PAGE_RESERVED) return h === pfn ? pfn : -1;
    if (h + (1 << mm.order[h - base]!) > pfn) return h;
    return -1;
  }
  return -1;
}

/**
 * break_down_buddy_pages() (v6.18) generalised to a target block of order `low`: the free block of order `high`
 * at `head` (already off its list) is halved down to `low`; at each step the half without the target goes back
 * to the HEAD of free_list[mt] of its order (add_to_free_list(..., tail=false)). Returns nothing; the target's
 * pages are not on any list afterwards.
 */
function breakDownBuddyPages(zone: Zone, mm: MemMap, head: number, target: number, low: number, high: number, mt: number): void {
  let size = 1 << high;
  let page = head;
  while (high > low) {
    high--;
    size >>= 1;
    let buddy: number;
    if (target >= page + size) {
      buddy = page;
      page = page + size;
    } else {
      buddy = page + size;
    }
    addToFreeList(zone, mm, buddy, high, mt, false);
  }
}

/**
 * take_page_off_buddy() (mm/page_alloc.c v6.18) for a block: if [pfn, pfn + 2^order) lies inside one free buddy
 * block, unlink that block (del_page_from_free_list with its pageblock's migratetype), split it around the
 * target (breakDownBuddyPages) and mark the target an allocated block of `order`. Returns false, changing
 * nothing, when the range is not inside one free block.
 */
export function takePageOffBuddy(zone: Zone, mm: MemMap, pfn: number, order: number): boolean {
  const base = mm.startPfn;
  const h = blockHead(mm, pfn);
  if (h < 0 || mm.state[h - base] !== PAGE_BUDDY) return false;
  const high = mm.order[h - base]!;
  if (high < order || h + (1 << high) < pfn + (1 << order)) return false;
  const mt = getPageblockMigratetype(mm, h);
  delPageFromFreeList(zone, mm, h, high, mt);
  breakDownBuddyPages(zone, mm, h, pfn, order, high, mt);
  markBlock(mm, pfn, order, PAGE_ALLOC);
  return true;
}

/** head state, order and tails of one block (owner cleared for a fresh allocation) */
function markBlock(mm: MemMap, pfn: number, order: number, state: number): void {
  const base = mm.startPfn;
  const i = pfn - base;
  for (let p = i + 1, e = i + (1 << order); p < e; p++) mm.state[p] = PAGE_TAIL;
  mm.state[i] = state;
  mm.order[i] = order;
  mm.flags[i] = 0;
  mm.owner[i] = -1;
}

/**
 * The pcp list (index cpu * nrLists + pindex) that holds the block at `pfn` (state PAGE_PCP), or -1. Walks the
 * prev links to the list's first entry, then finds the list whose head that is; the list of the block's own
 * order and pageblock type on each CPU is tried first (the usual case: O(1) when the block is at a list head).
 */
export function findPcpList(pcp: ZonePcp, pfn: number): number {
  const mm = pcp.mm;
  const base = mm.startPfn;
  const order = mm.order[pfn - base]!;
  const pbMt = getPageblockMigratetype(mm, pfn);
  const mt = pbMt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : pbMt;
  let first = pfn;
  for (let p = mm.prev[pfn - base]!; p >= 0; p = mm.prev[p - base]!) first = p;
  const pindex = orderToPindex(pcp, mt, order);
  const nrLists = pcp.nrLists;
  for (let cpu = 0; cpu < pcp.nrCpus; cpu++) if (pcp.head[cpu * nrLists + pindex] === first) return cpu * nrLists + pindex;
  const heads = pcp.head;
  for (let li = 0; li < heads.length; li++) if (heads[li] === first) return li;
  return -1;
}

/**
 * Unlink the pcp-held block at `pfn` from its list and pcp->count (rmqueue_pcplist()'s list_del for a named
 * page). The block is left with state PAGE_PCP for the caller to re-mark. Returns false when it is on no list.
 */
export function takePageOffPcp(pcp: ZonePcp, pfn: number): boolean {
  const li = findPcpList(pcp, pfn);
  if (li < 0) return false;
  const cpu = (li / pcp.nrLists) | 0;
  pcpListDel(pcp, li, pfn);
  pcp.count[cpu]! -= 1 << pcp.mm.order[pfn - pcp.mm.startPfn]!;
  return true;
}

/**
 * list_add_tail(&page->pcp_list, &pcp->lists[pindex]) as rmqueue_bulk() does for a refill (the pages taken from
 * the buddy lists go to the tail, in the order they were taken), with pcp->count.
 */
export function pcpAddTail(pcp: ZonePcp, cpu: number, pfn: number, order: number, mt: number): void {
  const mm = pcp.mm;
  const base = mm.startPfn;
  const li = cpu * pcp.nrLists + orderToPindex(pcp, mt, order);
  const t = pcp.tail[li]!;
  mm.prev[pfn - base] = t;
  mm.next[pfn - base] = -1;
  if (t < 0) pcp.head[li] = pfn;
  else mm.next[t - base] = pfn;
  pcp.tail[li] = pfn;
  markBlock(mm, pfn, order, PAGE_PCP);
  pcp.count[cpu]! += 1 << order;
}

/** list_add(&page->pcp_list, ...) at the head, as free_frozen_page_commit() does, without the spill check. */
export function pcpAddHead(pcp: ZonePcp, cpu: number, pfn: number, order: number, mt: number): void {
  const mm = pcp.mm;
  const base = mm.startPfn;
  const li = cpu * pcp.nrLists + orderToPindex(pcp, mt, order);
  const h = pcp.head[li]!;
  mm.next[pfn - base] = h;
  mm.prev[pfn - base] = -1;
  if (h < 0) pcp.tail[li] = pfn;
  else mm.prev[h - base] = pfn;
  pcp.head[li] = pfn;
  markBlock(mm, pfn, order, PAGE_PCP);
  pcp.count[cpu]! += 1 << order;
}

/**
 * Make [pfn, pfn + 2^order) one allocated block of `order` (head PAGE_ALLOC, owner -1), whatever it was:
 *  - inside one free buddy block: takePageOffBuddy() (CLAIM_BUDDY);
 *  - a pcp-held block of exactly this order: unlinked from its list (CLAIM_PCP);
 *  - a larger pcp-held or allocated block around it: that block is split, the target kept, a pcp block's other
 *    pieces freed to the buddy (__free_one_page), an allocated block's other pieces stay allocated;
 *  - several smaller blocks inside it: free ones unlinked, pcp ones unlinked, allocated ones absorbed.
 * Any allocated overlap makes the result CLAIM_TAKEOVER. A hole or reserved page inside, or a range outside the
 * zone, gives CLAIM_IMPOSSIBLE and changes nothing.
 */
export function claimBlock(zone: Zone, mm: MemMap, pfn: number, order: number): number {
  const base = mm.startPfn;
  const n = 1 << order;
  const zs = zone.zoneStartPfn as number;
  if (pfn & (n - 1) || pfn < zs || pfn + n > zs + zone.spannedPages) return CLAIM_IMPOSSIBLE;
  const h = blockHead(mm, pfn);
  if (h < 0) return CLAIM_IMPOSSIBLE;
  const hs = mm.state[h - base]!;
  if (hs === PAGE_HOLE || hs === PAGE_RESERVED) return CLAIM_IMPOSSIBLE;
  const hOrder = mm.order[h - base]!;
  if (hOrder >= order) {
    // one block contains the whole range
    if (hs === PAGE_BUDDY) {
      takePageOffBuddy(zone, mm, pfn, order);
      return CLAIM_BUDDY;
    }
    if (hs === PAGE_PCP) {
      takePageOffPcp(zone.pcp!, h);
      if (hOrder === order) {
        markBlock(mm, pfn, order, PAGE_ALLOC);
        return CLAIM_PCP;
      }
      splitAround(zone, mm, h, hOrder, pfn, order, true);
      return CLAIM_PCP;
    }
    // allocated: the same block (a double allocation in the record) or a larger one (split it)
    if (hOrder !== order) splitAround(zone, mm, h, hOrder, pfn, order, false);
    else markBlock(mm, pfn, order, PAGE_ALLOC);
    return CLAIM_TAKEOVER;
  }
  // smaller blocks inside the range: check first, then change
  for (let q = pfn; q < pfn + n; ) {
    const st = mm.state[q - base]!;
    if (st === PAGE_HOLE || st === PAGE_RESERVED || st === PAGE_TAIL) return CLAIM_IMPOSSIBLE;
    q += 1 << mm.order[q - base]!;
  }
  let result = CLAIM_BUDDY;
  for (let q = pfn; q < pfn + n; ) {
    const st = mm.state[q - base]!;
    const o = mm.order[q - base]!;
    if (st === PAGE_BUDDY) delPageFromFreeList(zone, mm, q, o, getPageblockMigratetype(mm, q));
    else if (st === PAGE_PCP) takePageOffPcp(zone.pcp!, q);
    else result = CLAIM_TAKEOVER;
    mm.state[q - base] = PAGE_TAIL;
    q += 1 << o;
  }
  markBlock(mm, pfn, order, PAGE_ALLOC);
  return result;
}

/**
 * The block of order `high` at `head` (off every list) is split around the target [pfn, 2^low): the target
 * becomes an allocated block; the other pieces are freed to the buddy (`freeRest`, with their pageblock's
 * migratetype, merging as __free_one_page does) or stay allocated blocks of their own (owner kept).
 */
function splitAround(zone: Zone, mm: MemMap, head: number, high: number, pfn: number, low: number, freeRest: boolean): void {
  const base = mm.startPfn;
  const owner = mm.owner[head - base]!;
  let size = 1 << high;
  let page = head;
  while (high > low) {
    high--;
    size >>= 1;
    let piece: number;
    if (pfn >= page + size) {
      piece = page;
      page = page + size;
    } else {
      piece = page + size;
    }
    markBlock(mm, piece, high, PAGE_ALLOC);
    mm.owner[piece - base] = owner;
    if (freeRest) {
      freeOnePage(zone, mm, piece, high, getPageblockMigratetype(mm, piece), 0);
    }
  }
  markBlock(mm, pfn, low, PAGE_ALLOC);
}
