/**
 * A stand-in for src/mm/vmscan.ts (the contract of issue 4) while the reclaim helper writes the real one:
 * LRU = allocation order, a block is reclaimable when `state.isReclaimable(gfp, mt)` says so (default: movable),
 * direct reclaim frees the oldest reclaimable blocks of the zones ≤ the request's highest zone until it has
 * SWAP_CLUSTER_MAX (32) pages, counting allocstall_<gfp zone>. `stuck` makes reclaim free nothing while the pages
 * still count as reclaimable (dirty pages under writeback). wakeup_kswapd() calls are recorded only.
 */
import type { Machine } from '../../src/mm/machine.js';
import type { Zone } from '../../src/mm/mmzone.js';
import { MIGRATE_MOVABLE } from '../../src/mm/mmzone.js';
import type { AllocContext } from '../../src/mm/internal.js';
import type { MmSystem } from '../../src/mm/system.js';
import { freePages, pfnToZone } from '../../src/mm/page_alloc.js';
import { ALLOCSTALL_DMA, PGFREE } from '../../src/mm/vmstat.js';
import { PG_movable_alike } from '../../src/mm/memmap.js';
import { FREED_BY_DIRECT_RECLAIM } from '../../src/mm/system.js';

export interface LruEntry { order: number; reclaimable: boolean; zone: Zone; taskId: number }
export interface ReclaimOptions { swap: boolean }
export interface ReclaimState {
  lru: Map<number, LruEntry>;
  isReclaimable: (gfp: number, mt: number) => boolean;
  stuck: boolean;
  wakeups: { zone: string; gfp: number; order: number; highest: number }[];
  directCalls: number;
}

export function createReclaimState(_machine: Machine, _opts?: Partial<ReclaimOptions>): ReclaimState {
  return { lru: new Map(), isReclaimable: (_g, mt) => mt === MIGRATE_MOVABLE, stuck: false, wakeups: [], directCalls: 0 };
}

export function lruAdd(sys: MmSystem, pfn: number, order: number, gfpMask: number, migratetype: number, taskId: number): void {
  const rs = sys.reclaim as unknown as ReclaimState;
  const zone = pfnToZone(sys.pa, pfn)!;
  rs.lru.set(pfn, { order, reclaimable: rs.isReclaimable(gfpMask, migratetype), zone, taskId });
  const mm = sys.machine.nodes[zone.nodeId]!.memmap;
  if (migratetype === MIGRATE_MOVABLE) mm.flags[pfn - mm.startPfn]! |= PG_movable_alike;
  mm.owner[pfn - mm.startPfn] = taskId;
}

export function lruDel(sys: MmSystem, pfn: number): void {
  (sys.reclaim as unknown as ReclaimState).lru.delete(pfn);
}

export function lruAddZone(sys: MmSystem, _zone: Zone, pfn: number, order: number, gfpMask: number, migratetype: number, taskId: number): void {
  lruAdd(sys, pfn, order, gfpMask, migratetype, taskId);
}

export function lruDelZone(sys: MmSystem, _zone: Zone, pfn: number): void {
  lruDel(sys, pfn);
}

export function lruMove(sys: MmSystem, oldPfn: number, newPfn: number): void {
  const rs = sys.reclaim as unknown as ReclaimState;
  const e = rs.lru.get(oldPfn);
  if (!e) return;
  rs.lru.delete(oldPfn);
  rs.lru.set(newPfn, e);
}

export function pageIsMovable(sys: MmSystem, pfn: number): boolean {
  return (sys.reclaim as unknown as ReclaimState).lru.get(pfn)?.reclaimable ?? false;
}

export function zoneReclaimablePages(sys: MmSystem, zone: Zone): number {
  let n = 0;
  for (const e of (sys.reclaim as unknown as ReclaimState).lru.values()) if (e.reclaimable && e.zone === zone) n += 1 << e.order;
  return n;
}

export function tryToFreePages(sys: MmSystem, ac: AllocContext, _order: number, _gfpMask: number): number {
  const rs = sys.reclaim as unknown as ReclaimState;
  rs.directCalls++;
  sys.vmstat[ALLOCSTALL_DMA + ac.highestZoneidx]! += 1;
  if (rs.stuck) return 0;
  let reclaimed = 0;
  for (const [pfn, e] of rs.lru) {
    if (reclaimed >= 32) break;
    if (!e.reclaimable || e.zone.zoneIdx > ac.highestZoneidx) continue;
    rs.lru.delete(pfn);
    freePages(sys.pa, pfn, e.order, 0);
    sys.vmstat[PGFREE]! += 1 << e.order;
    sys.hooks.freedBySimulator(pfn, e.order, FREED_BY_DIRECT_RECLAIM);
    reclaimed += 1 << e.order;
  }
  return reclaimed;
}

export function wakeupKswapd(sys: MmSystem, zone: Zone, gfpMask: number, order: number, highestZoneidx: number): void {
  (sys.reclaim as unknown as ReclaimState).wakeups.push({ zone: zone.name, gfp: gfpMask, order, highest: highestZoneidx });
}

export function kswapdRun(_sys: MmSystem, _untilNs: number): void {}
export function pgdatBalanced(_sys: MmSystem, _nid: number, _order: number, _highest: number): boolean {
  return true;
}
