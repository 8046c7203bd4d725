/** Policy v6.18: Linux 6.18 (mm/page_alloc.c, mm/internal.h, include/linux/mmzone.h @ v6.18). */
import type { Policy } from './policy.js';

export const v6_18: Policy = {
  name: 'v6.18',
  tag: 'v6.18',
  gfpEra: '6.15',
  maxPageOrder: 10,
  maxOrderConstant: 10,
  costlyOrder: 3,
  // --- buddy.ts: mm/page_alloc.c @ v6.18 (fallbacks[], __rmqueue, move_to_free_list, __free_pages_core) ---
  fallbacks: [
    /* MIGRATE_UNMOVABLE   */ [2 /* RECLAIMABLE */, 1 /* MOVABLE */],
    /* MIGRATE_MOVABLE     */ [2 /* RECLAIMABLE */, 0 /* UNMOVABLE */],
    /* MIGRATE_RECLAIMABLE */ [0 /* UNMOVABLE */, 1 /* MOVABLE */],
  ],
  rmqueueFallback: 'claim-steal',
  moveFreepagesToTail: true,
  freeBootToTail: true,
  minFreeKbytesMax: 262144,
  movableAsHighmem: true,
  hasWatermarkBoost: true,
  hasWatermarkScaleFactor: true,
  boostMinZonePageblocks: 4,
  // --- page_alloc.ts / pcp.ts: mm/internal.h, mm/page_alloc.c, include/linux/mmzone.h @ v6.18 ---
  allocFlags: {
    ALLOC_NO_WATERMARKS: 0x04,
    ALLOC_OOM: 0x08,
    ALLOC_HARDER: 0,
    ALLOC_NON_BLOCK: 0x10,
    ALLOC_HIGH: 0,
    ALLOC_MIN_RESERVE: 0x20,
    ALLOC_CPUSET: 0x40,
    ALLOC_CMA: 0x80,
    ALLOC_FAIR: 0,
    ALLOC_NOFRAGMENT: 0x100,
    ALLOC_HIGHATOMIC: 0x200,
    ALLOC_TRYLOCK: 0x400,
    ALLOC_KSWAPD: 0x800,
  },
  pcpMaxLowOrder: 3,
  pcpThpOrder: 9,
  nrPcpThpLists: 2,
  pcpBatchScaleMax: 5,
  pcpBatchCapPages: 256,
  pcpHighMaxFraction: 8,
  hasDefragMode: true,
  // --- slowpath.ts: mm/page_alloc.c, mm/internal.h @ v6.18 ---
  maxReclaimRetries: 16,
  maxCompactRetries: 16,
  highatomicNeedsMinReserve: true,
  compactionNeedsIo: true,
};
