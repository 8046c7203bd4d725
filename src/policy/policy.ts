/**
 * A kernel-version policy: the data of one kernel tag plus the few functions that truly differ (design §8).
 * Policy files (v4.0.ts … v6.18.ts) start from their predecessor and list only what changed, each with its
 * citation. Fields are grouped by the mm/ module that reads them; add a field where its module's group is.
 */
export interface Policy {
  /** policy name as users type it: 'v6.18' */
  name: string;
  /** the kernel tag followed */
  tag: string;
  /** gfp bit layout / name table id in src/mm/gfp.ts (one per era, e.g. '6.15') */
  gfpEra: string;

  // --- mmzone / buddy (buddy.ts, pcp.ts, page_alloc.ts) ---
  /** MAX_PAGE_ORDER: the largest order the buddy allocator hands out (10 on x86-64 in every version) */
  maxPageOrder: number;
  /** MAX_ORDER as that kernel spells it: exclusive (11) before v6.4, inclusive (10) from v6.4 */
  maxOrderConstant: number;
  costlyOrder: number;

  // --- buddy.ts ---
  /**
   * fallbacks[] (mm/page_alloc.c): per requested migratetype (index), the types __rmqueue may fall back to,
   * in order. v6.18: rows for the three pcp types only, two entries each.
   */
  fallbacks: readonly (readonly number[])[];
  /**
   * How __rmqueue falls back. 'claim-steal' (6.15+): __rmqueue_claim (whole pageblock, MAX_PAGE_ORDER down)
   * then __rmqueue_steal (single block, order up; not under ALLOC_NOFRAGMENT). The older shapes
   * (steal_suitable_fallback ≤ 6.9, the 6.10–6.14 single-page variant) are not implemented yet.
   */
  rmqueueFallback: 'claim-steal';
  /** move_to_free_list() adds at the tail (5.10+) rather than the head */
  moveFreepagesToTail: boolean;
  /** boot memory (__free_pages_core) is freed with FPI_TO_TAIL (5.10+), so boot blocks go out in ascending pfn order */
  freeBootToTail: boolean;

  // --- watermark.ts ---
  /** upper clamp of the default min_free_kbytes (65536 before ~5.7, 262144 after) */
  minFreeKbytesMax: number;
  /** ZONE_MOVABLE left out of lowmem_pages and clamped like highmem (~5.14+) */
  movableAsHighmem: boolean;
  /** watermark_boost_factor exists (5.0+) */
  hasWatermarkBoost: boolean;
  /** watermark_scale_factor exists (4.6+); before it delta = share/4 and high = min + share/2 */
  hasWatermarkScaleFactor: boolean;
  /** boost_watermark() skips zones smaller than this many pageblocks (4 since 5.10 [5.4→5.10], 0 before) */
  boostMinZonePageblocks: number;

  // --- page_alloc.ts / pcp.ts ---
  /** alloc_flags bit values of this version (mm/internal.h), 0 for flags it does not have */
  allocFlags: import('../mm/internal.js').AllocFlagValues;
  /** highest order kept on pcp lists besides the THP order: PAGE_ALLOC_COSTLY_ORDER (5.13+), 0 before */
  pcpMaxLowOrder: number;
  /** the THP order also kept on pcp lists (HPAGE_PMD_ORDER = 9 from 5.13), -1 if none */
  pcpThpOrder: number;
  /** pcp lists for the THP order: 1 (5.13–6.9), 2 = unmovable/movable (6.10+) */
  nrPcpThpLists: number;
  /** CONFIG_PCP_BATCH_SCALE_MAX (6.7+, default 5): refill / free batch scaling limit */
  pcpBatchScaleMax: number;
  /** zone_batchsize() cap in pages: SZ_1M / PAGE_SIZE = 256 (4.18+), 128 before */
  pcpBatchCapPages: number;
  /** MIN_PERCPU_PAGELIST_HIGH_FRACTION: high_max = managed / this / cpus (6.7+) */
  pcpHighMaxFraction: number;
  /** vm.defrag_mode exists (6.15+) */
  hasDefragMode: boolean;

  // --- slowpath.ts ---
  /** MAX_RECLAIM_RETRIES (mm/internal.h): fruitless reclaim rounds before should_reclaim_retry() gives up (16) */
  maxReclaimRetries: number;
  /** MAX_COMPACT_RETRIES (mm/page_alloc.c): successful-but-raced compaction retries per priority (16; costly: /4) */
  maxCompactRetries: number;
  /** gfp_to_alloc_flags(): ALLOC_HIGHATOMIC only with ALLOC_MIN_RESERVE (__GFP_HIGH) (6.18; [bracket v6.14→v6.18]) */
  highatomicNeedsMinReserve: boolean;
  /** gfp_compaction_allowed(): compaction needs __GFP_IO (6.8+) */
  compactionNeedsIo: boolean;
}
