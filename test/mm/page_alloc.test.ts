import { describe, expect, test } from 'vitest';
import {
  ALLOC_CMA,
  ALLOC_HIGHATOMIC,
  ALLOC_KSWAPD,
  ALLOC_MIN_RESERVE,
  ALLOC_NOFRAGMENT,
  ALLOC_NON_BLOCK,
  ALLOC_OOM,
  ALLOC_WMARK_LOW,
  ALLOC_WMARK_MIN,
  ZONE_BOOSTED_WATERMARK,
  allocFlagsV6_18,
} from '../../src/mm/internal.js';
import {
  SRC_BUDDY,
  SRC_HIGHATOMIC,
  SRC_PCP_REFILL,
  STEP_NOFRAGMENT_RETRY,
  STEP_RMQUEUE,
  STEP_WMARK,
  STEP_WMARK_HIGH,
  allocPagesFast,
  createAllocOut,
  createPageAlloc,
  freePages,
  getPageFromFreelist,
  prepareAllocPages,
  zoneWatermarkFast,
  zoneWatermarkOk,
} from '../../src/mm/page_alloc.js';
import type { PageAlloc } from '../../src/mm/page_alloc.js';
import {
  MIGRATE_CMA,
  MIGRATE_HIGHATOMIC,
  MIGRATE_MOVABLE,
  MIGRATE_TYPES,
  MIGRATE_UNMOVABLE,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_MOVABLE,
  ZONE_NORMAL,
} from '../../src/mm/mmzone.js';
import type { PglistData, Zone } from '../../src/mm/mmzone.js';
import { v6_18 } from '../../src/policy/v6.18.js';
import { FALLBACK_STEAL } from '../../src/mm/pcp.js';
import { FakeBuddy, G, makeMachine, makeNode } from '../helpers-fastpath/fake.js';

/** A zone with only counters set: watermark min/low/high 1000/1250/1500, no reserve, `free` free pages. */
function counterZone(free: number): Zone {
  const node = makeNode(0, [{ zoneIdx: ZONE_NORMAL, start: 0, spanned: 1 << 20, wmark: [1000, 1250, 1500] }]);
  const z = node.zones[ZONE_NORMAL]!;
  z.nrFreePages = free;
  return z;
}

describe('alloc_flags values', () => {
  test('when the v6.18 policy is read then its ALLOC_* table equals mm/internal.h @ v6.18', () => {
    expect(v6_18.allocFlags).toEqual(allocFlagsV6_18);
    expect(allocFlagsV6_18.ALLOC_KSWAPD).toBe(G.__GFP_KSWAPD_RECLAIM); // "assumed to be the same" in the kernel
  });
});

