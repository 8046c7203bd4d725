/**
 * One scenario per allocator-core version change (traces/scenarios/policy-*.json, the fast-path and buddy side;
 * test/scenarios/policies.test.ts holds the slow-path ones). Each is replayed under both policies with
 * `--policy` (the scenario's own `policy` and `expect` block are one side) and the test asserts the exact
 * difference: zones, pfns, rmqueue sources, steps and counters, with the arithmetic in comments.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import type { AllocEvent } from '../../src/replay/decision.js';
import { bothPolicies as both, checkExpect, scen, stepKinds, stepsOf, stripDmesg } from './replay.js';

import { tempDir } from '../helpers/tmp.js';


/** zone of each allocation, in order */
const zones = (evs: AllocEvent[]) => evs.map((a) => a.result.zone);
/** the rmqueue step's source (aux: 1 pcp, 2 pcp_refill, 3 buddy, 4 highatomic) and pfn */
const rmq = (a: AllocEvent) => stepsOf(a, 'rmqueue').map((s) => ({ zone: s.zone, src: s.aux, pfn: s.result }));

describe('fair zone policy of v4.0 vs Normal first from 4.8 (policy-fair-zone)', () => {
  it('when 60 order-0 GFP_KERNEL pages are taken then v4.0 spreads them over Normal and DMA32 and v4.12 takes Normal only', async () => {
    const [v40, v412] = await both('policy-fair-zone', 'v4.0', 'v4.12');
    expect(checkExpect(scen('policy-fair-zone'), v40)).toEqual([]);
    // v4.0 __setup_per_zone_wmarks: pages_min = 1024 KiB >> 2 = 256, shared by managed pages over
    // 3840 + 16384 + 16384 = 36608: Normal/DMA32 min = 256·16384/36608 = 114, low = 114 + 114/4 = 142,
    // high = 114 + 114/2 = 171; NR_ALLOC_BATCH = high − low = 29 pages per zone
    const p40 = v40.named('page');
    expect(zones(p40)).toEqual([...Array(29).fill('Normal'), ...Array(29).fill('DMA32'), 'Normal', 'Normal']);
    // #30: Normal is ZONE_FAIR_DEPLETED (batch 0) and skipped; DMA32 passes low 142 + lowmem_reserve[Normal] 64
    expect(stepKinds(p40[29]!)).toEqual(['fair_skip', 'wmark', 'rmqueue']);
    expect(stepsOf(p40[29]!, 'wmark')[0]).toMatchObject({ zone: 'DMA32', free: 16384, mark: 142, reserve: 64, result: 1 });
    // the first DMA32 page is the bottom of its highest order-10 block (boot frees to the head: 19456 = 0x4c00)
    expect(p40[29]!.result.pfn).toBe(19456);
    // #59: both batches used up, DMA (filled) fails low 32 + its Normal reserve; reset_alloc_batches() and the
    // walk again without ALLOC_FAIR (fair_retry aux 1) → Normal, which continues its pcp list (35868 + 1)
    expect(stepKinds(p40[58]!)).toEqual(['fair_skip', 'fair_skip', 'wmark', 'fair_retry', 'wmark', 'rmqueue']);
    expect(stepsOf(p40[58]!, 'fair_retry')[0]!.aux).toBe(1);
    expect(p40[58]!.result.pfn).toBe(35869);
    // #60 is fair again: Normal's batch was reset to 29 and spent 1
    expect(stepKinds(p40[59]!)).toEqual(['wmark', 'rmqueue']);
    expect([v40.counter('pgalloc_normal'), v40.counter('pgalloc_dma32')]).toEqual([31, 29]);
    // v4.12: no ALLOC_FAIR, every request passes Normal's low watermark and is served there, pfns 35840..35899
    const p412 = v412.named('page');
    expect(zones(p412)).toEqual(Array(60).fill('Normal'));
    expect(p412.map((a) => a.result.pfn)).toEqual(Array.from({ length: 60 }, (_, i) => 35840 + i));
    expect(p412.flatMap(stepKinds).filter((k) => k.startsWith('fair'))).toEqual([]);
    expect([v412.counter('pgalloc_normal'), v412.counter('pgalloc_dma32')]).toEqual([60, 0]);
  });
});

