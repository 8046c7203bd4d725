import { describe, expect, it } from 'vitest';
import {
  COMPACT_COMPLETE,
  COMPACT_CONTINUE,
  COMPACT_DEFERRED,
  COMPACT_PARTIAL_SKIPPED,
  COMPACT_PRIO_ASYNC,
  COMPACT_SKIPPED,
  COMPACT_SUCCESS,
  DEF_COMPACT_PRIORITY,
  MIN_COMPACT_PRIORITY,
  STEP_COMPACT,
  STEP_COMPACT_DEFERRED,
  compactResultNames,
  compactionDeferReset,
  compactionDeferred,
  compactionRestarting,
  compactionSuitAllocationOrder,
  compactionSuitable,
  compactionZonelistSuitable,
  deferCompaction,
  extfragForOrder,
  fragmentationIndex,
  fragmentationScoreWmark,
  kcompactdRun,
  shouldProactiveCompactNode,
  tryToCompactPages,
  wakeupKcompactd,
  zoneCompaction,
} from '../../src/mm/compaction.js';
import { ALLOC_WMARK_MIN } from '../../src/mm/internal.js';
import { PAGE_ALLOC, PAGE_BUDDY, PB_compact_skip } from '../../src/mm/memmap.js';
import { MIGRATE_MOVABLE, MIGRATE_UNMOVABLE } from '../../src/mm/mmzone.js';
import { checkBuddy } from '../../src/mm/debug_vm.js';
import { gfpBit } from '../../src/mm/gfp.js';
import {
  COMPACTFREE_SCANNED,
  COMPACTISOLATED,
  COMPACTMIGRATE_SCANNED,
  KCOMPACTD_MIGRATE_SCANNED,
  KCOMPACTD_WAKE,
  PGMIGRATE_FAIL,
  PGMIGRATE_SUCCESS,
} from '../../src/mm/vmstat.js';
import { freeList } from '../helpers/buddy-zone.js';
import { makeWorld, scatteredFree } from '../helpers-compaction/sys.js';

const ERA = '6.15';
const GFP_KERNEL = gfpBit('GFP_KERNEL', ERA);
const GFP_HIGHUSER_MOVABLE = gfpBit('GFP_HIGHUSER_MOVABLE', ERA);
const __GFP_IO = gfpBit('__GFP_IO', ERA);

/** 8 movable order-0 pages at the bottom of pageblock 0, 48 scattered free pages at the bottom of pageblock 3 */
function fragmented(opts: { pageblockMts?: number[]; nrFree?: number } = {}) {
  return makeWorld({
    pageblockMts: opts.pageblockMts,
    free: scatteredFree(5632, opts.nrFree ?? 48, opts.pageblockMts?.[3] ?? MIGRATE_MOVABLE),
    movable: [4096, 4097, 4098, 4099, 4100, 4101, 4102, 4103],
  });
}

describe('fragmentation_index', () => {
  it('when no block of the order is free then 1000 − (1000 + 1000·free/2^order) / blocks', () => {
    // 4 order-0 + 2 order-1 blocks: free 8 pages, 6 blocks; order 2: 1000 − (1000 + 8000/4) / 6 = 1000 − 500 = 500
    const w = makeWorld({ free: [[4096, 0, 1], [4098, 0, 1], [4100, 0, 1], [4102, 0, 1], [4104, 1, 1], [4108, 1, 1]] });
    expect(fragmentationIndex(w.zone, 2)).toBe(500);
    // order 3: 1000 − (1000 + 8000/8) / 6 = 1000 − 333 = 667 (integer division)
    expect(fragmentationIndex(w.zone, 3)).toBe(667);
    // order 1: two order-1 blocks are free: −1000
    expect(fragmentationIndex(w.zone, 1)).toBe(-1000);
  });
  it('when nothing is free then 0', () => {
    const w = makeWorld({ free: [] });
    expect(fragmentationIndex(w.zone, 3)).toBe(0);
  });
  it('when 10 order-0 pages are free then order 3 gives 1000 − 2250/10 = 775', () => {
    const w = makeWorld({ free: scatteredFree(4096, 10, 1) });
    expect(fragmentationIndex(w.zone, 3)).toBe(775);
  });
  it('extfrag_for_order is the percentage of free pages in smaller blocks', () => {
    const w = makeWorld({ free: [[4096, 0, 1], [4098, 0, 1], [4100, 0, 1], [4102, 0, 1], [4104, 1, 1], [4108, 1, 1]] });
    // order 1: (8 − 2·2) · 100 / 8 = 50; order 2: all 8 pages are in smaller blocks
    expect(extfragForOrder(w.zone, 1)).toBe(50);
    expect(extfragForOrder(w.zone, 2)).toBe(100);
  });
});

