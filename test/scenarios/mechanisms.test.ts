/**
 * One hand-checked scenario per allocator mechanism (traces/scenarios/*.json), replayed in-process through
 * `mmreplay replay FILE --format jsonl --log steps` (src/cli/main.ts run()). Each test asserts the scenario's own
 * `expect` block (checkExpect) plus the exact path, zone, pfn and watermark steps, worked out below.
 *
 * The small machine (inline in each scenario, policy v6.18): one node, DMA pfns 1..4095 (present 3998, managed
 * 3840), DMA32 pfns 4096..20479 (16384 managed), 1 CPU, THP never, vm.min_free_kbytes = 1024.
 * __setup_per_zone_wmarks() (mm/page_alloc.c v6.18): pages_min = 1024 / 4 = 256, shared by managed pages over
 * lowmem = 3840 + 16384 = 20224:
 *   DMA   min = 256 * 3840 / 20224 = 48,   delta = max(48 / 4, 3840 * 10 / 10000) = 12 → low 60, high 72
 *   DMA32 min = 256 * 16384 / 20224 = 207, delta = max(207 / 4, 16)             = 51 → low 258, high 309
 * lowmem_reserve (ratio 256): DMA protection for DMA32 and above = 16384 / 256 = 64; DMA32 reserves nothing.
 * pcp (zone_batchsize): DMA32 batch = rounddown_pow_of_two(4 + 2) - 1 = 3, so an order-0 refill takes 3 pages
 * from the buddy lists (the pcp pages are no longer in NR_FREE_PAGES).
 * Every scenario fills DMA completely with Unmovable kernel pages (free 0), so only DMA32 can serve, and sets
 * vm.watermark_boost_factor = 0 so that an Unmovable request falling back into a Movable pageblock does not raise
 * the watermarks (boost_watermark() returns false when the factor is 0).
 *
 * alloc_flags (mm/internal.h): WMARK_MIN 0, WMARK_LOW 1, NON_BLOCK 0x10, MIN_RESERVE 0x20, CPUSET 0x40, CMA 0x80,
 * NOFRAGMENT 0x100, KSWAPD 0x800, NO_WATERMARKS 0x04, OOM 0x08.
 */
import { describe, expect, it } from 'vitest';
import { checkExpect, replayScenario, stepKinds, stepsOf, wm } from './replay.js';

const dir = 'traces/scenarios';
const scen = (name: string) => `${dir}/${name}.json`;

async function replayChecked(name: string) {
  const r = await replayScenario(scen(name));
  expect(r.code).toBe(0);
  expect(r.stderr).toBe('');
  expect(checkExpect(scen(name), r)).toEqual([]);
  return r;
}

describe('1. fast path (order0-fast-path)', () => {
  it('when an idle 1 GiB machine gets an order-0 GFP_KERNEL request then DMA32 serves it at the low watermark', async () => {
    const r = await replayChecked('order0-fast-path');
    const [a] = r.named('page');
    // x86_64-1G DMA32: 242452 managed pages free, high 16632 (README presets table); the v6.18 ZONE_BELOW_HIGH
    // test in get_page_from_freelist() checks the high mark first and it passes, so no low check is logged
    expect(a!.steps!.map(wm)[0]).toEqual({ zone: 'DMA32', free: 242452, mark: 16632, reserve: 0, result: 1 });
    // Unmovable request, only Movable pageblocks: the pcp refill claims the lowest free order-10 block, which
    // starts at the first 1024-aligned pfn above the reserved pages (4096 + 258015 - 242452 = 19659 → 20480)
    expect(a!.result).toEqual({ ok: true, node: 0, zone: 'DMA32', pfn: 20480 });
    expect(stepKinds(a!)).toEqual(['wmark_high', 'rmqueue']);
  });
});

