/**
 * Small hand-built zones for the buddy tests (no machine.ts): one node memmap, one zone, empty free lists.
 * Watermarks and lowmem_reserve are irrelevant to buddy.ts and left at 0.
 */
import { addToFreeList, initFreeArea, placeReservedPages } from '../../src/mm/buddy.js';
import {
  PAGE_ALLOC,
  PAGE_TAIL,
  PG_movable_alike,
  createMemmap,
  setPageblockMigratetype,
  type MemMap,
} from '../../src/mm/memmap.js';
import { asPfn } from '../../src/mm/memmap-types.js';
import { ZONE_NORMAL, type Zone } from '../../src/mm/mmzone.js';

export interface ZoneShape {
  /** node start pfn (memmap start); defaults to zoneStartPfn */
  nodeStartPfn?: number;
  zoneStartPfn: number;
  spanned: number;
  /** defaults to spanned */
  present?: number;
  /** defaults to present */
  managed?: number;
  name?: string;
}

export interface TestZone {
  zone: Zone;
  mm: MemMap;
}

export function makeTestZone(shape: ZoneShape): TestZone {
  const nodeStart = shape.nodeStartPfn ?? shape.zoneStartPfn;
  const mm = createMemmap(nodeStart, shape.zoneStartPfn + shape.spanned - nodeStart);
  const present = shape.present ?? shape.spanned;
  const zone: Zone = {
    nodeId: 0,
    zoneIdx: ZONE_NORMAL,
    name: shape.name ?? 'Normal',
    zoneStartPfn: asPfn(shape.zoneStartPfn),
    spannedPages: shape.spanned,
    presentPages: present,
    managedPages: shape.managed ?? present,
    watermark: [0, 0, 0, 0],
    watermarkBoost: 0,
    lowmemReserve: [0, 0, 0, 0],
    nrReservedHighatomic: 0,
    nrFreePages: 0,
    freeArea: initFreeArea(),
    nrFreeHighatomic: 0,
    nrFreeCmaPages: 0,
    flags: 0,
  };
  return { zone, mm };
}

/** Blocks on free_list[mt] of `order`, head first. */
export function freeList(z: TestZone, order: number, mt: number): number[] {
  const out: number[] = [];
  const base = z.mm.startPfn;
  for (let p = z.zone.freeArea.head[order * 6 + mt]!; p !== -1; p = z.mm.next[p - base]!) out.push(p);
  return out;
}

/** nr_free per order (buddyinfo row). */
export function buddyinfo(z: TestZone): number[] {
  return Array.from(z.zone.freeArea.nrFree);
}

/**
 * Build a hand-drawn state: every managed pfn of the zone allocated order-0 (pages listed in `movable` get
 * PG_movable_alike), pageblock types from `pageblockMts` (by pageblock index from the zone start, rest MOVABLE),
 * then the given free blocks [pfn, order, mt] added at the list tails in the order given.
 */
export function carve(
  z: TestZone,
  opts: { pageblockMts?: number[]; free: [number, number, number][]; movable?: number[] },
): void {
  const { zone, mm } = z;
  const zs = zone.zoneStartPfn as number;
  const base = mm.startPfn;
  const managedStart = placeReservedPages(zone, mm);
  for (let p = managedStart; p < zs + zone.spannedPages; p++) {
    mm.state[p - base] = PAGE_ALLOC;
    mm.order[p - base] = 0;
  }
  (opts.pageblockMts ?? []).forEach((mt, k) => setPageblockMigratetype(mm, zs + k * 512, mt));
  for (const p of opts.movable ?? []) mm.flags[p - base] = PG_movable_alike;
  for (const [pfn, order, mt] of opts.free) {
    for (let p = pfn + 1; p < pfn + (1 << order); p++) mm.state[p - base] = PAGE_TAIL;
    addToFreeList(zone, mm, pfn, order, mt, true);
  }
}