describe('watermark boost and the kswapd wake from rmqueue(): v5.0 vs v4.12 (policy-boost-kswapd)', () => {
  it('when an unmovable page falls back into a Movable pageblock then v5.0 boosts and wakes kswapd and v4.12 does not', async () => {
    const [v50, v412] = await both('policy-boost-kswapd', 'v5.0', 'v4.12');
    expect(checkExpect(scen('policy-boost-kswapd'), v50)).toEqual([]);
    const [u50] = v50.named('unmovable');
    const [u412] = v412.named('unmovable');
    // both: DMA32 has 8192 free order-0 pages in Movable blocks (every other page is page cache); the pcp refill
    // (batch 3) falls back and claims the block: 256 free of 512 ≥ half a pageblock (rmqueue mark 1 = claim)
    for (const a of [u50!, u412!]) {
      expect(rmq(a)).toEqual([{ zone: 'DMA32', src: 2, pfn: 20478 }]);
      expect(stepsOf(a, 'rmqueue')[0]!.mark).toBe(1);
    }
    // v5.0 steal_suitable_fallback(): a fallback below pageblock_order calls boost_watermark():
    // boost = min(0 + 512, max(512, high 309 · 15000 / 10000 = 463)) = 512, and with ALLOC_KSWAPD
    // (GFP_KERNEL has __GFP_KSWAPD_RECLAIM) sets ZONE_BOOSTED_WATERMARK: rmqueue() wakes kswapd for DMA32
    expect(stepKinds(u50!)).toEqual(['wmark', 'boost_wake', 'rmqueue', 'wakeup_kswapd']);
    expect(stepsOf(u50!, 'boost_wake')[0]).toMatchObject({ zone: 'DMA32', free: 8189 });
    // kswapd: balanced, but nr_boost_reclaim = 512 keeps it reclaiming without raising the priority below
    // DEF_PRIORITY − 2: 2 + 3 pages at priorities 12 and 11, then 73 passes of 7 at priority 10 = 516 ≥ 512;
    // after a boosted run it wakes kcompactd (pageblock_order)
    expect(v50.counter('pageoutrun')).toBe(1);
    expect(v50.counter('pgsteal_kswapd')).toBe(516);
    expect(v50.counter('compact_daemon_wake')).toBe(1);
    // v4.12: no boost, no wake, no reclaim; the next page comes from the same pcp batch (20478 − 2)
    expect(stepKinds(u412!)).toEqual(['wmark', 'rmqueue']);
    expect(v412.counter('pageoutrun')).toBe(0);
    expect(v412.counter('pgsteal_kswapd')).toBe(0);
    expect(v412.named('later')[0]!.result.pfn).toBe(20476);
    // v5.0: the next page comes from a new pcp refill (compaction drained the list), and the refill starts at
    // 20479, an odd pfn: a page-cache page kswapd reclaimed
    expect(rmq(v50.named('later')[0]!)).toEqual([{ zone: 'DMA32', src: 2, pfn: 20479 }]);
  });
});

describe('ALLOC_NOFRAGMENT in the first pass: v5.15 vs v5.0 (policy-nofragment)', () => {
  it('when Normal could serve an unmovable page only by a fallback then v5.15 goes to DMA32 and v5.0 falls back in Normal', async () => {
    const [v515, v50] = await both('policy-nofragment', 'v5.15', 'v5.0');
    expect(checkExpect(scen('policy-nofragment'), v515)).toEqual([]);
    const [a515] = v515.named('unmovable');
    const [a50] = v50.named('unmovable');
    // v5.15 alloc_flags_nofragment(): the preferred zone is Normal → ALLOC_NOFRAGMENT (0x100) with
    // ALLOC_WMARK_LOW (0x1) and ALLOC_KSWAPD (0x800, logged in the simulator's bit layout)
    expect(stepsOf(a515!, 'wmark').map((s) => s.alloc_flags)).toEqual([0x901, 0x901]);
    // Normal passes low (8192 free > 142) but __rmqueue_fallback may only take ≥ pageblock_order blocks, and
    // Normal's free pages are order-0 holes: rmqueue fails (pfn -1); DMA32 passes low 142 + lowmem_reserve 64
    // and claims a whole order-10 block (two pageblocks re-typed Unmovable), the lowest first (FPI_TO_TAIL)
    expect(rmq(a515!)).toEqual([
      { zone: 'Normal', src: 0, pfn: -1 },
      { zone: 'DMA32', src: 2, pfn: 4096 },
    ]);
    expect(stepKinds(a515!)).not.toContain('nofragment_retry');
    expect(v515.summary.pagetypeinfo).toMatch(/Node 0, zone {4}DMA32 {12}2 {11}30 /);
    // v5.0 never sets ALLOC_NOFRAGMENT (0x801): Normal falls back into a Movable block below pageblock_order,
    // which boosts the watermark and wakes kswapd from rmqueue(); the page is the top hole 36862
    expect(stepsOf(a50!, 'wmark').map((s) => s.alloc_flags)).toEqual([0x801]);
    expect(stepKinds(a50!)).toEqual(['wmark', 'boost_wake', 'rmqueue', 'wakeup_kswapd']);
    expect(rmq(a50!)).toEqual([{ zone: 'Normal', src: 2, pfn: 36862 }]);
    expect([v50.counter('pgalloc_normal'), v50.counter('pgalloc_dma32'), v50.counter('pageoutrun')]).toEqual([1, 0, 1]);
    expect(v50.summary.pagetypeinfo).toMatch(/Node 0, zone {3}Normal {12}1 {11}31 /);
  });
});

