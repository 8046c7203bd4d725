import { describe, expect, test } from 'vitest';
import {
  drainPagesZone,
  freeFrozenPageCommit,
  initZonePcp,
  nrPcpAlloc,
  orderToPindex,
  pcpAllowedOrder,
  pcpFreeStats,
  pcpListPfns,
  pageOnPcp,
  rmqueuePcplist,
  zoneBatchsize,
  zoneHighsize,
} from '../../src/mm/pcp.js';
import type { ZonePcp } from '../../src/mm/pcp.js';
import { PAGE_ALLOC, PAGE_PCP } from '../../src/mm/memmap.js';
import { MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, ZONE_NORMAL } from '../../src/mm/mmzone.js';
import { ZONE_BELOW_HIGH } from '../../src/mm/internal.js';
import { freePages, createPageAlloc } from '../../src/mm/page_alloc.js';
import { v6_18 } from '../../src/policy/v6.18.js';
import { FakeBuddy, makeMachine, makeNode } from '../helpers-fastpath/fake.js';

describe('zone_batchsize / zone_highsize', () => {
  // The kernel is the oracle: traces/real/fork-exec/before/zoneinfo (Linux 6.18, 2 CPUs, one node) prints
  //   DMA    managed 3840    low 13    → batch 1,  high_min 6,     high_max 240
  //   DMA32  managed 772915  low 2888  → batch 63, high_min 1444,  high_max 48307
  //   Normal managed 5394266 low 20163 → batch 63, high_min 10081, high_max 337141
  const cases = [
    { name: 'DMA', managed: 3840, low: 13, batch: 1, highMin: 6, highMax: 240 },
    { name: 'DMA32', managed: 772915, low: 2888, batch: 63, highMin: 1444, highMax: 48307 },
    { name: 'Normal', managed: 5394266, low: 20163, batch: 63, highMin: 10081, highMax: 337141 },
  ];
  for (const c of cases) {
    test(`when the zone is ${c.name} of the real 6.18 capture then batch/high_min/high_max match its zoneinfo`, () => {
      const node = makeNode(0, [{ zoneIdx: ZONE_NORMAL, start: 0, spanned: 4096, managed: c.managed, wmark: [0, c.low, 0] }]);
      const zone = node.zones[ZONE_NORMAL]!;
      const pcp = initZonePcp(zone, node.memmap, 2, 2, 0, v6_18);
      expect([pcp.batch, pcp.highMin, pcp.highMax]).toEqual([c.batch, c.highMin, c.highMax]);
    });
  }

  test('when the zone is below 8192 managed pages then zone_batchsize() is 0 (the caller uses 1)', () => {
    // 3840 >> 10 = 3; 3 / 4 = 0 → 1; rounddown_pow_of_two(1 + 0) - 1 = 0
    expect(zoneBatchsize(3840, v6_18)).toBe(0);
    // 8192 >> 10 = 8; 8 / 4 = 2; rounddown_pow_of_two(2 + 1) - 1 = 1
    expect(zoneBatchsize(8192, v6_18)).toBe(1);
    // 1 MiB cap: min(huge >> 10, 256) / 4 = 64; rounddown_pow_of_two(96) - 1 = 63
    expect(zoneBatchsize(1 << 30, v6_18)).toBe(63);
  });

  test('when percpu_pagelist_high_fraction is set then high_min = high_max = managed / fraction / cpus', () => {
    const node = makeNode(0, [{ zoneIdx: ZONE_NORMAL, start: 0, spanned: 4096, managed: 262144, wmark: [0, 2000, 0] }]);
    const zone = node.zones[ZONE_NORMAL]!;
    // 262144 / 100 = 2621; / 2 CPUs = 1310 ≥ 4 * 63
    const pcp = initZonePcp(zone, node.memmap, 2, 2, 100, v6_18);
    expect([pcp.highMin, pcp.highMax]).toEqual([1310, 1310]);
    // the 4 * batch floor: 262144 / 8 / 1024 CPUs = 32 < 252
    expect(zoneHighsize(zone, 63, 1024, 8)).toBe(252);
  });
});

describe('pcp_allowed_order / order_to_pindex', () => {
  const node = makeNode(0, [{ zoneIdx: ZONE_NORMAL, start: 0, spanned: 4096, wmark: [0, 0, 0] }]);
  const pcp = initZonePcp(node.zones[ZONE_NORMAL]!, node.memmap, 1, 1, 0, v6_18);
  test('when the order is 0..3 or 9 then it uses the pcp; 4..8 and 10 do not', () => {
    expect([0, 1, 2, 3, 4, 8, 9, 10].map((o) => pcpAllowedOrder(pcp, o))).toEqual([true, true, true, true, false, false, true, false]);
  });
  test('when indexing lists then low orders are 3 * order + mt and order 9 has a non-movable and a movable list', () => {
    expect(orderToPindex(pcp, MIGRATE_MOVABLE, 0)).toBe(1);
    expect(orderToPindex(pcp, MIGRATE_RECLAIMABLE, 3)).toBe(11);
    expect(orderToPindex(pcp, MIGRATE_UNMOVABLE, 9)).toBe(12);
    expect(orderToPindex(pcp, MIGRATE_MOVABLE, 9)).toBe(13);
    expect(pcp.nrLists).toBe(14);
  });
});

