/**
 * __alloc_pages_slowpath and the entry points (src/mm/slowpath.ts) on the real reclaim (vmscan.ts), compaction
 * (compaction.ts) and OOM (oom_kill.ts) modules, on the small machines of test/helpers-slowpath/setup.ts (their
 * watermarks are worked out there). Fill pages with __GFP_MOVABLE are page cache (file kind, reclaimable without
 * swap); without it they are kernel pages (unreclaimable). slowpath-control.test.ts pins exact retry counts on
 * fakes.
 */
import { describe, expect, test } from 'vitest';
import { alloc, dma32Machine, fillTo, stepRows, twoZoneMachine, zone } from '../helpers-slowpath/setup.js';
import { taskId } from '../../src/mm/oom_kill.js';
import { STEP_WAKEUP_KSWAPD } from '../../src/mm/vmscan.js';
import {
  ALLOC_PATH_COMPACT,
  ALLOC_PATH_FAIL,
  ALLOC_PATH_FAST,
  ALLOC_PATH_MIN_RETRY,
  ALLOC_PATH_NOFAIL,
  ALLOC_PATH_OOM,
  ALLOC_PATH_RECLAIM,
  NOPAGE_COSTLY,
  NOPAGE_NORETRY,
  NOPAGE_NO_PROGRESS,
  OOM_SKIP_RETRY_MAYFAIL_THISNODE,
  STEP_MAY_OOM,
  STEP_WAKE_KSWAPDS,
  freeAllocated,
} from '../../src/mm/slowpath.js';
import { STEP_WMARK } from '../../src/mm/page_alloc.js';
import { ALLOC_CPUSET, ALLOC_KSWAPD, ALLOC_WMARK_MIN } from '../../src/mm/internal.js';
import { vmstatIndex } from '../../src/mm/vmstat.js';
import { WARN_SUPPRESSED_NOWARN } from '../../src/mm/show_mem.js';
import type { MmSystem } from '../../src/mm/system.js';

const vm = (sys: MmSystem, name: string) => sys.vmstat[vmstatIndex(name)]!;