describe('2. min-watermark retry (min-watermark-retry)', () => {
  it('when DMA32 is between min and low then the first slow-path attempt at min serves the request', async () => {
    const r = await replayChecked('min-watermark-retry');
    const [a] = r.named('page');
    // fast path: DMA32 240 ≤ high 309 and 240 ≤ low 258; DMA 0 ≤ 60 + reserve 64
    expect(stepsOf(a!, 'wmark').map(wm)).toEqual([
      { zone: 'DMA32', free: 240, mark: 258, reserve: 0, result: 0 },
      { zone: 'DMA', free: 0, mark: 60, reserve: 64, result: 0 },
      // slow path, gfp_to_alloc_flags() = ALLOC_WMARK_MIN|ALLOC_CPUSET|ALLOC_KSWAPD (0x840): 240 > min 207
      { zone: 'DMA32', free: 240, mark: 207, reserve: 0, result: 1 },
    ]);
    expect(stepsOf(a!, 'slowpath')[0]!.alloc_flags).toBe(0x840);
    // wake_all_kswapds() ran before the min attempt and woke node 0's kswapd
    expect(stepsOf(a!, 'wakeup_kswapd')[0]).toMatchObject({ zone: 'DMA32', free: 240, result: 1 });
    // the fill left the top 240 pfns free: 20240 (order 4), 20256 (5), 20288 (6), 20352 (7); the refill steals
    // from the smallest (order 4) block: 20240 is served, 20241 and 20242 stay on the pcp list
    expect(a!.result.pfn).toBe(20240);
    expect(r.counter('nr_free_pages')).toBe(237);
  });
});

describe('3. kswapd balancing over time (kswapd-balance)', () => {
  it('when time advances then kswapd reclaims page cache until DMA32 is above high and the next request is fast', async () => {
    const r = await replayChecked('kswapd-balance');
    const [wake] = r.named('wake');
    const [after] = r.named('after');
    expect(wake!.path).toBe('min_retry');
    expect(stepsOf(wake!, 'wakeup_kswapd')[0]!.result).toBe(1);
    // balance_pgdat() from DEF_PRIORITY 12 on 8192 file pages, each pass scanning lru_size >> priority of the
    // shrinking list: 8192>>12 = 2, 8190>>11 = 3, 8187>>10 = 7, 8180>>9 = 15, 8165>>8 = 31 (58 in all: 237 + 58 =
    // 295 < high 309, not balanced), 8134>>7 = 63 → 121 pages; 237 + 121 = 358 > 309 balances DMA32, one pageoutrun
    expect(r.counter('pgsteal_kswapd')).toBe(121);
    expect(r.counter('pgscan_kswapd')).toBe(121);
    expect(r.counter('pageoutrun')).toBe(1);
    // after the 1 s advance: DMA32 is above its high watermark at the next request (4 of the 358 sit on the pcp)
    expect(after!.steps!.map(wm)[0]).toEqual({ zone: 'DMA32', free: 354, mark: 309, reserve: 0, result: 1 });
    expect(after!.path).toBe('fast');
  });
});

describe('4. direct reclaim (direct-reclaim)', () => {
  it('when DMA32 is below min with page cache then the request reclaims 58 pages itself and is served after the drain', async () => {
    const r = await replayChecked('direct-reclaim');
    const [a] = r.named('page');
    // min attempt: 150 ≤ 207; try_to_free_pages() stops after priority 8, the first at which 32 (SWAP_CLUSTER_MAX)
    // are reached: 2 + 3 + 7 + 15 + 31 = 58 (same series as kswapd-balance)
    expect(stepsOf(a!, 'try_to_free_pages')[0]).toMatchObject({ free: 58, mark: 8, result: 58 });
    // the reclaimed pages went to the pcp list first: the after-reclaim attempt sees 204 ≤ 207, the drain of
    // 4 pcp pages makes 208 > 207
    const marks = stepsOf(a!, 'wmark').filter((s) => s.zone === 'DMA32').map(wm);
    expect(marks.slice(-2)).toEqual([
      { zone: 'DMA32', free: 204, mark: 207, reserve: 0, result: 0 },
      { zone: 'DMA32', free: 208, mark: 207, reserve: 0, result: 1 },
    ]);
    expect(stepsOf(a!, 'drain')[0]!.free).toBe(4);
    // allocstall is counted against the request's highest zone (gfp_zone(GFP_KERNEL) = Normal)
    expect(r.counter('allocstall_normal')).toBe(1);
    expect(r.counter('pgsteal_direct')).toBe(58);
  });
});

