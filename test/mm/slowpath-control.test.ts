/**
 * The slow path's control flow (src/mm/slowpath.ts) on fake reclaim and OOM modules (test/helpers-slowpath/
 * fake-*.ts): a reclaim that frees exactly the 32 oldest reclaimable pages, or nothing (`stuck`), and an OOM killer
 * that kills the biggest task, so that every retry count and counter below can be worked out by hand. Compaction
 * is the real compaction.ts. test/mm/slowpath.test.ts runs the same paths on the real vmscan.ts / oom_kill.ts.
 */
import { describe, expect, test, vi } from 'vitest';

vi.mock('../../src/mm/vmscan.js', () => import('../helpers-slowpath/fake-vmscan.js'));
vi.mock('../../src/mm/oom_kill.js', () => import('../helpers-slowpath/fake-oom.js'));

import { alloc, dma32Machine, fillTo, gfp, stepRows, twoZoneMachine, zone } from '../helpers-slowpath/setup.js';
import type { ReclaimState } from '../helpers-slowpath/fake-vmscan.js';
import type { TaskTable } from '../helpers-slowpath/fake-oom.js';
import { taskId } from '../../src/mm/oom_kill.js';
import {
  ALLOC_PATH_COMPACT,
  ALLOC_PATH_FAIL,
  ALLOC_PATH_FAST,
  ALLOC_PATH_MIN_RETRY,
  ALLOC_PATH_NOFAIL,
  ALLOC_PATH_OOM,
  ALLOC_PATH_RECLAIM,
  ALLOC_PATH_REJECT,
  NOPAGE_COSTLY,
  NOPAGE_LIVELOCK,
  NOPAGE_NORETRY,
  NOPAGE_NO_PROGRESS,
  OOM_PROGRESS,
  OOM_SKIP_LOWMEM,
  OOM_SKIP_RETRY_MAYFAIL_THISNODE,
  SLOWPATH_MAX_RETRIES,
  STEP_ATTEMPT,
  STEP_DIRECT_COMPACT,
  STEP_MAY_OOM,
  STEP_NOPAGE,
  STEP_RECLAIM_RETRY,
  STEP_WAKE_KSWAPDS,
  allocPathNames,
  createAllocResult,
  freeAllocated,
  gfpToAllocFlags,
} from '../../src/mm/slowpath.js';
import { STEP_WMARK } from '../../src/mm/page_alloc.js';
import { DEF_COMPACT_PRIORITY, INIT_COMPACT_PRIORITY, compactResultNames, zoneCompaction } from '../../src/mm/compaction.js';
import { ALLOC_CMA, ALLOC_CPUSET, ALLOC_HIGHATOMIC, ALLOC_KSWAPD, ALLOC_MIN_RESERVE, ALLOC_NON_BLOCK, ALLOC_WMARK_MIN } from '../../src/mm/internal.js';
import { vmstatIndex } from '../../src/mm/vmstat.js';
import { MIGRATE_MOVABLE, MIGRATE_UNMOVABLE } from '../../src/mm/mmzone.js';
import { WARN_SUPPRESSED_NOWARN } from '../../src/mm/show_mem.js';
import type { MmSystem } from '../../src/mm/system.js';

const vm = (sys: MmSystem, name: string) => sys.vmstat[vmstatIndex(name)]!;
const rs = (sys: MmSystem) => sys.reclaim as unknown as ReclaimState;
const tt = (sys: MmSystem) => sys.tasks as unknown as TaskTable;