describe('__zone_watermark_ok', () => {
  // Every expectation is "free must exceed the reduced min": the boundary pair (min, min + 1) is checked.
  const cases: [string, number, number][] = [
    // name, alloc_flags, reduced min from mark 1000
    ['no reserve flags', 0, 1000],
    ['ALLOC_MIN_RESERVE (__GFP_HIGH): min - min/2', ALLOC_MIN_RESERVE, 500],
    ['MIN_RESERVE | NON_BLOCK (GFP_ATOMIC): 500 - 500/4', ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK, 375],
    ['NON_BLOCK alone (GFP_NOWAIT): no cut', ALLOC_NON_BLOCK, 1000],
    ['ALLOC_OOM: min - min/2', ALLOC_OOM, 500],
    ['OOM | MIN_RESERVE: 1000 → 500 → 250', ALLOC_OOM | ALLOC_MIN_RESERVE, 250],
    ['OOM | MIN_RESERVE | NON_BLOCK: 1000 → 500 → 375 → 375 - 187 = 188', ALLOC_OOM | ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK, 188],
    ['ALLOC_HIGHATOMIC alone: no cut', ALLOC_HIGHATOMIC, 1000],
  ];
  for (const [name, flags, min] of cases) {
    test(`when ${name} then free must exceed ${min}`, () => {
      const z = counterZone(0);
      expect(zoneWatermarkOk(z, 0, 1000, ZONE_NORMAL, flags, min)).toBe(false);
      expect(zoneWatermarkOk(z, 0, 1000, ZONE_NORMAL, flags, min + 1)).toBe(true);
    });
  }

  test('when the mark is odd then the integer halving leaves the larger half (1001 - 500 = 501)', () => {
    const z = counterZone(0);
    expect(zoneWatermarkOk(z, 0, 1001, ZONE_NORMAL, ALLOC_MIN_RESERVE, 501)).toBe(false);
    expect(zoneWatermarkOk(z, 0, 1001, ZONE_NORMAL, ALLOC_MIN_RESERVE, 502)).toBe(true);
  });

  test('when free highatomic pages exist then only callers with a reserve flag may count them', () => {
    const z = counterZone(0);
    z.nrFreeHighatomic = 100;
    // 1100 - 100 = 1000 ≤ 1000 for a plain caller; NON_BLOCK (in ALLOC_RESERVES) keeps all 1100 (and no cut)
    expect(zoneWatermarkOk(z, 0, 1000, ZONE_NORMAL, 0, 1100)).toBe(false);
    expect(zoneWatermarkOk(z, 0, 1000, ZONE_NORMAL, 0, 1101)).toBe(true);
    expect(zoneWatermarkOk(z, 0, 1000, ZONE_NORMAL, ALLOC_NON_BLOCK, 1001)).toBe(true);
  });

  test('when free CMA pages exist then they count only with ALLOC_CMA', () => {
    const z = counterZone(0);
    z.nrFreeCmaPages = 50;
    expect(zoneWatermarkOk(z, 0, 1000, ZONE_NORMAL, 0, 1050)).toBe(false);
    expect(zoneWatermarkOk(z, 0, 1000, ZONE_NORMAL, ALLOC_CMA, 1050)).toBe(true);
  });

  test('when the order is 3 then 2^3 - 1 = 7 pages are not counted', () => {
    const z = counterZone(0);
    z.freeArea.nrFree[3] = 1;
    z.freeArea.nrFreeMt[3 * MIGRATE_TYPES + MIGRATE_MOVABLE] = 1;
    expect(zoneWatermarkOk(z, 3, 1000, ZONE_NORMAL, 0, 1007)).toBe(false);
    expect(zoneWatermarkOk(z, 3, 1000, ZONE_NORMAL, 0, 1008)).toBe(true);
  });

  test('when lowmem_reserve[highest_zoneidx] is set then it is added to min for that index only', () => {
    const z = counterZone(0);
    z.lowmemReserve = [0, 0, 0, 500];
    expect(zoneWatermarkOk(z, 0, 1000, ZONE_MOVABLE, 0, 1500)).toBe(false);
    expect(zoneWatermarkOk(z, 0, 1000, ZONE_MOVABLE, 0, 1501)).toBe(true);
    expect(zoneWatermarkOk(z, 0, 1000, ZONE_NORMAL, 0, 1001)).toBe(true);
  });

  test('when only a HIGHATOMIC block of order ≥ the request is free then only HIGHATOMIC or OOM callers pass', () => {
    const z = counterZone(0);
    z.freeArea.nrFree[3] = 1;
    z.freeArea.nrFreeMt[3 * MIGRATE_TYPES + MIGRATE_HIGHATOMIC] = 1;
    z.freeArea.nrFree[1] = 5;
    z.freeArea.nrFreeMt[1 * MIGRATE_TYPES + MIGRATE_MOVABLE] = 5; // order 1 is too small for order 2
    expect(zoneWatermarkOk(z, 2, 1000, ZONE_NORMAL, 0, 5000)).toBe(false);
    expect(zoneWatermarkOk(z, 2, 1000, ZONE_NORMAL, ALLOC_HIGHATOMIC, 5000)).toBe(true);
    expect(zoneWatermarkOk(z, 2, 1000, ZONE_NORMAL, ALLOC_OOM, 5000)).toBe(true);
    expect(zoneWatermarkOk(z, 2, 1000, ZONE_NORMAL, ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK, 5000)).toBe(false);
  });

  test('when only a CMA block of order ≥ the request is free then only ALLOC_CMA callers pass', () => {
    const z = counterZone(0);
    z.freeArea.nrFree[4] = 1;
    z.freeArea.nrFreeMt[4 * MIGRATE_TYPES + MIGRATE_CMA] = 1;
    expect(zoneWatermarkOk(z, 2, 1000, ZONE_NORMAL, 0, 5000)).toBe(false);
    expect(zoneWatermarkOk(z, 2, 1000, ZONE_NORMAL, ALLOC_CMA, 5000)).toBe(true);
  });
});