describe('5. reclaim without reclaimable pages (reclaim-no-progress)', () => {
  it('when only anon pages exist and there is no swap then one fruitless round leads straight to the OOM killer', async () => {
    const r = await replayChecked('reclaim-no-progress');
    const [a] = r.named('page');
    // try_to_free_pages(): nothing at any priority, then the memcg_full_walk retry: 0 pages, allocstall counted twice
    expect(stepsOf(a!, 'try_to_free_pages')[0]).toMatchObject({ free: 0, result: 0 });
    expect(r.counter('allocstall_normal')).toBe(2);
    // should_reclaim_retry(): anon is not reclaimable without swap, so available = 150 free + 0 ≤ min 207: no
    // retry (no_progress_loops = 1, far from MAX_RECLAIM_RETRIES 16), no highatomic block to release
    expect(stepsOf(a!, 'reclaim_retry_zone').map(wm)).toEqual([
      { zone: 'DMA32', free: 150, mark: 207, reserve: 0, result: 0 },
      { zone: 'DMA', free: 0, mark: 48, reserve: 0, result: 0 },
    ]);
    expect(stepsOf(a!, 'should_reclaim_retry')[0]).toMatchObject({ result: 0, aux: 1 });
    expect(stepKinds(a!).filter((k) => k === 'direct_reclaim')).toHaveLength(1);
    // __alloc_pages_may_oom(): the high-watermark attempt fails, out_of_memory() kills (outcome progress = 4)
    expect(stepsOf(a!, 'may_oom')[0]).toMatchObject({ result: 1, aux: 4 });
    expect(r.counter('oom_kill')).toBe(1);
  });
});

describe('6. costly order failure warning (costly-order-failure-warning)', () => {
  it('when an order-4 GFP_KERNEL request cannot be compacted then it fails after one round and warn_alloc prints', async () => {
    const r = await replayChecked('costly-order-failure-warning');
    const [a] = r.named('order4');
    // every other DMA32 page is an unmovable kernel page: 8192 free order-0 pages, no order ≥ 1 block
    expect(stepsOf(a!, 'wmark')[0]).toMatchObject({ zone: 'DMA32', free: 8192, mark: 258, result: 0 });
    // initial compaction (costly order) at COMPACT_PRIO_ASYNC (2), then reclaim, then compaction at
    // COMPACT_PRIO_SYNC_LIGHT (1); both end with the scanners met on a zone that was not whole
    // (COMPACT_PARTIAL_SKIPPED 6): compact_stall 2, compact_fail 2
    expect(stepsOf(a!, 'direct_compact').map((s) => [s.aux, s.result])).toEqual([[2, 6], [1, 6]]);
    // costly and no __GFP_RETRY_MAYFAIL: nopage (NOPAGE_COSTLY 5) without should_reclaim_retry or OOM
    expect(stepsOf(a!, 'nopage')[0]!.aux).toBe(5);
    expect(stepsOf(a!, 'should_reclaim_retry')).toEqual([]);
    expect(stepsOf(a!, 'may_oom')).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    // warn_alloc(): "%s: page allocation failure: order:%u, mode:%#x(%pGg), nodemask=%*pbl" then
    // cpuset_print_current_mems_allowed()'s ",cpuset=%s,mems_allowed=%*pbl"
    expect(r.warnings[0]!.lines[0]).toBe('[    0.001000] modprobe: page allocation failure: order:4, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0');
  });
});

