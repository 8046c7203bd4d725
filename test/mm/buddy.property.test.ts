/**
 * Property test of src/mm/buddy.ts: seeded random allocations and frees of mixed orders and migratetypes on
 * small zone shapes (holes, reserved pages, odd sizes and starts, several pageblocks), with highatomic
 * reserve/unreserve and rmqueue modes mixed in. After every 2nd operation checkBuddy() sweeps the zone (20th on
 * the largest shape), NR_FREE_PAGES is compared with the model, and at intervals a small,
 * obviously-correct reference model (one byte per page: free or not) is compared with the allocator:
 *  - an allocation returns an aligned block of the zone whose pages were all free, and they stop being free;
 *  - without ALLOC_NOFRAGMENT an allocation of order k fails only if no UNMOVABLE / MOVABLE / RECLAIMABLE list
 *    holds a block of order ≥ k (fallbacks[] cover those three types);
 *  - NR_FREE_PAGES equals the model's free page count;
 *  - below pageblock_order the free blocks per order are exactly the canonical buddy decomposition of the
 *    model's free pages (a pageblock entirely free is one block of order ≥ pageblock_order), and the pages in
 *    blocks of order ≥ pageblock_order are exactly the pages of the entirely free pageblocks.
 * On failure the message names the seed, the shape and the operation index, so the run can be replayed.
 */
import { describe, expect, it } from 'vitest';
import {
  FPI_NONE,
  FPI_TO_TAIL,
  freeBootMemory,
  freeOnePage,
  reserveHighatomicPageblock,
  rmqueueBlock,
  rmqueueSmallest,
  splitLargeBuddy,
  unreserveHighatomicPageblock,
} from '../../src/mm/buddy.js';
import { checkBuddy } from '../../src/mm/debug_vm.js';
import { ALLOC_KSWAPD, ALLOC_NOFRAGMENT } from '../../src/mm/internal.js';
import { PG_movable_alike, getPageblockMigratetype } from '../../src/mm/memmap.js';
import { MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, NR_PAGE_ORDERS } from '../../src/mm/mmzone.js';
import { makeTestZone, type TestZone, type ZoneShape } from '../helpers/buddy-zone.js';

/** mulberry32: a tiny seeded PRNG (32-bit state), deterministic across runs and platforms */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The reference model: a byte per zone page, 1 = free. */
interface Model {
  zs: number;
  free: Uint8Array;
  nrFree: number;
}

function modelFromZone(z: TestZone): Model {
  const zs = z.zone.zoneStartPfn as number;
  const free = new Uint8Array(z.zone.spannedPages);
  let nrFree = 0;
  const base = z.mm.startPfn;
  for (let o = 0; o < NR_PAGE_ORDERS; o++) {
    for (let mt = 0; mt < 6; mt++) {
      for (let p = z.zone.freeArea.head[o * 6 + mt]!; p !== -1; p = z.mm.next[p - base]!) {
        for (let q = p; q < p + (1 << o); q++) free[q - zs] = 1;
        nrFree += 1 << o;
      }
    }
  }
  return { zs, free, nrFree };
}

/** Canonical decomposition of the model's free pages: blocks per order below 9, and pages in whole free pageblocks. */
function canonical(model: Model): { small: number[]; bigPages: number } {
  const small = new Array<number>(9).fill(0);
  let bigPages = 0;
  const zs = model.zs;
  const ze = zs + model.free.length;
  const isFree = (p: number): boolean => p >= zs && p < ze && model.free[p - zs] === 1;
  for (let pb = zs & ~511; pb < ze; pb += 512) {
    let all = true;
    for (let p = pb; p < pb + 512; p++) if (!isFree(p)) all = false;
    if (all) {
      bigPages += 512;
      continue;
    }
    // top-down: a block of order k is free and not inside a larger free block of this pageblock
    const covered = new Uint8Array(512);
    for (let k = 8; k >= 0; k--) {
      for (let p = pb; p < pb + 512; p += 1 << k) {
        if (covered[p - pb]) continue;
        let blockFree = true;
        for (let q = p; q < p + (1 << k); q++) if (!isFree(q)) blockFree = false;
        if (!blockFree) continue;
        small[k]!++;
        for (let q = p; q < p + (1 << k); q++) covered[q - pb] = 1;
      }
    }
  }
  return { small, bigPages };
}

