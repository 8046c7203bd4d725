/**
 * A kernel-version policy: the data of one kernel tag plus the few functions that truly differ (design §8).
 * Policy files (v4.0.ts … v6.18.ts) start from their predecessor and list only what changed, each with its
 * citation (the `changes` array, printed by `mmreplay policies NAME`). Fields are grouped by the mm/ module that
 * reads them; add a field where its module's group is.
 *
 * Migratetypes inside the simulator always use the 4.4+ numbering (mmzone.ts: UNMOVABLE 0, MOVABLE 1,
 * RECLAIMABLE 2, slot 3 = HIGHATOMIC, CMA 4, ISOLATE 5); v4.0's MIGRATE_RESERVE lives in slot 3, and
 * `kernelMigratetype` translates a slot to the number that kernel prints (trace `migratetype=`, enum value).
 * alloc_flags inside the simulator always use the v6.18 bit layout (internal.ts); a ≤ 6.2 policy reads the 0x10
 * bit as ALLOC_HARDER and 0x20 as ALLOC_HIGH (the same bits there), and `allocFlags` gives the kernel's own values.
 */
import type { AllocFlagValues } from '../mm/internal.js';

/** One difference from the predecessor policy: what changed, why (the kernel's reason), and where it was read. */
export interface PolicyChange {
  what: string;
  why: string;
  /** `mm/page_alloc.c @ v4.12`, `[bracket v4.19→v5.0]`, or a commit subject */
  cite: string;
}

/** enum migratetype as that kernel numbers it (−1: the type does not exist there). */
export interface MigratetypeNumbers {
  MIGRATE_UNMOVABLE: number;
  MIGRATE_MOVABLE: number;
  MIGRATE_RECLAIMABLE: number;
  MIGRATE_PCPTYPES: number;
  MIGRATE_RESERVE: number;
  MIGRATE_HIGHATOMIC: number;
  MIGRATE_CMA: number;
  MIGRATE_ISOLATE: number;
  MIGRATE_TYPES: number;
}

export interface Policy {
  /** policy name as users type it: 'v6.18' */
  name: string;
  /** the kernel tag followed */
  tag: string;
  /** gfp bit layout / name table id in src/mm/gfp.ts (one per era, e.g. '6.15') */
  gfpEra: string;
  /** one line: the character of this kernel's allocator core (core reference §0.3) */
  character: string;
  /** what this policy changes from its predecessor (policyOrder in index.ts); empty for the first */
  changes: readonly PolicyChange[];

  // --- mmzone / buddy (buddy.ts, pcp.ts, page_alloc.ts) ---
  /** MAX_PAGE_ORDER: the largest order the buddy allocator hands out (10 on x86-64 in every version) */
  maxPageOrder: number;
  /** MAX_ORDER as that kernel spells it: exclusive (11) before v6.4, inclusive (10) from v6.4 */
  maxOrderConstant: number;
  /** MAX_ORDER is inclusive (`order > MAX_ORDER` rejects; 6.4+) rather than exclusive (`order >= MAX_ORDER`) */
  maxOrderInclusive: boolean;
  costlyOrder: number;
  /** pageblock_order on x86-64 (HUGETLB_PAGE_ORDER / HPAGE_PMD_ORDER): 9 in every version */
  pageblockOrder: number;
  /** enum migratetype of this kernel */
  migratetypes: MigratetypeNumbers;
  /** simulator slot (mmzone.ts MIGRATE_*) → this kernel's migratetype number */
  kernelMigratetype: readonly number[];
  /** simulator slot → migratetype_names[] (pagetypeinfo) of this kernel */
  migratetypeNames: readonly string[];
  /** simulator slot → show_migration_types() letter of this kernel */
  migratetypeLetters: readonly string[];