describe('7. __GFP_NOWARN (costly-order-nowarn)', () => {
  it('when the same failing request carries __GFP_NOWARN then the slow path is the same but nothing is printed', async () => {
    const r = await replayChecked('costly-order-nowarn');
    const [a] = r.named('order4');
    expect(stepsOf(a!, 'direct_compact').map((s) => [s.aux, s.result])).toEqual([[2, 6], [1, 6]]);
    expect(stepsOf(a!, 'nopage')[0]!.aux).toBe(5);
    // warn_alloc() verdict WARN_SUPPRESSED_NOWARN (aux 1), no warning event
    expect(stepsOf(a!, 'warn_alloc')[0]!.aux).toBe(1);
    expect(r.warnings).toEqual([]);
  });
});

describe('8. __GFP_NORETRY (noretry)', () => {
  it('when an order-2 __GFP_NORETRY request fails reclaim and compaction once then it stops (nopage: noretry)', async () => {
    const r = await replayChecked('noretry');
    const [a] = r.named('noretry');
    // order 2 Unmovable: initial compaction (non-movable high order), one reclaim round, one compaction, stop
    expect(stepKinds(a!).filter((k) => ['direct_compact', 'direct_reclaim', 'should_reclaim_retry', 'should_compact_retry', 'may_oom', 'nopage'].includes(k)))
      .toEqual(['direct_compact', 'direct_reclaim', 'direct_compact', 'nopage']);
    expect(stepsOf(a!, 'nopage')[0]!.aux).toBe(4); // NOPAGE_NORETRY
    expect(a!.warned).toBe(true);
  });
});

describe('9. __GFP_RETRY_MAYFAIL (retry-mayfail)', () => {
  it('when a costly __GFP_RETRY_MAYFAIL request fails then it goes through the retry checks and fails without OOM', async () => {
    const r = await replayChecked('retry-mayfail');
    const [a] = r.named('mayfail');
    // reclaim for a costly order keeps shrinking while compaction is not yet possible (should_continue_reclaim):
    // 300 page-cache pages in one call
    expect(stepsOf(a!, 'direct_reclaim')[0]!.free).toBe(300);
    // should_reclaim_retry(): available 300 + 7892 = 8192 passes min at order 0, but __zone_watermark_ok() at
    // order 4 needs a free block of order ≥ 4 and the freed pages are isolated single pages: no retry
    expect(stepsOf(a!, 'reclaim_retry_zone')[0]).toMatchObject({ zone: 'DMA32', free: 8192, mark: 207, reserve: 7892, result: 0 });
    // should_compact_retry(): COMPACT_PARTIAL_SKIPPED at priority 1 = MIN_COMPACT_COSTLY_PRIORITY: no escalation
    expect(stepsOf(a!, 'should_compact_retry')[0]).toMatchObject({ result: 0, reserve: 6, aux: 1 });
    // __alloc_pages_may_oom(): OOM_SKIP_COSTLY (1), no progress → nopage NOPAGE_NO_PROGRESS (7)
    expect(stepsOf(a!, 'may_oom')[0]).toMatchObject({ aux: 1, result: 0 });
    expect(stepsOf(a!, 'nopage')[0]!.aux).toBe(7);
    expect(r.counter('oom_kill')).toBe(0);
  });
});

describe('10. __GFP_NOFAIL (nofail-reserves)', () => {
  it('when a GFP_NOFS|__GFP_NOFAIL request has nothing to reclaim then it is served with ALLOC_NO_WATERMARKS', async () => {
    const r = await replayChecked('nofail-reserves');
    const [a] = r.named('nofail');
    // out_of_memory() returns true without a kill for a request without __GFP_FS (oom_kill.c v6.18), so
    // did_some_progress = 1 and __GFP_NOFAIL tries the cpuset fallback with ALLOC_NO_WATERMARKS|ALLOC_CPUSET (0x44)
    expect(stepsOf(a!, 'no_watermarks')[0]).toMatchObject({ zone: 'DMA32', free: 150, result: 1, alloc_flags: 0x44 });
    expect(a!.result).toMatchObject({ ok: true, zone: 'DMA32' });
    expect(r.counter('oom_kill')).toBe(0);
    expect(r.warnings).toEqual([]);
  });
});

