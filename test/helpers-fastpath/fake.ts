/**
 * Hand-built machines and a small, plain-JS buddy allocator for the fast-path tests (test/mm/page_alloc.test.ts,
 * test/mm/pcp.test.ts). The buddy here is a stand-in with the semantics the fast path relies on: free lists per
 * (order, migratetype) with the head taken first, expand() putting the upper halves on the list head, merging on
 * free, NR_FREE_PAGES / nr_free / nr_free_highatomic accounting, and a fallback that honours ALLOC_NOFRAGMENT
 * (only whole pageblocks may change type). It is not the real buddy.ts and is not meant to be fast.
 */
import { createMemmap, getPageblockMigratetype, setPageblockMigratetype, PAGE_ALLOC, PAGE_BUDDY } from '../../src/mm/memmap.js';
import type { MemMap } from '../../src/mm/memmap.js';
import {
  MAX_PAGE_ORDER,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  MIGRATE_CMA,
  NR_PAGE_ORDERS,
  pageblock_order,
  zoneNames,
} from '../../src/mm/mmzone.js';
import type { FreeAreaState, PglistData, Sysctl, Zone } from '../../src/mm/mmzone.js';
import type { BuddyOps } from '../../src/mm/pcp.js';
import { ALLOC_NOFRAGMENT } from '../../src/mm/internal.js';
import { asPfn } from '../../src/mm/memmap-types.js';
import { v6_18 } from '../../src/policy/v6.18.js';
import type { AllocMachine } from '../../src/mm/page_alloc.js';

export interface ZoneSpec {
  zoneIdx: number;
  start: number;
  spanned: number;
  managed?: number;
  /** unboosted min, low, high */
  wmark: [number, number, number];
  /** lowmem_reserve[MAX_NR_ZONES] */
  reserve?: number[];
}

function freeArea(): FreeAreaState {
  return {
    head: new Int32Array(NR_PAGE_ORDERS * MIGRATE_TYPES).fill(-1),
    tail: new Int32Array(NR_PAGE_ORDERS * MIGRATE_TYPES).fill(-1),
    nrFree: new Int32Array(NR_PAGE_ORDERS),
    nrFreeMt: new Int32Array(NR_PAGE_ORDERS * MIGRATE_TYPES),
  } as unknown as FreeAreaState;
}

function emptyZone(nodeId: number, zoneIdx: number): Zone {
  return {
    nodeId,
    zoneIdx,
    name: zoneNames[zoneIdx]!,
    zoneStartPfn: asPfn(0),
    spannedPages: 0,
    presentPages: 0,
    managedPages: 0,
    watermark: [0, 0, 0, 0],
    watermarkBoost: 0,
    lowmemReserve: [0, 0, 0, 0],
    nrReservedHighatomic: 0,
    nrFreePages: 0,
    freeArea: freeArea(),
    nrFreeHighatomic: 0,
    nrFreeCmaPages: 0,
    flags: 0,
  };
}

/** A node whose zones are given by `specs` (others empty); zonelists highest first as build_zonerefs_node(). */
export function makeNode(nodeId: number, specs: ZoneSpec[]): PglistData {
  const zones: Zone[] = [0, 1, 2, 3].map((i) => emptyZone(nodeId, i));
  let lo = Infinity;
  let hi = 0;
  for (const s of specs) {
    const z = zones[s.zoneIdx]!;
    z.zoneStartPfn = asPfn(s.start);
    z.spannedPages = s.spanned;
    z.presentPages = s.spanned;
    z.managedPages = s.managed ?? s.spanned;
    z.watermark = [s.wmark[0], s.wmark[1], s.wmark[2], s.wmark[2]];
    z.lowmemReserve = s.reserve ?? [0, 0, 0, 0];
    lo = Math.min(lo, s.start);
    hi = Math.max(hi, s.start + s.spanned);
  }
  const populated = zones.filter((z) => z.presentPages > 0).reverse();
  return {
    nodeId,
    nodeStartPfn: asPfn(lo),
    nodeSpannedPages: hi - lo,
    zones,
    zonelistFallback: populated,
    zonelistNofallback: populated.slice(),
    memmap: createMemmap(lo, hi - lo),
  };
}

export function makeSysctl(over: Partial<Sysctl> = {}): Sysctl {
  return {
    min_free_kbytes: 67584,
    watermark_scale_factor: 10,
    watermark_boost_factor: 15000,
    lowmem_reserve_ratio: [256, 256, 32, 0],
    extfrag_threshold: 500,
    compaction_proactiveness: 20,
    percpu_pagelist_high_fraction: 0,
    defrag_mode: 0,
    ...over,
  };
}

