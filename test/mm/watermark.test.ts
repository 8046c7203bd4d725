import { describe, expect, it } from 'vitest';
import { ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL, WMARK_HIGH, WMARK_LOW, WMARK_MIN, WMARK_PROMO } from '../../src/mm/mmzone.js';
import type { PglistData, Sysctl, Zone } from '../../src/mm/mmzone.js';
import {
  boostWatermark,
  calculateMinFreeKbytes,
  intSqrt,
  nrFreeBufferPages,
  setRecommendedMinFreeKbytes,
  setupPerZoneLowmemReserve,
  setupPerZoneWmarks,
  wmarkPages,
} from '../../src/mm/watermark.js';
import { v6_18 } from '../../src/policy/v6.18.js';

const names = ['DMA', 'DMA32', 'Normal', 'Movable', 'Device'];

/** a zone with only what watermark.ts reads */
function zone(idx: number, managed: number, nrZoneTypes = 5): Zone {
  return {
    nodeId: 0, zoneIdx: idx, name: names[idx]!, spannedPages: managed, presentPages: managed, managedPages: managed,
    watermark: [0, 0, 0, 0], watermarkBoost: 0, lowmemReserve: new Array<number>(nrZoneTypes).fill(0),
    nrReservedHighatomic: 0, nrFreePages: 0,
  } as unknown as Zone;
}

function node(managed: number[]): PglistData {
  const zones = managed.map((m, i) => zone(i, m, managed.length));
  return { nodeId: 0, zones, zonelistFallback: zones.filter((z) => z.presentPages > 0).reverse() } as unknown as PglistData;
}

function sysctl(over: Partial<Sysctl> = {}): Sysctl {
  return {
    min_free_kbytes: 67584, watermark_scale_factor: 10, watermark_boost_factor: 15000, lowmem_reserve_ratio: [256, 256, 32, 0, 0],
    extfrag_threshold: 500, compaction_proactiveness: 20, percpu_pagelist_high_fraction: 0, defrag_mode: 0, ...over,
  };
}

/** the captured 6.18 guest (traces/real/*\/before/zoneinfo): managed DMA 3840, DMA32 772915, Normal 5394266 */
const captured = (): PglistData => node([3840, 772915, 5394266, 0, 0]);
const marks = (z: Zone): number[] => [z.watermark[WMARK_MIN]!, z.watermark[WMARK_LOW]!, z.watermark[WMARK_HIGH]!, z.watermark[WMARK_PROMO]!];

describe('intSqrt (int_sqrt)', () => {
  it('when x is not a square then it rounds down', () => {
    // 19873² = 394936129 ≤ 394945344 < 19874² = 394975876
    expect(intSqrt(394945344)).toBe(19873);
  });
  it('when x is a perfect square then it is exact', () => {
    expect(intSqrt(16)).toBe(4);
    expect(intSqrt(0)).toBe(0);
    expect(intSqrt(4503599761588224)).toBe(67108864); // (2^26)² = 2^52: exact even at the top of doubles
  });
});

describe('setupPerZoneWmarks (__setup_per_zone_wmarks)', () => {
  it('when min_free_kbytes is 67584 on the captured guest then min/low/high/promo equal its zoneinfo', () => {
    // pages_min = 67584/4 = 16896; lowmem = 3840 + 772915 + 5394266 = 6171021 (Movable left out)
    // DMA:    16896·3840/6171021 = 10.5 → 10;  delta = max(10/4 = 2, 3840·10/10000 = 3) = 3  → 10 13 16 19
    // DMA32:  16896·772915/6171021 = 2116.2 → 2116; delta = max(529, 772) = 772 → 2116 2888 3660 4432
    // Normal: 16896·5394266/6171021 = 14769.3 → 14769; delta = max(3692, 5394) = 5394 → 14769 20163 25557 30951
    // Movable (managed 0): min clamp(0/1024, 32, 128) = 32, delta max(0, 0) = 0 → 32 32 32 32; Device: share 0 → 0
    const n = captured();
    setupPerZoneWmarks([n], sysctl(), v6_18);
    expect(n.zones.map(marks)).toEqual([[10, 13, 16, 19], [2116, 2888, 3660, 4432], [14769, 20163, 25557, 30951], [32, 32, 32, 32], [0, 0, 0, 0]]);
  });

  it('when watermark_scale_factor is 100 then the scale factor sets every delta', () => {
    // delta DMA max(2, 38.4→38) = 38; DMA32 max(529, 7729.15→7729) = 7729; Normal max(3692, 53942.66→53942) = 53942
    const n = captured();
    setupPerZoneWmarks([n], sysctl({ watermark_scale_factor: 100 }), v6_18);
    expect(n.zones.slice(0, 3).map(marks)).toEqual([[10, 48, 86, 124], [2116, 9845, 17574, 25303], [14769, 68711, 122653, 176595]]);
  });

  it('when the policy counts Movable as lowmem (before ~5.14) then Movable gets a share, not the 32 clamp', () => {
    // Movable managed 1048576: old rule → lowmem = 7219597; Movable share 16896·1048576/7219597 = 2453.98 → 2453
    // new rule → min = clamp(1048576/1024 = 1024, 32, 128) = 128, share still from lowmem without Movable
    const old = node([3840, 772915, 5394266, 1048576, 0]);
    setupPerZoneWmarks([old], sysctl(), { ...v6_18, movableAsHighmem: false });
    expect(old.zones[ZONE_MOVABLE]!.watermark[WMARK_MIN]).toBe(2453);
    const cur = node([3840, 772915, 5394266, 1048576, 0]);
    setupPerZoneWmarks([cur], sysctl(), v6_18);
    expect(cur.zones[ZONE_MOVABLE]!.watermark[WMARK_MIN]).toBe(128);
    // Normal keeps its share of 6171021 lowmem pages: 14769, delta = max(14769/4 = 3692, 5394) = 5394
    expect(marks(cur.zones[ZONE_NORMAL]!)).toEqual([14769, 20163, 25557, 30951]);
  });

  it('when watermarks are recomputed then the boost is reset', () => {
    const n = captured();
    n.zones[ZONE_NORMAL]!.watermarkBoost = 1024;
    setupPerZoneWmarks([n], sysctl(), v6_18);
    expect(n.zones[ZONE_NORMAL]!.watermarkBoost).toBe(0);
  });
});

