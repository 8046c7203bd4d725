/**
 * Mirrors the watermark and reserve setup of mm/page_alloc.c and mm/khugepaged.c (v6.18):
 * calculate_min_free_kbytes(), nr_free_buffer_pages(), __setup_per_zone_wmarks(),
 * setup_per_zone_lowmem_reserve(), boost_watermark(), wmark_pages() (include/linux/mmzone.h) and
 * khugepaged's set_recommended_min_free_kbytes().
 *
 * The checks that read these numbers (__zone_watermark_ok, zone_watermark_fast) live with the fast path.
 * Per-version differences are Policy fields of the "--- watermark.ts ---" group.
 */
import {
  MIGRATE_PCPTYPES,
  PAGE_SHIFT,
  WMARK_HIGH,
  WMARK_LOW,
  WMARK_MIN,
  WMARK_PROMO,
  ZONE_MOVABLE,
  ZONE_NORMAL,
  pageblock_nr_pages,
} from './mmzone.js';
import type { PglistData, Sysctl, Zone } from './mmzone.js';
import type { Policy } from '../policy/policy.js';

/** SWAP_CLUSTER_MAX (include/linux/swap.h): the floor of a highmem/Movable zone's min watermark */
export const SWAP_CLUSTER_MAX = 32;
/** gfp_zone(GFP_USER) on x86-64: the highest zone nr_free_buffer_pages() and khugepaged count */
const GFP_USER_ZONE = ZONE_NORMAL;

/** lib/math/int_sqrt.c int_sqrt(): floor(sqrt(x)) for a non-negative integer. */
export function intSqrt(x: number): number {
  let r = Math.floor(Math.sqrt(x));
  // doubles can round sqrt up or down by one near large perfect squares
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  return r;
}

/** wmark_pages(z, i) (include/linux/mmzone.h): _watermark[i] + watermark_boost; every check uses this. */
export function wmarkPages(zone: Zone, i: number): number {
  return zone.watermark[i]! + zone.watermarkBoost;
}

/**
 * mm/page_alloc.c nr_free_zone_pages(gfp_zone(GFP_USER)) = nr_free_buffer_pages(): Σ (managed − high) over
 * the zones ≤ ZONE_NORMAL of the current node's fallback zonelist (all nodes), counting only zones whose
 * managed pages exceed their high watermark. At boot the watermarks are still 0, so this is all managed lowmem.
 */
export function nrFreeBufferPages(zonelist: readonly Zone[]): number {
  let sum = 0;
  for (const zone of zonelist) {
    if (zone.zoneIdx > GFP_USER_ZONE) continue;
    const size = zone.managedPages;
    const high = wmarkPages(zone, WMARK_HIGH);
    if (size > high) sum += size - high;
  }
  return sum;
}

/**
 * mm/page_alloc.c calculate_min_free_kbytes() (called by init_per_zone_wmark_min() at boot):
 * int_sqrt(lowmem_kbytes * 16) clamped to 128 .. policy.minFreeKbytesMax (262144 since ~5.7, 65536 before).
 * The caller decides whether a user value takes precedence (the kernel keeps user_min_free_kbytes when it is larger).
 */
export function calculateMinFreeKbytes(zonelist: readonly Zone[], policy: Policy): number {
  const lowmemKbytes = nrFreeBufferPages(zonelist) * (1 << (PAGE_SHIFT - 10));
  const v = intSqrt(lowmemKbytes * 16);
  return Math.min(Math.max(v, 128), policy.minFreeKbytesMax);
}

/**
 * mm/khugepaged.c set_recommended_min_free_kbytes(): with PMD-sized THP enabled (always or madvise) khugepaged
 * wants two pageblocks free per populated zone ≤ gfp_zone(GFP_USER) plus MIGRATE_PCPTYPES² more for fallbacks,
 * i.e. 512 · nr_zones · 11 pages on x86-64, at most 5 % of nr_free_buffer_pages(); it replaces min_free_kbytes
 * only when larger (even a user value). This is why a DMA+DMA32+Normal host shows 67584.
 * Call it after a first setupPerZoneWmarks(): nr_free_buffer_pages() then subtracts the high watermarks.
 * Returns the new min_free_kbytes.
 */