describe('compaction_suitable', () => {
  it('when free pages are at min + compact_gap(order) then not suitable, one more then suitable', () => {
    // min 16, order 3: gap 2 << 3 = 16; __zone_watermark_ok needs free > 32
    expect(compactionSuitable(makeWorld({ free: scatteredFree(4096, 32, 1) }).sys, makeWorld({ free: scatteredFree(4096, 32, 1) }).zone, 3, 2)).toBe(false);
    const w = makeWorld({ free: scatteredFree(4096, 33, 1) });
    expect(compactionSuitable(w.sys, w.zone, 3, 2)).toBe(true);
  });
  it('when the order is costly then low − min is added and the fragmentation index must exceed extfrag_threshold', () => {
    // order 4: 16 + 32 + (20 − 16) = 52: free 52 fails, 53 passes
    const a = makeWorld({ free: scatteredFree(4096, 52, 1) });
    expect(compactionSuitable(a.sys, a.zone, 4, 2)).toBe(false);
    const b = makeWorld({ free: scatteredFree(4096, 53, 1) });
    // fragindex(4) = 1000 − (1000 + 53000/16 = 3312) / 53 = 1000 − 81 = 919 > 500: fragmentation, compact
    expect(fragmentationIndex(b.zone, 4)).toBe(919);
    expect(compactionSuitable(b.sys, b.zone, 4, 2)).toBe(true);
    b.sys.machine.sysctl.extfrag_threshold = 919;
    expect(compactionSuitable(b.sys, b.zone, 4, 2)).toBe(false);
  });
  it('when the order is not costly then the fragmentation index is ignored', () => {
    const w = makeWorld({ free: scatteredFree(4096, 33, 1) });
    w.sys.machine.sysctl.extfrag_threshold = 1000;
    expect(compactionSuitable(w.sys, w.zone, 3, 2)).toBe(true);
  });
  it('compaction_suit_allocation_order: SUCCESS when the watermark already passes at the order', () => {
    const w = makeWorld({ free: [...scatteredFree(4096, 40, 1), [5632, 3, 1]] });
    expect(compactionSuitAllocationOrder(w.sys, w.zone, 3, 2, ALLOC_WMARK_MIN, false, false)).toBe(COMPACT_SUCCESS);
    const f = fragmented();
    expect(compactionSuitAllocationOrder(f.sys, f.zone, 3, 2, ALLOC_WMARK_MIN, false, false)).toBe(COMPACT_CONTINUE);
    const s = makeWorld({ free: scatteredFree(4096, 20, 1) });
    expect(compactionSuitAllocationOrder(s.sys, s.zone, 3, 2, ALLOC_WMARK_MIN, false, false)).toBe(COMPACT_SKIPPED);
  });
  it('compaction_zonelist_suitable counts 1/order of the reclaimable pages as available', () => {
    const w = makeWorld({ free: scatteredFree(4096, 20, 1) });
    // 20 free < 33 needed; with 40 reclaimable pages at order 3: 20 + 40/3 = 33 > 32
    expect(compactionZonelistSuitable(w.sys, w.ac, 3, 0, () => 0)).toBe(false);
    expect(compactionZonelistSuitable(w.sys, w.ac, 3, 0, () => 38)).toBe(false); // 20 + 12 = 32
    expect(compactionZonelistSuitable(w.sys, w.ac, 3, 0, () => 39)).toBe(true); // 20 + 13 = 33
  });
});