describe('calculateMinFreeKbytes / setRecommendedMinFreeKbytes', () => {
  it('when the captured guest boots then int_sqrt gives 19873 KiB and THP raises it to 67584', () => {
    // lowmem_kbytes = 6171021 · 4 = 24684084; int_sqrt(24684084 · 16 = 394945344) = 19873
    const n = captured();
    const mfk = calculateMinFreeKbytes(n.zonelistFallback, v6_18);
    expect(mfk).toBe(19873);
    setupPerZoneWmarks([n], sysctl({ min_free_kbytes: mfk }), v6_18);
    // khugepaged: 3 populated zones ≤ Normal → 512 · 3 · (2 + 3·3) = 16896 pages (cap 5 % of ~6.1 M pages is far above) → 67584 KiB
    expect(setRecommendedMinFreeKbytes([n], n.zonelistFallback, mfk)).toBe(67584);
  });

  it('when lowmem is tiny then the 128 KiB floor applies, and a huge machine stops at the policy maximum', () => {
    // 1000 pages: int_sqrt(4000 · 16 = 64000) = 252 → kept; 50 pages: int_sqrt(3200) = 56 → 128
    expect(calculateMinFreeKbytes(node([1000]).zonelistFallback, v6_18)).toBe(252);
    expect(calculateMinFreeKbytes(node([50]).zonelistFallback, v6_18)).toBe(128);
    // 2^31 pages (8 TiB): int_sqrt(2^33 · 16) = 2^18.5 → 370727 > 262144 → 262144; the old policy stops at 65536
    expect(calculateMinFreeKbytes(node([2 ** 31 - 1]).zonelistFallback, v6_18)).toBe(262144);
    expect(calculateMinFreeKbytes(node([2 ** 31 - 1]).zonelistFallback, { ...v6_18, minFreeKbytesMax: 65536 })).toBe(65536);
  });

  it('when lowmem is small then the THP raise is capped at 5 % of nr_free_buffer_pages', () => {
    // 1 GiB preset: DMA 3840 + DMA32 242452. int_sqrt(246292·4·16) = 3970 → pages_min 992:
    // DMA 992·3840/246292 = 15, delta 3 → high 21; DMA32 976, delta max(244, 242) = 244 → high 1464
    // nr_free_buffer_pages = (3840 − 21) + (242452 − 1464) = 244807; /20 = 12240 ≥ 512·2·11 = 11264 → 45056 KiB
    const n = node([3840, 242452, 0, 0]);
    const mfk = calculateMinFreeKbytes(n.zonelistFallback, v6_18);
    expect(mfk).toBe(3970);
    setupPerZoneWmarks([n], sysctl({ min_free_kbytes: mfk }), v6_18);
    expect(nrFreeBufferPages(n.zonelistFallback)).toBe(244807);
    expect(setRecommendedMinFreeKbytes([n], n.zonelistFallback, mfk)).toBe(45056);
    // a 100 MiB zone: 512·1·11 = 5632 pages but 5 % of 25600 = 1280 → 5120 KiB
    const s = node([25600]);
    expect(setRecommendedMinFreeKbytes([s], s.zonelistFallback, 0)).toBe(5120);
  });

  it('when min_free_kbytes is already above the recommendation then it is kept', () => {
    const n = captured();
    expect(setRecommendedMinFreeKbytes([n], n.zonelistFallback, 100000)).toBe(100000);
  });
});

