/**
 * Per-version behaviour of the allocator core: each test's outcome differs between the two sides of a change
 * (policy files src/policy/v*.ts cite where each rule comes from).
 */
import { describe, expect, test } from 'vitest';
import { buildMachine } from '../../src/mm/machine.js';
import { allocPagesFast, createAllocOut, createPageAlloc, getPageFromFreelist, prepareAllocPages, zoneAllocBatch } from '../../src/mm/page_alloc.js';
import { initFreeArea, rmqueueBlock } from '../../src/mm/buddy.js';
import { calculateMinFreeKbytes } from '../../src/mm/watermark.js';
import { gfpBit } from '../../src/mm/gfp.js';
import { ALLOC_HARDER, ALLOC_HIGH, ALLOC_HIGHATOMIC, ALLOC_WMARK_MIN } from '../../src/mm/internal.js';
import { MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_UNMOVABLE, WMARK_HIGH, WMARK_LOW, WMARK_MIN, ZONE_DMA32, ZONE_NORMAL } from '../../src/mm/mmzone.js';
import type { Zone } from '../../src/mm/mmzone.js';
import { getPolicy } from '../../src/policy/index.js';
import type { Policy } from '../../src/policy/policy.js';
import { carve, makeTestZone } from '../helpers/buddy-zone.js';

const P = (n: string): Policy => getPolicy(n)!;

describe('get_page_from_freelist(): the fair zone allocation policy (v4.0 only)', () => {
  test('when 20000 order-0 GFP_KERNEL pages are allocated then v4.0 spreads them over Normal and DMA32 and v4.12 takes Normal only', () => {
    const zonesUsed = (name: string): Record<string, number> => {
      const m = buildMachine('x86_64-16G', { policy: P(name) });
      const pa = createPageAlloc(m);
      const out = createAllocOut();
      const count: Record<string, number> = {};
      const gfp = gfpBit('GFP_KERNEL', P(name).gfpEra);
      for (let i = 0; i < 20000; i++) {
        expect(allocPagesFast(pa, gfp, 0, 0, 0, out)).toBeGreaterThanOrEqual(0);
        count[out.zone!.name] = (count[out.zone!.name] ?? 0) + 1;
      }
      return count;
    };
    const v40 = zonesUsed('v4.0');
    const v412 = zonesUsed('v4.12');
    // v4.0: Normal's NR_ALLOC_BATCH (high − low) runs out, then DMA32's; the batches are reset and the round repeats
    expect(v40.Normal).toBeGreaterThan(0);
    expect(v40.DMA32).toBeGreaterThan(0);
    expect(v412).toEqual({ Normal: 20000 });
  });

  test('when the fair pass allocates then the zone batch (high − low) is spent page by page', () => {
    const m = buildMachine('x86_64-16G', { policy: P('v4.0') });
    const pa = createPageAlloc(m);
    const normal = m.nodes[0]!.zones[ZONE_NORMAL]!;
    const start = normal.watermark[WMARK_HIGH]! - normal.watermark[WMARK_LOW]!;
    expect(zoneAllocBatch(pa, normal)).toBe(start);
    allocPagesFast(pa, gfpBit('GFP_KERNEL', '4.0'), 2, 0, 0, createAllocOut());
    expect(zoneAllocBatch(pa, normal)).toBe(start - 4);
  });
});

describe('__setup_per_zone_wmarks() and calculate_min_free_kbytes() per version', () => {
  test('when the same 16G machine boots then v4.0 has high = min + share/2 without a scale factor and v4.12 high = min + 2·delta', () => {
    const w = (name: string): number[] => {
      // a small min_free_kbytes, so that v4.12's scale-factor delta (managed · 10 / 10000) dominates
      const z = buildMachine('x86_64-16G', { policy: P(name), sysctl: { min_free_kbytes: 4096 } }).nodes[0]!.zones[ZONE_NORMAL]!;
      return [z.watermark[WMARK_MIN]!, z.watermark[WMARK_LOW]!, z.watermark[WMARK_HIGH]!];
    };
    const [min40, low40, high40] = w('v4.0');
    const [min412, low412, high412] = w('v4.12');
    // the share (min) is the same: min_free_kbytes and managed pages do not change between the two
    expect(min40).toBe(min412);
    // v4.0: low = min + min/4, high = min + min/2 (tmp is the zone's share = its min)
    expect(low40).toBe(min40 + Math.floor(min40 / 4));
    expect(high40).toBe(min40 + Math.floor(min40 / 2));
    // v4.12: delta = max(min/4, managed · 10 / 10000) = managed / 1000 here: high − low = low − min
    const managed = buildMachine('x86_64-16G', { policy: P('v4.12') }).nodes[0]!.zones[ZONE_NORMAL]!.managedPages;
    expect(low412 - min412).toBe(Math.floor((managed * 10) / 10000));
    expect(high412 - low412).toBe(low412 - min412);
    expect(high412).toBeGreaterThan(high40);
  });

  test('when lowmem is 512 GiB then v4.12 clamps min_free_kbytes at 65536 and v5.15 allows int_sqrt(lowmem_kb · 16)', () => {
    // 2^27 pages = 2^29 KiB; int_sqrt(2^33) = 92681
    const zone = { zoneIdx: ZONE_NORMAL, managedPages: 2 ** 27, watermark: [0, 0, 0, 0], watermarkBoost: 0 } as unknown as Zone;
    expect(calculateMinFreeKbytes([zone], P('v4.12'))).toBe(65536);
    expect(calculateMinFreeKbytes([zone], P('v5.15'))).toBe(92681);
  });
});

