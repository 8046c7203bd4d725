import { describe, expect, it } from 'vitest';
import {
  KSWAPD_SHORT_SLEEP_NS,
  LRU_ANON,
  LRU_FILE,
  LRU_SLAB,
  PAGE_KIND_ANON,
  PAGE_KIND_FILE,
  PAGE_KIND_KERNEL,
  PAGE_KIND_PRETRACE,
  PAGE_KIND_SLAB,
  createReclaimState,
  kswapdRun,
  kswapdState,
  lruDel,
  lruListPfns,
  lruMove,
  pageIsMovable,
  pageKindAt,
  pageKindOf,
  pgdatBalanced,
  tryToFreePages,
  wakeupKswapd,
  zoneKindPages,
  zoneReclaimablePages,
} from '../../src/mm/vmscan.js';
import { gfpMigratetype } from '../../src/mm/gfp.js';
import { ZONE_DMA32, ZONE_NORMAL, WMARK_HIGH, WMARK_LOW, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE, MIGRATE_RECLAIMABLE } from '../../src/mm/mmzone.js';
import { FREED_BY_DIRECT_RECLAIM, FREED_BY_KSWAPD } from '../../src/mm/system.js';
import { freeAllocated } from '../../src/mm/slowpath.js';
import { PAGE_ALLOC } from '../../src/mm/memmap.js';
import { vmstatIndex } from '../../src/mm/vmstat.js';
import { buildMachine } from '../../src/mm/machine.js';
import { v6_18 } from '../../src/policy/v6.18.js';
import { InputError } from '../../src/errors.js';
import type { MmSystem } from '../../src/mm/system.js';
import { ANON, ERA, FILE, FILE_DMA32, KERNEL, SLAB, acFor, alloc, allocN, gfp, machine, makeSys } from '../helpers-reclaim/sys.js';

const v = (sys: MmSystem, name: string): number => sys.vmstat[vmstatIndex(name)]!;

describe('pageKindOf (kind rules)', () => {
  const { sys } = makeSys(machine({ zones: ['DMA', 'DMA32'] }));
  const kind = (text: string): number => {
    const m = gfp(text);
    return pageKindOf(sys, m, gfpMigratetype(m, ERA));
  };
  it('when the gfp is a real 6.18 trace spelling then the default rules give its kind', () => {
    // fork-exec / fragment-compact captures (traces/real): page cache, anon faults, THP, page tables, slab
    expect(kind('GFP_HIGHUSER_MOVABLE|__GFP_COMP')).toBe(PAGE_KIND_FILE);
    expect(kind('GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP')).toBe(PAGE_KIND_ANON);
    expect(kind('GFP_TRANSHUGE|__GFP_NORETRY|__GFP_THISNODE')).toBe(PAGE_KIND_ANON);
    expect(kind('GFP_TRANSHUGE_LIGHT')).toBe(PAGE_KIND_ANON);
    expect(kind('GFP_NOFS|__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_HARDWALL')).toBe(PAGE_KIND_FILE);
    expect(kind('GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP')).toBe(PAGE_KIND_KERNEL);
    expect(kind('GFP_NOWAIT')).toBe(PAGE_KIND_KERNEL);
    expect(kind('GFP_ATOMIC|__GFP_RECLAIMABLE|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP')).toBe(PAGE_KIND_SLAB);
  });
  it('when custom rules are given then they replace the defaults, first match wins', () => {
    const m = buildMachine({ nodes: [{ zones: [{ name: 'DMA32', start_pfn: 4096, spanned: 8192, present: 8192, managed: 8192 }] }] }, { policy: v6_18 });
    const st = createReclaimState(m, { kindRules: [{ kind: 'anon', migratetype: 'Movable', none: ['__GFP_WRITE'] }, { kind: 'file', any: ['__GFP_WRITE', '__GFP_FS'] }] });
    const s2 = { ...sys, reclaim: st } as MmSystem;
    expect(pageKindOf(s2, gfp('GFP_HIGHUSER_MOVABLE'), MIGRATE_MOVABLE)).toBe(PAGE_KIND_ANON);
    expect(pageKindOf(s2, gfp('GFP_HIGHUSER_MOVABLE|__GFP_WRITE'), MIGRATE_MOVABLE)).toBe(PAGE_KIND_FILE);
    expect(pageKindOf(s2, gfp('GFP_KERNEL'), MIGRATE_UNMOVABLE)).toBe(PAGE_KIND_FILE);
    // no rule matches: kernel
    expect(pageKindOf(s2, gfp('GFP_NOWAIT'), MIGRATE_RECLAIMABLE)).toBe(PAGE_KIND_KERNEL);
  });
  it('when a rule names an unknown gfp flag then a located InputError says which', () => {
    const m = buildMachine({ nodes: [{ zones: [{ name: 'DMA32', start_pfn: 4096, spanned: 8192, present: 8192, managed: 8192 }] }] }, { policy: v6_18 });
    expect(() => createReclaimState(m, { kindRules: [{ kind: 'file', all: ['__GFP_BOGUS'] }] })).toThrow(InputError);
    expect(() => createReclaimState(m, { kindRules: [{ kind: 'file', all: ['__GFP_BOGUS'] }] })).toThrow(
      "reclaim options: kindRules[0]: unknown gfp flag '__GFP_BOGUS' for the 6.15 gfp layout",
    );
  });
});