describe('nrFreeBufferPages (nr_free_buffer_pages)', () => {
  it('when zones have watermarks then high is subtracted, zones above Normal and zones below their high are skipped', () => {
    const n = node([3840, 772915, 5394266, 4096, 0]);
    n.zones[ZONE_DMA]!.watermark[WMARK_HIGH] = 5000; // above managed: contributes nothing
    n.zones[ZONE_DMA32]!.watermark[WMARK_HIGH] = 915;
    n.zones[ZONE_NORMAL]!.watermark[WMARK_HIGH] = 266;
    // (772915 − 915) + (5394266 − 266) = 772000 + 5394000; Movable (4096) is above gfp_zone(GFP_USER)
    expect(nrFreeBufferPages(n.zonelistFallback)).toBe(6166000);
  });
});

describe('setupPerZoneLowmemReserve (setup_per_zone_lowmem_reserve)', () => {
  it('when the ratios are the defaults then protection equals the captured zoneinfo', () => {
    // DMA: 772915/256 = 3019; (772915 + 5394266)/256 = 24090 for Normal, Movable and Device (empty zones still count)
    // DMA32: 5394266/256 = 21071; Normal: ratio 32 but nothing above it → 0
    const n = captured();
    setupPerZoneLowmemReserve([n], sysctl());
    expect(n.zones.map((z) => z.lowmemReserve)).toEqual([
      [0, 3019, 24090, 24090, 24090], [0, 0, 21071, 21071, 21071], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0],
    ]);
  });

  it('when a ratio is 0 then that zone reserves nothing and the others are unchanged', () => {
    const n = captured();
    setupPerZoneLowmemReserve([n], sysctl({ lowmem_reserve_ratio: [256, 0, 32, 0, 0] }));
    expect(n.zones[ZONE_DMA]!.lowmemReserve).toEqual([0, 3019, 24090, 24090, 24090]);
    expect(n.zones[ZONE_DMA32]!.lowmemReserve).toEqual([0, 0, 0, 0, 0]);
  });

  it('when a lower zone has no managed pages then it reserves nothing', () => {
    // DMA32 ratio 1 would give 5394266, but DMA32 is empty here
    const n = node([3840, 0, 5394266, 0]);
    setupPerZoneLowmemReserve([n], sysctl({ lowmem_reserve_ratio: [256, 1, 32, 0] }));
    expect(n.zones[ZONE_DMA32]!.lowmemReserve).toEqual([0, 0, 0, 0]);
    // DMA: 0/256 = 0 for DMA32, 5394266/256 = 21071 from Normal on
    expect(n.zones[ZONE_DMA]!.lowmemReserve).toEqual([0, 0, 21071, 21071]);
  });
});

describe('boostWatermark (boost_watermark)', () => {
  it('when a fallback happens then boost grows by a pageblock up to high · factor / 10000', () => {
    // Normal high 25557: max_boost = 25557 · 15000 / 10000 = 38335.5 → 38335
    const n = captured();
    setupPerZoneWmarks([n], sysctl(), v6_18);
    const z = n.zones[ZONE_NORMAL]!;
    expect(boostWatermark(z, sysctl(), v6_18)).toBe(true);
    expect(z.watermarkBoost).toBe(512);
    expect(wmarkPages(z, WMARK_LOW)).toBe(20163 + 512);
    z.watermarkBoost = 38000;
    expect(boostWatermark(z, sysctl(), v6_18)).toBe(true);
    expect(z.watermarkBoost).toBe(38335);
  });

  it('when max_boost is below a pageblock then a pageblock is the ceiling', () => {
    // DMA high 16: 16 · 15000 / 10000 = 24 → max(512, 24) = 512; the zone (3840 managed) is above 4 pageblocks (2048)
    const n = captured();
    setupPerZoneWmarks([n], sysctl(), v6_18);
    const z = n.zones[ZONE_DMA]!;
    expect(boostWatermark(z, sysctl(), v6_18)).toBe(true);
    expect(boostWatermark(z, sysctl(), v6_18)).toBe(true);
    expect(z.watermarkBoost).toBe(512);
  });

  it('when the factor is 0, the zone is under 4 pageblocks, or high is still 0 then nothing is boosted', () => {
    const n = captured();
    setupPerZoneWmarks([n], sysctl(), v6_18);
    expect(boostWatermark(n.zones[ZONE_NORMAL]!, sysctl({ watermark_boost_factor: 0 }), v6_18)).toBe(false);
    const small = zone(ZONE_DMA32, 2047);
    small.watermark[WMARK_HIGH] = 100;
    expect(boostWatermark(small, sysctl(), v6_18)).toBe(false);
    // the same zone boosts under a policy without the size test (5.0–5.9)
    expect(boostWatermark(small, sysctl(), { ...v6_18, boostMinZonePageblocks: 0 })).toBe(true);
    const fresh = zone(ZONE_NORMAL, 1 << 20);
    expect(boostWatermark(fresh, sysctl(), v6_18)).toBe(false);
    expect(fresh.watermarkBoost).toBe(0);
  });
});