  // --- buddy.ts ---
  /**
   * fallbacks[] (mm/page_alloc.c), in simulator slots: per requested migratetype (index), the types __rmqueue may
   * fall back to, in order. MIGRATE_RESERVE (v4.0) is not listed: `fallbackReserve` says it ends every row.
   */
  fallbacks: readonly (readonly number[])[];
  /** v4.0: a request that found nothing in its own or a fallback list takes from MIGRATE_RESERVE (slot 3) last */
  fallbackReserve: boolean;
  /**
   * How __rmqueue falls back.
   * 'steal-4.0'   (≤4.3) __rmqueue_fallback + try_to_steal_freepages: largest block first, remnants on the
   *               requested type's lists when the block was stolen, then MIGRATE_RESERVE;
   * 'steal-4.4'   (4.4–4.12) find_suitable_fallback + steal_suitable_fallback (alike pages), then retry smallest;
   * 'steal-4.13'  (4.13–6.9) as 4.4 plus "smallest suitable fallback for MOVABLE", boost, NOFRAGMENT min order;
   * 'claim-steal' (6.15+) __rmqueue_claim then __rmqueue_steal. The 6.10–6.14 hygiene variant is not implemented.
   */
  rmqueueFallback: 'steal-4.0' | 'steal-4.4' | 'steal-4.13' | 'claim-steal';
  /** __rmqueue takes CMA first when free CMA > half the zone's free pages (5.8+, [5.4→5.10]) */
  cmaFirstWhenHalf: boolean;
  /** move_to_free_list() adds at the tail (5.10+) rather than the head */
  moveFreepagesToTail: boolean;
  /** boot memory (__free_pages_core) is freed with FPI_TO_TAIL (5.10+), so boot blocks go out in ascending pfn order */
  freeBootToTail: boolean;
  /**
   * __free_one_page()'s merge rule at order ≥ pageblock_order:
   * 'isolate' (≤5.x): only an ISOLATE pageblock stops a merge with a buddy of another type;
   * 'mergeable' (6.0–6.9): a HIGHATOMIC/CMA/ISOLATE buddy of another type stops it;
   * 'mergeable-retype' (6.10+): as 'mergeable', and a mergeable buddy of another type is re-typed.
   */
  freeMergeRule: 'isolate' | 'mergeable' | 'mergeable-retype';
  /** free_one_page() frees blocks above pageblock_order pageblock by pageblock (split_large_buddy, 6.10+) */
  splitLargeBuddyOnFree: boolean;
  /** v4.0 setup_zone_migrate_reserve(): at most this many MIGRATE_RESERVE pageblocks per zone (0 = none) */
  migrateReserveBlocks: number;
  /**
   * reserve_highatomic_pageblock() limit: 'none' (no MIGRATE_HIGHATOMIC, ≤4.3), 'plus-pageblock'
   * (managed/100 + pageblock_nr_pages, 4.4–6.7), 'align' (ALIGN(managed/100, pageblock), none below one pageblock, 6.8+)
   */
  highatomicLimit: 'none' | 'plus-pageblock' | 'align';

  // --- watermark.ts / zonelist.ts ---
  /** upper clamp of the default min_free_kbytes (65536 before ~5.7, 262144 after) */
  minFreeKbytesMax: number;
  /** ZONE_MOVABLE left out of lowmem_pages and clamped like highmem (~5.14+) */
  movableAsHighmem: boolean;
  /** watermark_boost_factor exists (5.0+) */
  hasWatermarkBoost: boolean;
  /** watermark_scale_factor exists (4.6+); before it low = min + share/4 and high = min + share/2 */
  hasWatermarkScaleFactor: boolean;
  /** the sysctl's upper bound (1000, 3000 from [5.10→5.15]); 0 when the sysctl does not exist */
  watermarkScaleFactorMax: number;
  /** boost_watermark() skips zones smaller than this many pageblocks (4 since 5.10 [5.4→5.10], 0 before) */
  boostMinZonePageblocks: number;
  /** vm.lowmem_reserve_ratio has one entry per zone (4.17+) rather than MAX_NR_ZONES − 1 */
  lowmemReserveRatioPerZone: boolean;
  /**
   * setup_per_zone_lowmem_reserve() for ratio < 1 and empty zones: 'force-one' (≤4.16: the ratio becomes 1),
   * 'zero' (4.17–5.10: ratio 0 → no reserve), 'skip-empty' (5.11+: also a zone without managed pages reserves nothing)
   */
  lowmemReserveRule: 'force-one' | 'zero' | 'skip-empty';
  /** the lowmem_reserve index of every check: the preferred zone's (classzone_idx, ≤5.7) or gfp_zone() (5.8+) */
  lowmemReserveIndex: 'classzone' | 'highest';
  /** zonelists hold zones with present pages (populated_zone) or with managed pages (managed_zone, 4.12–5.10) */
  zonelistZones: 'present' | 'managed';