export function setRecommendedMinFreeKbytes(nodes: readonly PglistData[], zonelist: readonly Zone[], minFreeKbytes: number): number {
  let nrZones = 0;
  for (const node of nodes) {
    for (const zone of node.zones) {
      // for_each_populated_zone(); ZONE_MOVABLE holds only movable pages, no fragmentation to fight there
      if (zone.presentPages === 0 || zone.zoneIdx > GFP_USER_ZONE) continue;
      nrZones++;
    }
  }
  let recommendedMin = pageblock_nr_pages * nrZones * 2;
  recommendedMin += pageblock_nr_pages * nrZones * MIGRATE_PCPTYPES * MIGRATE_PCPTYPES;
  // don't ever allow to reserve more than 5% of the lowmem
  recommendedMin = Math.min(recommendedMin, Math.floor(nrFreeBufferPages(zonelist) / 20));
  recommendedMin *= 1 << (PAGE_SHIFT - 10);
  return recommendedMin > minFreeKbytes ? recommendedMin : minFreeKbytes;
}

/** the kernel's is_highmem(zone) || zone_idx(zone) == ZONE_MOVABLE test of __setup_per_zone_wmarks (x86-64 has no highmem) */
function clampedLikeHighmem(zone: Zone, policy: Policy): boolean {
  return policy.movableAsHighmem && zone.zoneIdx === ZONE_MOVABLE;
}

/**
 * mm/page_alloc.c __setup_per_zone_wmarks(): pages_min = min_free_kbytes / 4 is shared among the lowmem zones
 * (all zones but Movable since ~5.14) in proportion to their managed pages; Movable gets managed/1024 clamped to
 * 32..128. delta = max(share/4, managed · watermark_scale_factor / 10000); low = min + delta, high = low + delta,
 * promo = high + delta. Every zone's boost is reset. Runs over every zone of every node, empty ones included
 * (they get min 0, or 32 for an empty Movable, as zoneinfo shows).
 */
export function setupPerZoneWmarks(nodes: readonly PglistData[], sysctl: Sysctl, policy: Policy): void {
  const pagesMin = Math.floor(sysctl.min_free_kbytes / (1 << (PAGE_SHIFT - 10)));
  let lowmemPages = 0;
  for (const node of nodes) for (const zone of node.zones) if (!clampedLikeHighmem(zone, policy)) lowmemPages += zone.managedPages;

  for (const node of nodes) {
    for (const zone of node.zones) {
      const managed = zone.managedPages;
      // (u64)pages_min * managed / lowmem_pages; lowmem_pages is never 0 on a machine with memory
      let tmp = lowmemPages > 0 ? Math.floor((pagesMin * managed) / lowmemPages) : 0;
      let min: number;
      if (clampedLikeHighmem(zone, policy)) {
        // __GFP_HIGH and PF_MEMALLOC allocations rarely need these pages: cap min small
        min = Math.min(Math.max(Math.floor(managed / 1024), SWAP_CLUSTER_MAX), 128);
      } else {
        min = tmp;
      }
      let high: number;
      let low: number;
      if (policy.hasWatermarkScaleFactor) {
        // mult_frac(managed, watermark_scale_factor, 10000) == floor(managed * wsf / 10000)
        tmp = Math.max(Math.floor(tmp / 4), Math.floor((managed * sysctl.watermark_scale_factor) / 10000));
        low = min + tmp;
        high = low + tmp;
      } else {
        // ≤4.5: low = min + tmp/4, high = min + tmp/2
        low = min + Math.floor(tmp / 4);
        high = min + Math.floor(tmp / 2);
        tmp = Math.floor(tmp / 4);
      }
      zone.watermarkBoost = 0;
      zone.watermark[WMARK_MIN] = min;
      zone.watermark[WMARK_LOW] = low;
      zone.watermark[WMARK_HIGH] = high;
      zone.watermark[WMARK_PROMO] = high + tmp;
    }
  }
}