describe('__rmqueue_fallback(): shapes before 6.10 and the 6.15 claim/steal', () => {
  // one UNMOVABLE pageblock holding a free order-1 block at pfn 2 and a free order-3 block at pfn 8; no MOVABLE pages
  const setup = (name: string) => {
    const z = makeTestZone({ zoneStartPfn: 0, spanned: 512 });
    z.zone.freeArea = initFreeArea(P(name));
    carve(z, { pageblockMts: [MIGRATE_UNMOVABLE], free: [[2, 1, MIGRATE_UNMOVABLE], [8, 3, MIGRATE_UNMOVABLE]] });
    return z;
  };
  test('when a MOVABLE order-0 request must fall back then v4.12 steals the largest block and v5.0 (4.13+) the smallest', () => {
    const a = setup('v4.12');
    expect(rmqueueBlock(a.zone, a.mm, 0, MIGRATE_MOVABLE, 0)).toBe(8);
    const b = setup('v5.0');
    expect(rmqueueBlock(b.zone, b.mm, 0, MIGRATE_MOVABLE, 0)).toBe(2);
    // v6.18 steals from the smallest order up as well
    const c = setup('v6.18');
    expect(rmqueueBlock(c.zone, c.mm, 0, MIGRATE_MOVABLE, 0)).toBe(2);
  });

  test('when only a reserve-slot block is free then v4.0 hands it out as MIGRATE_RESERVE and v4.12 keeps it for highatomic users', () => {
    const mk = (name: string) => {
      const z = makeTestZone({ zoneStartPfn: 0, spanned: 512 });
      z.zone.freeArea = initFreeArea(P(name));
      carve(z, { pageblockMts: [MIGRATE_HIGHATOMIC], free: [[0, 9, MIGRATE_HIGHATOMIC]] });
      return z;
    };
    const a = mk('v4.0');
    expect(rmqueueBlock(a.zone, a.mm, 0, MIGRATE_UNMOVABLE, 0)).toBe(0);
    const b = mk('v4.12');
    expect(rmqueueBlock(b.zone, b.mm, 0, MIGRATE_UNMOVABLE, 0)).toBe(-1);
  });
});

describe('highatomic reservation before and after 6.3', () => {
  // GFP_ATOMIC's slow-path alloc_flags: ≤6.2 ALLOC_HIGH | ALLOC_HARDER; 6.3+ the same bits are MIN_RESERVE | NON_BLOCK
  // and the reservation needs ALLOC_HIGHATOMIC
  const reserveAfter = (name: string, extra: number): number => {
    const m = buildMachine('x86_64-1G', { policy: P(name) });
    const pa = createPageAlloc(m);
    const out = createAllocOut();
    const ac = out.ac;
    const flags = prepareAllocPages(pa, gfpBit('GFP_ATOMIC', P(name).gfpEra), 0, -1, ac, ALLOC_WMARK_MIN | ALLOC_HIGH | ALLOC_HARDER | extra);
    expect(getPageFromFreelist(pa, 0, 4, flags, ac, out)).toBeGreaterThanOrEqual(0);
    return out.zone!.nrReservedHighatomic;
  };
  test('when an order-4 GFP_ATOMIC succeeds then v6.1 reserves its pageblock and v6.6 only with ALLOC_HIGHATOMIC', () => {
    expect(reserveAfter('v6.1', 0)).toBe(512);
    expect(reserveAfter('v6.6', 0)).toBe(0);
    expect(reserveAfter('v6.6', ALLOC_HIGHATOMIC)).toBe(512);
    // v4.0 has no highatomic reserve at all
    expect(reserveAfter('v4.0', 0)).toBe(0);
  });
});

describe('MAX_ORDER: exclusive 11 before 6.4, inclusive 10 from 6.4', () => {
  test('when orders 0..11 are requested then v6.1 and v6.6 accept exactly the same orders (0..10)', () => {
    const accepted = (name: string): number[] => {
      const m = buildMachine('x86_64-1G', { policy: P(name) });
      const pa = createPageAlloc(m);
      const out = createAllocOut();
      const ok: number[] = [];
      for (let o = 0; o <= 11; o++) {
        allocPagesFast(pa, gfpBit('GFP_KERNEL', P(name).gfpEra), o, 0, 0, out);
        if (!out.reject) ok.push(o);
      }
      return ok;
    };
    expect(P('v6.1').maxOrderConstant).toBe(11);
    expect(P('v6.6').maxOrderConstant).toBe(10);
    expect(accepted('v6.1')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(accepted('v6.6')).toEqual(accepted('v6.1'));
  });
});

describe('per-version pcp orders and lowmem_reserve index', () => {
  test('when an order-3 page is freed then v5.0 returns it to the buddy (order-0-only pcp) and v5.15 keeps it on a pcp list', async () => {
    const { freePages } = await import('../../src/mm/page_alloc.js');
    const free = (name: string): number => {
      const m = buildMachine('x86_64-1G', { policy: P(name) });
      const pa = createPageAlloc(m);
      const out = createAllocOut();
      const pfn = allocPagesFast(pa, gfpBit('GFP_KERNEL', P(name).gfpEra), 3, 0, 0, out);
      const before = out.zone!.nrFreePages;
      freePages(pa, pfn, 3, 0);
      return out.zone!.nrFreePages - before;
    };
    expect(free('v5.0')).toBe(8);
    expect(free('v5.15')).toBe(0);
  });

  test('when a DMA32-only request is checked then classzone_idx (v5.0) and gfp_zone (v5.15) both index DMA32 on one node', () => {
    const m = buildMachine('x86_64-16G', { policy: P('v5.0') });
    const dma32 = m.nodes[0]!.zones[ZONE_DMA32]!;
    expect(dma32.lowmemReserve[ZONE_NORMAL]).toBeGreaterThan(0);
    expect(dma32.lowmemReserve[ZONE_DMA32]).toBe(0);
  });
});