/** One Normal zone of 1 GiB (262144 pages), low watermark 2000, 1 CPU: batch 63, high_min 2000, high_max 32768. */
function normalZone(fraction = 0): { pcp: ZonePcp; buddy: FakeBuddy } {
  const node = makeNode(0, [{ zoneIdx: ZONE_NORMAL, start: 0, spanned: 262144, wmark: [1000, 2000, 3000] }]);
  const zone = node.zones[ZONE_NORMAL]!;
  const buddy = new FakeBuddy();
  buddy.populate(zone, node.memmap, 0, 262144, MIGRATE_MOVABLE);
  const pcp = initZonePcp(zone, node.memmap, 1, 1, fraction, v6_18);
  return { pcp, buddy };
}

describe('rmqueue_pcplist / nr_pcp_alloc', () => {
  // The real 6.18 capture agrees: in traces/real/fork-exec the runs of consecutive order-0
  // `mm_page_alloc_zone_locked ... percpu_refill=1` lines of one CPU are 63 pages long (16 runs) or 126 (1 run).
  test('when the list is empty then order 0 refills batch pages, then twice that (alloc_factor), growing pcp->high', () => {
    const { pcp, buddy } = normalZone();
    const zone = pcp.zone;
    expect([pcp.batch, pcp.highMin, pcp.highMax]).toEqual([63, 2000, 32768]);
    // 1st refill: high = clamp(0, 2000, 32768) = 2000, + batch 63 = 2063 (zone not below high);
    // max_nr_alloc = max(2063 - 0 - 63, 63) = 2000 ≥ 63 → alloc_factor 1; refill 63
    const first = rmqueuePcplist(pcp, buddy, 0, 0, MIGRATE_MOVABLE, 0);
    expect(first).toBe(0); // the buddy's head block is pfn 0, split upwards: ascending pfns
    expect(pcp.high[0]).toBe(2063);
    expect(pcp.count[0]).toBe(62);
    // pcp pages are not in NR_FREE_PAGES: 63 pages left the buddy
    expect(zone.nrFreePages).toBe(262144 - 63);
    expect(pcpListPfns(pcp, 0, 1).slice(0, 3)).toEqual([1, 2, 3]);
    expect(pageOnPcp(pcp.mm, 1)).toBe(true);
    expect(pcp.mm.state[0]).toBe(PAGE_ALLOC);
    for (let i = 0; i < 62; i++) rmqueuePcplist(pcp, buddy, 0, 0, MIGRATE_MOVABLE, 0);
    expect(pcp.count[0]).toBe(0);
    // 2nd refill: batch 63 << 1 = 126; high 2063 + 126 = 2189; max_nr_alloc 2189 - 0 - 63 = 2126 → 126 pages
    rmqueuePcplist(pcp, buddy, 0, 0, MIGRATE_MOVABLE, 0);
    expect(pcp.high[0]).toBe(2189);
    expect(pcp.count[0]).toBe(125);
    expect(pcp.allocFactor[0]).toBe(2);
  });

  test('when the zone is below its high watermark then pcp->high does not grow on refill', () => {
    const { pcp, buddy } = normalZone();
    pcp.zone.flags = ZONE_BELOW_HIGH;
    rmqueuePcplist(pcp, buddy, 0, 0, MIGRATE_MOVABLE, 0);
    expect(pcp.high[0]).toBe(2000);
    expect(pcp.count[0]).toBe(62);
  });

  test('when an order-2 list is refilled then it takes max(batch >> order, 2) = 15 blocks', () => {
    const { pcp } = normalZone();
    // 63 >> 2 = 15 blocks of 4 pages
    expect(nrPcpAlloc(pcp, 0, 2)).toBe(15);
    const { pcp: p2, buddy } = normalZone();
    rmqueuePcplist(p2, buddy, 0, 2, MIGRATE_UNMOVABLE, 0);
    expect(p2.count[0]).toBe(14 * 4);
    expect(pcpListPfns(p2, 0, orderToPindex(p2, MIGRATE_UNMOVABLE, 2))).toHaveLength(14);
  });
});