describe('zone_watermark_fast', () => {
  test('when an order-0 ALLOC_MIN_RESERVE request fails the boosted min then the unboosted min decides', () => {
    const z = counterZone(500);
    z.watermarkBoost = 500; // wmark min = 1000 + 500 = 1500
    const atomicMin = ALLOC_WMARK_MIN | ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK;
    // boosted: 1500 → 750 → 563, 500 fails; unboosted: 1000 → 500 → 375, 500 passes
    expect(zoneWatermarkFast(z, 0, 1500, ZONE_NORMAL, atomicMin)).toBe(true);
    // NON_BLOCK alone (GFP_NOWAIT) gets no retry
    expect(zoneWatermarkFast(z, 0, 1500, ZONE_NORMAL, ALLOC_WMARK_MIN | ALLOC_NON_BLOCK)).toBe(false);
    // checking the low mark: no retry either
    expect(zoneWatermarkFast(z, 0, 1500, ZONE_NORMAL, ALLOC_WMARK_LOW | ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK)).toBe(false);
    // unboosted zone, __GFP_HIGH without NON_BLOCK: min 1000 → 500 and 500 is not above it
    z.watermarkBoost = 0;
    expect(zoneWatermarkFast(z, 0, 1000, ZONE_NORMAL, ALLOC_WMARK_MIN | ALLOC_MIN_RESERVE)).toBe(false);
  });

  test('when order 0 and the highatomic reserve exceeds free then usable free is floored at 0 and the check fails', () => {
    const z = counterZone(1500);
    z.nrFreeHighatomic = 2000;
    expect(zoneWatermarkFast(z, 0, 1000, ZONE_NORMAL, 0)).toBe(false);
    expect(zoneWatermarkFast(z, 0, 1000, ZONE_NORMAL, ALLOC_OOM)).toBe(true);
  });
});

// ---- whole-walk tests on hand-built nodes ----

interface Setup {
  node: PglistData;
  buddy: FakeBuddy;
  pa: PageAlloc;
  zones: Zone[];
}

/**
 * DMA [1, 4096), DMA32 [4096, 65536), Normal [65536, 131072) with hand-set watermarks and lowmem_reserve; each
 * zone gets `free[zone]` free pages (MOVABLE unless `mt` says otherwise) at its start.
 */
function threeZones(free: [number, number, number], mt: [number, number, number] = [MIGRATE_MOVABLE, MIGRATE_MOVABLE, MIGRATE_MOVABLE]): Setup {
  const node = makeNode(0, [
    // lowmem_reserve as setup_per_zone_lowmem_reserve would give with ratios 256/256: DMA→DMA32 240, →Normal 496
    { zoneIdx: ZONE_DMA, start: 0, spanned: 4096, wmark: [10, 13, 16], reserve: [0, 240, 496, 496] },
    { zoneIdx: ZONE_DMA32, start: 4096, spanned: 61440, wmark: [100, 125, 150], reserve: [0, 0, 256, 256] },
    { zoneIdx: ZONE_NORMAL, start: 65536, spanned: 65536, wmark: [200, 250, 300], reserve: [0, 0, 0, 0] },
  ]);
  const buddy = new FakeBuddy();
  const zones = [node.zones[ZONE_DMA]!, node.zones[ZONE_DMA32]!, node.zones[ZONE_NORMAL]!];
  zones.forEach((z, i) => {
    if (free[i]) buddy.populate(z, node.memmap, z.zoneStartPfn, free[i]!, mt[i]!);
  });
  const pa = createPageAlloc(makeMachine([node]), buddy);
  return { node, buddy, pa, zones };
}

function stepZones(pa: PageAlloc, kind: number): string[] {
  const s = pa.steps;
  const out: string[] = [];
  for (let i = 0; i < s.n; i++) if (s.kind[i] === kind) out.push(`${['DMA', 'DMA32', 'Normal', 'Movable'][s.zid[i]!] ?? 'none'}:${s.result[i]}`);
  return out;
}

