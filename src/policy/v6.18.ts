/** Policy v6.18: Linux 6.18.2, as changes from v6.6 (mm/page_alloc.c, mm/internal.h, include/linux/mmzone.h @ v6.18). */
import type { Policy } from './policy.js';
import { ALLOC_NON_BLOCK, ALLOC_OOM } from '../mm/internal.js';
import { v6_6 } from './v6.6.js';

export const v6_18: Policy = {
  ...v6_6,
  name: 'v6.18',
  tag: 'v6.18',
  gfpEra: '6.15',
  character:
    'free-list/pageblock type hygiene, claim/steal split, defrag_mode, adaptive pcp high, highatomic limit aligned, trace gfp names in bit order',
  changes: [
    { what: 'gfp bits from an enum (6.10+), trace names: composites, __GFP_RECLAIM, then single flags in bit order (6.15+); GFP_NOWAIT includes __GFP_NOWARN', why: 'the flag list printed by tracepoints follows the bit order of the enum', cite: 'include/linux/gfp_types.h, include/trace/events/mmflags.h @ v6.18 [bracket v6.14→v6.18]' },
    { what: 'highatomic limit ALIGN(managed/100, pageblock_nr_pages) instead of managed/100 + pageblock_nr_pages; no reserve when 1 % of the zone is below one pageblock', why: 'small zones no longer reserve a pageblock they cannot afford, and the limit is a whole number of pageblocks', cite: 'mm/page_alloc.c reserve_highatomic_pageblock @ v6.18 [bracket v6.6→v6.8]' },
    { what: 'free lists always match the pageblock type: merging re-types a mergeable buddy block, blocks above a pageblock are freed pageblock by pageblock, drains use the current block type; watermarks subtract nr_free_highatomic (free pages on HIGHATOMIC lists)', why: 'free-list migratetype hygiene: the free counts per type are exact, so the reserve math uses them', cite: 'mm/page_alloc.c __free_one_page, split_large_buddy, __zone_watermark_unusable_free @ v6.18 [bracket v6.9→v6.12]' },
    { what: '__rmqueue: CLAIM (largest first, whole pageblock, failed claims go on to lower orders) then STEAL (smallest first, block keeps its type; not under ALLOC_NOFRAGMENT); rmqueue_bulk remembers the mode that last succeeded', why: 'separating claiming a block from stealing one page keeps small movable requests from converting blocks', cite: 'mm/page_alloc.c __rmqueue_claim, __rmqueue_steal @ v6.18 [bracket v6.14→v6.18]' },
    { what: 'after a failed __rmqueue, non-blocking requests (ALLOC_NON_BLOCK) may also take HIGHATOMIC pages', why: 'failing an atomic request now is worse than failing a future high-order atomic one', cite: 'mm/page_alloc.c rmqueue_buddy @ v6.18 [bracket v6.9→v6.12]' },
    { what: 'gfp_to_alloc_flags: ALLOC_HIGHATOMIC only with ALLOC_MIN_RESERVE (__GFP_HIGH); ALLOC_TRYLOCK 0x400 (alloc_pages_nolock)', why: 'GFP_NOWAIT high-order requests no longer grow the highatomic reserve', cite: 'mm/page_alloc.c gfp_to_alloc_flags, mm/internal.h @ v6.18 [bracket v6.14→v6.18]' },
    { what: 'pcp: two THP lists (movable / non-movable), adaptive pcp->high between high_min (low watermark / CPUs) and high_max (managed / 8 / CPUs), refill scaling up to CONFIG_PCP_BATCH_SCALE_MAX 5', why: 'pcp sizes follow the workload instead of a fixed share of the low watermark', cite: 'mm/page_alloc.c nr_pcp_alloc, nr_pcp_high @ v6.18 [bracket v6.6→v6.8], [bracket v6.9→v6.12]' },
    { what: 'vm.defrag_mode: ALLOC_NOFRAGMENT always, no NOFRAGMENT retry; the fast path skips nodes whose kswapd is running (NUMA)', why: 'optional strict anti-fragmentation, and spreading away from nodes already under reclaim', cite: 'mm/page_alloc.c get_page_from_freelist @ v6.18 [bracket v6.14→v6.18]' },
    { what: 'slow path: compaction only with __GFP_IO (gfp_compaction_allowed); highatomic unreserve at the common exit of should_reclaim_retry', why: 'compaction may need to write back pages', cite: 'mm/page_alloc.c @ v6.18 [bracket v6.6→v6.8]' },
    { what: 'MAX_ORDER renamed MAX_PAGE_ORDER (10, inclusive); NR_PAGE_ORDERS = 11', why: 'a clearer name for the same inclusive bound', cite: 'include/linux/mmzone.h @ v6.18 [bracket v6.6→v6.8]' },
    { what: 'compaction_suitable: the caller\'s watermark + compact_gap, plus (low − min) for costly orders; async costly requests are tested without free CMA pages (compactionSuitableRule 6.15)', why: 'compaction is judged against the watermark the allocation itself must pass', cite: 'mm/compaction.c __compaction_suitable @ v6.18 [bracket v6.14→v6.18]' },
  ],
  rmqueueFallback: 'claim-steal',
  freeMergeRule: 'mergeable-retype',
  splitLargeBuddyOnFree: true,
  highatomicLimit: 'align',
  allocFlags: { ...v6_6.allocFlags, ALLOC_TRYLOCK: 0x400 },
  watermarkCheck: '6.10',
  highatomicOnFailure: ALLOC_OOM | ALLOC_NON_BLOCK,
  nrPcpThpLists: 2,
  pcpHighRule: 'adaptive',
  pcpBatchScaleMax: 5,
  pcpHighMaxFraction: 8,
  hasDefragMode: true,
  highatomicNeedsMinReserve: true,
  compactionNeedsIo: true,
  reclaimRetryUnreserve: 'exit',
  compactionSuitableRule: '6.15',
};
