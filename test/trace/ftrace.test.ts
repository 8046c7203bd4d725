/**
 * The text front end (src/trace/ftrace.ts via readTrace) on hand-written lines of each kernel era, shaped as the
 * kernel prints them (include/trace/events/kmem.h of that tag, lib/vsprintf.c %p), and on real 6.18 lines.
 */
import { describe, expect, it } from 'vitest';
import { collect, FIX } from './helpers.js';
import { parseGfpFlags } from '../../src/mm/gfp.js';

describe('ftrace text, per kernel era', () => {
  it('when a 4.0 trace is read then (null) pages, decimal pfns, GFP_-prefixed names and 4.0 migratetype numbers are understood', async () => {
    const { r, evs, errors } = await collect(`${FIX}v4.0.txt`);
    expect(errors).toEqual([]);
    expect(r.format).toBe('ftrace');
    // 4-char flags, decimal pfn, cold=, (null) → ≤4.14; GFP_ZERO names → 4.0–4.5; migratetype=1 for
    // GFP_KERNEL|GFP_RECLAIMABLE only matches the 4.0 numbering (RECLAIMABLE=1) → 4.0–4.3
    expect(r.kernelEra).toBe('4.0–4.3');
    expect(r.gfpEra).toBe('4.0');
    expect(Object.fromEntries(r.events)).toEqual({ mm_page_alloc: 4, mm_page_alloc_zone_locked: 1, mm_page_free_batched: 1, mm_page_free: 1 });
    expect(evs[1]).toMatchObject({ name: 'mm_page_alloc', task: 'bash', pid: 2817, cpu: 3, flags: '....', pfn: 0, order: 9, failed: true, gfp: 'GFP_TRANSHUGE', line: 13 });
    expect(evs[2]).toMatchObject({ name: 'mm_page_alloc_zone_locked', flags: 'd..1', percpuRefill: 1, pfn: 888450 });
    expect(evs[3]).toMatchObject({ name: 'mm_page_free_batched', cold: 0, pfn: 888449, order: 0 });
    expect(evs[5]).toMatchObject({ task: 'kworker/0:1', pid: 45, gfp: 'GFP_NOWAIT', time: 123.4571 });
  });

  it('when a 4.0 trace gives GFP_NOWAIT then its mask is 0', async () => {
    const { masks } = await collect(`${FIX}v4.0.txt`, { traceKernel: '4.0' });
    expect(masks[2]).toBe(0);
    expect(masks[0]).toBe(parseGfpFlags('GFP_HIGHUSER_MOVABLE|GFP_ZERO', '4.0'));
  });

  it('when a 4.12 trace has task names with spaces, <idle> and <...> then they split on the last -pid', async () => {
    const { r, evs } = await collect(`${FIX}v4.12.txt`);
    expect(r.kernelEra).toBe('4.6–4.14');
    expect(evs.map((e) => [e.task, e.pid])).toEqual([
      ['<idle>', 0], ['kworker/1:2', 91], ['Web Content', 4321], ['Web Content', 4321], ['<...>', 1234], ['<...>', 1234], ['kswapd0', 88],
    ]);
    expect(evs[0]!.flags).toBe('d.s.');
    expect(evs[3]).toMatchObject({ failed: true, order: 9 });
    expect(evs[6]).toMatchObject({ name: 'mm_vmscan_kswapd_wake', system: 'vmscan', fields: [['nid', '0', 0], ['zid', '2', 2], ['order', '0', 0]] });
  });

  it('when mm_page_free_batched prints cold= then the era is at most 4.14', async () => {
    const { r, evs } = await collect(`${FIX}v4.14.txt`);
    expect(r.kernelEra).toBe('4.13–4.14');
    expect(evs[2]).toMatchObject({ name: 'mm_page_free_batched', cold: 0 });
    expect(evs[4]).toMatchObject({ name: 'mm_page_pcpu_drain', migratetype: 1, flags: 'd..2' });
  });

  it('when a 5.0 trace has hashed pointers, decimal pfns and (null) then failures come from pfn 0', async () => {
    const { r, evs } = await collect(`${FIX}v5.0.txt`);
    expect(r.kernelEra).toBe('4.15–5.1');
    expect(evs.filter((e) => e.failed).length).toBe(1);
    expect(evs[5]).toMatchObject({
      name: 'mm_page_alloc_extfrag', pfn: 172032, allocOrder: 0, fallbackOrder: 9, pageblockOrder: 9,
      allocMigratetype: 0, fallbackMigratetype: 1, fragmenting: 0, changeOwnership: 1,
    });
  });

  it('when a 5.15 trace has 5-character flags and hex pfns then the era starts at 5.14', async () => {
    const { r, evs } = await collect(`${FIX}v5.15.txt`);
    expect(r.kernelEra).toBe('5.14–6.18');
    expect(evs[0]).toMatchObject({ task: 'kworker', pid: 91, flags: '.....', pfn: 0x103b70 });
    expect(evs[1]).toMatchObject({ pfn: 0, failed: true });
  });

  it('when percpu_refill=1 comes with order 3 then the era is 6.0+', async () => {
    const { r, evs } = await collect(`${FIX}v6.1.txt`);
    expect(r.kernelEra).toBe('6.0–6.18');
    expect(evs[3]).toMatchObject({ name: 'mm_vmscan_wakeup_kswapd', fields: [['nid', '0', 0], ['order', '3', 3], ['gfp_flags', 'GFP_KERNEL_ACCOUNT|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_NOMEMALLOC', NaN]] });
  });

  it('when GFP_NOWAIT|__GFP_NOWARN is printed then the trace is before 6.8 (GFP_NOWAIT holds NOWARN from 6.8)', async () => {
    const { r } = await collect(`${FIX}v6.6.txt`);
    expect(r.kernelEra).toBe('5.14–6.7');
  });

  it('when real 6.18 lines are read then every field is kept', async () => {
    const { r, evs, errors } = await collect(`${FIX}v6.18.txt`);
    expect(errors).toEqual([]);
    expect(r.unparsed).toBe(0);
    const byName = Object.fromEntries(evs.map((e) => [e.name, e]));
    expect(byName.mm_compaction_finished).toMatchObject({ system: 'compaction', fields: [['node', '0', 0], ['zone', 'Normal', NaN], ['order', '9', 9], ['ret', 'success', NaN]] });
    expect(byName.mm_compaction_end!.fields).toEqual([['zone_start', '0x100000', 0x100000], ['migrate_pfn', '0x108a00', 0x108a00],
      ['free_pfn', '0x132c00', 0x132c00], ['zone_end', '0x640000', 0x640000], ['mode', 'async', NaN], ['status', 'success', NaN]]);
    expect(byName.mm_page_free_batched).toMatchObject({ task: 'capture.sh', pid: 7935, flags: '...4.', pfn: 0x476fc2, order: 0 });
    expect(byName.mm_page_alloc_extfrag).toMatchObject({ pfn: 0x202000, allocOrder: 9, fallbackMigratetype: 2, changeOwnership: 1 });
    expect(byName.mm_vmscan_lru_shrink_inactive!.fields).toContainEqual(['flags', 'RECLAIM_WB_FILE|RECLAIM_WB_ASYNC', NaN]);
    expect(evs.find((e) => e.failed)).toMatchObject({ ts: '1973.984104', order: 9, gfp: 'GFP_TRANSHUGE|__GFP_NORETRY|__GFP_THISNODE' });
  });

  it('when the 6.15+ setup and oom events are read then bare words prefix keys and key:value parses', async () => {
    const { r, evs } = await collect(`${FIX}v6.18-setup.txt`);
    expect(r.kernelEra).toBe('6.15–6.18');
    expect(r.skipped).toBe(1);
    expect(r.events.get('sched_switch')).toBe(1);
    expect(evs[0]!.fields).toEqual([['node_id', '0', 0], ['zone_name', 'Normal', NaN], ['watermark_min', '14769', 14769],
      ['low', '20163', 20163], ['high', '25557', 25557], ['promo', '30951', 30951]]);
    expect(evs[1]!.fields).toEqual([['node_id', '0', 0], ['zone_name', 'DMA32', NaN], ['upper_zone_name', 'Normal', NaN], ['lowmem_reserve_pages', '21071', 21071]]);
    expect(evs[5]).toMatchObject({ system: 'oom', name: 'mark_victim' });
    expect(evs[5]!.fields).toContainEqual(['file-rss', '1024kB', 1024]);
    expect(evs[6]!.fields).toEqual([['range', '(0x108c00 ~ 0x108e00)', NaN], ['nr_scanned', '512', 512], ['nr_taken', '32', 32]]);
  });

  it('when record-tgid and a counter clock are used then tgid and the raw counter are read', async () => {
    const { evs } = await collect(`${FIX}tgid-counter.txt`);
    expect(evs[0]).toMatchObject({ task: 'kworker/u8:2', pid: 123, tgid: 123, cpu: 2, ts: '123456789012', time: 123456789012 });
    expect(evs[1]).toMatchObject({ task: 'bash', tgid: -1 });
  });

  it('when the irq-flags column is absent then the timestamp follows the cpu', async () => {
    const { evs } = await collect(`${FIX}noflags.txt`);
    expect(evs[0]).toMatchObject({ flags: '', ts: '123.456789', pfn: 888449 });
  });
});

describe('trace-cmd report and perf script', () => {
  it('when a trace-cmd report is read then cpus= marks it and (nil) pages fail by pfn 0', async () => {
    const { r, evs } = await collect(`${FIX}trace-cmd.txt`);
    expect(r.format).toBe('trace-cmd');
    expect(evs[1]).toMatchObject({ task: '<idle>', pid: 0, flags: '', failed: true, order: 3 });
    expect(evs[0]).toMatchObject({ task: 'run_formats.sh', pid: 30539, pfn: 0x19760c });
  });

  it('when perf script is read then comm and pid split on the space and the system prefix is dropped from the name', async () => {
    const { r, evs } = await collect(`${FIX}perf-script.txt`);
    expect(r.format).toBe('perf-script');
    expect(evs[1]).toMatchObject({ name: 'mm_page_alloc', system: 'kmem', task: 'Web Content', pid: 4321, failed: true });
    expect(evs[3]).toMatchObject({ name: 'sched_process_exec', system: 'sched' });
    expect(r.skipped).toBe(1);
    expect(r.kernelEra).toBe('5.14–6.18');
  });
});