describe('lruAdd / lruDel / lruMove (the node LRU lists)', () => {
  it('when blocks are allocated then each list holds them newest first and the counters follow', () => {
    const { sys } = makeSys(machine({ zones: ['DMA', 'DMA32'] }));
    const f = allocN(sys, FILE, 3);
    const a = alloc(sys, ANON, 2);
    const s = alloc(sys, SLAB);
    const k = alloc(sys, KERNEL);
    expect(lruListPfns(sys, 0, LRU_FILE)).toEqual([f[2], f[1], f[0]]);
    expect(lruListPfns(sys, 0, LRU_ANON)).toEqual([a]);
    expect(lruListPfns(sys, 0, LRU_SLAB)).toEqual([s]);
    expect(pageKindAt(sys, k)).toBe(PAGE_KIND_KERNEL);
    const dma32 = sys.machine.nodes[0]!.zones[ZONE_DMA32]!;
    // 3 file pages, one order-2 anon block = 4 pages, 1 slab page
    expect(zoneKindPages(sys, dma32, PAGE_KIND_FILE)).toBe(3);
    expect(zoneKindPages(sys, dma32, PAGE_KIND_ANON)).toBe(4);
    expect(zoneKindPages(sys, dma32, PAGE_KIND_SLAB)).toBe(1);
    // PageLRU blocks are movable for compaction, kernel and slab blocks are not
    expect(pageIsMovable(sys, f[0]!)).toBe(true);
    expect(pageIsMovable(sys, a)).toBe(true);
    expect(pageIsMovable(sys, s)).toBe(false);
    expect(pageIsMovable(sys, k)).toBe(false);
    // no swap: only file pages are reclaimable (zone_reclaimable_pages)
    expect(zoneReclaimablePages(sys, dma32)).toBe(3);

    lruDel(sys, f[1]!);
    expect(lruListPfns(sys, 0, LRU_FILE)).toEqual([f[2], f[0]]);
    expect(zoneKindPages(sys, dma32, PAGE_KIND_FILE)).toBe(2);
    expect(pageKindAt(sys, f[1]!)).toBe(0);
  });
  it('when swap exists then anon pages count as reclaimable too', () => {
    const { sys } = makeSys(machine({ zones: ['DMA', 'DMA32'], swap: true }));
    allocN(sys, FILE, 3);
    alloc(sys, ANON, 2);
    expect(zoneReclaimablePages(sys, sys.machine.nodes[0]!.zones[ZONE_DMA32]!)).toBe(7);
  });
  it('when compaction moves a block then the new pfn takes its place in the list', () => {
    const { sys } = makeSys(machine({ zones: ['DMA', 'DMA32'] }));
    const f = allocN(sys, FILE, 3);
    // a free-standing target: allocate one more kernel page and reuse its pfn as the destination
    const dst = alloc(sys, KERNEL);
    lruDel(sys, dst);
    lruMove(sys, f[1]!, dst);
    expect(lruListPfns(sys, 0, LRU_FILE)).toEqual([f[2], dst, f[0]]);
    expect(pageKindAt(sys, dst)).toBe(PAGE_KIND_FILE);
    expect(pageKindAt(sys, f[1]!)).toBe(0);
  });
});

