/**
 * Mirror mode's prediction: what the policy would decide for a recorded allocation on the current (mirrored)
 * state, computed WITHOUT changing that state. Running allocPages() and undoing it would have to roll back pcp
 * refills, claims and re-typed pageblocks, watermark boosts, reclaim and compaction; a side-effect-free path
 * cannot leak state by construction, so the mirror uses this one (documented in README "mirror mode").
 *
 * What it follows exactly (the same functions page_alloc.ts runs): prepare_alloc_pages() (zone, zonelist,
 * migratetype), the fast path's ALLOC_WMARK_LOW | alloc_flags_nofragment() walk with zone_watermark_fast(),
 * then the slow path's get_page_from_freelist() with gfp_to_alloc_flags() (min watermark, __GFP_HIGH and
 * non-blocking reserve cuts, ALLOC_HIGHATOMIC) — mm/page_alloc.c @ v6.18. A zone counts as able to serve when
 * its watermark passes and a block is there to take: this CPU's pcp list of the order and type, or a free
 * block of order ≥ the request of the request's type, of a fallback type big enough to claim (first pass, under
 * ALLOC_NOFRAGMENT) or of any pcp type (second pass), or HIGHATOMIC for requests that may use it.
 *
 * What it models (the later slow-path stages move pages, so they are predicted, not run):
 *  - no __GFP_DIRECT_RECLAIM: the request fails (path `fail`), as __alloc_pages_slowpath's nopage;
 *  - costly orders (> PAGE_ALLOC_COSTLY_ORDER): compaction would have to build the block; on the mirrored state
 *    the kernel's compaction has already freed its sources when the allocation line is printed, so a costly
 *    request that no zone can serve at the min watermark is predicted to fail (path `fail`) — except
 *    __GFP_NOFAIL (path `nofail`);
 *  - orders ≤ 3 with direct reclaim: reclaim and compaction make progress and the request is served from the
 *    first zone of its zonelist (path `reclaim`), as should_reclaim_retry() keeps retrying them.
 */
import { MIGRATE_HIGHATOMIC, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, MIGRATE_CMA, MIGRATE_TYPES, PAGE_ALLOC_COSTLY_ORDER, pageblock_order } from '../mm/mmzone.js';
import type { Zone } from '../mm/mmzone.js';
import {
  ALLOC_CMA, ALLOC_HIGHATOMIC, ALLOC_KSWAPD, ALLOC_MIN_RESERVE, ALLOC_NOFRAGMENT, ALLOC_NON_BLOCK, ALLOC_OOM,
  ALLOC_WMARK_LOW, ALLOC_WMARK_MASK, ALLOC_WMARK_MIN,
} from '../mm/internal.js';
import { allocFlagsNofragment, nextZonesZonelist, prepareAllocPages, zoneWatermarkFast } from '../mm/page_alloc.js';
import type { AllocOut, PageAlloc } from '../mm/page_alloc.js';
import { gfpBit } from '../mm/gfp.js';
import { orderToPindex, pcpAllowedOrder } from '../mm/pcp.js';
import { PATH_FAIL, PATH_FAST, PATH_MIN_RETRY, PATH_NOFAIL, PATH_RECLAIM, PATH_REJECT } from './decision.js';

export interface PredictBits {
  /**
   * the policy's own gfp_to_alloc_flags() (slowpath.ts: per kernel version) when a simulated system is there;
   * null: the v6.18 rules of gfpToAllocFlags() below
   */
  toAllocFlags: ((gfpMask: number, order: number, migratetype: number) => number) | null;
  __GFP_HIGH: number;
  __GFP_DIRECT_RECLAIM: number;
  __GFP_KSWAPD_RECLAIM: number;
  __GFP_NOMEMALLOC: number;
  __GFP_NOFAIL: number;
  __GFP_NORETRY: number;
}

/**
 * The gfp bits the prediction tests, in the policy's era. The blocking bit is the policy's (`__GFP_WAIT` on v4.0,
 * `__GFP_DIRECT_RECLAIM` after), so "may this request reclaim?" is asked as that kernel asks it.
 */
