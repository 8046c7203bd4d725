/**
 * One scenario per version change of the slow path (traces/scenarios/policy-*.json): each is replayed under both
 * policies with `--policy` (the scenario's own `policy` and `expect` block are one side) and the test asserts the
 * exact difference: path, pfn, compaction and OOM counters, warn_alloc reports.
 */
import { describe, expect, it } from 'vitest';
import { bothPolicies as both, checkExpect, scen, stepKinds, stepsOf } from './replay.js';


describe('warn_alloc ratelimit: DEFAULT 5*HZ/10 (v5.0) vs 10*HZ/1 (v5.15) (policy-warn-ratelimit)', () => {
  it('when twelve order-10 GFP_NOWAIT requests fail within 12 ms then v5.0 prints 10 reports and v5.15 one', async () => {
    const [v50, v515] = await both('policy-warn-ratelimit', 'v5.0', 'v5.15');
    expect(checkExpect(scen('policy-warn-ratelimit'), v50)).toEqual([]);
    // one request (the second) is served by the min-watermark attempt: kswapd, woken by the first, has reclaimed
    // page cache in the 1 ms between them; the other 11 fail on both sides
    for (const r of [v50, v515]) {
      expect(r.named('rx-ring').map((a) => a.path)).toEqual(['fail', 'min_retry', ...Array(10).fill('fail')]);
    }
    expect(v50.summary.warnings.printed).toBe(10);
    expect(v50.counter('mmreplay_warn_alloc_suppressed')).toBe(1);
    expect(v515.summary.warnings.printed).toBe(1);
    expect(v515.counter('mmreplay_warn_alloc_suppressed')).toBe(10);
    // GFP_NOWAIT in each era: __GFP_KSWAPD_RECLAIM 0x400000 (4.18 layout), 0x800 (5.14 layout)
    expect(v515.warnings[0]!.lines[0]).toContain('nic-rx: page allocation failure: order:10, mode:0x800(GFP_NOWAIT)');
  });
});

describe('__GFP_REPEAT (v4.12) vs __GFP_RETRY_MAYFAIL (v5.0) (policy-retry-mayfail-oom)', () => {
  it('when an order-0 request with bit 0x400 cannot reclaim then v4.12 OOM-kills and v5.0 fails without the OOM killer', async () => {
    const [v50, v412] = await both('policy-retry-mayfail-oom', 'v5.0', 'v4.12');
    expect(checkExpect(scen('policy-retry-mayfail-oom'), v50)).toEqual([]);
    const [a50] = v50.named('page');
    const [a412] = v412.named('page');
    expect(a50!.path).toBe('fail');
    // __alloc_pages_may_oom: the RETRY_MAYFAIL bail-out (aux OOM_SKIP_RETRY_MAYFAIL_THISNODE = 2), no progress
    expect(stepsOf(a50!, 'may_oom')[0]).toMatchObject({ result: 0, aux: 2 });
    expect(v50.counter('oom_kill')).toBe(0);
    // v4.12: 0x400 is __GFP_REPEAT, which only matters for costly orders: out_of_memory() kills the anon hog
    expect(a412!.path).toBe('oom');
    expect(stepsOf(a412!, 'may_oom')[0]).toMatchObject({ result: 1, aux: 4 });
    expect(v412.warnings[0]!.lines.some((l) => l.includes('Killed process 100 (anon_hog)'))).toBe(true);
    // in the v4.12 layout 0x6004c0 has no __GFP_KSWAPD_RECLAIM (0x1000000): no kswapd wake from the slow path
    expect(stepsOf(a412!, 'wake_all_kswapds')).toEqual([]);
    expect(stepsOf(a50!, 'wake_all_kswapds').length).toBe(2);
  });
});

describe('v4.0 compacts before reclaim; 4.7+ reclaims first for movable order ≤ 3 (policy-compact-first)', () => {
  it('when an order-2 movable request misses the min watermark then v4.0 stalls in async compaction first and v4.12 does not', async () => {
    const [v40, v412] = await both('policy-compact-first', 'v4.0', 'v4.12');
    expect(checkExpect(scen('policy-compact-first'), v40)).toEqual([]);
    const [a40] = v40.named('order2');
    const [a412] = v412.named('order2');
    // v4.0: retry: → freelist → direct compaction (ASYNC = prio 2) → direct reclaim → served after the pcp drain
    const k40 = stepKinds(a40!).filter((k) => ['direct_compact', 'direct_reclaim', 'drain'].includes(k));
    expect(k40).toEqual(['direct_compact', 'direct_reclaim', 'drain']);
    expect(stepsOf(a40!, 'direct_compact')[0]).toMatchObject({ aux: 2, mark: 1 });
    expect(a40!.path).toBe('reclaim');
    expect(v40.counter('compact_stall')).toBe(1);
    expect(v40.counter('compact_fail')).toBe(1);
    // v4.12: movable order 2 is neither costly nor non-movable: no initial compaction, reclaim serves it
    expect(stepsOf(a412!, 'direct_compact')).toEqual([]);
    expect(a412!.path).toBe('reclaim');
    expect(v412.counter('compact_stall')).toBe(0);
    expect(v412.counter('allocstall_movable')).toBe(1);
  });
});

describe('compaction capture from 5.1 (policy-compaction-capture)', () => {
  it('when async compaction frees an order-4 block then v5.15 captures it at pfn 4096 and v5.0 allocates pfn 4576 from the freelist', async () => {
    const [v515, v50] = await both('policy-compaction-capture', 'v5.15', 'v5.0');
    expect(checkExpect(scen('policy-compaction-capture'), v515)).toEqual([]);
    const [a515] = v515.named('order4');
    const [a50] = v50.named('order4');
    // capture: the compactor's own freed sources merge to order 4 at the zone start; no freelist attempt follows
    expect(a515!.result).toEqual({ ok: true, node: 0, zone: 'DMA32', pfn: 4096 });
    expect(stepsOf(a515!, 'direct_compact')[0]!.free).toBe(4096);
    expect(stepKinds(a515!).slice(-2)).toEqual(['compact', 'direct_compact']);
    // no capture_control: compaction runs until __compact_finished() sees a free order-4 block (one pageblock
    // scanned), then get_page_from_freelist() takes the lowest such block
    expect(a50!.path).toBe('initial_compact');
    expect(a50!.result).toEqual({ ok: true, node: 0, zone: 'DMA32', pfn: 4576 });
    expect(stepsOf(a50!, 'direct_compact')[0]!.free).toBe(-1);
    expect(v515.counter('compact_migrate_scanned')).toBe(16);
    expect(v50.counter('compact_migrate_scanned')).toBe(512);
  });
});