describe('11. compaction success (compaction-success)', () => {
  it('when free pages alternate with page cache then async compaction migrates 8 pages and captures pfn 4096', async () => {
    const r = await replayChecked('compaction-success');
    const [a] = r.named('order4');
    // fragmentation_index(order 4) = 1000 - (1000 + 8192 * 1000 / 16) / 8192 = 938 > extfrag_threshold 500:
    // compaction suitable. The migrate scanner starts at pfn 4096 (free), 4097 (file), …; after 8 file pages
    // (4097, 4099, …, 4111) have moved to free pages found from the zone end, 4096..4111 merges into an order-4
    // block that compaction captures
    expect(a!.result).toEqual({ ok: true, node: 0, zone: 'DMA32', pfn: 4096 });
    expect(stepsOf(a!, 'direct_compact')[0]).toMatchObject({ free: 4096, aux: 2, result: 8 }); // COMPACT_SUCCESS
    expect(r.counter('pgmigrate_success')).toBe(8);
  });
});

describe('12. compaction deferral (compaction-deferred)', () => {
  it('when sync compaction keeps failing then compact_defer_shift grows and later attempts are deferred', async () => {
    const r = await replayChecked('compaction-deferred');
    const evs = r.named('order3');
    expect(evs).toHaveLength(6);
    // compaction_deferred(): ++compact_considered ≥ 1 << compact_defer_shift → run; defer_compaction() after a
    // failed sync run: considered = 0, shift + 1. Request 1 runs (shift 0 → 1); 2: considered 1 < 2 deferred,
    // then 2 runs (shift 2); 3: 1, 2 < 4 deferred; 4: 3 < 4 deferred, 4 runs (shift 3); 5: 1, 2; 6: 3, 4 < 8
    const deferred = evs.flatMap((e) => stepsOf(e, 'compact_deferred').map((s) => [s.free, s.mark]));
    expect(deferred).toEqual([[1, 2], [1, 4], [2, 4], [3, 4], [1, 8], [2, 8], [3, 8], [4, 8]]);
    // the DEFERRED result still counts a stall (it is not COMPACT_SKIPPED): 2 per request
    expect(r.counter('compact_stall')).toBe(12);
  });
});

describe('13. OOM kill (oom-kill)', () => {
  it('when the OOM killer frees the victim then the request succeeds and the victim\'s later free is a no-op', async () => {
    const r = await replayChecked('oom-kill');
    const [hog] = r.named('hog');
    const [page] = r.named('page');
    // hog: 210 ≤ low 258, > min 207 → min_retry; its refill leaves 207 in the buddy lists, so the GFP_KERNEL
    // request fails at min (207 ≤ 207), reclaims nothing and goes to the OOM killer
    expect(hog!.result.pfn).toBe(20270);
    // the victim held 8192 filled pages + the hog page = 8193 pages (32772 kB)
    expect(stepsOf(page!, 'out_of_memory')[0]).toMatchObject({ free: 8193, result: 100 });
    // served by the retry after the kill: the victim's freed page is the first on the pcp list again
    expect(page!.result).toEqual({ ok: true, node: 0, zone: 'DMA32', pfn: 20270 });
    expect(r.frees).toEqual([expect.objectContaining({ name: 'hog', action: 'noop' })]);
    expect(r.summary.frees.noop).toBe(1);
  });
});

