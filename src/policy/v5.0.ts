/** Policy v5.0: Linux 5.0.1, as changes from v4.12 (mm/page_alloc.c, mm/internal.h @ v5.0.1). */
import type { Policy } from './policy.js';
import { v4_12 } from './v4.12.js';

export const v5_0: Policy = {
  ...v4_12,
  name: 'v5.0',
  tag: 'v5.0',
  gfpEra: '4.18',
  character: 'watermark boost, ALLOC_KSWAPD, ALLOC_NOFRAGMENT defined but never set, __GFP_RETRY_MAYFAIL, GFP layout of 4.18',
  changes: [
    { what: 'gfp layout of 4.18–5.0 (bits compacted: __GFP_WRITE 0x100, DIRECT/KSWAPD_RECLAIM 0x200000/0x400000); __GFP_REPEAT renamed __GFP_RETRY_MAYFAIL (same bit)', why: 'gfp bits were compacted, and __GFP_RETRY_MAYFAIL gives costly requests a defined "retry, then fail" meaning', cite: 'include/linux/gfp.h @ v5.0.1 [bracket v4.17→v4.18], [bracket v4.12→v4.14]' },
    { what: 'watermark boost: watermark_boost_factor 15000; a fallback below pageblock_order raises min/low/high by a pageblock (up to high·factor/10000) and, with ALLOC_KSWAPD, flags the zone for a kswapd wake in rmqueue()', why: 'a fallback into another pageblock type makes kswapd reclaim a little, to avoid further fragmentation', cite: 'mm/page_alloc.c boost_watermark @ v5.0.1 [bracket v4.19→v5.0]' },
    { what: 'ALLOC_KSWAPD = 0x200 (from __GFP_KSWAPD_RECLAIM); ALLOC_OOM = 0x08 for OOM victims', why: 'the fast path may wake kswapd for a boosted zone; OOM victims get a partial reserve', cite: 'mm/internal.h @ v5.0.1' },
    { what: 'ALLOC_NOFRAGMENT (0x100) and alloc_flags_nofragment() exist, but the fast path never sets the flag', why: 'the line that sets the flag is missing in 5.0.1 and present in 5.1.15', cite: 'mm/page_alloc.c alloc_flags_nofragment @ v5.0.1 vs v5.1.15' },
    { what: '__zone_watermark_ok: ALLOC_HARDER or ALLOC_OOM may use the HIGHATOMIC lists (no longer "any non-empty order"); OOM halves min', why: 'only callers entitled to reserves may use the highatomic lists; OOM victims may dip deeper', cite: 'mm/page_alloc.c @ v5.0.1 [bracket v4.12→v4.14]' },
    { what: '__rmqueue_fallback: a MOVABLE request that cannot claim the block takes the smallest suitable fallback block', why: 'splitting the smallest block fragments fewer pageblocks when the block cannot be claimed', cite: 'mm/page_alloc.c @ v5.0.1 [bracket v4.12→v4.14] (believed 4.13)' },
    { what: 'pcp batch cap 512 KiB → 1 MiB (largest batch 31 → 63)', why: 'larger batches amortise the zone lock', cite: 'mm/page_alloc.c zone_batchsize @ v5.0.1 [bracket v4.17→v4.18]' },
    { what: 'lowmem_reserve_ratio has one entry per zone; ratio 0 means no reserve (was forced to 1)', why: 'ZONE_MOVABLE gets its own ratio, and 0 can disable a reserve', cite: 'mm/page_alloc.c setup_per_zone_lowmem_reserve @ v5.0.1 [bracket v4.16→v4.17]' },
    { what: 'slow path: ALLOC_OOM reserves for OOM victims; __GFP_RETRY_MAYFAIL skips the OOM killer', why: 'OOM victims get a bounded share of the reserves instead of all of them', cite: 'mm/page_alloc.c @ v5.0.1 [bracket v4.12→v4.14]' },
    { what: 'wakeup_kswapd: for a caller without __GFP_DIRECT_RECLAIM, a node that is hopeless or already balanced wakes kcompactd instead (kswapdWakesKcompactd)', why: 'the node has memory but it is fragmented: reclaim would not help, compaction may', cite: 'mm/vmscan.c wakeup_kswapd @ v5.0.1 [bracket v4.16→v4.17]' },
  ],
  hasWatermarkBoost: true,
  lowmemReserveRatioPerZone: true,
  lowmemReserveRule: 'zero',
  rmqueueFallback: 'steal-4.13',
  allocFlags: { ...v4_12.allocFlags, ALLOC_OOM: 0x08, ALLOC_NOFRAGMENT: 0x100, ALLOC_KSWAPD: 0x200 },
  watermarkCheck: '4.13',
  setsAllocNofragment: false,
  pcpBatchCapPages: 256,
  costlyRetryFlag: '__GFP_RETRY_MAYFAIL',
  hasAllocOom: true,
  kswapdWakesKcompactd: true,
};