describe('pcp lists for orders 1..3: v5.15 vs v5.0 (policy-pcp-high-order)', () => {
  it('when an order-1, -2 and -3 block is allocated, freed and allocated again then v5.15 serves the second from the pcp list and v5.0 from the buddy', async () => {
    const [v515, v50] = await both('policy-pcp-high-order', 'v5.15', 'v5.0');
    expect(checkExpect(scen('policy-pcp-high-order'), v515)).toEqual([]);
    const run = (r: typeof v515) => ['o1-first', 'o1-again', 'o2-first', 'o2-again', 'o3-first', 'o3-again'].map((n) => rmq(r.named(n)[0]!)[0]);
    // v5.15 pcp_allowed_order(): order ≤ PAGE_ALLOC_COSTLY_ORDER; rmqueue_bulk() takes max(batch >> order, 2)
    // blocks (batch 3: 16384 / 1024 / 4 = 4 → 2^n − 1 = 3) from the lowest boot block (boot frees go to the
    // tail, 5.10+): order 1 → 4096 and 4098, order 2 → 4100 and 4104, order 3 → 4112 and 4120. The free goes to
    // the pcp list head (free_unref_page_commit), so each second request gets the same pfn back (source 1 = pcp)
    expect(run(v515)).toEqual([
      { zone: 'DMA32', src: 2, pfn: 4096 }, { zone: 'DMA32', src: 1, pfn: 4096 },
      { zone: 'DMA32', src: 2, pfn: 4100 }, { zone: 'DMA32', src: 1, pfn: 4100 },
      { zone: 'DMA32', src: 2, pfn: 4112 }, { zone: 'DMA32', src: 1, pfn: 4112 },
    ]);
    expect(stepsOf(v515.named('o2-first')[0]!, 'rmqueue')[0]!.free).toBe(2);
    // the pcp lists hold 2·2 + 2·4 + 2·8 = 28 pages, which NR_FREE_PAGES does not count: 16384 − 28 = 16356;
    // buddyinfo keeps the split remainders 4108 (order 2) and 4128.. (orders 5..9)
    expect(v515.counter('nr_free_pages')).toBe(16356);
    expect(v515.summary.buddyinfo).toMatch(/zone {4}DMA32 {6}0 {6}0 {6}1 {6}0 {6}0 {6}1 {6}1 {6}1 {6}1 {6}1 {5}15 /);
    // v5.0: pcp lists are order 0 only: every block comes from and goes back to the buddy (source 3), the top
    // boot block first (head insertion); each free merges back with its buddy, so the same split gives the same pfn
    expect(run(v50)).toEqual([
      { zone: 'DMA32', src: 3, pfn: 19456 }, { zone: 'DMA32', src: 3, pfn: 19456 },
      { zone: 'DMA32', src: 3, pfn: 19460 }, { zone: 'DMA32', src: 3, pfn: 19460 },
      { zone: 'DMA32', src: 3, pfn: 19464 }, { zone: 'DMA32', src: 3, pfn: 19464 },
    ]);
    // 16384 − 14 pages still allocated (the second blocks)
    expect(v50.counter('nr_free_pages')).toBe(16370);
    expect([v515.counter('pgalloc_dma32'), v50.counter('pgalloc_dma32'), v515.counter('pgfree'), v50.counter('pgfree')]).toEqual([28, 28, 14, 14]);
  });
});

