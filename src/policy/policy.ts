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
}