describe('get_page_from_freelist: zone walk', () => {
  test('when Normal and then DMA32 are below their low watermark then the walk goes Normal → DMA32 → DMA', () => {
    // Normal 250 free ≤ low 250; DMA32 300 ≤ low 125 + reserve[Normal] 256 = 381; DMA 4000 > 13 + 496
    const { pa, zones } = threeZones([4000, 300, 250]);
    pa.steps.enabled = true;
    const out = createAllocOut();
    const pfn = allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out);
    expect(out.zone).toBe(zones[0]);
    expect(pfn).toBeGreaterThanOrEqual(0);
    expect(pfn).toBeLessThan(4096);
    // each zone is first checked against its high watermark (ZONE_BELOW_HIGH detection); DMA passes it
    expect(stepZones(pa, STEP_WMARK_HIGH)).toEqual(['Normal:0', 'DMA32:0', 'DMA:1']);
    expect(stepZones(pa, STEP_WMARK)).toEqual(['Normal:0', 'DMA32:0']);
    // second request: Normal and DMA32 are flagged below high, so only the low mark is checked there
    allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out);
    expect(stepZones(pa, STEP_WMARK_HIGH)).toEqual(['DMA:1']);
    expect(stepZones(pa, STEP_WMARK)).toEqual(['Normal:0', 'DMA32:0']);
  });

  test('when DMA32 free is above min but not above low + lowmem_reserve[Normal] then GFP_KERNEL may not use it', () => {
    // 2-zone node: DMA32 free 1000 > low 125, but ≤ 125 + reserve 1000; Normal empty
    const node = makeNode(0, [
      { zoneIdx: ZONE_DMA32, start: 4096, spanned: 61440, wmark: [100, 125, 150], reserve: [0, 0, 1000, 1000] },
      { zoneIdx: ZONE_NORMAL, start: 65536, spanned: 65536, wmark: [200, 250, 300] },
    ]);
    const buddy = new FakeBuddy();
    buddy.populate(node.zones[ZONE_DMA32]!, node.memmap, 4096, 1000, MIGRATE_MOVABLE);
    const pa = createPageAlloc(makeMachine([node]), buddy);
    const out = createAllocOut();
    expect(allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out)).toBe(-1);
    expect(out.reject).toBe(false); // the slow path is next
    // __GFP_DMA32: highest zone DMA32, lowmem_reserve[DMA32] = 0 → 1000 > 125
    expect(allocPagesFast(pa, G.GFP_KERNEL | G.__GFP_DMA32, 0, 0, 0, out)).toBeGreaterThanOrEqual(4096);
    expect(out.zone).toBe(node.zones[ZONE_DMA32]);
    // the pcp refill took one batch out of NR_FREE_PAGES: zone_batchsize(61440) = rounddown_pow_of_two(15 + 7) - 1
    // = 15, so 985 left. Bring it to 1125 = low + reserve: still refused; one page more and GFP_KERNEL passes
    // (served from the pcp list the DMA32 request filled)
    const dma32 = node.zones[ZONE_DMA32]!;
    expect(dma32.nrFreePages).toBe(985);
    buddy.populate(dma32, node.memmap, 8192, 140, MIGRATE_MOVABLE);
    expect(allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out)).toBe(-1);
    buddy.populate(dma32, node.memmap, 8192 + 140, 1, MIGRATE_MOVABLE);
    expect(allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out)).toBeGreaterThanOrEqual(4096);
    expect(out.zone).toBe(dma32);
  });

  test('when gfp is __GFP_DMA then only ZONE_DMA is tried', () => {
    const { pa, zones } = threeZones([4000, 10000, 10000]);
    pa.steps.enabled = true;
    const out = createAllocOut();
    allocPagesFast(pa, G.GFP_KERNEL | G.__GFP_DMA, 0, 0, 0, out);
    expect(out.zone).toBe(zones[0]);
    expect(out.ac.highestZoneidx).toBe(ZONE_DMA);
    // ZONE_DMA is not ZONE_NORMAL: no ALLOC_NOFRAGMENT
    expect(out.allocFlags & ALLOC_NOFRAGMENT).toBe(0);
  });

  test('when gfp is __GFP_HIGHMEM|__GFP_MOVABLE then ZONE_MOVABLE comes first; GFP_KERNEL never uses it', () => {
    const node = makeNode(0, [
      { zoneIdx: ZONE_DMA32, start: 4096, spanned: 61440, wmark: [100, 125, 150] },
      { zoneIdx: ZONE_NORMAL, start: 65536, spanned: 65536, wmark: [200, 250, 300] },
      { zoneIdx: ZONE_MOVABLE, start: 131072, spanned: 65536, wmark: [32, 32, 32] },
    ]);
    const buddy = new FakeBuddy();
    for (const z of [ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE]) buddy.populate(node.zones[z]!, node.memmap, node.zones[z]!.zoneStartPfn, 8192, MIGRATE_MOVABLE);
    const pa = createPageAlloc(makeMachine([node]), buddy);
    const out = createAllocOut();
    allocPagesFast(pa, G.GFP_HIGHUSER_MOVABLE, 0, 0, 0, out);
    expect(out.zone).toBe(node.zones[ZONE_MOVABLE]);
    expect(out.allocFlags & ALLOC_CMA).toBe(ALLOC_CMA); // movable requests get ALLOC_CMA
    allocPagesFast(pa, G.GFP_KERNEL | G.__GFP_MOVABLE, 0, 0, 0, out);
    expect(out.zone).toBe(node.zones[ZONE_NORMAL]); // __GFP_MOVABLE alone only picks the migratetype
    allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out);
    expect(out.zone).toBe(node.zones[ZONE_NORMAL]);
  });

  test('when the order is above MAX_PAGE_ORDER or the zone bits are invalid then the request is rejected', () => {
    const { pa } = threeZones([4000, 10000, 10000]);
    const out = createAllocOut();
    expect(allocPagesFast(pa, G.GFP_KERNEL, 11, 0, 0, out)).toBe(-1);
    expect(out.reject).toBe(true);
    expect(allocPagesFast(pa, G.GFP_KERNEL | G.__GFP_DMA | G.__GFP_DMA32, 0, 0, 0, out)).toBe(-1);
    expect(out.reject).toBe(true);
  });

  test('when __GFP_THISNODE then the zonelist is the node-local NOFALLBACK list', () => {
    const n0 = makeNode(0, [{ zoneIdx: ZONE_NORMAL, start: 0, spanned: 65536, wmark: [200, 250, 300] }]);
    const n1 = makeNode(1, [{ zoneIdx: ZONE_NORMAL, start: 65536, spanned: 65536, wmark: [200, 250, 300] }]);
    const buddy = new FakeBuddy();
    buddy.populate(n1.zones[ZONE_NORMAL]!, n1.memmap, 65536, 8192, MIGRATE_MOVABLE);
    const pa = createPageAlloc(makeMachine([n0, n1]), buddy);
    const out = createAllocOut();
    // node 0 is empty: the fallback list goes on to node 1, THISNODE does not
    expect(allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out)).toBeGreaterThanOrEqual(65536);
    expect(out.zone).toBe(n1.zones[ZONE_NORMAL]);
    expect(allocPagesFast(pa, G.GFP_KERNEL | G.__GFP_THISNODE, 0, 0, 0, out)).toBe(-1);
  });
});