export function makeMachine(nodes: PglistData[], nrCpus = 1, sysctl: Partial<Sysctl> = {}): AllocMachine {
  // multi-node: every node's fallback list continues with the other nodes' zones
  if (nodes.length > 1) {
    for (const n of nodes) {
      n.zonelistFallback = [...n.zonelistNofallback, ...nodes.filter((o) => o !== n).flatMap((o) => o.zonelistNofallback)];
    }
  }
  return { nodes, sysctl: makeSysctl(sysctl), nrCpus, policy: v6_18 };
}

/** Simplified v6.18 fallbacks[] (mm/page_alloc.c) */
const fallbacks: number[][] = [
  [MIGRATE_RECLAIMABLE, MIGRATE_MOVABLE],
  [MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE],
  [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE],
];

/** The stand-in buddy allocator. Lists keep their head at the end of a JS array. */
export class FakeBuddy implements BuddyOps {
  private lists = new Map<Zone, number[][]>();
  /** counters the tests read */
  calls = { rmqueueBlock: 0, rmqueueSmallest: 0, freeOnePage: 0, fallbacks: 0, reserveHighatomic: [] as number[] };
  /** pfns freed through freeOnePage, in order */
  freed: number[] = [];

  private L(zone: Zone): number[][] {
    let l = this.lists.get(zone);
    if (!l) {
      l = Array.from({ length: NR_PAGE_ORDERS * MIGRATE_TYPES }, () => []);
      this.lists.set(zone, l);
    }
    return l;
  }

  private add(zone: Zone, mm: MemMap, pfn: number, order: number, mt: number, tail = false): void {
    const list = this.L(zone)[order * MIGRATE_TYPES + mt]!;
    if (tail) list.unshift(pfn);
    else list.push(pfn);
    zone.freeArea.nrFree[order]!++;
    zone.freeArea.nrFreeMt[order * MIGRATE_TYPES + mt]!++;
    zone.nrFreePages += 1 << order;
    if (mt === MIGRATE_HIGHATOMIC) zone.nrFreeHighatomic! += 1 << order;
    if (mt === MIGRATE_CMA) zone.nrFreeCmaPages! += 1 << order;
    mm.state[pfn - mm.startPfn] = PAGE_BUDDY;
    mm.order[pfn - mm.startPfn] = order;
  }

  private del(zone: Zone, mm: MemMap, pfn: number, order: number, mt: number): void {
    const list = this.L(zone)[order * MIGRATE_TYPES + mt]!;
    const i = list.lastIndexOf(pfn);
    if (i < 0) throw new Error(`pfn ${pfn} not on list order ${order} mt ${mt}`);
    list.splice(i, 1);
    zone.freeArea.nrFree[order]!--;
    zone.freeArea.nrFreeMt[order * MIGRATE_TYPES + mt]!--;
    zone.nrFreePages -= 1 << order;
    if (mt === MIGRATE_HIGHATOMIC) zone.nrFreeHighatomic! -= 1 << order;
    if (mt === MIGRATE_CMA) zone.nrFreeCmaPages! -= 1 << order;
    mm.state[pfn - mm.startPfn] = PAGE_ALLOC;
  }

  /** free list contents, head first */
  list(zone: Zone, order: number, mt: number): number[] {
    return this.L(zone)[order * MIGRATE_TYPES + mt]!.slice().reverse();
  }

  /** Give [start, start + nr) to the buddy as blocks of `mt` (pageblocks re-typed to `mt`), lowest pfn first. */
  populate(zone: Zone, mm: MemMap, start: number, nr: number, mt: number, maxOrder = MAX_PAGE_ORDER): void {
    for (let p = start; p < start + nr; p += 1 << pageblock_order) setPageblockMigratetype(mm, p, mt);
    let pfn = start;
    const end = start + nr;
    while (pfn < end) {
      let order = maxOrder;
      while (order > 0 && (pfn % (1 << order) !== 0 || pfn + (1 << order) > end)) order--;
      this.add(zone, mm, pfn, order, mt, true);
      pfn += 1 << order;
    }
  }

  /** Put one block on a list without touching pageblock types (to build odd layouts). */
  addBlock(zone: Zone, mm: MemMap, pfn: number, order: number, mt: number): void {
    this.add(zone, mm, pfn, order, mt);
  }

  private take(zone: Zone, mm: MemMap, order: number, current: number, mt: number, pfn: number): number {
    this.del(zone, mm, pfn, current, mt);
    // expand(): the upper halves go back on the list of the same type
    while (current > order) {
      current--;
      this.add(zone, mm, pfn + (1 << current), current, mt);
    }
    mm.state[pfn - mm.startPfn] = PAGE_ALLOC;
    mm.order[pfn - mm.startPfn] = order;
    return pfn;
  }

