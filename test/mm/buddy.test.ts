/**
 * Hand-checked unit tests of src/mm/buddy.ts against mm/page_alloc.c @ v6.18. Each expected pfn and count is
 * worked out in the comment above it; checkBuddy() runs after every step (MMREPLAY_DEBUG_VM is on in vitest).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  FPI_NONE,
  FPI_TO_TAIL,
  RMQUEUE_CLAIM,
  RMQUEUE_NORMAL,
  RMQUEUE_STEAL,
  buddyStats,
  freeBootMemory,
  freeOnePage,
  layoutSnapshotFreeLists,
  mergeAllocatedRange,
  moveFreepagesBlock,
  reserveHighatomicPageblock,
  rmqueueBlock,
  rmqueueSmallest,
  splitLargeBuddy,
  unreserveHighatomicPageblock,
} from '../../src/mm/buddy.js';
import { checkBuddy } from '../../src/mm/debug_vm.js';
import { ALLOC_CMA, ALLOC_KSWAPD, ALLOC_NOFRAGMENT, ZONE_BOOSTED_WATERMARK } from '../../src/mm/internal.js';
import {
  PAGE_ALLOC,
  PAGE_BUDDY,
  PAGE_HOLE,
  PAGE_RESERVED,
  createMemmap,
  getPageblockMigratetype,
  setPageblockMigratetype,
} from '../../src/mm/memmap.js';
import {
  MIGRATE_CMA,
  MIGRATE_HIGHATOMIC,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
  type Sysctl,
} from '../../src/mm/mmzone.js';
import { InvariantError } from '../../src/errors.js';
import { buddyinfo, carve, freeList, makeTestZone, type TestZone } from '../helpers/buddy-zone.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/buddy');
const U = MIGRATE_UNMOVABLE;
const M = MIGRATE_MOVABLE;
const R = MIGRATE_RECLAIMABLE;
const H = MIGRATE_HIGHATOMIC;

function booted(spanned: number, start = 0): TestZone {
  const z = makeTestZone({ zoneStartPfn: start, spanned });
  freeBootMemory(z.zone, z.mm);
  checkBuddy(z.zone, z.mm);
  return z;
}

describe('freeBootMemory (memblock_free_all → __free_pages_core)', () => {
  it('when a zone is 2048 aligned pages then it holds two order-10 blocks in ascending order', () => {
    // 2048 / 1024 = 2 max-order blocks; FPI_TO_TAIL appends each, so the list reads 0, 1024
    const z = booted(2048);
    expect(buddyinfo(z)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(freeList(z, 10, M)).toEqual([0, 1024]);
    expect(z.zone.nrFreePages).toBe(2048);
    expect(z.zone.freeArea.nrFreePagesBlocks).toBe(2048);
  });

  it('when the zone is ZONE_DMA of the quiet capture then holes and reserved pages sit at pfns 1..255', () => {
    // start_pfn 1, spanned 4095, present 3998, managed 3840: 97 holes (1..97), 158 reserved (98..255),
    // managed 256..4095 freed as 256 (order 8), 512 (order 9), 1024/2048/3072 (order 10): the captured
    // buddyinfo row "0 0 0 0 0 0 0 0 1 1 3"
    const z = makeTestZone({ nodeStartPfn: 0, zoneStartPfn: 1, spanned: 4095, present: 3998, managed: 3840, name: 'DMA' });
    freeBootMemory(z.zone, z.mm);
    checkBuddy(z.zone, z.mm);
    expect(buddyinfo(z)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3]);
    expect(z.mm.state[1]).toBe(PAGE_HOLE);
    expect(z.mm.state[97]).toBe(PAGE_HOLE);
    expect(z.mm.state[98]).toBe(PAGE_RESERVED);
    expect(z.mm.state[255]).toBe(PAGE_RESERVED);
    expect(z.mm.state[256]).toBe(PAGE_BUDDY);
    expect(freeList(z, 10, M)).toEqual([1024, 2048, 3072]);
    expect(z.zone.nrFreePages).toBe(3840);
  });

  it('when managed pages start unaligned then the first chunks follow the alignment of their start', () => {
    // Normal of the quiet capture: start 1048576, spanned = present 5505024, managed 5394266 → 110758 reserved,
    // managed from 1159334 (= 1132*1024 + 166). 1159334 has 2^1 alignment → order 1; then 1159336 (2^3) → 8
    // pages, 1159344 (2^4) → 16, 1159360 (2^6) → 64, 1159424 (2^8) → 256, 1159680 (2^9) → 512, reaching
    // 1160192 = 1133*1024; then (6553600 − 1160192) / 1024 = 5267 order-10 blocks.
    const z = makeTestZone({ zoneStartPfn: 1048576, spanned: 5505024, managed: 5394266 });
    freeBootMemory(z.zone, z.mm);
    checkBuddy(z.zone, z.mm);
    expect(buddyinfo(z)).toEqual([0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 5267]);
    expect(freeList(z, 1, M)).toEqual([1159334]);
    expect(z.zone.nrFreePages).toBe(5394266);
  });
});

describe('rmqueueSmallest + expand (__rmqueue_smallest)', () => {
  it('when an order-0 page is taken from an order-10 block then the high halves go to the list heads', () => {
    // expand(0, low 0, high 10) frees 512 (o9), 256 (o8), ..., 1 (o0): one block per order, 1024 stays whole
    const z = booted(2048);
    expect(rmqueueSmallest(z.zone, z.mm, 0, M)).toBe(0);
    checkBuddy(z.zone, z.mm);
    expect(buddyinfo(z)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    for (let o = 0; o < 10; o++) expect(freeList(z, o, M)).toEqual([1 << o]);
    expect(z.zone.nrFreePages).toBe(2047);
    expect(z.mm.state[0]).toBe(PAGE_ALLOC);
  });

  it('when order-0 pages are taken one after another then the pfns ascend', () => {
    // each split leaves the next-higher remnant at the head of the order just below: 0, 1, 2, 3, ...
    const z = booted(2048);
    const got: number[] = [];
    for (let i = 0; i < 8; i++) {
      got.push(rmqueueSmallest(z.zone, z.mm, 0, M));
      checkBuddy(z.zone, z.mm);
    }
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(z.zone.nrFreePages).toBe(2040);
  });

  it('when the requested type has no free block then it returns -1 and changes nothing', () => {
    const z = booted(1024);
    expect(rmqueueSmallest(z.zone, z.mm, 0, U)).toBe(-1);
    expect(z.zone.nrFreePages).toBe(1024);
  });
});

describe('freeOnePage (__free_one_page)', () => {
  it('when the last page of a split block is freed then it merges back to order 10 at the head', () => {
    // after taking 0 and 1: free 1 → buddy 0 allocated, no merge; buddy_merge_likely: the order-1 buddy of
    // (0..1) is 2, a free order-1 block → tail. Free 0 → merges with 1, 2, 4, ..., 512 up to (0, order 10),
    // put at the head (order ≥ MAX_PAGE_ORDER − 1 is never "merge likely"): list 0, 1024.
    const z = booted(2048);
    rmqueueSmallest(z.zone, z.mm, 0, M);
    rmqueueSmallest(z.zone, z.mm, 0, M);
    freeOnePage(z.zone, z.mm, 1, 0, M, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 0, M)).toEqual([1]);
    freeOnePage(z.zone, z.mm, 0, 0, M, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(buddyinfo(z)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
    expect(freeList(z, 10, M)).toEqual([0, 1024]);
    expect(z.zone.nrFreePages).toBe(2048);
  });

  it('when a merge is not likely then the freed block goes to the head, else to the tail', () => {
    // take 0..3 (4 order-0 pages). Free 3: buddy 2 allocated; order-1 buddy of (2..3) is (0..1), allocated → head.
    // Free 1: buddy 0 allocated; order-1 buddy of (0..1) is (2..3): pfn 2 is allocated → not likely → head.
    // o0 list: 1, 3. Free 0 with FPI_TO_TAIL: merges with 1 → (0, o1); buddy (2, o1) not free → stop; tail.
    const z = booted(1024);
    for (let i = 0; i < 4; i++) rmqueueSmallest(z.zone, z.mm, 0, M);
    freeOnePage(z.zone, z.mm, 3, 0, M, FPI_NONE);
    freeOnePage(z.zone, z.mm, 1, 0, M, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 0, M)).toEqual([1, 3]);
    freeOnePage(z.zone, z.mm, 0, 0, M, FPI_TO_TAIL);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 0, M)).toEqual([3]);
    // the order-1 list was empty (2..3 were handed out), so (0, o1) is its only entry
    expect(freeList(z, 1, M)).toEqual([0]);
    // free 2: merges with 3 → (2, o1), with 0 → (0, o2), with 4 → (0, o3) ... up to (0, o9) and its buddy
    // 512 (o9): same pageblock type MOVABLE → (0, o10)
    freeOnePage(z.zone, z.mm, 2, 0, M, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(buddyinfo(z)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it("when the freed page's buddy is busy but the next order's buddy is free then it goes to the tail", () => {
    // take 0..5: after 0..3, (4, o2) splits into 4 (taken), 5 (o0, taken next) and (6, o1) stays free.
    // Free 3: buddy 2 busy; the order-1 buddy of (2..3) is (0..1), busy → head: [3].
    // Free 5: buddy 4 busy; the order-1 buddy of (4..5) is (6, o1), free → buddy_merge_likely → tail: [3, 5]
    const z = booted(1024);
    for (let i = 0; i < 6; i++) rmqueueSmallest(z.zone, z.mm, 0, M);
    expect(freeList(z, 1, M)).toEqual([6]);
    freeOnePage(z.zone, z.mm, 3, 0, M, FPI_NONE);
    freeOnePage(z.zone, z.mm, 5, 0, M, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 0, M)).toEqual([3, 5]);
  });

  it('when an order-9 block is freed then it goes to the head even if the merge looks likely (order ≥ MAX_PAGE_ORDER − 1)', () => {
    // free (1024, o10) and (2560, o9) on the lists; (0..511) freed as one order-9 block: its buddy 512 is busy,
    // the order-10 buddy of (0..1023) is free, but buddy_merge_likely() gives up at order 9 → head: 0, 2560
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 4096 });
    carve(z, { free: [[1024, 10, M], [2560, 9, M]] });
    expect(mergeAllocatedRange(z.zone, z.mm, 0, 9)).toBe(true);
    freeOnePage(z.zone, z.mm, 0, 9, M, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 9, M)).toEqual([0, 2560]);
  });

  it('when order-9 buddies have different mergeable types then they merge and the buddy is re-typed', () => {
    // two order-9 blocks 0 and 512 allocated; pageblock 1 set UNMOVABLE; free 0 as MOVABLE, then 512 as
    // UNMOVABLE: at order 9 ≥ pageblock_order the buddy's type (MOVABLE) differs but both are mergeable →
    // merge, pageblock 0 becomes UNMOVABLE (6.10+), (0, o10) on the UNMOVABLE list
    const z = booted(1024);
    expect(rmqueueSmallest(z.zone, z.mm, 9, M)).toBe(0);
    expect(rmqueueSmallest(z.zone, z.mm, 9, M)).toBe(512);
    setPageblockMigratetype(z.mm, 512, U);
    freeOnePage(z.zone, z.mm, 0, 9, M, FPI_NONE);
    freeOnePage(z.zone, z.mm, 512, 9, U, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 10, U)).toEqual([0]);
    expect(getPageblockMigratetype(z.mm, 0)).toBe(U);
    expect(getPageblockMigratetype(z.mm, 512)).toBe(U);
  });

  it('when an order-9 buddy is HIGHATOMIC and the block is MOVABLE then they stay apart', () => {
    // HIGHATOMIC is not mergeable: __free_one_page stops at order 9; two order-9 blocks on two lists,
    // nr_free_highatomic = 512
    const z = booted(1024);
    rmqueueSmallest(z.zone, z.mm, 9, M);
    rmqueueSmallest(z.zone, z.mm, 9, M);
    setPageblockMigratetype(z.mm, 512, H);
    freeOnePage(z.zone, z.mm, 0, 9, M, FPI_NONE);
    freeOnePage(z.zone, z.mm, 512, 9, H, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 9, M)).toEqual([0]);
    expect(freeList(z, 9, H)).toEqual([512]);
    expect(z.zone.nrFreeHighatomic).toBe(512);
    expect(z.zone.nrFreePages).toBe(1024);
  });

  it('when an isolated pageblock frees pages then they are not counted in NR_FREE_PAGES', () => {
    // pageblock 0 isolated: its free pages go on the ISOLATE lists and leave NR_FREE_PAGES (account_freepages)
    const z = booted(1024);
    rmqueueSmallest(z.zone, z.mm, 9, M);
    rmqueueSmallest(z.zone, z.mm, 9, M);
    setPageblockMigratetype(z.mm, 0, MIGRATE_ISOLATE);
    freeOnePage(z.zone, z.mm, 0, 9, MIGRATE_ISOLATE, FPI_NONE);
    freeOnePage(z.zone, z.mm, 512, 9, M, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 9, MIGRATE_ISOLATE)).toEqual([0]);
    expect(z.zone.nrFreePages).toBe(512);
  });

  it('when an order-10 block is freed through split_large_buddy then each half takes its pageblock type', () => {
    // pageblock 1 is RECLAIMABLE: (0, o9) goes to MOVABLE, (512, o9) to RECLAIMABLE, then merges (both
    // mergeable) and pageblock 0 becomes RECLAIMABLE: (0, o10) on the RECLAIMABLE list
    const z = booted(1024);
    expect(rmqueueSmallest(z.zone, z.mm, 10, M)).toBe(0);
    setPageblockMigratetype(z.mm, 512, R);
    splitLargeBuddy(z.zone, z.mm, 0, 10, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 10, R)).toEqual([0]);
  });
});

describe('rmqueueBlock (__rmqueue) fallbacks', () => {
  it('when UNMOVABLE finds only MOVABLE max-order blocks then it claims the whole order-10 block', () => {
    // CLAIM from order 10: fallbacks[U] = R, M → M's head (0). ≥ pageblock_order: both pageblocks become U,
    // expand leaves 512 (o9) ... 1 (o0) on the UNMOVABLE lists; 1024 stays MOVABLE
    const z = booted(2048);
    expect(rmqueueBlock(z.zone, z.mm, 0, U, 0)).toBe(0);
    checkBuddy(z.zone, z.mm);
    expect(buddyStats).toMatchObject({ mode: RMQUEUE_NORMAL, claimed: true, stole: false, fallback: true, fallbackMt: M, currentOrder: 10, changeOwnership: true, boostRequested: false });
    expect(freeList(z, 10, M)).toEqual([1024]);
    for (let o = 0; o < 10; o++) expect(freeList(z, o, U)).toEqual([1 << o]);
    expect([0, 512, 1024, 1536].map((p) => getPageblockMigratetype(z.mm, p))).toEqual([U, U, M, M]);
  });

  it('when UNMOVABLE falls back to a MOVABLE pageblock of non-movable pages then it claims the pageblock', () => {
    // pageblock 0 MOVABLE: free (256, o8), pages 0..255 allocated without PG_movable_alike. U order 0:
    // claim at order 8 (U may claim at any order): free 256, alike = 512 − 256 − 0 = 256; 256 + 256 ≥ 256 →
    // move (256, o8) to U, re-type, __rmqueue_smallest(U) splits it: returns 256
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 512 });
    carve(z, { free: [[256, 8, M]] });
    checkBuddy(z.zone, z.mm);
    expect(rmqueueBlock(z.zone, z.mm, 0, U, 0)).toBe(256);
    checkBuddy(z.zone, z.mm);
    expect(buddyStats).toMatchObject({ claimed: true, currentOrder: 8, fallbackMt: M, boostRequested: true, claimFreePages: 256, claimAlikePages: 256 });
    expect(getPageblockMigratetype(z.mm, 0)).toBe(U);
    expect(freeList(z, 7, U)).toEqual([384]);
  });

  it('when a claim moves free blocks then they join the TAIL of the new type\'s lists (5.10+)', () => {
    // pageblock 0 U with free (8, o3); pageblock 1 M with free (520, o3) and (768, o8), the rest non-movable.
    // U order 4: U has nothing ≥ 4; claim at order 8 from M: free 8 + 256 = 264, alike 512 − 264 = 248,
    // 512 ≥ 256 → __move_freepages_block walks pageblock 1 upward: (520, o3) appended after 8; then
    // __rmqueue_smallest(U, 4) splits (768, o8): returns 768
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 1024 });
    carve(z, { pageblockMts: [U, M], free: [[8, 3, U], [520, 3, M], [768, 8, M]] });
    checkBuddy(z.zone, z.mm);
    expect(rmqueueBlock(z.zone, z.mm, 4, U, 0)).toBe(768);
    checkBuddy(z.zone, z.mm);
    expect(buddyStats).toMatchObject({ claimed: true, currentOrder: 8, claimFreePages: 264, claimAlikePages: 248 });
    expect(freeList(z, 3, U)).toEqual([8, 520]);
    expect([4, 5, 6, 7].map((o) => freeList(z, o, U))).toEqual([[784], [800], [832], [896]]);
  });

  function movableClaimZone(movablePages: number): TestZone {
    // one UNMOVABLE pageblock: free (0, o5), pages 32.. allocated, the first `movablePages` of them movable
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 512 });
    const movable = Array.from({ length: movablePages }, (_, i) => 32 + i);
    carve(z, { pageblockMts: [U], free: [[0, 5, U]], movable });
    checkBuddy(z.zone, z.mm);
    return z;
  }

  it('when free + alike pages reach half a pageblock then a MOVABLE request claims it (6.18 threshold)', () => {
    // MOVABLE may claim only at order ≥ pageblock_order/2 = 4: order 5 qualifies. free 32 + alike 224 = 256
    // ≥ 1 << (9 − 1) → claim: the block moves to M, pageblock M, then __rmqueue_smallest(M) returns 0 and
    // leaves 1, 2, 4, 8, 16 on the MOVABLE lists
    const z = movableClaimZone(224);
    expect(rmqueueBlock(z.zone, z.mm, 0, M, 0)).toBe(0);
    checkBuddy(z.zone, z.mm);
    expect(buddyStats).toMatchObject({ claimed: true, stole: false, currentOrder: 5, fallbackMt: U, changeOwnership: true, claimFreePages: 32, claimAlikePages: 224 });
    expect(getPageblockMigratetype(z.mm, 0)).toBe(M);
    expect([0, 1, 2, 3, 4].map((o) => freeList(z, o, M))).toEqual([[1], [2], [4], [8], [16]]);
  });

  it('when free + alike pages fall one short then the claim fails and a single block is stolen', () => {
    // 32 + 223 = 255 < 256: rejected; order 4 has nothing, order 3 is below the MOVABLE claim threshold (−2,
    // stop). STEAL from order 0 up: order 5 U block → split with remnants on the UNMOVABLE lists; pageblock
    // stays UNMOVABLE (change_ownership false)
    const z = movableClaimZone(223);
    expect(rmqueueBlock(z.zone, z.mm, 0, M, 0)).toBe(0);
    checkBuddy(z.zone, z.mm);
    expect(buddyStats).toMatchObject({ mode: RMQUEUE_STEAL, claimed: false, stole: true, claimRejected: 1, currentOrder: 5, fallbackMt: U, changeOwnership: false });
    expect(getPageblockMigratetype(z.mm, 0)).toBe(U);
    expect([0, 1, 2, 3, 4].map((o) => freeList(z, o, U))).toEqual([[1], [2], [4], [8], [16]]);
  });

  it('when ALLOC_NOFRAGMENT is set then neither a small claim nor a steal is allowed', () => {
    // NOFRAGMENT: claim only from order ≥ pageblock_order (none here) and no STEAL → fails, nothing moves
    for (const movable of [223, 224]) {
      const z = movableClaimZone(movable);
      expect(rmqueueBlock(z.zone, z.mm, 0, M, ALLOC_NOFRAGMENT)).toBe(-1);
      checkBuddy(z.zone, z.mm);
      expect(buddyStats.mode).toBe(-1);
      expect(freeList(z, 5, U)).toEqual([0]);
      expect(z.zone.nrFreePages).toBe(32);
    }
  });

  it('when ALLOC_NOFRAGMENT is set and a whole pageblock can be claimed then it is', () => {
    // the order-10 claim of the first fallback test is ≥ pageblock_order, so NOFRAGMENT allows it
    const z = booted(2048);
    expect(rmqueueBlock(z.zone, z.mm, 0, U, ALLOC_NOFRAGMENT)).toBe(0);
    expect(buddyStats.claimed).toBe(true);
  });

  // The v6.18 fallbacks[] table, one row per requested type. Each zone has two fallback pageblocks with one
  // free order-3 block each, at pfn 0 (the type listed second in the table) and 512 (the type listed first),
  // every allocated page movable. Claims fail (a MOVABLE request below order 4 may not claim; for the others
  // free 8 + alike 0 < 256, alike being 512 − 8 − 504 movable = 0 even in a MOVABLE block), so STEAL takes the
  // head block of the FIRST type of the row that has one: pfn 512, despite the lower pfn 0.
  it.each([
    // requested, fallback candidates (pageblock 0, 1), expected pick (table order)
    ['UNMOVABLE', U, [M, R], R, 512], // fallbacks[U] = { R, M }: R before M
    ['MOVABLE', M, [U, R], R, 512], // fallbacks[M] = { R, U }: R before U
    ['RECLAIMABLE', R, [M, U], U, 512], // fallbacks[R] = { U, M }: U before M
  ])('when %s falls back then it takes %s-table order', (_name, want, mts, pickMt, pickPfn) => {
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 1024 });
    // both blocks allocated as MOVABLE-alike so an R→M claim would not count "alike" non-movable pages
    const movable = Array.from({ length: 1024 }, (_, i) => i).filter((p) => p % 512 >= 8);
    carve(z, { pageblockMts: mts, free: [[0, 3, mts[0]!], [512, 3, mts[1]!]], movable });
    checkBuddy(z.zone, z.mm);
    const pfn = rmqueueBlock(z.zone, z.mm, 0, want, 0);
    checkBuddy(z.zone, z.mm);
    expect(pfn).toBe(pickPfn);
    expect(buddyStats.fallbackMt).toBe(pickMt);
    expect(buddyStats.stole).toBe(true);
  });

  it('when the second fallback type is the only one free then it is used', () => {
    // UNMOVABLE with only a MOVABLE order-3 block whose pageblock is all movable pages: claim rejected
    // (free 8 + alike 512 − 8 − 504 = 0), steal from MOVABLE
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 512 });
    const movable = Array.from({ length: 504 }, (_, i) => 8 + i);
    carve(z, { free: [[0, 3, M]], movable });
    expect(rmqueueBlock(z.zone, z.mm, 0, U, 0)).toBe(0);
    expect(buddyStats).toMatchObject({ stole: true, fallbackMt: M, claimRejected: 1 });
    checkBuddy(z.zone, z.mm);
  });

  it('when HIGHATOMIC or CMA blocks are free then ordinary requests never fall back to them', () => {
    // fallbacks[] lists only U, M, R: a MOVABLE request without ALLOC_CMA fails with H and CMA blocks free
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 1024 });
    carve(z, { pageblockMts: [H, MIGRATE_CMA], free: [[0, 9, H], [512, 9, MIGRATE_CMA]] });
    checkBuddy(z.zone, z.mm);
    expect(rmqueueBlock(z.zone, z.mm, 0, M, 0)).toBe(-1);
    // with ALLOC_CMA, the CMA list is tried after the MOVABLE one (RMQUEUE_CMA)
    expect(rmqueueBlock(z.zone, z.mm, 0, M, ALLOC_CMA)).toBe(512);
    expect(buddyStats.mode).toBe(1);
    checkBuddy(z.zone, z.mm);
  });

  it('when more than half the free pages are CMA then ALLOC_CMA requests take CMA first', () => {
    // free: M (0, o9) = 512, CMA (512, o9) = 512 → 512 > 1024/2 is false: MOVABLE first (pfn 0);
    // then free M 511, CMA 512: 512 > 1023/2 = 511 → CMA first (pfn 512)
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 1024 });
    carve(z, { pageblockMts: [M, MIGRATE_CMA], free: [[0, 9, M], [512, 9, MIGRATE_CMA]] });
    expect(rmqueueBlock(z.zone, z.mm, 0, M, ALLOC_CMA)).toBe(0);
    expect(rmqueueBlock(z.zone, z.mm, 0, M, ALLOC_CMA)).toBe(512);
    expect(z.zone.nrFreeCmaPages).toBe(511);
    checkBuddy(z.zone, z.mm);
  });

  it('when a refill passes back the STEAL mode then the next call starts stealing', () => {
    // rmqueue_bulk remembers the mode: starting at RMQUEUE_STEAL skips NORMAL even though a MOVABLE page exists
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 1024 });
    carve(z, { pageblockMts: [U, M], free: [[0, 3, U], [512, 0, M]], movable: Array.from({ length: 1024 }, (_, i) => i) });
    expect(rmqueueBlock(z.zone, z.mm, 0, M, 0, RMQUEUE_STEAL)).toBe(0);
    expect(buddyStats.mode).toBe(RMQUEUE_STEAL);
    expect(rmqueueBlock(z.zone, z.mm, 0, M, 0, RMQUEUE_NORMAL)).toBe(512);
    expect(rmqueueBlock(z.zone, z.mm, 0, M, 0, RMQUEUE_CLAIM)).toBe(1);
    checkBuddy(z.zone, z.mm);
  });

  it("when a refill resumes in CLAIM mode then the claimed block's remnants go to the list heads", () => {
    // mode RMQUEUE_CLAIM skips __rmqueue_smallest, so the UNMOVABLE lists may already hold (0, o0). The claim of
    // (1024, o10) re-types pageblocks 2, 3 and expand() puts 1536 (o9) ... 1025 (o0) at the HEADS: o0 = 1025, 0
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 2048 });
    carve(z, { pageblockMts: [U, U, M, M], free: [[0, 0, U], [1024, 10, M]] });
    checkBuddy(z.zone, z.mm);
    expect(rmqueueBlock(z.zone, z.mm, 0, U, 0, RMQUEUE_CLAIM)).toBe(1024);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 0, U)).toEqual([1025, 0]);
    expect(freeList(z, 9, U)).toEqual([1536]);
  });

  it('when a claim below pageblock_order boosts and ALLOC_KSWAPD is set then the zone is flagged', () => {
    // boost_watermark (watermark.ts): factor 15000, high 1000 → max_boost = 1500 ≥ 512; boost += 512
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 2048 });
    carve(z, { free: [[256, 8, M]] });
    z.zone.watermark = [500, 750, 1000, 1250];
    z.zone.freeArea.sysctl = { watermark_boost_factor: 15000 } as Sysctl;
    rmqueueBlock(z.zone, z.mm, 0, U, ALLOC_KSWAPD);
    expect(buddyStats).toMatchObject({ claimed: true, boostRequested: true, boosted: true });
    expect(z.zone.watermarkBoost).toBe(512);
    expect(z.zone.flags! & ZONE_BOOSTED_WATERMARK).toBe(ZONE_BOOSTED_WATERMARK);
  });
});

describe('highatomic reserve', () => {
  it('when a high-order atomic allocation succeeds then its pageblock is reserved, used and unreserved', () => {
    // 51200 managed pages: 1% = 512 ≥ a pageblock; limit ALIGN(512, 512) = 512 (one pageblock).
    // rmqueueSmallest(1, M) → 0, leaving 2 (o1), 4 (o2) ... 256 (o8) in pageblock 0 and 512 (o9) in pageblock 1.
    // reserve: pageblock 0 → HIGHATOMIC, its 510 free pages move; nr_reserved_highatomic = 512
    const z = booted(51200);
    expect(rmqueueSmallest(z.zone, z.mm, 1, M)).toBe(0);
    expect(reserveHighatomicPageblock(z.zone, z.mm, 0, 1)).toBe(true);
    checkBuddy(z.zone, z.mm);
    expect(z.zone.nrReservedHighatomic).toBe(512);
    expect(z.zone.nrFreeHighatomic).toBe(510);
    expect(getPageblockMigratetype(z.mm, 0)).toBe(H);
    expect(freeList(z, 9, M)).toEqual([512]);
    // a second reserve is over the limit
    expect(reserveHighatomicPageblock(z.zone, z.mm, 1024, 1)).toBe(false);
    // use: the HIGHATOMIC lists serve an order-1 request with pfn 2
    expect(rmqueueSmallest(z.zone, z.mm, 1, H)).toBe(2);
    // unreserve without force keeps the last pageblock; with force, the lowest order H block (4, o2) gives its
    // pageblock (508 free pages) to the requester's type UNMOVABLE; reserve back to 0
    expect(unreserveHighatomicPageblock(z.zone, z.mm, false, U)).toBe(false);
    expect(unreserveHighatomicPageblock(z.zone, z.mm, true, U)).toBe(true);
    checkBuddy(z.zone, z.mm);
    expect(z.zone.nrReservedHighatomic).toBe(0);
    expect(z.zone.nrFreeHighatomic).toBe(0);
    expect(getPageblockMigratetype(z.mm, 0)).toBe(U);
    expect(freeList(z, 2, U)).toEqual([4]);
  });

  it('when 1% of the zone is below one pageblock then nothing is reserved', () => {
    // 51199 / 100 = 511 < 512
    const z = booted(51199);
    rmqueueSmallest(z.zone, z.mm, 1, M);
    expect(reserveHighatomicPageblock(z.zone, z.mm, 0, 1)).toBe(false);
    expect(z.zone.nrReservedHighatomic).toBe(0);
  });
});

describe('moveFreepagesBlock', () => {
  it('when a pageblock straddles the zone end then it refuses with -1', () => {
    // zone 0..767: pageblock 1 (512..1023) is only half inside
    const z = booted(768);
    expect(moveFreepagesBlock(z.zone, z.mm, 600, M, U)).toBe(-1);
    expect(moveFreepagesBlock(z.zone, z.mm, 0, M, U)).toBe(512);
    checkBuddy(z.zone, z.mm);
  });
});

describe('mergeAllocatedRange', () => {
  it('when 4 order-0 allocated pages are aligned then they become one order-2 block that frees as one', () => {
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 512 });
    carve(z, { free: [] });
    expect(mergeAllocatedRange(z.zone, z.mm, 6, 2)).toBe(false); // not aligned
    expect(mergeAllocatedRange(z.zone, z.mm, 8, 2)).toBe(true);
    freeOnePage(z.zone, z.mm, 8, 2, M, FPI_NONE);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 2, M)).toEqual([8]);
  });
});

describe('checkBuddy (debug_vm)', () => {
  it('when two free buddies are left unmerged then it throws an InvariantError naming them', () => {
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 512 });
    carve(z, { free: [[0, 0, M], [1, 0, M]] });
    expect(() => checkBuddy(z.zone, z.mm)).toThrow(InvariantError);
    expect(() => checkBuddy(z.zone, z.mm)).toThrow('free buddies at pfns 0 and 1 (order 0) were not merged');
  });

  it('when NR_FREE_PAGES drifts then it throws', () => {
    const z = booted(1024);
    z.zone.nrFreePages++;
    expect(() => checkBuddy(z.zone, z.mm)).toThrow('NR_FREE_PAGES is 1025 but the lists hold 1024 pages');
  });

  it('when a free block sits on the list of another migratetype then it throws', () => {
    const z = booted(1024);
    setPageblockMigratetype(z.mm, 0, U);
    expect(() => checkBuddy(z.zone, z.mm)).toThrow('pfn 0 is in a pageblock of migratetype 0');
  });

  it('when a link is broken then it throws', () => {
    const z = booted(2048);
    z.mm.prev[1024] = 5;
    expect(() => checkBuddy(z.zone, z.mm)).toThrow('free_area[10].free_list[1]: pfn 1024 prev is 5, expected 0');
  });
});

/** A tiny /proc/pagetypeinfo reader for the fixtures: free counts [order][mt] and block counts [mt] per zone. */
function readPagetypeinfo(file: string): Map<string, { free: number[][]; blocks: number[] }> {
  const mtByName: Record<string, number> = { Unmovable: U, Movable: M, Reclaimable: R, HighAtomic: H, CMA: MIGRATE_CMA, Isolate: MIGRATE_ISOLATE };
  const zones = new Map<string, { free: number[][]; blocks: number[] }>();
  const zoneOf = (name: string) => {
    let z = zones.get(name);
    if (!z) {
      z = { free: Array.from({ length: 11 }, () => [0, 0, 0, 0, 0, 0]), blocks: [0, 0, 0, 0, 0, 0] };
      zones.set(name, z);
    }
    return z;
  };
  let blockCols: number[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    let m = /^Node\s+\d+, zone\s+(\S+), type\s+(\S+)\s+([\d\s>]+)$/.exec(line);
    if (m) {
      // the kernel stops counting a list at 100000 and prints ">100000" (-1 here; the caller works it out)
      const counts = m[3]!.trim().split(/\s+/).map((c) => (c === '>100000' ? -1 : Number(c)));
      counts.forEach((n, o) => (zoneOf(m![1]!).free[o]![mtByName[m![2]!]!] = n));
      continue;
    }
    if (line.startsWith('Number of blocks type')) {
      blockCols = line.replace('Number of blocks type', '').trim().split(/\s+/).map((n) => mtByName[n]!);
      continue;
    }
    m = /^Node \d+, zone\s+(\S+)\s+([\d\s]+)$/.exec(line);
    if (m && blockCols.length) m[2]!.trim().split(/\s+/).map(Number).forEach((n, i) => (zoneOf(m![1]!).blocks[blockCols[i]!] = n));
  }
  return zones;
}

