/**
 * Test builders for the reclaim and OOM tests: an MmSystem on a small JSON machine (slowpath.ts
 * createMmSystem), block allocation that bypasses the slow path (so that reclaim only runs when a test calls
 * it), and a hook recorder.
 */
import { buildMachine } from '../../src/mm/machine.js';
import type { Machine } from '../../src/mm/machine.js';
import { v6_18 } from '../../src/policy/v6.18.js';
import { createMmSystem } from '../../src/mm/slowpath.js';
import type { MmSystem } from '../../src/mm/system.js';
import type { ReclaimOptions } from '../../src/mm/vmscan.js';
import { lruAdd } from '../../src/mm/vmscan.js';
import { allocPagesFast, createAllocOut, getPageFromFreelist, prepareAllocPages } from '../../src/mm/page_alloc.js';
import { ALLOC_NO_WATERMARKS } from '../../src/mm/internal.js';
import type { AllocContext } from '../../src/mm/internal.js';
import { gfpMigratetype, parseGfpFlags } from '../../src/mm/gfp.js';

export const ERA = '6.15';

/** A gfp mask from its trace spelling in the 6.18 layout. */
export function gfp(text: string): number {
  return parseGfpFlags(text, ERA);
}

export const FILE = gfp('GFP_HIGHUSER_MOVABLE');
export const ANON = gfp('GFP_HIGHUSER_MOVABLE|__GFP_ZERO');
export const KERNEL = gfp('GFP_KERNEL');
export const SLAB = gfp('GFP_KERNEL|__GFP_RECLAIMABLE');
/** page cache restricted to DMA32: __GFP_DMA32|__GFP_MOVABLE selects ZONE_DMA32 */
export const FILE_DMA32 = gfp('GFP_USER|__GFP_DMA32|__GFP_MOVABLE');

export interface Freed {
  pfn: number;
  order: number;
  why: number;
}

/**
 * One node: DMA (pfns 1–4095, 3840 managed), DMA32 (4096–131071, all managed), Normal (131072–393215, all
 * managed): 1 GiB + 16 MiB. `zones` picks a subset.
 */
export function machine(opts: { swap?: boolean; zones?: ('DMA' | 'DMA32' | 'Normal')[]; cpus?: number } = {}): Machine {
  const all = {
    DMA: { name: 'DMA', start_pfn: 1, spanned: 4095, present: 3998, managed: 3840 },
    DMA32: { name: 'DMA32', start_pfn: 4096, spanned: 126976, present: 126976, managed: 126976 },
    Normal: { name: 'Normal', start_pfn: 131072, spanned: 262144, present: 262144, managed: 262144 },
  };
  const zones = (opts.zones ?? ['DMA', 'DMA32', 'Normal']).map((z) => all[z]);
  return buildMachine({ name: 'reclaim-test', nodes: [{ zones }], cpus: opts.cpus ?? 1, thp: 'never', swap: opts.swap ?? false }, { policy: v6_18 });
}

export function makeSys(m: Machine, reclaim: Partial<ReclaimOptions> = {}): { sys: MmSystem; freed: Freed[] } {
  const freed: Freed[] = [];
  const sys = createMmSystem(m, {
    reclaim,
    hooks: {
      moved() {},
      freedBySimulator(pfn, order, why) {
        freed.push({ pfn, order, why });
      },
    },
  });
  return { sys, freed };
}

const out = createAllocOut();

/**
 * Allocate one block without the slow path (fast path, else ignoring the watermarks) and put it on the reclaim
 * model as allocPages would. Returns the pfn or -1 when the zones are empty.
 */
export function alloc(sys: MmSystem, mask: number, order = 0, taskId = -1): number {
  let pfn = allocPagesFast(sys.pa, mask, order, 0, 0, out);
  if (pfn < 0 && !out.reject) pfn = getPageFromFreelist(sys.pa, mask, order, ALLOC_NO_WATERMARKS, out.ac, out);
  if (pfn < 0) return -1;
  lruAdd(sys, pfn, order, mask, gfpMigratetype(mask, ERA), taskId);
  return pfn;
}

/** n blocks; returns their pfns in allocation order */
export function allocN(sys: MmSystem, mask: number, n: number, order = 0, taskId = -1): number[] {
  const pfns: number[] = [];
  for (let i = 0; i < n; i++) {
    const pfn = alloc(sys, mask, order, taskId);
    if (pfn < 0) break;
    pfns.push(pfn);
  }
  return pfns;
}

/** The alloc_context of a request (prepare_alloc_pages) for tryToFreePages. */
export function acFor(sys: MmSystem, mask: number): AllocContext {
  const o = createAllocOut();
  prepareAllocPages(sys.pa, mask, 0, -1, o.ac, 0);
  return o.ac;
}