describe('get_page_from_freelist: ALLOC_NOFRAGMENT', () => {
  test('when Normal holds only small MOVABLE blocks then an UNMOVABLE request is served by DMA32 first', () => {
    // Normal: 4096 free pages as order-8 MOVABLE blocks (below pageblock_order: stealing would fragment);
    // DMA32 has UNMOVABLE pageblocks. First pass has ALLOC_NOFRAGMENT (preferred zone is Normal).
    const { pa, buddy, zones } = threeZones([0, 4096, 0], [0, MIGRATE_UNMOVABLE, 0]);
    const normal = zones[2]!;
    for (let p = 65536; p < 65536 + 4096; p += 256) buddy.addBlock(normal, pa.machine.nodes[0]!.memmap, p, 8, MIGRATE_MOVABLE);
    pa.steps.enabled = true;
    const out = createAllocOut();
    allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out);
    expect(out.allocFlags & ALLOC_NOFRAGMENT).toBe(ALLOC_NOFRAGMENT);
    expect(out.zone).toBe(zones[1]);
    expect(stepZones(pa, STEP_NOFRAGMENT_RETRY)).toEqual([]);
  });

  test('when no zone can serve without fragmenting then the walk is repeated without ALLOC_NOFRAGMENT', () => {
    const { pa, buddy, zones } = threeZones([0, 0, 0]);
    const normal = zones[2]!;
    for (let p = 65536; p < 65536 + 4096; p += 256) buddy.addBlock(normal, pa.machine.nodes[0]!.memmap, p, 8, MIGRATE_MOVABLE);
    pa.steps.enabled = true;
    const out = createAllocOut();
    const pfn = allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out);
    expect(pfn).toBeGreaterThanOrEqual(65536);
    expect(out.zone).toBe(normal);
    expect(stepZones(pa, STEP_NOFRAGMENT_RETRY)).toEqual(['none:0']); // no zone: the whole-walk retry
    expect(buddy.calls.fallbacks).toBeGreaterThan(0);
    // the last rmqueue step: a pcp refill that had to steal from a MOVABLE block
    const s = pa.steps;
    const last = s.n - 1;
    expect([s.kind[last], s.aux[last], s.mark[last], s.result[last]]).toEqual([STEP_RMQUEUE, SRC_PCP_REFILL, FALLBACK_STEAL, pfn]);
  });

  test('when vm.defrag_mode is set then ALLOC_NOFRAGMENT is kept and never retried away', () => {
    const { pa, buddy, zones } = threeZones([0, 0, 0]);
    pa.machine.sysctl.defrag_mode = 1;
    for (let p = 65536; p < 65536 + 4096; p += 256) buddy.addBlock(zones[2]!, pa.machine.nodes[0]!.memmap, p, 8, MIGRATE_MOVABLE);
    const out = createAllocOut();
    expect(allocPagesFast(pa, G.GFP_KERNEL | G.__GFP_DMA32, 0, 0, 0, out)).toBe(-1);
    expect(out.allocFlags & ALLOC_NOFRAGMENT).toBe(ALLOC_NOFRAGMENT); // even with DMA32 preferred
  });
});