describe('gfp_to_alloc_flags', () => {
  test('GFP_KERNEL gets the min watermark, ALLOC_CPUSET and ALLOC_KSWAPD', () => {
    const sys = dma32Machine();
    expect(gfpToAllocFlags(sys, gfp('GFP_KERNEL'), 0, MIGRATE_UNMOVABLE)).toBe(ALLOC_WMARK_MIN | ALLOC_CPUSET | ALLOC_KSWAPD);
  });
  test('GFP_ATOMIC gets MIN_RESERVE + NON_BLOCK, loses ALLOC_CPUSET, and HIGHATOMIC only for order > 0', () => {
    const sys = dma32Machine();
    const f = ALLOC_WMARK_MIN | ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_KSWAPD;
    expect(gfpToAllocFlags(sys, gfp('GFP_ATOMIC'), 0, MIGRATE_UNMOVABLE)).toBe(f);
    expect(gfpToAllocFlags(sys, gfp('GFP_ATOMIC'), 1, MIGRATE_UNMOVABLE)).toBe(f | ALLOC_HIGHATOMIC);
  });
  test('when a non-blocking request lacks __GFP_HIGH then v6.18 gives it no ALLOC_HIGHATOMIC', () => {
    const sys = dma32Machine();
    // GFP_NOWAIT = __GFP_KSWAPD_RECLAIM | __GFP_NOWARN: NON_BLOCK, keeps CPUSET (no MIN_RESERVE)
    expect(gfpToAllocFlags(sys, gfp('GFP_NOWAIT'), 2, MIGRATE_UNMOVABLE)).toBe(ALLOC_WMARK_MIN | ALLOC_CPUSET | ALLOC_NON_BLOCK | ALLOC_KSWAPD);
  });
  test('movable requests get ALLOC_CMA; __GFP_NOMEMALLOC withholds NON_BLOCK', () => {
    const sys = dma32Machine();
    expect(gfpToAllocFlags(sys, gfp('GFP_HIGHUSER_MOVABLE'), 0, MIGRATE_MOVABLE)).toBe(ALLOC_WMARK_MIN | ALLOC_CPUSET | ALLOC_KSWAPD | ALLOC_CMA);
    expect(gfpToAllocFlags(sys, gfp('__GFP_KSWAPD_RECLAIM|__GFP_NOMEMALLOC'), 0, MIGRATE_UNMOVABLE)).toBe(ALLOC_WMARK_MIN | ALLOC_CPUSET | ALLOC_KSWAPD);
  });
});