describe('layoutSnapshotFreeLists', () => {
  // geometry of the three captures (their before/zoneinfo: start_pfn, spanned, present, managed)
  const geometry = [
    { name: 'DMA', zoneStartPfn: 1, spanned: 4095, present: 3998, managed: 3840 },
    { name: 'DMA32', zoneStartPfn: 4096, spanned: 1044480, present: 782336, managed: 772915 },
    { name: 'Normal', zoneStartPfn: 1048576, spanned: 5505024, present: 5505024, managed: 5394266 },
  ];
  // zoneinfo `pages free` and `nr_free_pages_blocks` of each capture, per zone in the order above
  const captured: Record<string, [number, number][]> = {
    'quiet-before': [[3840, 3584], [769104, 762368], [5207434, 4967936]],
    'fork-exec-before': [[3840, 3584], [769104, 762368], [5208189, 4968960]],
    'fragment-compact-before': [[3840, 3584], [93566, 89088], [861947, 0]],
  };

  it.each(Object.keys(captured))('when %s is laid out then every zone has exactly the captured free lists', (name) => {
    const pti = readPagetypeinfo(join(fixtures, `${name}.pagetypeinfo`));
    const mm = createMemmap(0, 6553600);
    geometry.forEach((g, zi) => {
      const zone = makeTestZone({ nodeStartPfn: 0, zoneStartPfn: g.zoneStartPfn, spanned: g.spanned, present: g.present, managed: g.managed, name: g.name }).zone;
      const { free, blocks } = pti.get(g.name)!;
      // a ">100000" count: the captured NR_FREE_PAGES minus every other list's pages
      for (let o = 0; o < 11; o++) {
        for (let mt = 0; mt < 6; mt++) {
          if (free[o]![mt] !== -1) continue;
          let others = 0;
          for (let o2 = 0; o2 < 11; o2++) for (let mt2 = 0; mt2 < 6; mt2++) if (o2 !== o || mt2 !== mt) others += free[o2]![mt2]! << o2;
          free[o]![mt] = (captured[name]![zi]![0] - others) >> o;
        }
      }
      layoutSnapshotFreeLists(zone, mm, free, blocks);
      checkBuddy(zone, mm);
      // free blocks per (order, migratetype) exactly as captured
      for (let o = 0; o < 11; o++) for (let mt = 0; mt < 6; mt++) expect(zone.freeArea.nrFreeMt[o * 6 + mt], `${g.name} o${o} mt${mt}`).toBe(free[o]![mt]);
      // NR_FREE_PAGES and NR_FREE_PAGES_BLOCKS as zoneinfo printed them
      expect([zone.nrFreePages, zone.freeArea.nrFreePagesBlocks]).toEqual(captured[name]![zi]);
      // pageblock counts as pagetypeinfo counts them: every pageblock holding a present pfn of the zone
      const got = [0, 0, 0, 0, 0, 0];
      for (let p = g.zoneStartPfn; p < g.zoneStartPfn + g.spanned; p = (p | 511) + 1) {
        let present = false;
        for (let q = p; q <= Math.min(p | 511, g.zoneStartPfn + g.spanned - 1); q++) if (mm.state[q] !== PAGE_HOLE) present = true;
        if (present) got[getPageblockMigratetype(mm, p)]!++;
      }
      expect(got, `${g.name} pageblocks`).toEqual(blocks);
    });
  });

  it('when the counts cannot fit the zone then it throws a located InputError', () => {
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 1024 });
    const free = Array.from({ length: 11 }, () => [0, 0, 0, 0, 0, 0]);
    free[10]![M] = 2;
    expect(() => layoutSnapshotFreeLists(z.zone, z.mm, free, [0, 2, 0, 0, 0, 0])).toThrow(
      'zone Normal: 2048 free pages do not fit 1024 managed pages',
    );
  });
});