describe('rmqueue / rmqueue_buddy', () => {
  const atomicSlow = ALLOC_WMARK_MIN | ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_KSWAPD;

  function highatomicSetup(): Setup {
    const s = threeZones([0, 0, 8192]);
    const normal = s.zones[2]!;
    // one order-4 block on the HIGHATOMIC list, past the MOVABLE ones
    s.buddy.addBlock(normal, s.node.memmap, 65536 + 16384, 4, MIGRATE_HIGHATOMIC);
    return s;
  }

  test('when a high-order GFP_ATOMIC (ALLOC_HIGHATOMIC) is not a pcp order then the HIGHATOMIC list is taken first', () => {
    const { pa, buddy } = highatomicSetup();
    const out = createAllocOut();
    prepareAllocPages(pa, G.GFP_ATOMIC, 0, -1, out.ac, 0);
    const pfn = getPageFromFreelist(pa, G.GFP_ATOMIC, 4, atomicSlow, out.ac, out);
    expect(pfn).toBe(65536 + 16384);
    expect(out.source).toBe(SRC_HIGHATOMIC);
    expect(buddy.calls.reserveHighatomic).toEqual([pfn]);
  });

  test('when the same order-4 request lacks ALLOC_HIGHATOMIC then it comes from the normal lists', () => {
    const { pa, buddy } = highatomicSetup();
    const out = createAllocOut();
    prepareAllocPages(pa, G.GFP_ATOMIC, 0, -1, out.ac, 0);
    const pfn = getPageFromFreelist(pa, G.GFP_ATOMIC, 4, ALLOC_WMARK_MIN | ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE, out.ac, out);
    expect(out.source).toBe(SRC_BUDDY);
    expect(pfn).toBe(65536);
    expect(buddy.calls.reserveHighatomic).toEqual([]);
  });

  test('when __rmqueue finds nothing then an order-0 NON_BLOCK request still takes a HIGHATOMIC page; a plain one fails', () => {
    const s = threeZones([0, 0, 0]);
    const normal = s.zones[2]!;
    // 1024 free pages, all on the HIGHATOMIC list: a reserve user counts them (order 0 has no list loop)
    s.buddy.addBlock(normal, s.node.memmap, 65536, 10, MIGRATE_HIGHATOMIC);
    const out = createAllocOut();
    prepareAllocPages(s.pa, G.GFP_ATOMIC, 0, -1, out.ac, 0);
    // the pcp refill (__rmqueue) finds nothing; rmqueue_buddy's last chance takes the highatomic page
    expect(getPageFromFreelist(s.pa, G.GFP_ATOMIC, 0, ALLOC_WMARK_MIN | ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE, out.ac, out)).toBe(65536);
    expect(out.source).toBe(SRC_HIGHATOMIC);
    // a plain caller has the 1023 free highatomic pages subtracted: 0 ≤ min, the zone is refused
    expect(getPageFromFreelist(s.pa, G.GFP_KERNEL, 0, ALLOC_WMARK_MIN, out.ac, out)).toBe(-1);
    // order 4 with NON_BLOCK but without ALLOC_HIGHATOMIC/OOM: the watermark's list loop may not count HIGHATOMIC
    expect(getPageFromFreelist(s.pa, G.GFP_ATOMIC, 4, ALLOC_WMARK_MIN | ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE, out.ac, out)).toBe(-1);
    expect(getPageFromFreelist(s.pa, G.GFP_ATOMIC, 4, ALLOC_WMARK_MIN | ALLOC_OOM, out.ac, out)).toBeGreaterThanOrEqual(65536);
  });

  test('when a GFP_ATOMIC order-2 request arrives then the pcp is tried first and refilled from the normal lists', () => {
    const { pa, buddy } = highatomicSetup();
    const out = createAllocOut();
    prepareAllocPages(pa, G.GFP_ATOMIC, 0, -1, out.ac, 0);
    const pfn = getPageFromFreelist(pa, G.GFP_ATOMIC, 2, atomicSlow, out.ac, out);
    expect(out.source).toBe(SRC_PCP_REFILL);
    expect(pfn).toBe(65536);
    // the highatomic reservation still follows a successful ALLOC_HIGHATOMIC allocation
    expect(buddy.calls.reserveHighatomic).toEqual([65536]);
  });

  test('when the zone watermark was boosted and the request may wake kswapd then rmqueue asks for a kswapd wakeup once', () => {
    const { pa, zones } = threeZones([0, 0, 8192]);
    zones[2]!.flags = ZONE_BOOSTED_WATERMARK;
    const out = createAllocOut();
    allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out);
    expect(out.allocFlags & ALLOC_KSWAPD).toBe(ALLOC_KSWAPD);
    expect(out.boostWakeZone).toBe(zones[2]);
    expect(zones[2]!.flags! & ZONE_BOOSTED_WATERMARK).toBe(0);
    allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out);
    expect(out.boostWakeZone).toBe(null);
    // without __GFP_KSWAPD_RECLAIM the flag stays for a later request
    zones[2]!.flags = ZONE_BOOSTED_WATERMARK;
    allocPagesFast(pa, G.GFP_KERNEL & ~G.__GFP_KSWAPD_RECLAIM, 0, 0, 0, out);
    expect(out.boostWakeZone).toBe(null);
    expect(zones[2]!.flags! & ZONE_BOOSTED_WATERMARK).toBe(ZONE_BOOSTED_WATERMARK);
  });
});

