/**
 * Small hand-built machines and fill helpers for the slow-path tests (test/mm/slowpath.test.ts).
 *  - dma32Machine(): one node, one DMA32 zone of 64 MiB (16384 pages at pfn 4096), 1 CPU, no THP. Boot
 *    watermarks: min_free_kbytes = int_sqrt(65536 kB * 16) = 1024 kB = 256 pages, all in DMA32: min 256,
 *    low = min + max(min / 4, managed * 10 / 10000) = 256 + max(64, 16) = 320, high = 384.
 *  - twoZoneMachine(): DMA32 (16384 pages at pfn 4096) + Normal (16384 pages at pfn 20480). min_free_kbytes =
 *    int_sqrt(131072 * 16) = 1448 kB = 362 pages, split by managed pages: min 181 each, low 181 + max(45, 16) = 226,
 *    high 271; DMA32's lowmem_reserve[Normal] = 16384 / 256 = 64.
 */
import { buildMachine } from '../../src/mm/machine.js';
import { v6_18 } from '../../src/policy/v6.18.js';
import type { Zone } from '../../src/mm/mmzone.js';
import type { MmSystem } from '../../src/mm/system.js';
import { allocPages, createAllocResult, createMmSystem } from '../../src/mm/slowpath.js';
import type { AllocResult } from '../../src/mm/slowpath.js';
import { drainAllPages } from '../../src/mm/pcp.js';
import { parseGfpFlags } from '../../src/mm/gfp.js';
import { ALLOC_PATH_FAIL } from '../../src/mm/slowpath.js';

export const gfp = (text: string): number => parseGfpFlags(text, v6_18.gfpEra);

export function dma32Machine(): MmSystem {
  const m = buildMachine({ nodes: [{ zones: [{ name: 'DMA32', start_pfn: 4096, spanned: 16384, present: 16384, managed: 16384 }] }], cpus: 1, thp: 'never' }, { policy: v6_18 });
  const sys = createMmSystem(m);
  sys.pa.steps.enabled = true;
  return sys;
}

export function twoZoneMachine(): MmSystem {
  const m = buildMachine(
    {
      nodes: [{ zones: [{ name: 'DMA32', start_pfn: 4096, spanned: 16384, present: 16384, managed: 16384 }, { name: 'Normal', start_pfn: 20480, spanned: 16384, present: 16384, managed: 16384 }] }],
      cpus: 1,
      thp: 'never',
    },
    { policy: v6_18 },
  );
  const sys = createMmSystem(m);
  sys.pa.steps.enabled = true;
  return sys;
}

export function zone(sys: MmSystem, name: string): Zone {
  return sys.machine.nodes[0]!.zones.find((z) => z.name === name)!;
}

function pcpPages(sys: MmSystem): number {
  let n = 0;
  for (const z of sys.machine.nodes[0]!.zones) if (z.pcp) for (let c = 0; c < z.pcp.nrCpus; c++) n += z.pcp.count[c]!;
  return n;
}

function totalFree(sys: MmSystem): number {
  let n = 0;
  for (const z of sys.machine.nodes[0]!.zones) n += z.nrFreePages;
  return n;
}

/**
 * Allocate order-0 pages for `taskId` with `gfpText|__GFP_MEMALLOC|__GFP_NOWARN` (reserves: no watermark stops it)
 * until the machine has exactly `target` free pages on its buddy lists and none on pcp lists. Returns the pfns
 * in allocation order.
 */
export function fillTo(sys: MmSystem, taskId: number, gfpText: string, target: number): number[] {
  const mask = gfp(gfpText ? `${gfpText}|__GFP_MEMALLOC|__GFP_NOWARN` : "__GFP_MEMALLOC|__GFP_NOWARN");
  const out = createAllocResult();
  const pfns: number[] = [];
  const steps = sys.pa.steps.enabled;
  sys.pa.steps.enabled = false;
  while (totalFree(sys) + pcpPages(sys) > target) {
    const pfn = allocPages(sys, mask, 0, 0, 0, taskId, out);
    if (pfn < 0) throw new Error(`fillTo: allocation failed (${out.path})`);
    pfns.push(pfn);
  }
  drainAllPages(sys.machine.nodes[0]!.zones, sys.pa.buddy);
  sys.pa.steps.enabled = steps;
  return pfns;
}

/** The decision steps of the last request as [kind, zone name, free, mark, reserve, result, flags, aux] rows. */
export function stepRows(sys: MmSystem, kinds?: readonly number[]): (string | number)[][] {
  const s = sys.pa.steps;
  const rows: (string | number)[][] = [];
  for (let i = 0; i < s.n; i++) {
    if (kinds && !kinds.includes(s.kind[i]!)) continue;
    const z = s.zid[i]! >= 0 ? ['DMA', 'DMA32', 'Normal', 'Movable'][s.zid[i]!]! : '-';
    rows.push([s.kind[i]!, z, s.free[i]!, s.mark[i]!, s.reserve[i]!, s.result[i]!, s.flags[i]!, s.aux[i]!]);
  }
  return rows;
}

export function alloc(sys: MmSystem, gfpText: string, order: number, taskId: number, out: AllocResult = createAllocResult()): AllocResult {
  allocPages(sys, gfp(gfpText), order, 0, 0, taskId, out);
  return out;
}

export { ALLOC_PATH_FAIL };