describe('GFP_NOWAIT and the highatomic reserve: v6.6 (ALLOC_NON_BLOCK, ALLOC_HIGHATOMIC) vs v6.1 (ALLOC_HARDER) (policy-nowait-highatomic)', () => {
  it('when a highatomic pageblock is reserved then an order-1 GFP_NOWAIT request is served on v6.6 and fails on v6.1', async () => {
    const [v66, v61] = await both('policy-nowait-highatomic', 'v6.6', 'v6.1');
    expect(checkExpect(scen('policy-nowait-highatomic'), v66)).toEqual([]);
    // DMA32 min/low 207/258 with 240 free: the fast path fails at low, the slow path tries min.
    // GFP_ATOMIC, min retry (ALLOC_WMARK_MIN 0): v6.1 ALLOC_HIGH|ALLOC_HARDER (0x20|0x10), v6.6
    // ALLOC_MIN_RESERVE|ALLOC_NON_BLOCK (the same bits) + ALLOC_HIGHATOMIC 0x200; both with ALLOC_KSWAPD 0x800
    // (simulator bit layout); ALLOC_CPUSET 0x40 is dropped for a non-blocking __GFP_HIGH request
    const at = (r: typeof v66, n: string) => stepsOf(r.named(n)[0]!, 'attempt')[0]!.alloc_flags;
    expect([at(v61, 'atomic'), at(v66, 'atomic')]).toEqual([0x830, 0xa30]);
    for (const r of [v61, v66]) {
      // served at min from a pcp refill of 2 order-1 blocks (20240, 20242); the order > 0 reserve flag
      // re-types that pageblock MIGRATE_HIGHATOMIC (nr_reserved_highatomic 512)
      expect(rmq(r.named('atomic')[0]!)).toEqual([{ zone: 'DMA32', src: 2, pfn: 20240 }]);
      expect(r.summary.pagetypeinfo).toMatch(/Node 0, zone {4}DMA32 {11}31 {12}0 {12}0 {12}1 /);
    }
    // GFP_NOWAIT on v6.6: no __GFP_DIRECT_RECLAIM → ALLOC_NON_BLOCK 0x10, and order > 0 → ALLOC_HIGHATOMIC
    // (+ ALLOC_CPUSET 0x40, ALLOC_KSWAPD 0x800 = 0xa50);
    // NON_BLOCK without MIN_RESERVE does not lower min (207), but as an ALLOC_RESERVES bit it keeps the
    // highatomic pages usable: 236 − (2 − 1) = 235 > 207. The page is the second block of the pcp refill.
    const n66 = v66.named('nowait')[0]!;
    expect(at(v66, 'nowait')).toBe(0xa50);
    expect(stepsOf(n66, 'wmark').map((s) => [s.zone, s.free, s.mark, s.result])).toEqual([['DMA32', 236, 258, 0], ['DMA', 0, 60, 0], ['DMA32', 236, 207, 1]]);
    expect(rmq(n66)).toEqual([{ zone: 'DMA32', src: 1, pfn: 20242 }]);
    // v6.1: GFP_NOWAIT has no __GFP_ATOMIC, so no ALLOC_HARDER (0x840): __zone_watermark_unusable_free() takes
    // the reserve off, 236 − 1 − 512 < 207, at both attempts; no direct reclaim → nopage and a warning
    const n61 = v61.named('nowait')[0]!;
    expect(at(v61, 'nowait')).toBe(0x840);
    expect(n61.path).toBe('fail');
    expect(stepsOf(n61, 'wmark').filter((s) => s.zone === 'DMA32').map((s) => [s.free, s.mark, s.result])).toEqual([[236, 258, 0], [236, 207, 0], [236, 207, 0]]);
    expect(v61.warnings[0]!.lines.map(stripDmesg)).toContain('scenario: page allocation failure: order:1, mode:0x800(GFP_NOWAIT), nodemask=(null),cpuset=/,mems_allowed=0');
    expect([v66.counter('pgalloc_dma32'), v61.counter('pgalloc_dma32')]).toEqual([4, 2]);
  });
});