describe('free path', () => {
  test('when an order-0 page is freed then the next order-0 allocation on that CPU returns it (LIFO pcp)', () => {
    const { pa, zones } = threeZones([0, 0, 8192]);
    const out = createAllocOut();
    const a = allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out);
    const b = allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out);
    expect(b).toBe(a + 1);
    const free = zones[2]!.nrFreePages;
    expect(freePages(pa, a, 0, 0)).toBe(true);
    expect(zones[2]!.nrFreePages).toBe(free); // on the pcp list, not in NR_FREE_PAGES
    expect(allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 0, out)).toBe(a);
    // another CPU does not see CPU 0's list
    freePages(pa, a, 0, 0);
    expect(allocPagesFast(pa, G.GFP_KERNEL, 0, 0, 1, out)).not.toBe(a);
  });

  test('when an order-10 block is freed then it goes to the buddy as two pageblocks (split_large_buddy) and merges', () => {
    const { pa, buddy, zones } = threeZones([0, 0, 8192]);
    const out = createAllocOut();
    const pfn = allocPagesFast(pa, G.GFP_KERNEL, 10, 0, 0, out);
    expect(out.source).toBe(SRC_BUDDY);
    const before = zones[2]!.nrFreePages;
    freePages(pa, pfn, 10, 0);
    expect(buddy.freed).toEqual([pfn, pfn + 512]);
    expect(zones[2]!.nrFreePages).toBe(before + 1024);
    expect(freePages(pa, 999999, 0, 0)).toBe(false);
  });
});