export function predictBits(era: string, blockingFlag = '__GFP_DIRECT_RECLAIM', toAllocFlags: PredictBits['toAllocFlags'] = null): PredictBits {
  return {
    toAllocFlags,
    __GFP_HIGH: gfpBit('__GFP_HIGH', era),
    __GFP_DIRECT_RECLAIM: gfpBit(blockingFlag, era),
    __GFP_KSWAPD_RECLAIM: gfpBit('__GFP_KSWAPD_RECLAIM', era),
    __GFP_NOMEMALLOC: gfpBit('__GFP_NOMEMALLOC', era),
    __GFP_NOFAIL: gfpBit('__GFP_NOFAIL', era),
    __GFP_NORETRY: gfpBit('__GFP_NORETRY', era),
  };
}

/** The prediction, reused per request. */
export interface Prediction {
  path: number;
  zone: Zone | null;
  /** the slow path was entered with __GFP_KSWAPD_RECLAIM: wake_all_kswapds() */
  kswapd: boolean;
  /** the slow path would run direct reclaim / direct compaction */
  directReclaim: boolean;
  compaction: boolean;
  /** the chosen zone has no block of the request's own type: __rmqueue falls back (mm_page_alloc_extfrag) */
  fallback: boolean;
}

export function createPrediction(): Prediction {
  return { path: PATH_FAIL, zone: null, kswapd: false, directReclaim: false, compaction: false, fallback: false };
}

/**
 * gfp_to_alloc_flags() (mm/page_alloc.c v6.18): min watermark; __GFP_HIGH → ALLOC_MIN_RESERVE; no direct
 * reclaim (and not __GFP_NOMEMALLOC) → ALLOC_NON_BLOCK, plus ALLOC_HIGHATOMIC for order > 0 with MIN_RESERVE;
 * __GFP_KSWAPD_RECLAIM → ALLOC_KSWAPD; ALLOC_CMA for movable requests. rt/dl tasks are not in a trace.
 */
export function gfpToAllocFlags(b: PredictBits, gfpMask: number, order: number, migratetype: number): number {
  let f = ALLOC_WMARK_MIN;
  if (gfpMask & b.__GFP_HIGH) f |= ALLOC_MIN_RESERVE;
  if (gfpMask & b.__GFP_KSWAPD_RECLAIM) f |= ALLOC_KSWAPD;
  if (!(gfpMask & b.__GFP_DIRECT_RECLAIM) && !(gfpMask & b.__GFP_NOMEMALLOC)) {
    f |= ALLOC_NON_BLOCK;
    if (order > 0 && f & ALLOC_MIN_RESERVE) f |= ALLOC_HIGHATOMIC;
  }
  if (migratetype === MIGRATE_MOVABLE) f |= ALLOC_CMA;
  return f;
}

/**
 * Whether rmqueue() would find a block in `zone` (see the file header): this CPU's pcp list, or the buddy lists
 * at order ≥ `order`. Sets `fallbackOut[0]` to 1 when only another type's block is there.
 */
function zoneCanServe(pa: PageAlloc, zone: Zone, order: number, mt: number, allocFlags: number, cpu: number, fb: Uint8Array): boolean {
  fb[0] = 0;
  const pcp = zone.pcp;
  if (pcp && pcpAllowedOrder(pcp, order) && cpu < pcp.nrCpus && pcp.head[cpu * pcp.nrLists + orderToPindex(pcp, mt, order)]! >= 0) return true;
  const fa = zone.freeArea;
  const nrFree = fa.nrFree;
  const nrFreeMt = fa.nrFreeMt;
  const nofrag = (allocFlags & ALLOC_NOFRAGMENT) !== 0;
  let other = false;
  for (let o = order; o < nrFree.length; o++) {
    if (!nrFree[o]) continue;
    const base = o * MIGRATE_TYPES;
    if (nrFreeMt[base + mt]! > 0) return true;
    if (allocFlags & ALLOC_CMA && nrFreeMt[base + MIGRATE_CMA]! > 0) return true;
    for (let t = 0; t < MIGRATE_PCPTYPES; t++) {
      if (t === mt || nrFreeMt[base + t]! === 0) continue;
      // under ALLOC_NOFRAGMENT small requests may only claim whole pageblocks (__rmqueue_claim's min order)
      if (!nofrag || o >= pageblock_order) other = true;
    }
    if (allocFlags & (ALLOC_HIGHATOMIC | ALLOC_OOM | ALLOC_NON_BLOCK) && nrFreeMt[base + MIGRATE_HIGHATOMIC]! > 0) other = true;
  }
  if (other) fb[0] = 1;
  return other;
}

