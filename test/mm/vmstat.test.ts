import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FreeAreaState, PglistData, Zone } from '../../src/mm/mmzone.js';
import { MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_TYPES, NR_PAGE_ORDERS } from '../../src/mm/mmzone.js';
import {
  ALLOCSTALL,
  ALLOCSTALL_DMA,
  NR_FREE_PAGES,
  NR_FREE_PAGES_BLOCKS,
  NR_VMSTAT_ITEMS,
  PGALLOC_DMA,
  PGSCAN_KSWAPD_DMA,
  counterNames,
  formatVmstat,
  newVmstat,
  policyOrder,
  refreshVmstatGauges,
  vmstatIndex,
  vmstatItems,
  vmstatPresent,
  vmstatTextV6_18,
  zoneSuffixes,
} from '../../src/mm/vmstat.js';

const realVmstat = readFileSync(new URL('../../traces/real/quiet/before/vmstat', import.meta.url), 'utf8');
const realNames = realVmstat.trimEnd().split('\n').map((l) => l.split(' ')[0]!);

describe('vmstat_text order (v6.18)', () => {
  it('the generated v6.18 table is exactly the real /proc/vmstat name list', () => {
    expect(vmstatTextV6_18).toEqual(realNames);
    expect(vmstatTextV6_18).toHaveLength(192);
  });

  it('every v6.18 kernel counter we keep exists on the real 6.18 machine, in /proc/vmstat order', () => {
    const kernel = counterNames('v6.18')!.filter((n) => !n.startsWith('mmreplay_'));
    const positions = kernel.map((n) => realNames.indexOf(n));
    expect(positions.filter((p) => p < 0)).toEqual([]);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it('zone-suffixed ids are contiguous in zone_type order', () => {
    expect(zoneSuffixes).toEqual(['dma', 'dma32', 'normal', 'movable', 'device']);
    for (let z = 0; z < 5; z++) {
      expect(vmstatItems[PGALLOC_DMA + z]!.name).toBe(`pgalloc_${zoneSuffixes[z]}`);
      expect(vmstatItems[ALLOCSTALL_DMA + z]!.name).toBe(`allocstall_${zoneSuffixes[z]}`);
    }
    for (let z = 0; z < 4; z++) expect(vmstatItems[PGSCAN_KSWAPD_DMA + z]!.name).toBe(`pgscan_kswapd_${zoneSuffixes[z]}`);
  });

  it('mmreplay_* extras come last and are not kernel names', () => {
    const names = counterNames('v6.18')!;
    const first = names.findIndex((n) => n.startsWith('mmreplay_'));
    expect(names.slice(first).every((n) => n.startsWith('mmreplay_'))).toBe(true);
    expect(names.slice(first).some((n) => realNames.includes(n))).toBe(false);
  });
});

describe('presence per version', () => {
  const has = (name: string) => policyOrder.filter((p) => vmstatPresent(vmstatIndex(name), p));

  it('allocstall is one counter up to 4.7 and per zone from 4.8 (§12)', () => {
    expect(has('allocstall')).toEqual(['v4.0']);
    expect(has('allocstall_normal')).toEqual(['v4.12', 'v5.0', 'v5.15', 'v6.1', 'v6.6', 'v6.18']);
    expect(has('pgskip_dma32')).toEqual(['v4.12', 'v5.0', 'v5.15', 'v6.1', 'v6.6', 'v6.18']);
  });
  it('pgscan/pgsteal are per zone in 4.0 and node-wide later', () => {
    expect(has('pgscan_kswapd_normal')).toEqual(['v4.0']);
    expect(has('pgsteal_direct')).toEqual(['v4.12', 'v5.0', 'v5.15', 'v6.1', 'v6.6', 'v6.18']);
  });
  it('later additions appear at their brackets', () => {
    expect(has('oom_kill')[0]).toBe('v5.0');
    expect(has('pgscan_anon')[0]).toBe('v5.15');
    expect(has('pgalloc_device')[0]).toBe('v6.1');
    expect(has('nr_free_pages_blocks')).toEqual(['v6.18']);
    expect(has('compact_daemon_wake')[0]).toBe('v4.12');
    expect(has('pgalloc_normal')).toEqual([...policyOrder]);
  });
  it('counterNames of v4.0 lists the old names and not the new ones', () => {
    const v40 = counterNames('v4.0')!;
    expect(v40).toContain('allocstall');
    expect(v40).toContain('pgsteal_kswapd_dma32');
    expect(v40).not.toContain('allocstall_normal');
    expect(v40).not.toContain('pgalloc_device');
    expect(v40).not.toContain('mmreplay_kcompactd_wakeups');
  });
  it('an unknown policy has no counter list', () => {
    expect(counterNames('v3.10')).toBeUndefined();
    expect(vmstatPresent(PGALLOC_DMA, 'v3.10')).toBe(false);
  });
  it('every row names a known since/until policy', () => {
    for (const it of vmstatItems) {
      expect(policyOrder).toContain(it.since);
      if (it.until) expect(policyOrder.indexOf(it.until)).toBeGreaterThanOrEqual(policyOrder.indexOf(it.since));
    }
  });
});

describe('counters', () => {
  it('newVmstat is one zeroed Float64Array indexed by id', () => {
    const v = newVmstat();
    expect(v).toBeInstanceOf(Float64Array);
    expect(v.length).toBe(NR_VMSTAT_ITEMS);
    v[PGALLOC_DMA + 2] += 1 << 3;
    v[ALLOCSTALL] += 1;
    expect(formatVmstat(v, 'v6.18')).toContain('pgalloc_normal 8\n');
    expect(formatVmstat(v, 'v6.18')).not.toContain('allocstall ');
    expect(formatVmstat(v, 'v4.0')).toContain('\nallocstall 1\n');
  });

  it('refreshVmstatGauges: free pages and free pages in whole pageblocks, as the real DMA zone shows', () => {
    // the real DMA zone: buddyinfo 0 0 0 0 0 0 0 0 1 1 3, nr_free_pages 3840, nr_free_pages_blocks 3584
    const nrFree = Int32Array.from([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3]);
    const nrFreeMt = new Int32Array(NR_PAGE_ORDERS * MIGRATE_TYPES);
    nrFreeMt[8 * MIGRATE_TYPES] = 1;
    nrFreeMt[9 * MIGRATE_TYPES + MIGRATE_MOVABLE] = 1;
    nrFreeMt[10 * MIGRATE_TYPES + MIGRATE_MOVABLE] = 3;
    const area: FreeAreaState = { head: new Int32Array(0), tail: new Int32Array(0), nrFree, nrFreeMt };
    const zone = { nrFreePages: 3840, freeArea: area } as Zone;
    const v = newVmstat();
    refreshVmstatGauges(v, [{ zones: [zone] } as unknown as PglistData]);
    expect(v[NR_FREE_PAGES]).toBe(3840);
    expect(v[NR_FREE_PAGES_BLOCKS]).toBe(3584);
    // an isolated order-10 block does not count: 3584 - 1024
    nrFree[10] = 3;
    nrFreeMt[10 * MIGRATE_TYPES + MIGRATE_MOVABLE] = 2;
    nrFreeMt[10 * MIGRATE_TYPES + MIGRATE_ISOLATE] = 1;
    refreshVmstatGauges(v, [{ zones: [zone] } as unknown as PglistData]);
    expect(v[NR_FREE_PAGES_BLOCKS]).toBe(2560);
  });
});
