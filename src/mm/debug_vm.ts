/**
 * CONFIG_DEBUG_VM for the simulated buddy allocator: a full sweep of one zone's free lists and memmap that throws
 * InvariantError (exit code 3) on the first inconsistency. The kernel spreads such checks over VM_BUG_ON /
 * VM_WARN_ONCE in mm/page_alloc.c (__add_to_free_list's "page type is X, passed migratetype is Y",
 * __free_one_page's alignment and bad_range checks, page_is_buddy()); here they are one O(zone) pass, run by the
 * tests after every operation and by the replay under MMREPLAY_DEBUG_VM=1, never on the hot path.
 */
import { InvariantError } from '../errors.js';
import {
  PAGE_ALLOC,
  PAGE_BUDDY,
  PAGE_HOLE,
  PAGE_PCP,
  PAGE_RESERVED,
  PAGE_TAIL,
  PB_MIGRATETYPE_MASK,
  getPageblockMigratetype,
  pageStateNames,
} from './memmap.js';
import type { MemMap } from './memmap.js';
import {
  MAX_PAGE_ORDER,
  MIGRATE_CMA,
  MIGRATE_HIGHATOMIC,
  MIGRATE_ISOLATE,
  MIGRATE_TYPES,
  NR_PAGE_ORDERS,
  pageblock_nr_pages,
  pageblock_order,
} from './mmzone.js';
import type { Zone } from './mmzone.js';

/** The debug switch: on when MMREPLAY_DEBUG_VM=1 (vitest.config.ts sets it). Read once; the hot path tests a boolean. */
export function debugVmEnabled(env: Readonly<Record<string, string | undefined>>): boolean {
  return env.MMREPLAY_DEBUG_VM === '1';
}

const MT = MIGRATE_TYPES;

/**
 * Check every invariant of the zone's buddy state; throws InvariantError naming the zone, pfn and rule:
 *  - list links are symmetric, lists end where their tail says, no cycles;
 *  - every list entry is a PageBuddy head of the list's order, aligned to it, inside the zone, on the list of its
 *    pageblock's migratetype (6.10+ hygiene; every covered pageblock for orders ≥ pageblock_order);
 *  - nr_free per order and the per-(order, migratetype) counts equal the list lengths;
 *  - NR_FREE_PAGES (zone.nrFreePages) equals the free pages outside MIGRATE_ISOLATE lists; NR_FREE_CMA_PAGES,
 *    nr_free_highatomic and NR_FREE_PAGES_BLOCKS likewise;
 *  - every pfn of the zone is in exactly one state: hole, reserved, or one page of exactly one block (free,
 *    allocated or pcp) whose head carries the order and whose other pages are tails; so free blocks overlap
 *    nothing, and every free block found in the sweep is on a list;
 *  - no two free buddies below pageblock_order are left unmerged (__free_one_page always merges them there);
 *  - pageblock migratetypes are in range (PB_migrate never holds MIGRATE_ISOLATE since 6.15: that is a bit).
 */
