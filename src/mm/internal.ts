/**
 * Mirrors mm/internal.h (v6.18): the ALLOC_* flags that steer get_page_from_freelist(), __zone_watermark_ok() and
 * rmqueue(), and struct alloc_context. As in the kernel, only src/mm/ files import this module.
 *
 * The constants below are the v6.18 values (mm/internal.h @ v6.18: ALLOC_TRYLOCK 0x400 and ALLOC_KSWAPD 0x800).
 * Older kernels give some bits other names or values (ALLOC_HARDER 0x10 and ALLOC_HIGH 0x20 up to 6.2,
 * ALLOC_FAIR 0x100 in 4.0, ALLOC_KSWAPD 0x200 in 5.0–5.4): those live in the policy (`Policy.allocFlags`) so a
 * policy of another version swaps the table, not this file. Inside the simulator every policy uses these bit values
 * (ALLOC_HARDER/ALLOC_HIGH share the 0x10/0x20 bits as in the kernel; ALLOC_FAIR has a simulator-only bit).
 */
import type { Zone } from './mmzone.js';

/* The ALLOC_WMARK bits are an index into zone->_watermark[] */
export const ALLOC_WMARK_MIN = 0; // WMARK_MIN
export const ALLOC_WMARK_LOW = 1; // WMARK_LOW
export const ALLOC_WMARK_HIGH = 2; // WMARK_HIGH
/** don't check watermarks at all */
export const ALLOC_NO_WATERMARKS = 0x04;
/** mask to get the watermark bits: ALLOC_NO_WATERMARKS - 1 */
export const ALLOC_WMARK_MASK = ALLOC_NO_WATERMARKS - 1;
/** OOM victim (CONFIG_MMU): may dip into half of what the other reserve users may use */
export const ALLOC_OOM = 0x08;
/** caller cannot block: a further 25% of min when __GFP_HIGH is also set (GFP_ATOMIC) */
export const ALLOC_NON_BLOCK = 0x10;
/** __GFP_HIGH set: 50% of the min watermark */
export const ALLOC_MIN_RESERVE = 0x20;
/** check for correct cpuset */
export const ALLOC_CPUSET = 0x40;
/** allow allocations from CMA areas */
export const ALLOC_CMA = 0x80;
/** avoid mixing pageblock types (0 without CONFIG_ZONE_DMA32; x86-64 has it) */
export const ALLOC_NOFRAGMENT = 0x100;
/** allows access to MIGRATE_HIGHATOMIC */
export const ALLOC_HIGHATOMIC = 0x200;
/** only use spin_trylock in the allocation path (alloc_pages_nolock, 6.15+) */
export const ALLOC_TRYLOCK = 0x400;
/** allow waking of kswapd: the same bit as __GFP_KSWAPD_RECLAIM in the 6.x gfp layouts */
export const ALLOC_KSWAPD = 0x800;
/** flags that allow allocations below the min watermark */
export const ALLOC_RESERVES = ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM;
/**
 * ≤ 6.2 names of the same bits (mm/internal.h @ v4.0 … v6.1): ALLOC_HARDER 0x10 ("try to alloc harder"), ALLOC_HIGH
 * 0x20 (__GFP_HIGH). A ≤ 6.2 policy reads these bits with the older meaning (watermarkCheck '4.0' … '4.13').
 */
export const ALLOC_HARDER = ALLOC_NON_BLOCK;
export const ALLOC_HIGH = ALLOC_MIN_RESERVE;
/**
 * v4.0's ALLOC_FAIR (0x100 there, the bit ALLOC_NOFRAGMENT took later): the fast path's fair zone allocation
 * policy. A simulator-only bit value so the two never meet; the kernel's value is Policy.allocFlags.ALLOC_FAIR.
 */
export const ALLOC_FAIR = 0x1000;

/**
 * The alloc_flags bit values of one kernel version, by kernel name (0 when that version has no such flag).
 * Policies carry one of these (`Policy.allocFlags`); keep in sync with the constants above for v6.18.
 */
export interface AllocFlagValues {
  ALLOC_NO_WATERMARKS: number;
  ALLOC_OOM: number;
  /** ≤ 6.2 (0x10); 0 from 6.3 */
  ALLOC_HARDER: number;
  /** 6.3+ (0x10) */
  ALLOC_NON_BLOCK: number;
  /** ≤ 6.2 name of __GFP_HIGH's flag (0x20) */
  ALLOC_HIGH: number;
  /** 6.3+ name of the same bit (0x20) */
  ALLOC_MIN_RESERVE: number;
  ALLOC_CPUSET: number;
  ALLOC_CMA: number;
  /** 4.0 only (0x100) */
  ALLOC_FAIR: number;
  ALLOC_NOFRAGMENT: number;
  ALLOC_HIGHATOMIC: number;
  ALLOC_TRYLOCK: number;
  /** 0x200 in 5.0–5.4, 0x800 from 5.5 (= __GFP_KSWAPD_RECLAIM) */
  ALLOC_KSWAPD: number;
}

/** mm/internal.h @ v6.18 */
export const allocFlagsV6_18: AllocFlagValues = {
  ALLOC_NO_WATERMARKS,
  ALLOC_OOM,
  ALLOC_HARDER: 0,
  ALLOC_NON_BLOCK,
  ALLOC_HIGH: 0,
  ALLOC_MIN_RESERVE,
  ALLOC_CPUSET,
  ALLOC_CMA,
  ALLOC_FAIR: 0,
  ALLOC_NOFRAGMENT,
  ALLOC_HIGHATOMIC,
  ALLOC_TRYLOCK,
  ALLOC_KSWAPD,
};

/**
 * enum zone_flags (include/linux/mmzone.h @ v6.18), as bits of `Zone.flags`. Kept here, next to the code that
 * reads them, until mmzone.ts grows a home for them.
 * ZONE_BOOSTED_WATERMARK is set by boost_watermark() (buddy fallback) and cleared by rmqueue(), which then wakes
 * kswapd; ZONE_RECLAIM_ACTIVE is set by kswapd / direct reclaim while they run; ZONE_BELOW_HIGH is set by
 * get_page_from_freelist() when the zone fails its high watermark and cleared by the free path.
 */
export const ZONE_BOOSTED_WATERMARK = 1 << 0;
export const ZONE_RECLAIM_ACTIVE = 1 << 1;
export const ZONE_BELOW_HIGH = 1 << 2;

/**
 * struct alloc_context (mm/internal.h): what prepare_alloc_pages() works out once per request and every
 * freelist attempt then reads. Reused between requests: never allocate one per request.
 */
export interface AllocContext {
  /** node_zonelist(preferred_nid, gfp): the FALLBACK or (__GFP_THISNODE) NOFALLBACK list */
  zonelist: Zone[];
  /** nodemask as a bit mask of node ids; -1 = NULL (all nodes). cpuset mems are not modelled. */
  nodemask: number;
  /** index in `zonelist` of first_zones_zonelist(): the first usable zone; -1 when there is none */
  preferredZoneref: number;
  /** gfp_zone(gfp): the highest zone the request may use; also the lowmem_reserve index (5.8+) */
  highestZoneidx: number;
  /** gfp_migratetype(gfp) */
  migratetype: number;
  /** __GFP_WRITE: spread dirty pages over nodes (fast path only) */
  spreadDirtyPages: boolean;
}

export function createAllocContext(): AllocContext {
  return { zonelist: [], nodemask: -1, preferredZoneref: -1, highestZoneidx: 0, migratetype: 0, spreadDirtyPages: false };
}