function compareWithModel(z: TestZone, model: Model): void {
  expect(z.zone.nrFreePages).toBe(model.nrFree);
  const { small, bigPages } = canonical(model);
  const fa = z.zone.freeArea;
  expect(Array.from(fa.nrFree.subarray(0, 9))).toEqual(small);
  expect(fa.nrFree[9]! * 512 + fa.nrFree[10]! * 1024).toBe(bigPages);
  // the allocator's free pages are the model's, page by page
  const sim = modelFromZone(z).free;
  for (let i = 0; i < sim.length; i++) {
    if (sim[i] !== model.free[i]) throw new Error(`pfn ${model.zs + i}: allocator says ${sim[i] ? 'free' : 'busy'}, model says ${model.free[i] ? 'free' : 'busy'}`);
  }
}

/** Does a U/M/R list hold a block of order ≥ k? (then a fallback-capable allocation must succeed) */
function pcptypeBlockAtLeast(z: TestZone, k: number): boolean {
  for (let o = k; o < NR_PAGE_ORDERS; o++) for (let mt = 0; mt < MIGRATE_PCPTYPES; mt++) if (z.zone.freeArea.head[o * 6 + mt]! >= 0) return true;
  return false;
}

function ownBlockAtLeast(z: TestZone, k: number, mt: number): boolean {
  for (let o = k; o < NR_PAGE_ORDERS; o++) if (z.zone.freeArea.head[o * 6 + mt]! >= 0) return true;
  return false;
}

const shapes: (ZoneShape & { label: string })[] = [
  { label: '4 aligned pageblocks', zoneStartPfn: 0, spanned: 2048 },
  { label: 'ZONE_DMA: holes and reserved low', nodeStartPfn: 0, zoneStartPfn: 1, spanned: 4095, present: 3998, managed: 3840 },
  { label: 'odd start and size', nodeStartPfn: 900, zoneStartPfn: 1000, spanned: 3001, present: 2990, managed: 2901 },
  { label: '3 pageblocks', zoneStartPfn: 512, spanned: 1536 },
  { label: '51200 pages (highatomic limit one pageblock)', zoneStartPfn: 0, spanned: 51200 },
];

interface Live {
  pfn: number;
  order: number;
}