const fbScratch = new Uint8Array(1);

/** get_page_from_freelist() without rmqueue(): the first zone that passes its watermark and can serve. */
function walkZones(pa: PageAlloc, order: number, allocFlags: number, ac: AllocOut['ac'], cpu: number, out: Prediction): boolean {
  const zonelist = ac.zonelist;
  for (;;) {
    for (let zi = ac.preferredZoneref; zi >= 0; zi = nextZonesZonelist(zonelist, zi + 1, ac.highestZoneidx, ac.nodemask)) {
      const zone = zonelist[zi]!;
      const mark = zone.watermark[allocFlags & ALLOC_WMARK_MASK]! + zone.watermarkBoost;
      if (!zoneWatermarkFast(zone, order, mark, ac.highestZoneidx, allocFlags)) continue;
      if (!zoneCanServe(pa, zone, order, ac.migratetype, allocFlags, cpu, fbScratch)) continue;
      out.zone = zone;
      out.fallback = fbScratch[0] === 1;
      return true;
    }
    // a whole failed walk under ALLOC_NOFRAGMENT is repeated without it
    if (allocFlags & ALLOC_NOFRAGMENT) {
      allocFlags &= ~ALLOC_NOFRAGMENT;
      continue;
    }
    return false;
  }
}

/**
 * Predict __alloc_frozen_pages_noprof() for (gfpMask, order) on node `nid`, CPU `cpu`, without changing any
 * state (only `out` and the scratch alloc context `scratch.ac` are written). Returns out.path.
 */
export function predictAlloc(pa: PageAlloc, b: PredictBits, gfpMask: number, order: number, nid: number, cpu: number, scratch: AllocOut, out: Prediction): number {
  out.zone = null;
  out.kswapd = false;
  out.directReclaim = false;
  out.compaction = false;
  out.fallback = false;
  if (order > pa.policy.maxPageOrder) return (out.path = PATH_REJECT);
  const ac = scratch.ac;
  let allocFlags = prepareAllocPages(pa, gfpMask, nid, -1, ac, ALLOC_WMARK_LOW);
  if (allocFlags < 0) return (out.path = PATH_REJECT);
  if (ac.preferredZoneref < 0) return (out.path = PATH_FAIL);
  allocFlags |= allocFlagsNofragment(pa, ac.zonelist[ac.preferredZoneref]!, gfpMask);
  if (walkZones(pa, order, allocFlags, ac, cpu, out)) return (out.path = PATH_FAST);
  // __alloc_pages_slowpath(): the min-watermark attempt after waking kswapd
  const slowFlags = b.toAllocFlags ? b.toAllocFlags(gfpMask, order, ac.migratetype) : gfpToAllocFlags(b, gfpMask, order, ac.migratetype);
  out.kswapd = (slowFlags & ALLOC_KSWAPD) !== 0;
  if (walkZones(pa, order, slowFlags, ac, cpu, out)) return (out.path = PATH_MIN_RETRY);
  if (!(gfpMask & b.__GFP_DIRECT_RECLAIM)) return (out.path = PATH_FAIL);
  const costly = order > PAGE_ALLOC_COSTLY_ORDER;
  out.compaction = order > 0;
  out.directReclaim = !(costly && gfpMask & b.__GFP_NORETRY);
  out.zone = ac.zonelist[ac.preferredZoneref]!;
  if (costly) {
    if (gfpMask & b.__GFP_NOFAIL) return (out.path = PATH_NOFAIL);
    out.zone = null;
    return (out.path = PATH_FAIL);
  }
  return (out.path = PATH_RECLAIM);
}