describe('14. GFP_ATOMIC below min (atomic-below-min)', () => {
  it('when 100 pages are free then GFP_NOWAIT fails at min 207 but GFP_ATOMIC passes at 78', async () => {
    const r = await replayChecked('atomic-below-min');
    const [nowait] = r.named('nowait');
    const [atomic] = r.named('atomic');
    // GFP_NOWAIT: ALLOC_NON_BLOCK alone does not lower min in __zone_watermark_ok(): 100 ≤ 207; no direct
    // reclaim → nopage NOPAGE_NO_DIRECT_RECLAIM (2); 6.18's GFP_NOWAIT carries __GFP_NOWARN: no report
    expect(stepsOf(nowait!, 'wmark').filter((s) => s.zone === 'DMA32').map((s) => [s.free, s.mark, s.result, s.alloc_flags]))
      .toEqual([[100, 258, 0, 0x801], [100, 207, 0, 0x850], [100, 207, 0, 0x850]]);
    expect(stepsOf(nowait!, 'nopage')[0]!.aux).toBe(2);
    // GFP_ATOMIC: ALLOC_MIN_RESERVE|ALLOC_NON_BLOCK|ALLOC_KSWAPD, no ALLOC_CPUSET (0x830); the logged mark is min
    // 207 before the reductions: 207 - 207/2 = 104, 104 - 104/4 = 78, and 100 > 78
    expect(stepsOf(atomic!, 'wmark').filter((s) => s.zone === 'DMA32').map((s) => [s.free, s.mark, s.result, s.alloc_flags]))
      .toEqual([[100, 258, 0, 0x801], [100, 207, 1, 0x830]]);
    expect(atomic!.result.zone).toBe('DMA32');
  });
});

describe('15. lowmem_reserve (lowmem-reserve-dma32)', () => {
  it('when DMA32 is above its low watermark then GFP_KERNEL is still refused there by the Normal reserve', async () => {
    const r = await replayChecked('lowmem-reserve-dma32');
    // this scenario's machine adds a 16384-page Normal zone and min_free_kbytes 2048: pages_min 512 over
    // 36608 pages: DMA32 min 229, low 286, high 343 (delta 57); DMA32 protection for Normal = 16384 / 256 = 64
    const [dma32] = r.named('dma32');
    const [kernel] = r.named('kernel');
    // __GFP_DMA32: highest zone DMA32, reserve 0: 290 > low 286 → fast; its refill leaves 287
    expect(stepsOf(dma32!, 'wmark').map(wm)).toEqual([{ zone: 'DMA32', free: 290, mark: 286, reserve: 0, result: 1 }]);
    expect(dma32!.path).toBe('fast');
    // GFP_KERNEL: DMA32 needs free > mark + lowmem_reserve[ZONE_NORMAL]: 287 ≤ 286 + 64 at low, 287 ≤ 229 + 64
    // at min, although 287 is above both marks
    const d32 = stepsOf(kernel!, 'wmark').filter((s) => s.zone === 'DMA32').map(wm);
    expect(d32[0]).toEqual({ zone: 'DMA32', free: 287, mark: 286, reserve: 64, result: 0 });
    expect(d32).toContainEqual({ zone: 'DMA32', free: 287, mark: 229, reserve: 64, result: 0 });
    expect(d32.every((s) => s.result === 0)).toBe(true);
    // Normal (200 free of page cache) reclaims one round: 56 pages at priorities 12..9, 200 + 56 > min 229
    expect(stepsOf(kernel!, 'try_to_free_pages')[0]).toMatchObject({ free: 56, mark: 9 });
    expect(kernel!.result.zone).toBe('Normal');
  });
});

describe('the scenario library', () => {
  it('when every shipped scenario is validated then all are ok', async () => {
    const { readdirSync } = await import('node:fs');
    const { run } = await import('../../src/cli/main.js');
    const { memoryIo } = await import('../../src/cli/io.js');
    const files = readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`);
    const io = memoryIo();
    expect(await run(['validate', ...files], io)).toBe(0);
    expect(io.err).toBe('');
  });
});