function run(seed: number, shape: ZoneShape & { label: string }, nOps: number, checkEvery: number, fullEvery: number): void {
  const rnd = mulberry32(seed);
  const z = makeTestZone(shape);
  freeBootMemory(z.zone, z.mm);
  const model = modelFromZone(z);
  const live: Live[] = [];
  const orderWeights = [40, 15, 10, 8, 4, 3, 2, 2, 1, 2, 1]; // mostly small, some pageblock and max order
  const weightSum = orderWeights.reduce((a, b) => a + b, 0);
  const pickOrder = (): number => {
    let r = rnd() * weightSum;
    for (let o = 0; o < orderWeights.length; o++) if ((r -= orderWeights[o]!) < 0) return o;
    return 0;
  };
  let what = 'boot';
  let op = -1;
  try {
    checkBuddy(z.zone, z.mm);
    for (op = 0; op < nOps; op++) {
      const r = rnd();
      // keep the zone between empty and full: allocate more when most of it is free
      const allocBias = model.nrFree / z.zone.managedPages;
      if (r < 0.3 + 0.4 * allocBias || live.length === 0) {
        const order = pickOrder();
        const mt = Math.floor(rnd() * 3);
        const nofrag = rnd() < 0.1;
        const flags = (nofrag ? ALLOC_NOFRAGMENT : 0) | (rnd() < 0.5 ? ALLOC_KSWAPD : 0);
        // rmqueue_bulk only resumes in a later mode after __rmqueue_smallest found nothing of this type, and
        // nothing frees in between: resume (randomly) only in that situation, as the kernel can
        const ownEmpty = !ownBlockAtLeast(z, order, mt);
        const mode = ownEmpty && rnd() < 0.5 ? Math.floor(rnd() * 4) : 0;
        const useHighatomic = rnd() < 0.05;
        what = `alloc order ${order} mt ${mt} flags ${flags} mode ${mode}${useHighatomic ? ' (highatomic)' : ''}`;
        const mustSucceed = !nofrag && !useHighatomic && pcptypeBlockAtLeast(z, order);
        const pfn = useHighatomic ? rmqueueSmallest(z.zone, z.mm, order, MIGRATE_HIGHATOMIC) : rmqueueBlock(z.zone, z.mm, order, mt, flags, mode);
        if (pfn < 0) {
          if (mustSucceed) throw new Error(`allocation failed although a U/M/R block of order ≥ ${order} is free`);
        } else {
          if (pfn & ((1 << order) - 1)) throw new Error(`pfn ${pfn} not aligned to order ${order}`);
          for (let p = pfn; p < pfn + (1 << order); p++) {
            if (p < model.zs || p >= model.zs + model.free.length || model.free[p - model.zs] !== 1) {
              throw new Error(`allocated pfn ${p} was not free in the model`);
            }
            model.free[p - model.zs] = 0;
          }
          model.nrFree -= 1 << order;
          if (mt === MIGRATE_MOVABLE) z.mm.flags[pfn - z.mm.startPfn] = PG_movable_alike;
          live.push({ pfn, order });
          if (order > 0 && rnd() < 0.1) reserveHighatomicPageblock(z.zone, z.mm, pfn, order);
        }
      } else if (r < 0.97) {
        const i = Math.floor(rnd() * live.length);
        const { pfn, order } = live[i]!;
        live[i] = live[live.length - 1]!;
        live.pop();
        const fpi = rnd() < 0.1 ? FPI_TO_TAIL : FPI_NONE;
        what = `free pfn ${pfn} order ${order} fpi ${fpi}`;
        // the kernel frees with the pageblock's current type (free_one_page → split_large_buddy, 6.10+)
        if (order > 9) splitLargeBuddy(z.zone, z.mm, pfn, order, fpi);
        else freeOnePage(z.zone, z.mm, pfn, order, getPageblockMigratetype(z.mm, pfn), fpi);
        for (let p = pfn; p < pfn + (1 << order); p++) model.free[p - model.zs] = 1;
        model.nrFree += 1 << order;
      } else {
        const force = rnd() < 0.5;
        const mt = Math.floor(rnd() * 3);
        what = `unreserve highatomic force ${force} mt ${mt}`;
        unreserveHighatomicPageblock(z.zone, z.mm, force, mt);
      }
      if (op % checkEvery === 0) checkBuddy(z.zone, z.mm);
      if (model.nrFree !== z.zone.nrFreePages) throw new Error(`NR_FREE_PAGES ${z.zone.nrFreePages}, model ${model.nrFree}`);
      if (op % fullEvery === 0) compareWithModel(z, model);
    }
    // free everything: the zone must return to its boot free count
    what = 'final free of every live block';
    for (const { pfn, order } of live) {
      if (order > 9) splitLargeBuddy(z.zone, z.mm, pfn, order, FPI_NONE);
      else freeOnePage(z.zone, z.mm, pfn, order, getPageblockMigratetype(z.mm, pfn), FPI_NONE);
      for (let p = pfn; p < pfn + (1 << order); p++) model.free[p - model.zs] = 1;
      model.nrFree += 1 << order;
    }
    checkBuddy(z.zone, z.mm);
    compareWithModel(z, model);
    expect(z.zone.nrFreePages).toBe(z.zone.managedPages);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`seed ${seed}, shape "${shape.label}", op ${op} (${what}): ${msg}`);
  }
}

describe('buddy allocator under random operations', () => {
  // 5 shapes × 2 seeds × 10,000 ops = 100,000 operations; checkBuddy after every 2nd (every 20th on the 51200-page
  // zone), the full model comparison every 50 (every 500)
  const seeds = [0x5eed0001, 0x5eed0002];
  for (const shape of shapes) {
    for (const seed of seeds) {
      it(`when seed ${seed.toString(16)} runs on "${shape.label}" then every invariant holds`, () => {
        const big = shape.spanned > 10000;
        run(seed, shape, 10_000, big ? 20 : 2, big ? 500 : 50);
      });
    }
  }
});
