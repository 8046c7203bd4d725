/**
 * A small simulated system for the compaction tests: one node with one populated ZONE_NORMAL of a few pageblocks
 * (the real buddy.ts lists, laid out by test/helpers/buddy-zone.ts carve()), and an MmSystem holding only what
 * compaction.ts reads: machine, policy, pa (steps + buddy ops), vmstat, hooks, compaction.
 */
import { makeTestZone, carve, type TestZone } from '../helpers/buddy-zone.js';
import { createCompactionState } from '../../src/mm/compaction.js';
import { createReclaimState } from '../../src/mm/vmscan.js';
import type { MmSystem } from '../../src/mm/system.js';
import type { Machine } from '../../src/mm/machine.js';
import { defaultSysctl } from '../../src/mm/machine.js';
import { AllocSteps, buddyOps, createAllocOut } from '../../src/mm/page_alloc.js';
import { initFreeArea } from '../../src/mm/buddy.js';
import { asPfn } from '../../src/mm/memmap-types.js';
import { zoneNames, type PglistData, type Zone } from '../../src/mm/mmzone.js';
import { newVmstat } from '../../src/mm/vmstat.js';
import { v6_18 } from '../../src/policy/v6.18.js';
import type { AllocContext } from '../../src/mm/internal.js';

export interface CompactionWorld {
  sys: MmSystem;
  tz: TestZone;
  zone: Zone;
  /** hooks.moved calls as [oldPfn, newPfn, order] */
  moved: [number, number, number][];
  ac: AllocContext;
}

function emptyZone(zoneIdx: number): Zone {
  return {
    nodeId: 0,
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
    freeArea: initFreeArea(),
    nrFreeHighatomic: 0,
    nrFreeCmaPages: 0,
    flags: 0,
  };
}

/**
 * ZONE_NORMAL at pfns start .. start + nrPageblocks * 512 − 1, watermarks min/low/high as given, every pfn
 * allocated order-0 except the `free` blocks [pfn, order, mt]; `movable` pfns carry PG_movable_alike.
 */
export function makeWorld(opts: {
  start?: number;
  nrPageblocks?: number;
  wmark?: [number, number, number];
  pageblockMts?: number[];
  free: [number, number, number][];
  movable?: number[];
}): CompactionWorld {
  const start = opts.start ?? 4096;
  const nr = opts.nrPageblocks ?? 4;
  const tz = makeTestZone({ zoneStartPfn: start, spanned: nr * 512 });
  const zone = tz.zone;
  const [min, low, high] = opts.wmark ?? [16, 20, 24];
  zone.watermark = [min, low, high, high];
  carve(tz, { pageblockMts: opts.pageblockMts, free: opts.free, movable: opts.movable });
  const zones = [emptyZone(0), emptyZone(1), zone, emptyZone(3)];
  const node: PglistData = {
    nodeId: 0,
    nodeStartPfn: asPfn(start),
    nodeSpannedPages: nr * 512,
    zones,
    zonelistFallback: [zone],
    zonelistNofallback: [zone],
    memmap: tz.mm,
  };
  const machine = {
    swap: false,
    source: { kind: 'preset', name: 'compaction-test' },
    nodes: [node],
    sysctl: defaultSysctl(4),
    nrCpus: 1,
    policy: v6_18,
  } as unknown as Machine;
  const moved: [number, number, number][] = [];
  const pa = { steps: new AllocSteps(), buddy: buddyOps, policy: v6_18, machine };
  const sys = {
    machine,
    policy: v6_18,
    pa,
    vmstat: newVmstat(),
    nowNs: 0,
    compaction: createCompactionState(machine),
    reclaim: createReclaimState(machine),
    hooks: {
      moved(o: number, n: number, order: number) {
        moved.push([o, n, order]);
      },
      freedBySimulator() {},
    },
  } as unknown as MmSystem;
  const ac = createAllocOut().ac;
  ac.zonelist = [zone];
  ac.nodemask = -1;
  ac.preferredZoneref = 0;
  ac.highestZoneidx = 2;
  return { sys, tz, zone, moved, ac };
}

/** `count` order-0 free blocks at every other pfn from `from` (no two are buddies) on `mt`'s list */
export function scatteredFree(from: number, count: number, mt: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let k = 0; k < count; k++) out.push([from + 2 * k, 0, mt]);
  return out;
}