/**
 * mm/page_alloc.c setup_per_zone_lowmem_reserve(): for a lower zone i and a higher zone j of the same node,
 * lowmem_reserve[j] = (managed(i+1) + … + managed(j)) / lowmem_reserve_ratio[i]. Empty upper zones still count
 * (6.18 prints DMA→Movable = DMA→Normal on a machine without Movable memory). What a ratio below 1 means is the
 * policy's `lowmemReserveRule`: 'force-one' (≤4.16: the ratio is rewritten to 1, so the reserve is the whole sum),
 * 'zero' (4.17–5.10: no reserve), 'skip-empty' (5.11+, v6.18: no reserve, and none either for a zone without
 * managed pages). Without a policy, the v6.18 rule.
 * Arrays are sized by the node's zone count (MAX_NR_ZONES of that kernel build: 5 with ZONE_DEVICE).
 */
export function setupPerZoneLowmemReserve(nodes: readonly PglistData[], sysctl: Sysctl, policy?: Policy): void {
  const rule = policy?.lowmemReserveRule ?? 'skip-empty';
  for (const node of nodes) {
    const zones = node.zones;
    const n = zones.length;
    for (let i = 0; i < n; i++) {
      const zone = zones[i]!;
      if (zone.lowmemReserve.length !== n) zone.lowmemReserve = new Array<number>(n).fill(0);
      zone.lowmemReserve[i] = 0;
      for (let j = 0; j < i; j++) zone.lowmemReserve[j] = 0;
    }
    for (let i = 0; i < n - 1; i++) {
      const zone = zones[i]!;
      let ratio = sysctl.lowmem_reserve_ratio[i] ?? 0;
      // ≤4.16: "if (sysctl_lowmem_reserve_ratio[idx] < 1) sysctl_lowmem_reserve_ratio[idx] = 1"
      if (rule === 'force-one' && ratio < 1) ratio = 1;
      const clear = ratio < 1 || (rule === 'skip-empty' && zone.managedPages === 0);
      let managedPages = 0;
      for (let j = i + 1; j < n; j++) {
        managedPages += zones[j]!.managedPages;
        zone.lowmemReserve[j] = clear ? 0 : Math.floor(managedPages / ratio);
      }
    }
  }
}

/**
 * mm/page_alloc.c boost_watermark(): called when an allocation falls back into a pageblock of another
 * migratetype. Raises the zone's boost by one pageblock, up to max(pageblock_nr_pages, high · factor / 10000),
 * so that kswapd reclaims (and kcompactd compacts) ahead of further fragmentation. Returns whether it boosted;
 * the caller sets ZONE_BOOSTED_WATERMARK only then (and only with ALLOC_KSWAPD).
 */
export function boostWatermark(zone: Zone, sysctl: Sysctl, policy: Policy): boolean {
  if (!policy.hasWatermarkBoost || sysctl.watermark_boost_factor === 0) return false;
  // zones this small would go OOM at once with a boosted watermark (kdump kernels): 5.10+
  if (pageblock_nr_pages * policy.boostMinZonePageblocks > zone.managedPages) return false;
  let maxBoost = Math.floor((zone.watermark[WMARK_HIGH]! * sysctl.watermark_boost_factor) / 10000);
  // high may still be 0 very early in boot: boosting then could hang reclaim
  if (maxBoost === 0) return false;
  maxBoost = Math.max(pageblock_nr_pages, maxBoost);
  zone.watermarkBoost = Math.min(zone.watermarkBoost + pageblock_nr_pages, maxBoost);
  return true;
}