describe('defer_compaction / compaction_deferred / compaction_defer_reset', () => {
  it('after k failures the next 2^k − 1 attempts are skipped, up to 63 of 64', () => {
    const w = makeWorld({ free: [] });
    const { sys, zone } = w;
    const zc = zoneCompaction(sys, zone);
    expect(compactionDeferred(sys, zone, 4)).toBe(false); // considered 1 ≥ 1 << 0
    const skippedAfter: number[] = [];
    for (let k = 1; k <= 7; k++) {
      deferCompaction(sys, zone, 4);
      expect(zc.compactConsidered).toBe(0);
      let skipped = 0;
      while (compactionDeferred(sys, zone, 4)) skipped++;
      skippedAfter.push(skipped);
      expect(zc.compactConsidered).toBe(1 << zc.compactDeferShift);
    }
    expect(skippedAfter).toEqual([1, 3, 7, 15, 31, 63, 63]);
    expect(zc.compactDeferShift).toBe(6);
    // order_failed stayed 0: min(0, 4)
    expect(zc.compactOrderFailed).toBe(0);
    expect(compactionRestarting(sys, zone, 4)).toBe(true);
  });
  it('orders below compact_order_failed are never deferred and do not count', () => {
    const w = makeWorld({ free: [] });
    const { sys, zone } = w;
    const zc = zoneCompaction(sys, zone);
    compactionDeferReset(sys, zone, 4, false); // order_failed = 5
    expect(zc.compactOrderFailed).toBe(5);
    deferCompaction(sys, zone, 6); // order_failed stays 5 (6 > 5), shift 1
    expect([zc.compactDeferShift, zc.compactOrderFailed]).toEqual([1, 5]);
    expect(compactionDeferred(sys, zone, 4)).toBe(false);
    expect(zc.compactConsidered).toBe(0);
    expect(compactionDeferred(sys, zone, 5)).toBe(true);
    expect(zc.compactConsidered).toBe(1);
    deferCompaction(sys, zone, 3); // order_failed = 3, shift 2
    expect([zc.compactDeferShift, zc.compactOrderFailed, zc.compactConsidered]).toEqual([2, 3, 0]);
  });
  it('an allocation success clears the backoff; an expected success only raises order_failed', () => {
    const w = makeWorld({ free: [] });
    const { sys, zone } = w;
    const zc = zoneCompaction(sys, zone);
    deferCompaction(sys, zone, 2);
    deferCompaction(sys, zone, 2);
    compactionDeferred(sys, zone, 2);
    compactionDeferReset(sys, zone, 2, false);
    expect([zc.compactConsidered, zc.compactDeferShift, zc.compactOrderFailed]).toEqual([1, 2, 3]);
    compactionDeferReset(sys, zone, 1, true);
    expect([zc.compactConsidered, zc.compactDeferShift, zc.compactOrderFailed]).toEqual([0, 0, 3]);
  });
});