describe('allocPages (__alloc_frozen_pages_noprof)', () => {
  test('when memory is plentiful then the fast path serves and pgalloc_dma32 counts the pages', () => {
    const sys = dma32Machine();
    const me = taskId(sys, 100, 'cc1');
    const out = alloc(sys, 'GFP_KERNEL', 2, me);
    expect(out.pfn).toBeGreaterThan(0);
    expect(allocPathNames[out.path]).toBe('fast');
    expect(out.zone!.name).toBe('DMA32');
    expect(vm(sys, 'pgalloc_dma32')).toBe(4);
    expect(out.kswapdWakeups).toBe(0);
    expect(rs(sys).wakeups).toEqual([]);
    expect(tt(sys).pages[me]).toBe(4);
  });

  test('when order > MAX_PAGE_ORDER then the request is rejected without a slow path', () => {
    const sys = dma32Machine();
    const out = alloc(sys, 'GFP_KERNEL', 11, -1);
    expect(out.path).toBe(ALLOC_PATH_REJECT);
    expect(out.pfn).toBe(-1);
    expect(out.warned).toEqual([]);
    expect(sys.pa.steps.n).toBe(0);
  });

  test('when free is between min and low then the min-watermark retry serves and kswapd is woken', () => {
    const sys = dma32Machine();
    const z = zone(sys, 'DMA32');
    fillTo(sys, taskId(sys, 1, 'fill'), '', 300);
    expect(z.nrFreePages).toBe(300);
    const out = alloc(sys, 'GFP_KERNEL', 0, taskId(sys, 2, 'me'));
    // fast path: 300 ≤ low 320 fails; slow path: 300 > min 256 passes
    expect(out.path).toBe(ALLOC_PATH_MIN_RETRY);
    // wake_all_kswapds: one node, reclaim order 0, highest zone Normal (GFP_KERNEL)
    expect(rs(sys).wakeups).toEqual([{ zone: 'DMA32', gfp: gfp('GFP_KERNEL'), order: 0, highest: 2 }]);
    expect(out.kswapdWakeups).toBe(1);
    expect(stepRows(sys, [STEP_WAKE_KSWAPDS])).toEqual([[STEP_WAKE_KSWAPDS, 'DMA32', 0, 0, 0, 0, 0, 1]]);
    // the fast attempt at low, then the min attempt whose rmqueue refills the pcp list
    const wm = stepRows(sys, [STEP_WMARK]);
    expect(wm.map((r) => [r[3], r[5]])).toEqual([
      [320, 0],
      [256, 1],
    ]);
    expect(stepRows(sys, [STEP_ATTEMPT])[0]![5]).toBe(out.pfn);
  });

  test('when GFP_ATOMIC finds free below min then it dips into 5/8 of the reserve (min 256 → 96)', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1, 'fill'), '', 200);
    const out = alloc(sys, 'GFP_ATOMIC', 0, -1);
    // min 256: __GFP_HIGH halves it to 128, NON_BLOCK takes a quarter more: 96 < 200
    expect(out.path).toBe(ALLOC_PATH_MIN_RETRY);
    const attempt = stepRows(sys, [STEP_ATTEMPT])[0]!;
    expect(attempt[6]).toBe(ALLOC_WMARK_MIN | ALLOC_MIN_RESERVE | ALLOC_NON_BLOCK | ALLOC_KSWAPD);
    // the same page for GFP_NOWAIT fails: no reserve cut, and it cannot reclaim (GFP_NOWAIT has __GFP_NOWARN)
    const out2 = alloc(sys, 'GFP_NOWAIT', 0, -1);
    expect(out2.path).toBe(ALLOC_PATH_FAIL);
    expect(out2.warned).toEqual([]);
  });

  test('when lowmem_reserve protects DMA32 then a Normal-capable request is refused there but a DMA32 one is not', () => {
    const sys = twoZoneMachine();
    fillTo(sys, taskId(sys, 1, 'fill'), '', 200);
    expect(zone(sys, 'Normal').nrFreePages).toBe(0);
    expect(zone(sys, 'DMA32').nrFreePages).toBe(200);
    // GFP_KERNEL: DMA32 needs free > min 181 + lowmem_reserve[Normal] 64 = 245 at the min attempt
    const out = alloc(sys, 'GFP_KERNEL|__GFP_NORETRY|__GFP_NOWARN', 0, -1);
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    const minAttemptDma32 = stepRows(sys, [STEP_WMARK]).filter((r) => r[1] === 'DMA32' && r[3] === 181);
    expect(minAttemptDma32[0]).toEqual([STEP_WMARK, 'DMA32', 200, 181, 64, 0, ALLOC_WMARK_MIN | ALLOC_CPUSET | ALLOC_KSWAPD, 0]);
    // GFP_DMA32: reserve index DMA32, lowmem_reserve[DMA32] = 0: 200 > 181
    const out2 = alloc(sys, 'GFP_DMA32', 0, -1);
    expect(out2.path).toBe(ALLOC_PATH_MIN_RETRY);
    expect(out2.zone!.name).toBe('DMA32');
  });

  test('when free is below min then direct reclaim frees pages and the request is served after the drain', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1, 'cache'), '__GFP_MOVABLE', 200);
    const out = alloc(sys, 'GFP_KERNEL', 0, -1);
    // pass 1: reclaim 32 → 232 after the drain (freed order-0 pages wait on the pcp list): < 256;
    // should_reclaim_retry: progress → no_progress_loops 0, 232 + reclaimable ≥ 256 → retry;
    // pass 2: 32 more → 264 after the drain > 256
    expect(out.path).toBe(ALLOC_PATH_RECLAIM);
    expect(out.retries).toBe(2);
    expect(out.reclaimed).toBe(64);
    expect(vm(sys, 'allocstall_normal')).toBe(2);
    expect(stepRows(sys, [STEP_RECLAIM_RETRY]).map((r) => [r[5], r[7]])).toEqual([[1, 0]]);
  });

  test('when reclaim makes no progress but pages look reclaimable then 16 retries precede the OOM killer', () => {
    const sys = dma32Machine();
    const hog = taskId(sys, 1, 'hog');
    fillTo(sys, hog, '__GFP_MOVABLE', 200);
    rs(sys).stuck = true;
    const out = alloc(sys, 'GFP_KERNEL', 0, taskId(sys, 2, 'me'));
    // should_reclaim_retry says yes with no_progress_loops 1..16, no at 17 (> MAX_RECLAIM_RETRIES): 17 passes,
    // then __alloc_pages_may_oom kills the hog (all 16184 of its pages), and pass 18 is served
    expect(stepRows(sys, [STEP_RECLAIM_RETRY]).map((r) => r[5]).join('')).toBe('1'.repeat(16) + '0');
    expect(out.noProgressLoops).toBe(0);
    expect(out.retries).toBe(18);
    expect(out.path).toBe(ALLOC_PATH_OOM);
    expect(tt(sys).kills).toEqual(['hog']);
    expect(tt(sys).pages[hog]).toBe(0);
    expect(vm(sys, 'oom_kill')).toBe(1);
    expect(stepRows(sys, [STEP_MAY_OOM]).map((r) => r[7])).toEqual([OOM_PROGRESS]);
  });

  test('when nothing is reclaimable then should_reclaim_retry gives up at once and the OOM kill frees the hog', () => {
    const sys = dma32Machine();
    const hog = taskId(sys, 1, 'hog');
    fillTo(sys, hog, '', 200);
    const out = alloc(sys, 'GFP_KERNEL', 0, taskId(sys, 2, 'me'));
    // 200 + 0 reclaimable ≤ min 256: no retry; OOM kill; pass 2 served
    expect(out.retries).toBe(2);
    expect(out.path).toBe(ALLOC_PATH_OOM);
    expect(out.oomKills).toBe(1);
    expect(zone(sys, 'DMA32').nrFreePages).toBeGreaterThan(16000);
  });

  test('when __GFP_RETRY_MAYFAIL then the OOM killer is skipped and the request fails with a warning', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1, 'hog'), '', 200);
    const out = alloc(sys, 'GFP_KERNEL|__GFP_RETRY_MAYFAIL', 0, taskId(sys, 7, 'me'));
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    expect(tt(sys).kills).toEqual([]);
    expect(stepRows(sys, [STEP_MAY_OOM]).map((r) => r[7])).toEqual([OOM_SKIP_RETRY_MAYFAIL_THISNODE]);
    expect(stepRows(sys, [STEP_NOPAGE]).map((r) => r[7])).toEqual([NOPAGE_NO_PROGRESS]);
    expect(out.warned[0]).toBe('[    0.000000] me: page allocation failure: order:0, mode:0x4cc0(GFP_KERNEL|__GFP_RETRY_MAYFAIL), nodemask=(null),cpuset=/,mems_allowed=0');
    expect(vm(sys, 'mmreplay_alloc_failures')).toBe(1);
  });

  test('when __GFP_NORETRY then one reclaim pass and no OOM', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1, 'hog'), '', 200);
    const out = alloc(sys, 'GFP_KERNEL|__GFP_NORETRY', 0, -1);
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    expect(out.retries).toBe(1);
    expect(rs(sys).directCalls).toBe(1);
    expect(stepRows(sys, [STEP_NOPAGE]).map((r) => r[7])).toEqual([NOPAGE_NORETRY]);
    expect(stepRows(sys, [STEP_MAY_OOM])).toEqual([]);
  });

  test('when a costly order fails then warn_alloc reports it, and __GFP_NOWARN silences the report', () => {
    const sys = dma32Machine();
    const me = taskId(sys, 42, 'modprobe');
    // every other page allocated (unmovable): 8192 free pages, none in a block above order 0
    const pfns = fillTo(sys, taskId(sys, 1, 'hog'), '', 0);
    for (const pfn of pfns) if (pfn % 2 === 0) freeAllocated(sys, pfn, 0, 0);
    const out = alloc(sys, 'GFP_KERNEL', 4, me);
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    expect(stepRows(sys, [STEP_NOPAGE]).map((r) => r[7])).toEqual([NOPAGE_COSTLY]);
    expect(out.warned[0]).toBe('[    0.000000] modprobe: page allocation failure: order:4, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0');
    expect(out.warned[1]).toMatch(/^\[    0\.000000\] CPU: 0 UID: 0 PID: 42 Comm: modprobe /);
    expect(vm(sys, 'mmreplay_warn_alloc_printed')).toBe(1);
    // compaction ran (initial async + one sync-light pass) and could not move unmovable pages
    expect(vm(sys, 'compact_stall')).toBe(vm(sys, 'compact_fail'));
    const out2 = alloc(sys, 'GFP_KERNEL|__GFP_NOWARN', 4, me);
    expect(out2.path).toBe(ALLOC_PATH_FAIL);
    expect(out2.warned).toEqual([]);
    expect(out2.warnVerdict).toBe(WARN_SUPPRESSED_NOWARN);
    expect(vm(sys, 'mmreplay_warn_alloc_suppressed')).toBe(1);
  });

  test('when __GFP_NOFAIL cannot OOM (lowmem request) then the ALLOC_MIN_RESERVE fallback serves it', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1, 'hog'), '', 200);
    const out = alloc(sys, 'GFP_KERNEL|__GFP_DMA32|__GFP_NOFAIL', 0, -1);
    // highest zone DMA32 < Normal: no OOM kill; nopage → cpuset fallback at min/2 = 128 < 200
    expect(out.path).toBe(ALLOC_PATH_NOFAIL);
    expect(stepRows(sys, [STEP_MAY_OOM]).map((r) => r[7])).toEqual([OOM_SKIP_LOWMEM]);
    expect(tt(sys).kills).toEqual([]);
  });

  test('when a __GFP_NOFAIL request is hopeless then the livelock bound ends it without a warning', () => {
    const sys = dma32Machine();
    fillTo(sys, taskId(sys, 1, 'hog'), '', 0);
    const out = alloc(sys, 'GFP_KERNEL|__GFP_DMA32|__GFP_NOFAIL', 0, -1);
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    expect(out.gaveUp).toBe(true);
    expect(out.retries).toBe(SLOWPATH_MAX_RETRIES + 1);
    expect(out.warned).toEqual([]);
    expect(out.nopageReason).toBe(NOPAGE_LIVELOCK);
    // 257 passes overflow the 1024-step recorder: the rest is counted, not stored
    expect(sys.pa.steps.dropped).toBeGreaterThan(0);
  });

  test('when sync compaction fails then the zone is deferred and the next request finds it deferred', () => {
    const sys = dma32Machine();
    const pfns = fillTo(sys, taskId(sys, 1, 'hog'), '', 0);
    for (const pfn of pfns) if (pfn % 2 === 0) freeAllocated(sys, pfn, 0, 0);
    const zc = zoneCompaction(sys, zone(sys, 'DMA32'));
    // non-movable order 2: initial compaction at INIT (async: never defers), then reclaim (nothing) and
    // compaction at DEF (sync light). The first runs start from the cached scanner positions, not a whole-zone
    // pass (compact_init_migrate_pfn is still 0), so the scanners meeting gives PARTIAL_SKIPPED; at sync light
    // that defers: shift 1, considered 0; compact_order_failed stays 0 (it only lowers: 2 < 0 is false)
    const out = alloc(sys, 'GFP_KERNEL|__GFP_NORETRY|__GFP_NOWARN', 2, -1);
    expect(out.path).toBe(ALLOC_PATH_FAIL);
    expect(stepRows(sys, [STEP_DIRECT_COMPACT]).map((r) => [r[7], compactResultNames[r[5] as number]])).toEqual([
      [INIT_COMPACT_PRIORITY, 'partial_skipped'],
      [DEF_COMPACT_PRIORITY, 'partial_skipped'],
    ]);
    expect([zc.compactDeferShift, zc.compactConsidered, zc.compactOrderFailed]).toEqual([1, 0, 0]);
    // next request: compaction_deferred() counts considered 1 < 1 << 1 at the initial (async) attempt → DEFERRED
    // (5.15+: still a compact_stall); the sync-light one sees considered 2 ≥ 2, runs,
    // fails again (the skip hints still stand: compaction.ts), shift 2
    const stall0 = vm(sys, 'compact_stall');
    alloc(sys, 'GFP_KERNEL|__GFP_NORETRY|__GFP_NOWARN', 2, -1, out);
    expect(stepRows(sys, [STEP_DIRECT_COMPACT]).map((r) => [r[7], compactResultNames[r[5] as number]])).toEqual([
      [INIT_COMPACT_PRIORITY, 'deferred'],
      [DEF_COMPACT_PRIORITY, 'partial_skipped'],
    ]);
    expect(vm(sys, 'compact_stall') - stall0).toBe(2);
    expect(zc.compactDeferShift).toBe(2);
  });

  test('when free pages are scattered between movable pages then direct compaction serves an order-2 request', () => {
    const sys = dma32Machine();
    const pfns = fillTo(sys, taskId(sys, 1, 'app'), '__GFP_MOVABLE', 0);
    for (const pfn of pfns) if (pfn % 2 === 0) freeAllocated(sys, pfn, 0, 0);
    rs(sys).isReclaimable = () => false;
    for (const e of rs(sys).lru.values()) e.reclaimable = false;
    const out = alloc(sys, 'GFP_HIGHUSER_MOVABLE', 2, -1);
    // movable order 2: no initial compaction; retry pass 1: reclaim 0, compaction at DEF (sync light) succeeds
    expect(out.path).toBe(ALLOC_PATH_COMPACT);
    expect(out.retries).toBe(1);
    expect(vm(sys, 'compact_stall')).toBe(1);
    expect(vm(sys, 'compact_success')).toBe(1);
    expect(vm(sys, 'compact_fail')).toBe(0);
  });
});