describe('tryToFreePages (direct reclaim)', () => {
  it('when the file LRU holds 131072 eligible pages then priority 12 reclaims exactly 32, the oldest', () => {
    const { sys, freed } = makeSys(machine());
    // 131072 >> DEF_PRIORITY (12) = 32: the whole batch at DEF_PRIORITY (proportional_reclaim), which is also
    // nr_to_reclaim, so do_try_to_free_pages() stops after the first priority
    const pfns = allocN(sys, FILE, 131072);
    expect(pfns.length).toBe(131072);
    const ret = tryToFreePages(sys, acFor(sys, KERNEL), 0, KERNEL);
    expect(ret).toBe(32);
    expect(v(sys, 'allocstall_normal')).toBe(1);
    expect(v(sys, 'pgscan_direct')).toBe(32);
    expect(v(sys, 'pgsteal_direct')).toBe(32);
    expect(v(sys, 'pgscan_file')).toBe(32);
    expect(v(sys, 'pgsteal_file')).toBe(32);
    expect(v(sys, 'pgscan_anon')).toBe(0);
    expect(v(sys, 'pgscan_kswapd')).toBe(0);
    expect(freed.map((f) => f.pfn)).toEqual(pfns.slice(0, 32));
    expect(freed.every((f) => f.why === FREED_BY_DIRECT_RECLAIM && f.order === 0)).toBe(true);
    // the 33rd oldest is now the LRU tail
    const list = lruListPfns(sys, 0, LRU_FILE);
    expect(list.length).toBe(131072 - 32);
    expect(list[list.length - 1]).toBe(pfns[32]);
  });

  it('when only anon pages exist and there is no swap then nothing is scanned and allocstall counts 2', () => {
    const { sys } = makeSys(machine());
    allocN(sys, ANON, 8192);
    // SCAN_FILE (no swap): every priority scans 0 pages; nothing reclaimed, so the memcg_full_walk retry runs
    // the priority loop once more and counts allocstall again
    expect(tryToFreePages(sys, acFor(sys, KERNEL), 0, KERNEL)).toBe(0);
    expect(v(sys, 'allocstall_normal')).toBe(2);
    expect(v(sys, 'pgscan_direct')).toBe(0);
    expect(v(sys, 'pgsteal_anon')).toBe(0);
  });

  it('when swap exists then anon pages are reclaimed by the SCAN_FRACT share and take swap slots', () => {
    const { sys, freed } = makeSys(machine({ swap: true }));
    allocN(sys, ANON, 8192);
    // no file pages: no cache_trim_mode; free ≫ high: file not tiny → SCAN_FRACT, anon weight 60/200.
    // priority p scans floor(floor(A / 2^p) × 60 / 200) with A the anon pages left:
    // p12 floor(2 × 0.3) = 0; p11 floor(4 × 0.3) = 1 (A 8191); p10 floor(7 × 0.3) = 2 (8189);
    // p9 floor(15 × 0.3) = 4 (8185); p8 floor(31 × 0.3) = 9 (8176); p7 floor(63 × 0.3) = 18 → 34 ≥ 32: stop
    expect(tryToFreePages(sys, acFor(sys, KERNEL), 0, KERNEL)).toBe(34);
    expect(v(sys, 'pgscan_anon')).toBe(34);
    expect(v(sys, 'pgsteal_anon')).toBe(34);
    expect(v(sys, 'allocstall_normal')).toBe(1);
    expect(sys.reclaim.swapUsed).toBe(34);
    expect(freed.length).toBe(34);
  });

  it('when a DMA32-only request reclaims then Normal pages at the LRU tail are skipped and counted in pgskip_normal', () => {
    const { sys } = makeSys(machine());
    allocN(sys, FILE, 64); // Normal: the 64 oldest pages
    const d = allocN(sys, FILE_DMA32, 65536); // DMA32
    expect(d.every((p) => p >= 4096 && p < 131072)).toBe(true);
    const mask = gfp('GFP_KERNEL|__GFP_DMA32');
    // lruvec_lru_size(reclaim_idx = DMA32) = 65536: p12 scans 16 eligible (whole batch), after skipping the 64
    // Normal pages at the tail (pgskip_normal 64, and pgscan counts them: 80); p11 scans floor(65520/2048) = 31;
    // 16 + 31 = 47 ≥ 32 → stop
    expect(tryToFreePages(sys, acFor(sys, mask), 0, mask)).toBe(47);
    expect(v(sys, 'pgskip_normal')).toBe(64);
    expect(v(sys, 'pgscan_direct')).toBe(64 + 16 + 31);
    expect(v(sys, 'pgsteal_direct')).toBe(47);
    expect(v(sys, 'allocstall_dma32')).toBe(1);
    expect(v(sys, 'allocstall_normal')).toBe(0);
    // the skipped Normal pages went back to the head
    const list = lruListPfns(sys, 0, LRU_FILE);
    expect(list.slice(0, 64).every((p) => p >= 131072)).toBe(true);
  });

  it('when called twice then allocstall counts each call', () => {
    const { sys } = makeSys(machine());
    allocN(sys, FILE, 131072);
    tryToFreePages(sys, acFor(sys, KERNEL), 0, KERNEL);
    tryToFreePages(sys, acFor(sys, KERNEL), 0, KERNEL);
    expect(v(sys, 'allocstall_normal')).toBe(2);
    // second call: (131072 − 32) >> 12 = 31 at p12 (the whole batch, < 32); p11 targets 131009 >> 11 = 63,
    // scanned in chunks of 32: the first chunk brings this pass to 32 ≥ nr_to_reclaim and, with no anon target
    // to keep proportional, shrink_lruvec() stops: 31 + 32 = 63
    expect(v(sys, 'pgsteal_direct')).toBe(32 + 63);
  });

  it('when slab-reclaimable pages exist and the request may enter the filesystem then the shrinker frees them', () => {
    const { sys } = makeSys(machine());
    allocN(sys, SLAB, 65536);
    // no LRU pages; do_shrink_slab: (65536 >> p) × 4 / 2 ≥ SHRINK_BATCH (128) first at p = 10 (128):
    // p12 32 and p11 64 scan nothing (below a batch, below freeable); p10 frees 128 ≥ 32 → stop
    expect(tryToFreePages(sys, acFor(sys, KERNEL), 0, KERNEL)).toBe(128);
    expect(v(sys, 'pgsteal_direct')).toBe(0);
    const nofs = gfp('GFP_NOFS');
    const { sys: s2 } = makeSys(machine());
    allocN(s2, SLAB, 65536);
    expect(tryToFreePages(s2, acFor(s2, nofs), 0, nofs)).toBe(0);
  });
});

