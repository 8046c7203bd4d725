/**
 * Mirrors include/linux/mmzone.h (v6.18): zone types, migratetypes, watermark indices, and the Zone /
 * PglistData (node) records of the simulated machine.
 *
 * Ownership inside src/mm: machine.ts + watermark.ts fill the geometry, watermark and lowmem_reserve fields;
 * buddy.ts / pcp.ts own the free-area and per-cpu fields (they allocate them in initFreeArea()).
 * Per-version numbers (MAX_PAGE_ORDER, migratetype values before 4.4, …) live in the Policy, not here:
 * the constants below are the v6.18 values that the policies start from.
 */
import type { Pfn } from './memmap-types.js';
import type { MemMap } from './memmap.js';

/** enum zone_type (x86-64, no HIGHMEM). ZONE_DEVICE never holds buddy pages and is not modelled. */
export const ZONE_DMA = 0;
export const ZONE_DMA32 = 1;
export const ZONE_NORMAL = 2;
export const ZONE_MOVABLE = 3;
export const MAX_NR_ZONES = 4;
/** zone names as /proc/zoneinfo prints them (mm/page_alloc.c zone_names[]) */
export const zoneNames: readonly string[] = ['DMA', 'DMA32', 'Normal', 'Movable'];

/** enum migratetype, 4.4+ numbering (v4.0 swaps MOVABLE and RECLAIMABLE: see the v4.0 policy). */
export const MIGRATE_UNMOVABLE = 0;
export const MIGRATE_MOVABLE = 1;
export const MIGRATE_RECLAIMABLE = 2;
export const MIGRATE_PCPTYPES = 3;
export const MIGRATE_HIGHATOMIC = MIGRATE_PCPTYPES;
export const MIGRATE_CMA = 4;
export const MIGRATE_ISOLATE = 5;
export const MIGRATE_TYPES = 6;

/** enum zone_watermarks */
export const WMARK_MIN = 0;
export const WMARK_LOW = 1;
export const WMARK_HIGH = 2;
export const WMARK_PROMO = 3;
export const NR_WMARK = 4;

/** pageblock_order on x86-64 (HPAGE_PMD_ORDER); 512 pages a pageblock */
export const pageblock_order = 9;
export const pageblock_nr_pages = 1 << pageblock_order;
/** MAX_PAGE_ORDER (v6.8+ name; inclusive since v6.4) and NR_PAGE_ORDERS on x86-64 v6.18 */
export const MAX_PAGE_ORDER = 10;
export const NR_PAGE_ORDERS = MAX_PAGE_ORDER + 1;
export const PAGE_ALLOC_COSTLY_ORDER = 3;
export const PAGE_SHIFT = 12;

/** struct zone, reduced to what the allocator reads. */
export interface Zone {
  /** zone_to_nid() */
  nodeId: number;
  /** zone_idx(): enum zone_type */
  zoneIdx: number;
  /** zone->name as zoneinfo spells it */
  name: string;
  zoneStartPfn: Pfn;
  spannedPages: number;
  presentPages: number;
  managedPages: number;
  /** zone->_watermark[NR_WMARK], without boost (wmark_pages() adds watermarkBoost) */
  watermark: number[];
  watermarkBoost: number;
  /** zone->lowmem_reserve[MAX_NR_ZONES] */
  lowmemReserve: number[];
  nrReservedHighatomic: number;
  /** NR_FREE_PAGES: pages on the buddy free lists; pages on pcp lists are not counted */
  nrFreePages: number;
  /** buddy state (buddy.ts): see FreeArea */
  freeArea: FreeAreaState;
  /** zone->nr_free_highatomic (6.10+): free pages on MIGRATE_HIGHATOMIC lists (buddy.ts account_freepages) */
  nrFreeHighatomic?: number;
  /** NR_FREE_CMA_PAGES: free pages on MIGRATE_CMA lists (0 when CMA is not modelled) */
  nrFreeCmaPages?: number;
  /** zone->flags: enum zone_flags bits (ZONE_BOOSTED_WATERMARK, ZONE_RECLAIM_ACTIVE, ZONE_BELOW_HIGH in internal.ts) */
  flags?: number;
  /** zone->per_cpu_pageset and the pageset_high_min/high_max/batch values (pcp.ts initZonePcp()) */
  pcp?: import('./pcp.js').ZonePcp;
}

/**
 * struct free_area[NR_PAGE_ORDERS] of one zone, as typed arrays: list heads and tails per
 * (order, migratetype) — index order * MIGRATE_TYPES + mt — into the node memmap's intrusive links,
 * nr_free per order (all migratetypes, blocks), and block counts per (order, migratetype) for pagetypeinfo.
 */
export interface FreeAreaState {
  head: Int32Array;
  tail: Int32Array;
  nrFree: Int32Array;
  nrFreeMt: Int32Array;
  /** NR_FREE_PAGES_BLOCKS (6.15+ zoneinfo `nr_free_pages_blocks`): free pages in blocks of order ≥ pageblock_order */
  nrFreePagesBlocks: number;
  /** fallbacks[mt][i] of the policy, flattened: index mt * 2 + i, −1 = none (buddy.ts) */
  fallbacks: Int8Array;
  /** move_to_free_list() puts moved blocks at the tail (5.10+) or the head (before) */
  moveToTail: boolean;
  /** page_group_by_mobility_disabled: tiny machines; every fallback claims the whole block */
  mobilityDisabled: boolean;
  /** the sysctls boost_watermark() reads when a fallback claims; null = boost only flagged in buddyStats */
  sysctl: Sysctl | null;
  /** the policy boost_watermark() reads (watermark.ts) */
  policy: import('../policy/policy.js').Policy;
}

/** struct pglist_data */
export interface PglistData {
  nodeId: number;
  nodeStartPfn: Pfn;
  nodeSpannedPages: number;
  /** node_zones[MAX_NR_ZONES]: every zone type present, empty ones with spannedPages 0 */
  zones: Zone[];
  /** node_zonelists[ZONELIST_FALLBACK]: populated zones, this node's highest first, then other nodes */
  zonelistFallback: Zone[];
  /** node_zonelists[ZONELIST_NOFALLBACK] (__GFP_THISNODE): this node's populated zones, highest first */
  zonelistNofallback: Zone[];
  /** the node's struct pages (memmap.ts) */
  memmap: MemMap;
  /** kswapd is running (!waitqueue_active(&pgdat->kswapd_wait)): 6.18's zone walk skips such nodes on NUMA */
  kswapdRunning?: boolean;
}

/** The vm sysctls the allocator reads (/proc/sys/vm names). */
export interface Sysctl {
  min_free_kbytes: number;
  watermark_scale_factor: number;
  watermark_boost_factor: number;
  /** one entry per zone type (4.17+ layout) */
  lowmem_reserve_ratio: number[];
  extfrag_threshold: number;
  compaction_proactiveness: number;
  /** percpu_pagelist_high_fraction (5.14+; 0 = default sizing) */
  percpu_pagelist_high_fraction: number;
  /** vm.defrag_mode (6.15+) */
  defrag_mode: number;
}