describe('compact_zone (through try_to_compact_pages)', () => {
  it('when a movable order-3 request compacts then the 8 movable pages move to the free scanner\'s pages and the order-3 block is captured', () => {
    const w = fragmented();
    w.tz.mm.owner[4096 - 4096] = 7;
    const out = { capturePfn: -2 };
    w.sys.pa.steps.enabled = true;
    w.sys.pa.steps.reset();
    const rc = tryToCompactPages(w.sys, GFP_HIGHUSER_MOVABLE, 3, ALLOC_WMARK_MIN, w.ac, DEF_COMPACT_PRIORITY, out);
    expect(compactResultNames[rc]).toBe('success');
    // migrate_pages() takes the list last-isolated first: 4103 → first isolated target 5632, …, 4096 → 5646
    expect(w.moved).toEqual([
      [4103, 5632, 0],
      [4102, 5634, 0],
      [4101, 5636, 0],
      [4100, 5638, 0],
      [4099, 5640, 0],
      [4098, 5642, 0],
      [4097, 5644, 0],
      [4096, 5646, 0],
    ]);
    // freeing 4096 completes the order-3 buddy at 4096: captured for the requester
    expect(out.capturePfn).toBe(4096);
    const mm = w.tz.mm;
    expect([mm.state[0], mm.order[0]]).toEqual([PAGE_ALLOC, 3]);
    // targets now hold the movable pages
    expect(mm.state[5632 - 4096]).toBe(PAGE_ALLOC);
    // the owner (task / handle) follows the page
    expect(mm.owner[5646 - 4096]).toBe(7);
    expect(mm.flags[5646 - 4096]).toBe(mm.flags[4104 - 4096]! | 1);
    // 48 free − 8 isolated targets; the 8 freed sources were captured
    expect(w.zone.nrFreePages).toBe(40);
    const v = w.sys.vmstat;
    // migrate scanner: the whole of pageblock 0 (512); free scanner: pfns 5632..5646 (15); isolated 8 + 8
    expect([v[COMPACTMIGRATE_SCANNED], v[COMPACTFREE_SCANNED], v[COMPACTISOLATED], v[PGMIGRATE_SUCCESS], v[PGMIGRATE_FAIL]]).toEqual([512, 15, 16, 8, 0]);
    // the first isolation claimed pageblock 0's skip bit; the free scanner stopped mid-block (5647)
    expect(mm.pageblockFlags[(4096 >> 9) - mm.pageblockBase]! & PB_compact_skip).toBe(PB_compact_skip);
    const zc = zoneCompaction(w.sys, w.zone);
    expect(zc.compactCachedFreePfn).toBe(5632);
    // success: defer reset (expected): order_failed 4
    expect(zc.compactOrderFailed).toBe(4);
    const s = w.sys.pa.steps;
    expect(s.n).toBe(1);
    expect([s.kind[0], s.free[0], s.mark[0], s.reserve[0], s.result[0], s.flags[0], s.aux[0]]).toEqual([STEP_COMPACT, 512, 15, 8, COMPACT_SUCCESS, DEF_COMPACT_PRIORITY, 4096]);
    checkBuddy(w.zone, mm);
  });

  it('when an unmovable request compacts then nothing is captured in a movable pageblock and the free order-3 block makes it a success', () => {
    const w = fragmented();
    const out = { capturePfn: -2 };
    const rc = tryToCompactPages(w.sys, GFP_KERNEL, 3, ALLOC_WMARK_MIN, w.ac, DEF_COMPACT_PRIORITY, out);
    // __compact_finished: no UNMOVABLE block of order ≥ 3, but the MOVABLE one can be claimed (find_suitable_fallback)
    expect(rc).toBe(COMPACT_SUCCESS);
    expect(out.capturePfn).toBe(-1);
    expect(freeList(w.tz, 3, MIGRATE_MOVABLE)).toEqual([4096]);
    expect(w.zone.nrFreePages).toBe(48);
    expect(w.moved.length).toBe(8);
    checkBuddy(w.zone, w.tz.mm);
  });

  it('when async compaction meets an UNMOVABLE pageblock then its movable pages are not migrated', () => {
    const w = fragmented({ pageblockMts: [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_MOVABLE, MIGRATE_MOVABLE] });
    const out = { capturePfn: -2 };
    const rc = tryToCompactPages(w.sys, GFP_HIGHUSER_MOVABLE, 3, ALLOC_WMARK_MIN, w.ac, COMPACT_PRIO_ASYNC, out);
    // pageblock 0 is no suitable source for async direct compaction of a movable request; 1 and 2 hold nothing
    // movable; the scanners meet without having scanned the zone whole
    expect(rc).toBe(COMPACT_PARTIAL_SKIPPED);
    expect(w.moved).toEqual([]);
    expect(w.sys.vmstat[PGMIGRATE_SUCCESS]).toBe(0);
    expect(w.tz.mm.state[0]).toBe(PAGE_ALLOC);
    // async does not defer
    expect(zoneCompaction(w.sys, w.zone).compactDeferShift).toBe(0);
    checkBuddy(w.zone, w.tz.mm);
  });

  it('when sync compaction meets the same UNMOVABLE pageblock then the movable pages there do migrate', () => {
    const w = fragmented({ pageblockMts: [MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_MOVABLE, MIGRATE_MOVABLE] });
    const out = { capturePfn: -2 };
    const rc = tryToCompactPages(w.sys, GFP_HIGHUSER_MOVABLE, 3, ALLOC_WMARK_MIN, w.ac, DEF_COMPACT_PRIORITY, out);
    expect(rc).toBe(COMPACT_SUCCESS);
    expect(w.moved.length).toBe(8);
    // the freed block is in an UNMOVABLE pageblock: capture is allowed (only MOVABLE blocks are protected)
    expect(out.capturePfn).toBe(4096);
    checkBuddy(w.zone, w.tz.mm);
  });

  it('when nothing can move then sync compaction completes (SYNC_FULL) or partially skips, and defers the zone', () => {
    const full = makeWorld({ free: scatteredFree(5632, 48, MIGRATE_MOVABLE) });
    const out = { capturePfn: -2 };
    expect(tryToCompactPages(full.sys, GFP_HIGHUSER_MOVABLE, 3, ALLOC_WMARK_MIN, full.ac, MIN_COMPACT_PRIORITY, out)).toBe(COMPACT_COMPLETE);
    expect(zoneCompaction(full.sys, full.zone).compactDeferShift).toBe(1);
    expect(zoneCompaction(full.sys, full.zone).compactBlockskipFlush).toBe(true);
    const part = makeWorld({ free: scatteredFree(5632, 48, MIGRATE_MOVABLE) });
    expect(tryToCompactPages(part.sys, GFP_HIGHUSER_MOVABLE, 3, ALLOC_WMARK_MIN, part.ac, DEF_COMPACT_PRIORITY, out)).toBe(COMPACT_PARTIAL_SKIPPED);
    const zc = zoneCompaction(part.sys, part.zone);
    expect(zc.compactDeferShift).toBe(1);
    // the migrate scanner marked pageblocks 0..2 skip: each was scanned whole with nothing isolated
    const mm = part.tz.mm;
    expect([0, 1, 2, 3].map((b) => (mm.pageblockFlags[b]! & PB_compact_skip) !== 0)).toEqual([true, true, true, false]);
    // the next attempt at prio > MIN is deferred
    part.sys.pa.steps.enabled = true;
    part.sys.pa.steps.reset();
    expect(tryToCompactPages(part.sys, GFP_HIGHUSER_MOVABLE, 3, ALLOC_WMARK_MIN, part.ac, DEF_COMPACT_PRIORITY, out)).toBe(COMPACT_DEFERRED);
    expect([part.sys.pa.steps.kind[0], part.sys.pa.steps.free[0], part.sys.pa.steps.mark[0]]).toEqual([STEP_COMPACT_DEFERRED, 1, 2]);
  });

  it('when the gfp has no __GFP_IO then compaction is skipped', () => {
    const w = fragmented();
    const out = { capturePfn: -2 };
    expect(tryToCompactPages(w.sys, GFP_HIGHUSER_MOVABLE & ~__GFP_IO, 3, ALLOC_WMARK_MIN, w.ac, DEF_COMPACT_PRIORITY, out)).toBe(COMPACT_SKIPPED);
    expect(out.capturePfn).toBe(-1);
    expect(w.moved).toEqual([]);
  });

  it('when there are too few free pages then compact_zone returns SKIPPED without scanning', () => {
    const w = fragmented({ nrFree: 32 });
    const out = { capturePfn: -2 };
    expect(tryToCompactPages(w.sys, GFP_HIGHUSER_MOVABLE, 3, ALLOC_WMARK_MIN, w.ac, DEF_COMPACT_PRIORITY, out)).toBe(COMPACT_SKIPPED);
    expect(w.sys.vmstat[COMPACTMIGRATE_SCANNED]).toBe(0);
  });
});