export function checkBuddy(zone: Zone, mm: MemMap): void {
  const fa = zone.freeArea;
  const zs = zone.zoneStartPfn as number;
  const ze = zs + zone.spannedPages;
  const base = mm.startPfn;
  const { state, order: ord, next, prev } = mm;
  const where = `checkBuddy: node ${zone.nodeId} zone ${zone.name}`;
  const fail = (msg: string): never => {
    throw new InvariantError(`${where}: ${msg}`);
  };
  if (zs < base || ze > base + mm.nrPages) fail(`pfns ${zs}..${ze - 1} outside the node memmap`);

  // pageblock types
  for (let p = zs & ~(pageblock_nr_pages - 1); p < ze; p += pageblock_nr_pages) {
    const f = mm.pageblockFlags[(p >> pageblock_order) - mm.pageblockBase]!;
    if ((f & PB_MIGRATETYPE_MASK) >= MIGRATE_ISOLATE) fail(`pageblock at pfn ${p}: migratetype bits ${f & PB_MIGRATETYPE_MASK} out of range`);
  }

  // 1. the lists
  const onList = new Uint8Array(zone.spannedPages);
  let freePages = 0;
  let cmaPages = 0;
  let highatomicPages = 0;
  let blockPages = 0;
  const maxSteps = zone.spannedPages + 1;
  for (let o = 0; o < NR_PAGE_ORDERS; o++) {
    let nrFree = 0;
    for (let mt = 0; mt < MT; mt++) {
      const li = o * MT + mt;
      const what = `free_area[${o}].free_list[${mt}]`;
      let p = fa.head[li]!;
      let last = -1;
      let n = 0;
      while (p !== -1) {
        if (++n > maxSteps) fail(`${what}: cycle (more entries than the zone has pages)`);
        if (p < zs || p >= ze) fail(`${what}: pfn ${p} outside the zone (${zs}..${ze - 1})`);
        const i = p - base;
        if (prev[i] !== last) fail(`${what}: pfn ${p} prev is ${prev[i]}, expected ${last}`);
        if (state[i] !== PAGE_BUDDY) fail(`${what}: pfn ${p} is ${pageStateNames[state[i]!]}, not a free block head`);
        if (ord[i] !== o) fail(`${what}: pfn ${p} has buddy_order ${ord[i]}`);
        if (p & ((1 << o) - 1)) fail(`${what}: pfn ${p} not aligned to order ${o}`);
        if (p + (1 << o) > ze) fail(`${what}: block at pfn ${p} runs past the zone end ${ze}`);
        if (onList[p - zs]) fail(`${what}: pfn ${p} is on more than one list`);
        onList[p - zs] = 1;
        const nb = o >= pageblock_order ? 1 << (o - pageblock_order) : 1;
        for (let b = 0; b < nb; b++) {
          const bmt = getPageblockMigratetype(mm, p + b * pageblock_nr_pages);
          if (bmt !== mt) fail(`${what}: pfn ${p} is in a pageblock of migratetype ${bmt}`);
        }
        if (mt !== MIGRATE_ISOLATE) {
          freePages += 1 << o;
          if (mt === MIGRATE_CMA) cmaPages += 1 << o;
          if (mt === MIGRATE_HIGHATOMIC) highatomicPages += 1 << o;
          if (o >= pageblock_order) blockPages += 1 << o;
        }
        last = p;
        p = next[i]!;
      }
      if (fa.tail[li] !== last) fail(`${what}: tail is ${fa.tail[li]}, last entry is ${last}`);
      if (fa.nrFreeMt[li] !== n) fail(`${what}: count ${fa.nrFreeMt[li]} but ${n} blocks on the list`);
      nrFree += n;
    }
    if (fa.nrFree[o] !== nrFree) fail(`free_area[${o}].nr_free is ${fa.nrFree[o]} but ${nrFree} blocks are on its lists`);
  }
  if (zone.nrFreePages !== freePages) fail(`NR_FREE_PAGES is ${zone.nrFreePages} but the lists hold ${freePages} pages`);
  if ((zone.nrFreeCmaPages ?? 0) !== cmaPages) fail(`NR_FREE_CMA_PAGES is ${zone.nrFreeCmaPages} but ${cmaPages} on CMA lists`);
  if ((zone.nrFreeHighatomic ?? 0) !== highatomicPages) {
    fail(`nr_free_highatomic is ${zone.nrFreeHighatomic} but ${highatomicPages} on HIGHATOMIC lists`);
  }
  if (fa.nrFreePagesBlocks !== blockPages) fail(`NR_FREE_PAGES_BLOCKS is ${fa.nrFreePagesBlocks} but ${blockPages} expected`);

  // 2. the sweep: every pfn in exactly one state
  for (let p = zs; p < ze; ) {
    const i = p - base;
    const st = state[i]!;
    if (st === PAGE_HOLE || st === PAGE_RESERVED) {
      p++;
      continue;
    }
    if (st === PAGE_TAIL) fail(`pfn ${p} is a tail page of no block`);
    if (st !== PAGE_BUDDY && st !== PAGE_ALLOC && st !== PAGE_PCP) fail(`pfn ${p} has unknown state ${st}`);
    const o = ord[i]!;
    if (o > MAX_PAGE_ORDER) fail(`pfn ${p} (${pageStateNames[st]}) has order ${o}`);
    const n = 1 << o;
    if (p & (n - 1)) fail(`${pageStateNames[st]} block at pfn ${p} not aligned to its order ${o}`);
    if (p + n > ze) fail(`${pageStateNames[st]} block at pfn ${p} order ${o} runs past the zone end ${ze}`);
    for (let q = p + 1; q < p + n; q++) {
      const s = state[q - base]!;
      if (s !== PAGE_TAIL) fail(`${pageStateNames[st]} block at pfn ${p} order ${o} overlaps pfn ${q} (${pageStateNames[s]})`);
    }
    if (st === PAGE_BUDDY) {
      if (!onList[p - zs]) fail(`free block at pfn ${p} order ${o} is on no free list`);
      // Below pageblock_order both buddies share a pageblock and __free_one_page always merges them. At and
      // above it the kernel decides with the pageblock types of the moment, and a later re-typing (unreserving
      // a highatomic block, undoing isolation) does not re-merge: two free order-9 buddies are legal then.
      if (o < pageblock_order) {
        const b = p ^ n;
        if (b >= zs && b < ze && state[b - base] === PAGE_BUDDY && ord[b - base] === o) {
          fail(`free buddies at pfns ${Math.min(p, b)} and ${Math.max(p, b)} (order ${o}) were not merged`);
        }
      }
    }
    p += n;
  }
}