  rmqueueSmallest(zone: Zone, mm: MemMap, order: number, mt: number): number {
    this.calls.rmqueueSmallest++;
    for (let o = order; o < NR_PAGE_ORDERS; o++) {
      const list = this.L(zone)[o * MIGRATE_TYPES + mt]!;
      if (list.length) return this.take(zone, mm, order, o, mt, list[list.length - 1]!);
    }
    return -1;
  }

  lastMode(): number {
    return 0;
  }

  /** 1 = claimed a pageblock, 2 = stole a block, in the last rmqueueBlock() */
  fallback = 0;
  lastFallback(): number {
    return this.fallback;
  }

  rmqueueBlock(zone: Zone, mm: MemMap, order: number, mt: number, allocFlags: number, _mode = 0): number {
    this.calls.rmqueueBlock++;
    this.fallback = 0;
    const pfn = this.rmqueueSmallest(zone, mm, order, mt);
    if (pfn >= 0) return pfn;
    // claim a whole pageblock from a fallback type, largest first
    for (let o = MAX_PAGE_ORDER; o >= pageblock_order && o >= order; o--) {
      for (const fmt of fallbacks[mt] ?? []) {
        const list = this.L(zone)[o * MIGRATE_TYPES + fmt]!;
        if (!list.length) continue;
        this.calls.fallbacks++;
        const head = list[list.length - 1]!;
        this.del(zone, mm, head, o, fmt);
        for (let p = head; p < head + (1 << o); p += 1 << pageblock_order) setPageblockMigratetype(mm, p, mt);
        this.add(zone, mm, head, o, mt);
        this.fallback = 1;
        return this.rmqueueSmallest(zone, mm, order, mt);
      }
    }
    // steal a smaller block without re-typing: not under ALLOC_NOFRAGMENT
    if (allocFlags & ALLOC_NOFRAGMENT) return -1;
    for (let o = order; o < pageblock_order; o++) {
      for (const fmt of fallbacks[mt] ?? []) {
        const list = this.L(zone)[o * MIGRATE_TYPES + fmt]!;
        if (!list.length) continue;
        this.calls.fallbacks++;
        this.fallback = 2;
        return this.take(zone, mm, order, o, fmt, list[list.length - 1]!);
      }
    }
    return -1;
  }

  freeOnePage(zone: Zone, mm: MemMap, pfn: number, order: number, mt: number, _fpi: number): void {
    this.calls.freeOnePage++;
    this.freed.push(pfn);
    const zEnd = zone.zoneStartPfn + zone.spannedPages;
    while (order < MAX_PAGE_ORDER) {
      const buddy = pfn ^ (1 << order);
      if (buddy < zone.zoneStartPfn || buddy + (1 << order) > zEnd) break;
      const bi = buddy - mm.startPfn;
      if (mm.state[bi] !== PAGE_BUDDY || mm.order[bi] !== order) break;
      const bmt = getPageblockMigratetype(mm, buddy);
      if (!this.L(zone)[order * MIGRATE_TYPES + bmt]!.includes(buddy)) break;
      this.del(zone, mm, buddy, order, bmt);
      pfn = Math.min(pfn, buddy);
      order++;
    }
    this.add(zone, mm, pfn, order, mt);
  }

  getPageblockMigratetype(mm: MemMap, pfn: number): number {
    return getPageblockMigratetype(mm, pfn);
  }

  reserveHighatomicPageblock(_zone: Zone, _mm: MemMap, pfn: number, _order: number): void {
    this.calls.reserveHighatomic.push(pfn);
  }
}

/**
 * gfp masks of the 6.15+ layout (include/linux/gfp_types.h @ v6.18, the enum of bit numbers), built from the
 * bit values gfp.ts resolves so the tests do not hardcode them either.
 */
import { gfpBit } from '../../src/mm/gfp.js';
const era = v6_18.gfpEra;
export const G = {
  GFP_KERNEL: gfpBit('GFP_KERNEL', era),
  GFP_ATOMIC: gfpBit('GFP_ATOMIC', era),
  GFP_NOWAIT: gfpBit('GFP_NOWAIT', era),
  GFP_HIGHUSER_MOVABLE: gfpBit('GFP_HIGHUSER_MOVABLE', era),
  __GFP_DMA: gfpBit('__GFP_DMA', era),
  __GFP_DMA32: gfpBit('__GFP_DMA32', era),
  __GFP_HIGHMEM: gfpBit('__GFP_HIGHMEM', era),
  __GFP_MOVABLE: gfpBit('__GFP_MOVABLE', era),
  __GFP_KSWAPD_RECLAIM: gfpBit('__GFP_KSWAPD_RECLAIM', era),
  __GFP_THISNODE: gfpBit('__GFP_THISNODE', era),
};