describe('allocPages on the real reclaim, compaction and OOM modules', () => {
  test('when memory is plentiful then the fast path serves, counting pgalloc and the task charge', () => {
    const sys = dma32Machine();
    const me = taskId(sys, 100, 'cc1');
    const out = alloc(sys, 'GFP_KERNEL', 2, me);
    expect(out.path).toBe(ALLOC_PATH_FAST);
    expect(vm(sys, 'pgalloc_dma32')).toBe(4);
    expect(sys.tasks.chargedPages[me]).toBe(4);
    expect(freeAllocated(sys, out.pfn, 2, 0)).toBe(true);
    expect(vm(sys, 'pgfree')).toBe(4);
    expect(sys.tasks.chargedPages[me]).toBe(0);
  });

  test('when free is between min and low then the min retry serves and kswapd is woken', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1, 'fill'), '', 300);
    const out = alloc(sys, 'GFP_KERNEL', 0, taskId(sys, 2, 'me'));
    expect(out.path).toBe(ALLOC_PATH_MIN_RETRY);
    // wakeup_kswapd(DMA32, GFP_KERNEL, order 0, highest Normal): 300 < high 384, not balanced: woken (result 1)
    expect(stepRows(sys, [STEP_WAKEUP_KSWAPD]).map((r) => [r[1], r[5]])).toEqual([['DMA32', 1]]);
    expect(stepRows(sys, [STEP_WAKE_KSWAPDS])).toEqual([[STEP_WAKE_KSWAPDS, 'DMA32', 0, 0, 0, 1, 0, 1]]);
    expect(vm(sys, 'mmreplay_kswapd_wakeups')).toBe(1);
    expect(sys.machine.nodes[0]!.kswapdRunning).toBe(true);
  });

  test('when lowmem_reserve protects DMA32 then GFP_KERNEL is refused there and GFP_DMA32 is not', () => {
    const sys = twoZoneMachine();
    fillTo(sys, taskId(sys, 1, 'fill'), '', 200);
    const out = alloc(sys, 'GFP_KERNEL|__GFP_NORETRY|__GFP_NOWARN', 0, -1);
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    // min attempt in DMA32: free 200 ≤ min 181 + lowmem_reserve[Normal] 64
    const minDma32 = stepRows(sys, [STEP_WMARK]).filter((r) => r[1] === 'DMA32' && r[3] === 181);
    expect(minDma32[0]).toEqual([STEP_WMARK, 'DMA32', 200, 181, 64, 0, ALLOC_WMARK_MIN | ALLOC_CPUSET | ALLOC_KSWAPD, 0]);
    expect(alloc(sys, 'GFP_DMA32', 0, -1).zone!.name).toBe('DMA32');
  });

  test('when page cache fills memory then direct reclaim frees it and serves the request', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1, 'cat'), '__GFP_MOVABLE', 200);
    const out = alloc(sys, 'GFP_KERNEL', 0, taskId(sys, 2, 'me'));
    expect(out.path).toBe(ALLOC_PATH_RECLAIM);
    // at least SWAP_CLUSTER_MAX per call; the request needs free > min 256, i.e. > 56 pages more than 200
    expect(out.reclaimed).toBeGreaterThanOrEqual(57);
    expect(vm(sys, 'allocstall_normal')).toBe(out.retries);
    expect(vm(sys, 'pgsteal_direct')).toBe(out.reclaimed);
    expect(zone(sys, 'DMA32').nrFreePages).toBeGreaterThan(256);
  });

  test('when anonymous memory fills a swapless machine then the OOM killer frees the hog and the request is served', () => {
    const sys = dma32Machine();
    const hog = taskId(sys, 1000, 'hog');
    fillTo(sys, hog, 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO', 200);
    const out = alloc(sys, 'GFP_KERNEL', 0, taskId(sys, 2, 'me'));
    // anon without swap is not reclaimable: should_reclaim_retry says no at once (200 ≤ min), OOM kill, pass 2
    expect(out.path).toBe(ALLOC_PATH_OOM);
    expect(out.retries).toBe(2);
    expect(out.oomKills).toBe(1);
    expect(vm(sys, 'oom_kill')).toBe(1);
    expect(out.warned.some((l) => l.includes('Killed process 1000 (hog)'))).toBe(true);
    expect(zone(sys, 'DMA32').nrFreePages).toBeGreaterThan(16000);
  });

  test('when __GFP_RETRY_MAYFAIL then no OOM kill and the failure is reported by warn_alloc', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1000, 'hog'), '', 200);
    const out = alloc(sys, 'GFP_KERNEL|__GFP_RETRY_MAYFAIL', 0, taskId(sys, 7, 'me'));
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    expect(vm(sys, 'oom_kill')).toBe(0);
    expect(stepRows(sys, [STEP_MAY_OOM]).map((r) => r[7])).toEqual([OOM_SKIP_RETRY_MAYFAIL_THISNODE]);
    expect(out.nopageReason).toBe(NOPAGE_NO_PROGRESS);
    expect(out.warned[0]).toBe('[    0.000000] me: page allocation failure: order:0, mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL), nodemask=(null),cpuset=/,mems_allowed=0');
  });

  test('when __GFP_NORETRY then one reclaim pass and no OOM kill', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1000, 'hog'), '', 200);
    const out = alloc(sys, 'GFP_KERNEL|__GFP_NORETRY', 0, -1);
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    expect(out.retries).toBe(1);
    expect(out.nopageReason).toBe(NOPAGE_NORETRY);
    expect(vm(sys, 'oom_kill')).toBe(0);
  });

  test('when a costly order cannot be formed then it fails with a warning, silenced by __GFP_NOWARN', () => {
    const sys = dma32Machine();
    const pfns = fillTo(sys, taskId(sys, 1000, 'hog'), '', 0);
    for (const pfn of pfns) if (pfn % 2 === 0) freeAllocated(sys, pfn, 0, 0);
    const me = taskId(sys, 42, 'modprobe');
    const out = alloc(sys, 'GFP_KERNEL', 4, me);
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    expect(out.nopageReason).toBe(NOPAGE_COSTLY);
    expect(out.warned[0]).toBe('[    0.000000] modprobe: page allocation failure: order:4, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0');
    expect(out.warned).toContain('[    0.000000] Node 0 DMA32: 8192*4kB (U) 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 32768kB');
    const out2 = alloc(sys, 'GFP_KERNEL|__GFP_NOWARN', 4, me);
    expect(out2.warnVerdict).toBe(WARN_SUPPRESSED_NOWARN);
    expect(out2.warned).toEqual([]);
  });

  test('when only init (pid 1, unkillable) holds memory then there is no OOM victim and the request fails', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1, 'init'), '', 200);
    const out = alloc(sys, 'GFP_KERNEL', 0, taskId(sys, 2, 'me'));
    // oom_kill.ts finds no killable task (the kernel would panic): no progress, nopage, warn_alloc
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    expect(out.warned.slice(0, 3).map((l) => l.slice(15))).toEqual([
      'me invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0',
      'Out of memory and no killable processes...',
      'Kernel panic - not syncing: System is deadlocked on memory',
    ]);
    expect(out.warned[3]).toBe('[    0.000000] me: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0');
  });

  test('when a lowmem __GFP_NOFAIL request cannot OOM then the ALLOC_MIN_RESERVE fallback serves it', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1000, 'hog'), '', 200);
    const out = alloc(sys, 'GFP_KERNEL|__GFP_DMA32|__GFP_NOFAIL', 0, -1);
    expect(out.path).toBe(ALLOC_PATH_NOFAIL);
    expect(vm(sys, 'oom_kill')).toBe(0);
  });

  test('when free pages sit between movable pages then direct compaction serves an order-2 request', () => {
    const sys = dma32Machine();
    // anonymous memory (GFP_HIGHUSER_MOVABLE|__GFP_ZERO: anon, movable, not reclaimable without swap)
    const pfns = fillTo(sys, taskId(sys, 1, 'app'), 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO', 0);
    for (const pfn of pfns) if (pfn % 2 === 0) freeAllocated(sys, pfn, 0, 0);
    const out = alloc(sys, 'GFP_HIGHUSER_MOVABLE', 2, -1);
    expect(out.path).toBe(ALLOC_PATH_COMPACT);
    expect(vm(sys, 'compact_stall')).toBe(1);
    expect(vm(sys, 'compact_success')).toBe(1);
  });
});