describe('wakeupKswapd / kswapdRun / pgdatBalanced', () => {
  /** fill a DMA32-only node with file pages until it is below its low watermark (pgdat_balanced looks at any zone) */
  function belowLow(sys: MmSystem): void {
    const z = sys.machine.nodes[0]!.zones[ZONE_DMA32]!;
    while (z.nrFreePages >= z.watermark[WMARK_LOW]!) alloc(sys, FILE);
  }

  it('when the node is balanced then wakeup_kswapd records the request but does not wake kswapd', () => {
    const { sys } = makeSys(machine());
    const normal = sys.machine.nodes[0]!.zones[ZONE_NORMAL]!;
    expect(pgdatBalanced(sys, 0, 0, ZONE_NORMAL)).toBe(true);
    wakeupKswapd(sys, normal, KERNEL, 0, ZONE_NORMAL);
    expect(kswapdState(sys, 0).state).toBe('sleeping');
    expect(v(sys, 'mmreplay_kswapd_wakeups')).toBe(0);
  });

  it('when woken below low then kswapd reclaims at its throughput and sleeps once the node meets high', () => {
    const { sys, freed } = makeSys(machine({ zones: ['DMA32'] }), { kswapdPagesPerSecond: 1_000_000 });
    sys.reclaim.wakeupKcompactd = () => {};
    belowLow(sys);
    const normal = sys.machine.nodes[0]!.zones[ZONE_DMA32]!;
    expect(pgdatBalanced(sys, 0, 0, ZONE_NORMAL)).toBe(false);
    sys.nowNs = 1_000_000_000;
    wakeupKswapd(sys, normal, KERNEL, 0, ZONE_NORMAL);
    expect(kswapdState(sys, 0).state).toBe('running');
    expect(sys.machine.nodes[0]!.kswapdRunning).toBe(true);
    expect(v(sys, 'mmreplay_kswapd_wakeups')).toBe(1);
    expect(v(sys, 'pageoutrun')).toBe(1);
    // at the wake instant kswapd does its first pass: priority 12 over the node's file LRU (F pages: F >> 12),
    // then it is busy F>>12 µs at 1e6 pages/s and does nothing more until then
    const F = zoneKindPages(sys, normal, PAGE_KIND_FILE);
    const first = Math.floor(F / 4096);
    kswapdRun(sys, 1_000_000_000);
    expect(v(sys, 'pgsteal_kswapd')).toBe(first);
    expect(kswapdState(sys, 0).busyUntilNs).toBe(1_000_000_000 + first * 1000);
    // ten seconds later it has balanced the node, slept HZ/10 and gone to sleep for good
    kswapdRun(sys, 11_000_000_000);
    expect(kswapdState(sys, 0).state).toBe('sleeping');
    expect(sys.machine.nodes[0]!.kswapdRunning).toBe(false);
    expect(pgdatBalanced(sys, 0, 0, ZONE_NORMAL)).toBe(true);
    expect(normal.nrFreePages).toBeGreaterThan(normal.watermark[WMARK_HIGH]!);
    expect(v(sys, 'pgsteal_kswapd')).toBe(freed.length);
    expect(freed.every((f) => f.why === FREED_BY_KSWAPD)).toBe(true);
    expect(v(sys, 'pgscan_kswapd')).toBe(v(sys, 'pgsteal_kswapd'));
    expect(v(sys, 'kswapd_high_wmark_hit_quickly')).toBe(0);
    expect(v(sys, 'kswapd_low_wmark_hit_quickly')).toBe(0);
    expect(v(sys, 'pgscan_direct')).toBe(0);
  });

  it('when woken again during its short sleep then kswapd_low_wmark_hit_quickly counts it', () => {
    const { sys } = makeSys(machine({ zones: ['DMA32'] }), { kswapdPagesPerSecond: 0 });
    sys.reclaim.wakeupKcompactd = () => {};
    belowLow(sys);
    const normal = sys.machine.nodes[0]!.zones[ZONE_DMA32]!;
    wakeupKswapd(sys, normal, KERNEL, 0, ZONE_NORMAL);
    kswapdRun(sys, 0);
    expect(kswapdState(sys, 0).state).toBe('short_sleep');
    // push the node below high again within the 100 ms
    while (pgdatBalanced(sys, 0, 0, ZONE_NORMAL)) alloc(sys, FILE);
    sys.nowNs = KSWAPD_SHORT_SLEEP_NS / 2;
    wakeupKswapd(sys, normal, KERNEL, 0, ZONE_NORMAL);
    expect(v(sys, 'kswapd_low_wmark_hit_quickly')).toBe(1);
    expect(v(sys, 'pageoutrun')).toBe(2);
  });

  it('when a high order cannot be balanced then kswapd falls back to order 0 after compact_gap and asks kcompactd for the order', () => {
    // one zone, filled with alternating file and anon pages (same migratetype, so they interleave in the same
    // pageblocks); without swap only the file pages go: reclaim never frees an order-9 block
    const { sys } = makeSys(machine({ zones: ['DMA32'] }), { kswapdPagesPerSecond: 0 });
    const calls: [number, number, number][] = [];
    sys.reclaim.wakeupKcompactd = (_s, nid, order, idx) => void calls.push([nid, order, idx]);
    for (;;) {
      if (alloc(sys, FILE) < 0 || alloc(sys, ANON) < 0) break;
    }
    const dma32 = sys.machine.nodes[0]!.zones[ZONE_DMA32]!;
    wakeupKswapd(sys, dma32, KERNEL, 9, ZONE_DMA32);
    kswapdRun(sys, 0);
    // compact_gap(9) = 1024 pages reclaimed → sc.order = 0; balanced at order 0 → reclaim_order 0 < alloc_order 9:
    // kswapd_try_to_sleep(alloc 9, reclaim 0) → prepare_kswapd_sleep(0) → wakeup_kcompactd(order 9) and the short sleep
    expect(v(sys, 'pgsteal_kswapd')).toBeGreaterThanOrEqual(1024);
    expect(pgdatBalanced(sys, 0, 0, ZONE_DMA32)).toBe(true);
    expect(pgdatBalanced(sys, 0, 9, ZONE_DMA32)).toBe(false);
    expect(calls).toContainEqual([0, 9, ZONE_DMA32]);
    expect(kswapdState(sys, 0).state).toBe('short_sleep');
    expect(v(sys, 'pageoutrun')).toBe(1);
  });

  it('when a zone has a watermark boost then kswapd reclaims the boost, resets it and wakes kcompactd for pageblock_order', () => {
    const { sys } = makeSys(machine(), { kswapdPagesPerSecond: 0 });
    const calls: [number, number, number][] = [];
    sys.reclaim.wakeupKcompactd = (_s, nid, order, idx) => void calls.push([nid, order, idx]);
    allocN(sys, FILE, 131072);
    const normal = sys.machine.nodes[0]!.zones[ZONE_NORMAL]!;
    normal.watermarkBoost = 1000;
    // still balanced (free ≫ high + boost) but boosted: pgdat_watermark_boosted() lets the wakeup through
    expect(pgdatBalanced(sys, 0, 0, ZONE_NORMAL)).toBe(true);
    wakeupKswapd(sys, normal, 0, 0, ZONE_NORMAL);
    expect(v(sys, 'mmreplay_kswapd_wakeups')).toBe(1);
    kswapdRun(sys, 0);
    expect(normal.watermarkBoost).toBe(0);
    expect(calls).toContainEqual([0, 9, ZONE_NORMAL]);
    // passes reclaim F >> p pages, the priority stops rising at 10 while boosting (1024 = 131072 >> 7 … per pass);
    // the last pass overshoots the 1000 by less than one pass (≤ 131072 >> 10 = 128)
    const stolen = v(sys, 'pgsteal_kswapd');
    expect(stolen).toBeGreaterThanOrEqual(1000);
    expect(stolen).toBeLessThan(1000 + 128);
    expect(v(sys, 'pageoutrun')).toBe(1);
  });

  it('when nothing is reclaimable then kswapd counts failures and gives up on the node after 16 runs', () => {
    const { sys } = makeSys(machine({ zones: ['DMA32'] }), { kswapdPagesPerSecond: 0 });
    sys.reclaim.wakeupKcompactd = () => {};
    const dma32 = sys.machine.nodes[0]!.zones[ZONE_DMA32]!;
    while (alloc(sys, KERNEL) >= 0);
    wakeupKswapd(sys, dma32, KERNEL, 0, ZONE_DMA32);
    kswapdRun(sys, 0);
    // each fruitless balance_pgdat(): kswapd_failures++, not balanced → kswapd_high_wmark_hit_quickly and again;
    // at 16 prepare_kswapd_sleep() lets it sleep (hopeless node)
    expect(kswapdState(sys, 0).failures).toBe(16);
    expect(v(sys, 'pageoutrun')).toBe(16);
    expect(v(sys, 'kswapd_high_wmark_hit_quickly')).toBe(15);
    expect(kswapdState(sys, 0).state).toBe('short_sleep');
    // a hopeless node is not woken again
    wakeupKswapd(sys, dma32, KERNEL, 0, ZONE_DMA32);
    expect(v(sys, 'mmreplay_kswapd_wakeups')).toBe(1);
  });
});