  // --- page_alloc.ts / pcp.ts ---
  /** alloc_flags bit values of this version (mm/internal.h), 0 for flags it does not have */
  allocFlags: AllocFlagValues;
  /**
   * __zone_watermark_ok() shape: '4.0' (subtract lower orders, halve min per order), '4.4' (HARDER: any
   * non-empty order), '4.13' (HARDER|OOM: HIGHATOMIC list), '6.3' (ALLOC_RESERVES, nr_reserved_highatomic),
   * '6.10' (nr_free_highatomic)
   */
  watermarkCheck: '4.0' | '4.4' | '4.13' | '6.3' | '6.10';
  /**
   * zone_watermark_fast(): 'none' (4.0: zone_watermark_ok only), 'order0' (4.7–5.8: cheap order-0 test that
   * ignores the highatomic reserve), 'unusable' (5.9+: unusable-aware, atomic min retry without boost)
   */
  watermarkFast: 'none' | 'order0' | 'unusable';
  /** v4.0 fair zone allocation policy: ALLOC_FAIR in the fast path, NR_ALLOC_BATCH = high − low per zone */
  fairZonePolicy: boolean;
  /** alloc_flags_nofragment() sets ALLOC_NOFRAGMENT (5.1+; defined but never set in 5.0) */
  setsAllocNofragment: boolean;
  /** the NOFRAGMENT minimum fallback order applies only to orders below pageblock_order (6.1+) */
  nofragmentBelowPageblockOnly: boolean;
  /** which alloc_flag makes a high-order allocation reserve its pageblock and use HIGHATOMIC lists first */
  highatomicFlag: 'none' | 'ALLOC_HARDER' | 'ALLOC_HIGHATOMIC';
  /** ALLOC_HARDER takes the HIGHATOMIC lists first only for order > 0 (5.10+ [5.4→5.10]) */
  highatomicHarderOrderOnly: boolean;
  /** rmqueue_buddy(): after a failed __rmqueue, HIGHATOMIC for these internal alloc_flags (0 = never; 6.3 OOM; 6.10 OOM|NON_BLOCK) */
  highatomicOnFailure: number;
  /** highest order kept on pcp lists besides the THP order: PAGE_ALLOC_COSTLY_ORDER (5.13+), 0 before */
  pcpMaxLowOrder: number;
  /** the THP order also kept on pcp lists (HPAGE_PMD_ORDER = 9 from 5.13), -1 if none */
  pcpThpOrder: number;
  /** pcp lists for the THP order: 1 (5.13–6.9), 2 = unmovable/movable (6.10+) */
  nrPcpThpLists: number;
  /**
   * pcp->high rule: 'batch6' (≤5.12: high = 6·batch, refill and spill one batch), 'low-wmark' (5.14–6.6:
   * high = low watermark / CPUs, spill scaled by free_factor), 'adaptive' (6.7+: high_min..high_max, alloc_factor)
   */
  pcpHighRule: 'batch6' | 'low-wmark' | 'adaptive';
  /** free_high: a high-order pcp free after another drains the pcp (6.0+) */
  pcpFreeHigh: boolean;
  /** CONFIG_PCP_BATCH_SCALE_MAX (6.7+, default 5): refill / free batch scaling limit; 5.14–6.6 free_factor bound */
  pcpBatchScaleMax: number;
  /** zone_batchsize() cap in pages: SZ_1M / PAGE_SIZE = 256 (4.18+), 128 (512 KiB) before */
  pcpBatchCapPages: number;
  /** MIN_PERCPU_PAGELIST_HIGH_FRACTION: high_max = managed / this / cpus (6.7+) */
  pcpHighMaxFraction: number;
  /** vm.defrag_mode exists (6.15+) */
  hasDefragMode: boolean;

