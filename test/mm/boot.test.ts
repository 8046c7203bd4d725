/**
 * Machine start-up shortcuts (src/mm/buddy.ts freeBootMemory, src/mm/memmap.ts newInt32Minus1): each must leave
 * exactly the state the step-by-step kernel sequence leaves (memblock_free_all() → __free_pages_core() →
 * split_large_buddy() → __free_one_page(), mm/page_alloc.c v6.18).
 */
import { describe, expect, it, vi } from 'vitest';
import { freeBootMemory, initFreeArea } from '../../src/mm/buddy.js';
import { checkBuddy } from '../../src/mm/debug_vm.js';
import { newInt32Minus1 } from '../../src/mm/memmap.js';
import { MIGRATE_MOVABLE } from '../../src/mm/mmzone.js';
import { v4_0 } from '../../src/policy/v4.0.js';
import { freeList, makeTestZone, type TestZone, type ZoneShape } from '../helpers/buddy-zone.js';

/** everything freeBootMemory writes: the memmap arrays, the free area and the zone's free counters */
function snapshot(z: TestZone): unknown {
  const fa = z.zone.freeArea;
  return {
    state: Array.from(z.mm.state), order: Array.from(z.mm.order), flags: Array.from(z.mm.flags),
    next: Array.from(z.mm.next), prev: Array.from(z.mm.prev), owner: Array.from(z.mm.owner),
    pageblockFlags: Array.from(z.mm.pageblockFlags),
    head: Array.from(fa.head), tail: Array.from(fa.tail), nrFree: Array.from(fa.nrFree), nrFreeMt: Array.from(fa.nrFreeMt),
    nrFreePagesBlocks: fa.nrFreePagesBlocks, nrFreePages: z.zone.nrFreePages,
    nrFreeHighatomic: z.zone.nrFreeHighatomic, nrFreeCmaPages: z.zone.nrFreeCmaPages,
  };
}

function bootBothWays(shape: ZoneShape): { direct: TestZone; stepwise: TestZone } {
  const direct = makeTestZone(shape);
  freeBootMemory(direct.zone, direct.mm);
  checkBuddy(direct.zone, direct.mm);
  const stepwise = makeTestZone(shape);
  freeBootMemory(stepwise.zone, stepwise.mm, true);
  return { direct, stepwise };
}

describe('newInt32Minus1', () => {
  it('when n entries are asked for then all n are -1', () => {
    expect(Array.from(newInt32Minus1(5))).toEqual([-1, -1, -1, -1, -1]);
    expect(newInt32Minus1(0).length).toBe(0);
  });
});

describe('freeBootMemory: one free block per chunk (FPI_TO_TAIL) = the per-pageblock __free_one_page() sequence', () => {
  const shapes: [string, ZoneShape][] = [
    // two aligned order-10 chunks: each is two pageblocks that re-merge
    ['2048 aligned pages', { zoneStartPfn: 0, spanned: 2048 }],
    // ZONE_DMA of the captures: 97 holes, 158 reserved, managed 256..4095 → chunks of order 8, 9, 10, 10, 10
    ['ZONE_DMA (holes and reserved pages below)', { nodeStartPfn: 0, zoneStartPfn: 1, spanned: 4095, present: 3998, managed: 3840, name: 'DMA' }],
    // managed from 1048576 + 166 (order-1 alignment) to an end that is no chunk boundary: the chunks grow, then
    // shrink to fit (1048576 + 5000 = …, 3 below a multiple of 8)
    ['unaligned start and end', { zoneStartPfn: 1048576, spanned: 5000, managed: 5000 - 166 }],
  ];
  for (const [name, shape] of shapes) {
    it(`when the zone is ${name} then both leave the same memmap and free lists`, () => {
      const { direct, stepwise } = bootBothWays(shape);
      expect(snapshot(direct)).toEqual(snapshot(stepwise));
    });
  }

  it('when the zone is ZONE_DMA then the max-order list reads ascending pfns (tail insertion)', () => {
    const { direct } = bootBothWays({ nodeStartPfn: 0, zoneStartPfn: 1, spanned: 4095, present: 3998, managed: 3840, name: 'DMA' });
    expect(freeList(direct, 10, MIGRATE_MOVABLE)).toEqual([1024, 2048, 3072]);
    expect(freeList(direct, 9, MIGRATE_MOVABLE)).toEqual([512]);
    expect(freeList(direct, 8, MIGRATE_MOVABLE)).toEqual([256]);
  });

  it('when the policy has no FPI_TO_TAIL (v4.0) then the per-pageblock sequence runs: max-order blocks at the head', () => {
    // __free_one_page() without FPI_TO_TAIL: buddy_merge_likely() is false at order >= MAX_ORDER - 2, so each
    // merged order-10 chunk goes to the head and the list reads descending pfns
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 3072 });
    z.zone.freeArea = initFreeArea(v4_0);
    freeBootMemory(z.zone, z.mm);
    checkBuddy(z.zone, z.mm);
    expect(freeList(z, 10, MIGRATE_MOVABLE)).toEqual([2048, 1024, 0]);
  });
});

describe('machine schemas without zod at start-up (machine.ts defineMachineSchemas, machine-schema.ts)', () => {
  it('when sysctl names are listed then they are the keys of the sysctl schema, in its order', async () => {
    const { sysctlNames } = await import('../../src/mm/machine.js');
    const { sysctlSchema } = await import('../../src/mm/machine-schema.js');
    expect(sysctlNames).toEqual(Object.keys(sysctlSchema.shape));
  });

  it('when machine JSON is validated without machine-schema.ts then zod\'s CommonJS build gives the same issues', async () => {
    const bad = { nodes: [{ zones: [{ name: 'DMA', start_pfn: 1, spanned: 10, present: 20, managed: 5, x: 1 }] }], cpus: 0 };
    const message = (m: typeof import('../../src/mm/machine.js')): string => {
      try {
        m.validateMachineJson(bad, 'm.json');
      } catch (e) {
        return (e as Error).message;
      }
      return 'no error';
    };
    vi.resetModules();
    const fresh = await import('../../src/mm/machine.js');
    const viaRequire = message(fresh);
    expect(fresh.parseSysctlAssignments([])).toEqual({});
    vi.resetModules();
    const m = await import('../../src/mm/machine.js');
    await import('../../src/mm/machine-schema.js');
    expect(viaRequire).toBe(message(m));
    expect(viaRequire).toBe([
      'm.json: nodes[0].zones[0].x: unknown key',
      'm.json: cpus: cpus must be between 1 and 8192',
    ].join('\n'));
  });
});