describe('with the real buddy allocator (buddy.ts) on the x86_64-16G preset', () => {
  test('when 5000 order-0 and 50 order-9 blocks are allocated and freed then every page comes back after drain_all_pages', async () => {
    const { buildMachine } = await import('../../src/mm/machine.js');
    const { drainAllPages } = await import('../../src/mm/pcp.js');
    const m = buildMachine('x86_64-16G', { policy: v6_18 });
    const pa = createPageAlloc(m);
    const zones = m.nodes[0]!.zones;
    const freeBefore = zones.map((z) => z.nrFreePages);
    const out = createAllocOut();
    const got: [number, number][] = [];
    for (let i = 0; i < 5000; i++) got.push([allocPagesFast(pa, G.GFP_KERNEL, 0, 0, i % m.nrCpus, out), 0]);
    for (let i = 0; i < 50; i++) got.push([allocPagesFast(pa, G.GFP_HIGHUSER_MOVABLE, 9, 0, 0, out), 9]);
    // plenty of memory: everything comes from Normal on the fast path
    expect(got.every(([p]) => p >= 0)).toBe(true);
    expect(out.zone).toBe(zones[ZONE_NORMAL]);
    expect(new Set(got.map(([p]) => p)).size).toBe(5050);
    for (const [p, o] of got) freePages(pa, p, o, 0);
    drainAllPages(zones, pa.buddy);
    expect(zones.map((z) => z.nrFreePages)).toEqual(freeBefore);
  });
});

describe('seeded alloc/free sequences keep the buddy invariants (checkBuddy) with pcp lists in play', () => {
  test('when 20000 random fast-path allocations and frees run on x86_64-1G then checkBuddy holds and pcp counts add up', async () => {
    const { buildMachine } = await import('../../src/mm/machine.js');
    const { checkBuddy } = await import('../../src/mm/debug_vm.js');
    const { pcpListPfns } = await import('../../src/mm/pcp.js');
    const m = buildMachine('x86_64-1G', { policy: v6_18 });
    const pa = createPageAlloc(m);
    const out = createAllocOut();
    let seed = 0x5eed0002;
    const rnd = (): number => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) >>> 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const live: [number, number][] = [];
    const orders = [0, 0, 0, 0, 0, 0, 1, 2, 3, 9];
    for (let i = 0; i < 20000; i++) {
      if (live.length && rnd() < 0.45) {
        const [p, o] = live.splice(Math.floor(rnd() * live.length), 1)[0]!;
        freePages(pa, p, o, Math.floor(rnd() * m.nrCpus));
      } else {
        const o = orders[Math.floor(rnd() * orders.length)]!;
        const p = allocPagesFast(pa, rnd() < 0.5 ? G.GFP_KERNEL : G.GFP_HIGHUSER_MOVABLE, o, 0, Math.floor(rnd() * m.nrCpus), out);
        if (p >= 0) live.push([p, o]);
      }
      if (i % 5000 === 4999) {
        for (const z of m.nodes[0]!.zones) {
          if (z.presentPages) checkBuddy(z, m.nodes[0]!.memmap);
          // pcp->count is the pages on that CPU's lists
          const pcp = z.pcp!;
          for (let cpu = 0; cpu < pcp.nrCpus; cpu++) {
            let pages = 0;
            for (let li = 0; li < pcp.nrLists; li++) {
              const o = li >= pcp.nrLowLists ? pcp.thpOrder : Math.floor(li / 3);
              pages += pcpListPfns(pcp, cpu, li).length << o;
            }
            expect(pages).toBe(pcp.count[cpu]);
          }
        }
      }
    }
  });
});