describe('MAX_ORDER 11 exclusive (v6.1) vs 10 inclusive (v6.6): the same orders (policy-max-order)', () => {
  it('when order-10 blocks are allocated, freed and allocated again then v6.1 and v6.6 log identical decisions', async () => {
    const [v66, v61] = await both('policy-max-order', 'v6.6', 'v6.1');
    expect(checkExpect(scen('policy-max-order'), v66)).toEqual([]);
    expect(checkExpect(scen('policy-max-order'), v61)).toEqual([]);
    // `order >= MAX_ORDER` (11) and `order > MAX_ORDER` (10) refuse the same orders: every order-10 request
    // takes a whole boot block from the bottom of DMA32 (FPI_TO_TAIL): 4096 (an Unmovable claim, mark 1),
    // 5120 (Movable, own list), then 4096 again, freed to and taken back from the Unmovable list
    expect(v66.allocs.map((a) => rmq(a)[0])).toEqual([
      { zone: 'DMA32', src: 3, pfn: 4096 },
      { zone: 'DMA32', src: 3, pfn: 5120 },
      { zone: 'DMA32', src: 3, pfn: 4096 },
    ]);
    expect(v61.allocs).toEqual(v66.allocs);
    expect(v61.frees).toEqual(v66.frees);
    const same = (r: typeof v66) => ({ ...r.summary, policy: '', kernel: '' });
    expect(same(v61)).toEqual(same(v66));
  });

  it('when an order-11 request is added then both policies refuse it with the same message', async () => {
    const dir = tempDir('mmreplay-max-order-');
    const base = JSON.parse(readFileSync(scen('policy-max-order'), 'utf8')) as { policy: string; requests: unknown[] };
    const refuse = async (policy: string) => {
      const file = join(dir, `${policy}.json`);
      writeFileSync(file, JSON.stringify({ ...base, policy, requests: [...base.requests, { alloc: { name: 'order11', order: 11, gfp: 'GFP_KERNEL' } }] }));
      const io = memoryIo();
      const code = await run(['validate', file], io);
      return { code, err: io.err.replace(file, 'FILE') };
    };
    // requests[4]: the fifth request; NR_PAGE_ORDERS = 11 in both kernels
    expect(await refuse('v6.1')).toEqual({ code: 2, err: 'FILE: requests[4].alloc.order: order 11 is above MAX_PAGE_ORDER (10) of policy v6.1\n' });
    expect(await refuse('v6.6')).toEqual({ code: 2, err: 'FILE: requests[4].alloc.order: order 11 is above MAX_PAGE_ORDER (10) of policy v6.6\n' });
  });
});

describe('ALLOC_HIGHATOMIC needs __GFP_HIGH: v6.18 vs v6.6 (policy-nowait-reserve)', () => {
  it('when an order-1 GFP_NOWAIT page is served at min then v6.6 reserves its pageblock highatomic and v6.18 does not', async () => {
    const [v618, v66] = await both('policy-nowait-reserve', 'v6.18', 'v6.6');
    expect(checkExpect(scen('policy-nowait-reserve'), v618)).toEqual([]);
    const [a618] = v618.named('nowait');
    const [a66] = v66.named('nowait');
    // gfp_to_alloc_flags(), no __GFP_DIRECT_RECLAIM: ALLOC_NON_BLOCK (0x10) on both; ALLOC_HIGHATOMIC (0x200)
    // for order > 0 on v6.6, only together with ALLOC_MIN_RESERVE (__GFP_HIGH, absent in GFP_NOWAIT) on
    // v6.18 (mm/page_alloc.c gfp_to_alloc_flags @ v6.18); + ALLOC_CPUSET 0x40 and ALLOC_KSWAPD 0x800
    expect(stepsOf(a618!, 'attempt')[0]!.alloc_flags).toBe(0x850);
    expect(stepsOf(a66!, 'attempt')[0]!.alloc_flags).toBe(0xa50);
    // DMA32 (65536 managed): min = 256 · 65536 / (3840 + 65536) = 241, low = 241 + max(241/4, 65536·10/10000 = 65)
    // = 306; with 280 free both are served at min from a pcp refill of max(batch 15 >> 1, 2) = 7 blocks: 69352
    for (const a of [a618!, a66!]) {
      expect(stepsOf(a, 'wmark').map((s) => [s.zone, s.free, s.mark, s.result])).toEqual([['DMA32', 280, 306, 0], ['DMA', 0, 17, 0], ['DMA32', 280, 241, 1]]);
      expect(rmq(a)).toEqual([{ zone: 'DMA32', src: 2, pfn: 69352 }]);
    }
    // get_page_from_freelist() reserves the pageblock only for ALLOC_HIGHATOMIC: 1 HighAtomic block on v6.6
    // (limit managed/100 + pageblock = 1167), none on v6.18 although its limit ALIGN(655, 512) = 1024 allows one
    expect(v66.summary.pagetypeinfo).toMatch(/Node 0, zone {4}DMA32 {10}127 {12}0 {12}0 {12}1 /);
    expect(v618.summary.pagetypeinfo).toMatch(/Node 0, zone {4}DMA32 {10}128 {12}0 {12}0 {12}0 /);
  });
});