describe('free_frozen_page_commit / free_pcppages_bulk', () => {
  test('when pcp->count reaches a pinned high then nr_pcp_free pages leave from the cold (tail) end', () => {
    // fraction 1024: high_min = high_max = max(262144 / 1024, 4 * 63) = 256
    const { pcp, buddy } = normalZone(1024);
    expect([pcp.highMin, pcp.highMax]).toEqual([256, 256]);
    const pfns: number[] = [];
    for (let i = 0; i < 256; i++) pfns.push(buddy.rmqueueSmallest(pcp.zone, pcp.mm, 0, MIGRATE_MOVABLE));
    const freeBefore = pcp.zone.nrFreePages;
    for (let i = 0; i < 255; i++) freeFrozenPageCommit(pcp, buddy, 0, pfns[i]!, 0, MIGRATE_MOVABLE);
    expect(pcp.count[0]).toBe(255);
    expect(buddy.calls.freeOnePage).toBe(0);
    // the 256th free: count 256 ≥ high 256; free_count 256 → clamp(256, 63, 256 - 63) = 193 pages to the buddy
    freeFrozenPageCommit(pcp, buddy, 0, pfns[255]!, 0, MIGRATE_MOVABLE);
    expect(pcpFreeStats.drained).toBe(193);
    expect(pcp.count[0]).toBe(63);
    expect(pcp.zone.nrFreePages).toBe(freeBefore + 193);
    // coldest first: the first 193 pages freed are the ones that went back, the 63 most recent stay
    expect(buddy.freed.slice(0, 3)).toEqual([pfns[0], pfns[1], pfns[2]]);
    expect(pcpListPfns(pcp, 0, 1)).toEqual(pfns.slice(193).reverse());
    expect(pcp.mm.state[pfns[255]!]).toBe(PAGE_PCP);
  });

  test('when high-order blocks are freed back to back past batch + high_min/2 recent pages then free_high drains all', () => {
    const { pcp, buddy } = normalZone(1024); // batch 63, high 256 → threshold free_count ≥ 63 + 128 = 191
    const pfns: number[] = [];
    for (let i = 0; i < 97; i++) pfns.push(buddy.rmqueueSmallest(pcp.zone, pcp.mm, 1, MIGRATE_MOVABLE));
    // free k sees free_count 2(k-1) before adding its own 2 pages: 2(k-1) ≥ 191 first at k = 97
    for (let i = 0; i < 96; i++) freeFrozenPageCommit(pcp, buddy, 0, pfns[i]!, 1, MIGRATE_MOVABLE);
    expect(pcp.count[0]).toBe(192);
    expect(buddy.calls.freeOnePage).toBe(0);
    freeFrozenPageCommit(pcp, buddy, 0, pfns[96]!, 1, MIGRATE_MOVABLE);
    expect(pcpFreeStats.freeHigh).toBe(true);
    expect(pcpFreeStats.drained).toBe(194);
    expect(pcp.count[0]).toBe(0);
  });

  test('when an order-0 free comes between high-order frees then free_high does not trigger', () => {
    const { pcp, buddy } = normalZone(1024);
    const pfns: number[] = [];
    for (let i = 0; i < 97; i++) pfns.push(buddy.rmqueueSmallest(pcp.zone, pcp.mm, 1, MIGRATE_MOVABLE));
    const p0 = buddy.rmqueueSmallest(pcp.zone, pcp.mm, 0, MIGRATE_MOVABLE);
    for (let i = 0; i < 96; i++) freeFrozenPageCommit(pcp, buddy, 0, pfns[i]!, 1, MIGRATE_MOVABLE);
    freeFrozenPageCommit(pcp, buddy, 0, p0, 0, MIGRATE_MOVABLE); // clears PCPF_PREV_FREE_HIGH_ORDER
    freeFrozenPageCommit(pcp, buddy, 0, pfns[96]!, 1, MIGRATE_MOVABLE);
    expect(pcpFreeStats.freeHigh).toBe(false);
    expect(pcp.count[0]).toBe(195);
  });

  test('when a HIGHATOMIC pageblock page is freed then it goes on the MOVABLE pcp list', () => {
    const node = makeNode(0, [{ zoneIdx: ZONE_NORMAL, start: 0, spanned: 4096, wmark: [10, 20, 30] }]);
    const zone = node.zones[ZONE_NORMAL]!;
    const buddy = new FakeBuddy();
    buddy.populate(zone, node.memmap, 0, 4096, MIGRATE_HIGHATOMIC);
    const pa = createPageAlloc(makeMachine([node]), buddy);
    const pfn = buddy.rmqueueSmallest(zone, node.memmap, 0, MIGRATE_HIGHATOMIC);
    expect(freePages(pa, pfn, 0, 0)).toBe(true);
    expect(pcpListPfns(zone.pcp!, 0, orderToPindex(zone.pcp!, MIGRATE_MOVABLE, 0))).toEqual([pfn]);
  });
});

describe('drain_pages_zone', () => {
  test('when a CPU is drained then every pcp page returns to the buddy and NR_FREE_PAGES is whole again', () => {
    const { pcp, buddy } = normalZone();
    rmqueuePcplist(pcp, buddy, 0, 0, MIGRATE_MOVABLE, 0); // 63 in, 1 out
    rmqueuePcplist(pcp, buddy, 0, 2, MIGRATE_UNMOVABLE, 0); // 15 blocks in, 1 out
    expect(pcp.count[0]).toBe(62 + 14 * 4);
    const freed = drainPagesZone(pcp, buddy, 0);
    expect(freed).toBe(62 + 56);
    expect(pcp.count[0]).toBe(0);
    // 1 + 4 pages are still allocated
    expect(pcp.zone.nrFreePages).toBe(262144 - 5);
  });
});