describe('kcompactd', () => {
  it('when woken for order 3 then kcompactd compacts the zone at its next run and forgets the request', () => {
    const w = fragmented();
    wakeupKcompactd(w.sys, 0, 0, 2);
    expect(w.sys.compaction.kcompactd[0]!.awake).toBe(false);
    wakeupKcompactd(w.sys, 0, 3, 2);
    const kd = w.sys.compaction.kcompactd[0]!;
    expect([kd.awake, kd.kcompactdMaxOrder, kd.kcompactdHighestZoneidx]).toEqual([true, 3, 2]);
    kcompactdRun(w.sys, 0);
    expect(w.sys.vmstat[KCOMPACTD_WAKE]).toBe(1);
    expect(w.sys.vmstat[KCOMPACTD_MIGRATE_SCANNED]).toBe(512);
    // no capture for kcompactd: the order-3 block is on the free list
    expect(freeList(w.tz, 3, MIGRATE_MOVABLE)).toEqual([4096]);
    expect(w.tz.mm.state[0]).toBe(PAGE_BUDDY);
    expect([kd.awake, kd.kcompactdMaxOrder]).toEqual([false, 0]);
    checkBuddy(w.zone, w.tz.mm);
  });
  it('when compaction could not run then wakeup_kcompactd records the request but does not wake', () => {
    const w = fragmented({ nrFree: 20 });
    wakeupKcompactd(w.sys, 0, 3, 2);
    const kd = w.sys.compaction.kcompactd[0]!;
    expect([kd.awake, kd.kcompactdMaxOrder]).toEqual([false, 3]);
  });
  it('when nothing is to be done then one call up to 1000 s leaves kcompactd where 2,000 polls of 500 ms would', () => {
    const a = fragmented();
    const b = fragmented();
    const kdA = a.sys.compaction.kcompactd[0]!;
    const kdB = b.sys.compaction.kcompactd[0]!;
    // proactiveness 1: the high mark is 100, which no fragmentation score exceeds
    a.sys.machine.sysctl.compaction_proactiveness = 1;
    b.sys.machine.sysctl.compaction_proactiveness = 1;
    expect(shouldProactiveCompactNode(a.sys, 0)).toBe(false);
    kcompactdRun(a.sys, 1000e9);
    for (let t = 0; t <= 1000e9; t += 500e6) kcompactdRun(b.sys, t);
    // polls at 0, 0.5 s, … 1000 s: the next is at 1000.5 s
    expect(kdA.nextPollNs).toBe(1000.5e9);
    expect(kdB.nextPollNs).toBe(kdA.nextPollNs);
    expect(a.sys.vmstat).toEqual(b.sys.vmstat);
  });
  it('proactive thresholds: proactiveness 20 gives low 80, high 90; 90 gives low 10, high 15', () => {
    const w = fragmented();
    expect([fragmentationScoreWmark(w.sys, true), fragmentationScoreWmark(w.sys, false)]).toEqual([80, 90]);
    w.sys.machine.sysctl.compaction_proactiveness = 90;
    expect([fragmentationScoreWmark(w.sys, true), fragmentationScoreWmark(w.sys, false)]).toEqual([10, 15]);
  });
});