describe('freeAllocated integration', () => {
  it('when the slow path frees a block then it leaves the LRU and is not reclaimed twice', () => {
    const { sys } = makeSys(machine({ zones: ['DMA', 'DMA32'] }));
    const f = allocN(sys, FILE, 4);
    freeAllocated(sys, f[0]!, 0, 0);
    expect(lruListPfns(sys, 0, LRU_FILE)).toEqual([f[3], f[2], f[1]]);
    expect(sys.machine.nodes[0]!.memmap.state[f[0]! - sys.machine.nodes[0]!.memmap.startPfn]).not.toBe(PAGE_ALLOC);
  });
});

describe('pre-trace overlay (snapshot machines)', () => {
  it('when explicit counts are given then exactly that many pre-allocated pages become file, spread over the zone', () => {
    const m = buildMachine('traces/real/quiet/before', { policy: v6_18 });
    const st = createReclaimState(m, { preTrace: { '0:DMA32': { file: 1000, anon: 500 } } });
    expect(st.preTraceApplied['0:DMA32']).toEqual({ file: 1000, anon: 500, slab: 0 });
    expect(st.preTraceApplied['0:Normal']).toEqual({ file: 0, anon: 0, slab: 0 });
    const nr = st.nodes[0]!;
    const kinds = [0, 0, 0, 0, 0, 0];
    const dma32 = m.nodes[0]!.zones[ZONE_DMA32]!;
    const mm = m.nodes[0]!.memmap;
    let pre = 0;
    for (let p = dma32.zoneStartPfn as number; p < (dma32.zoneStartPfn as number) + dma32.spannedPages; p++) {
      const k = nr.kind[p - mm.startPfn]!;
      kinds[k]!++;
      if (k) pre++;
    }
    expect(kinds[PAGE_KIND_FILE]).toBe(1000);
    expect(kinds[PAGE_KIND_ANON]).toBe(500);
    expect(kinds[PAGE_KIND_PRETRACE]).toBe(pre - 1500);
    expect(nr.nrEntries[LRU_FILE]).toBe(1000);
  });

  it('when the snapshot has vmstat LRU counters then the node totals are shared over the zones', () => {
    const m = buildMachine('traces/real/fragment-compact/before', { policy: v6_18 });
    const st = createReclaimState(m);
    const applied = Object.values(st.preTraceApplied);
    // /proc/vmstat: nr_inactive_file 5454 + nr_active_file 1307 = 6761; shares floor each zone: sum ≤ 6761
    const file = applied.reduce((a, c) => a + c.file, 0);
    expect(file).toBeLessThanOrEqual(6761);
    expect(file).toBeGreaterThanOrEqual(6761 - applied.length);
    expect(st.nodes[0]!.nrEntries[LRU_FILE]).toBe(file);
  });
});