  // --- slowpath.ts (declared here with each version's value; read by the slow-path modules) ---
  /** MAX_RECLAIM_RETRIES (mm/internal.h): fruitless reclaim rounds before should_reclaim_retry() gives up (16) */
  maxReclaimRetries: number;
  /** MAX_COMPACT_RETRIES (mm/page_alloc.c): successful-but-raced compaction retries per priority (16; costly: /4) */
  maxCompactRetries: number;
  /** gfp_to_alloc_flags(): ALLOC_HIGHATOMIC only with ALLOC_MIN_RESERVE (__GFP_HIGH) (6.18; [bracket v6.14→v6.18]) */
  highatomicNeedsMinReserve: boolean;
  /** gfp_compaction_allowed(): compaction needs __GFP_IO (6.8+) */
  compactionNeedsIo: boolean;
  /** the blocking gfp bit: __GFP_WAIT (≤4.3) or __GFP_DIRECT_RECLAIM (4.4+) */
  blockingFlag: '__GFP_WAIT' | '__GFP_DIRECT_RECLAIM';
  /**
   * gfp_to_alloc_flags() "atomic" test: 'no-wait-no-kswapd' (≤4.3 → ALLOC_HARDER), '__GFP_ATOMIC' (4.4–6.2 →
   * ALLOC_HARDER), 'no-direct-reclaim' (6.3+ → ALLOC_NON_BLOCK, + ALLOC_HIGHATOMIC for order > 0)
   */
  atomicRule: 'no-wait-no-kswapd' | '__GFP_ATOMIC' | 'no-direct-reclaim';
  /** retry decision: should_alloc_retry() + pages_reclaimed (≤4.6) or should_reclaim_retry()/should_compact_retry() (4.7+) */
  retryLogic: 'should_alloc_retry' | 'should_reclaim_retry';
  /** the costly-order "keep retrying" flag: __GFP_REPEAT (≤4.12) or __GFP_RETRY_MAYFAIL (4.13+) */
  costlyRetryFlag: '__GFP_REPEAT' | '__GFP_RETRY_MAYFAIL';
  /**
   * THP / costly NORETRY early bail after the first compaction: 'GFP_TRANSHUGE' (≤4.3: gfp == GFP_TRANSHUGE and
   * compaction deferred or contended), 'deferred' (4.7–5.3), 'skipped-or-deferred' (5.4+)
   */
  thpBail: 'GFP_TRANSHUGE' | 'deferred' | 'skipped-or-deferred';
  /** loop order: 'compact-reclaim-compact' (≤4.6: async compaction, reclaim, sync compaction) or 'reclaim-compact' (4.7+) */
  slowpathLoop: 'compact-reclaim-compact' | 'reclaim-compact';
  /** ALLOC_OOM for OOM victims (4.14+); before, TIF_MEMDIE gave ALLOC_NO_WATERMARKS */
  hasAllocOom: boolean;
  /** should_compact_retry() shape: 'none' (≤4.6), '4.7', '5.1' (SKIPPED → needs reclaim), '6.5' (SKIPPED / SUCCESS / escalate) */
  compactRetry: 'none' | '4.7' | '5.1' | '6.5';
  /** compaction capture of the freed block (5.1+) */
  compactionCapture: boolean;
  /** warn_alloc() ratelimit: interval seconds and burst (5 s / 10 ≤5.0; 10 s / 1 from 5.1–5.4) */
  warnAllocRatelimit: { intervalS: number; burst: number };
  /**
   * What alloc_flags become when __gfp_pfmemalloc_flags() grants reserves: 'replace' (≤5.0: the reserve flag
   * alone), 'cma' (5.11–5.15: plus ALLOC_CMA for movable requests), 'cma-kswapd' (5.16+: and ALLOC_KSWAPD kept)
   */
  reserveFlagsKeep: 'replace' | 'cma' | 'cma-kswapd';
  /**
   * wake_all_kswapds(): 'every-zone' (v4.0: wakeup_kswapd for each populated zone), 'per-node' (4.7–5.15: once per
   * node), 'per-node-managed' (5.16+: once per node, zones without managed pages skipped)
   */
  kswapdWakeScope: 'every-zone' | 'per-node' | 'per-node-managed';
  /**
   * should_reclaim_retry() and the highatomic reserve: 'none' (no such function, ≤4.6), 'over-max' (4.10–6.7: only
   * after MAX_RECLAIM_RETRIES fruitless rounds, unreserve_highatomic_pageblock(ac, true) decides), 'exit' (6.8+:
   * at the common exit whenever the answer is no)
   */
  reclaimRetryUnreserve: 'none' | 'over-max' | 'exit';
  /** __alloc_pages_direct_compact() counts compact_stall for COMPACT_DEFERRED (5.1+; ≤5.0 returns early like SKIPPED) */
  compactStallOnDeferred: boolean;

  // --- compaction.ts ---
  /**
   * __compaction_suitable() / compaction_suitable(): '4.0' (order-0 test at the low watermark + 2<<order with the
   * request's alloc_flags; fragmentation index for every order; deferral only after a sync COMPLETE), '4.12'
   * (low watermark for costly orders, min otherwise, + compact_gap, ALLOC_CMA; fragmentation index for costly
   * orders), '6.15' (the caller's watermark + compact_gap, + (low − min) for costly orders; the non-CMA test of
   * async costly requests)
   */
  compactionSuitableRule: '4.0' | '4.12' | '6.15';

  // --- vmscan.ts ---
  /** wakeup_kswapd(): a hopeless or balanced node wakes kcompactd for callers without __GFP_DIRECT_RECLAIM (4.17+) */
  kswapdWakesKcompactd: boolean;
}
