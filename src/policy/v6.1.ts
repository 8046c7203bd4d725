/** Policy v6.1: Linux 6.1.20, as changes from v5.15 (mm/page_alloc.c, include/linux/gfp_types.h @ v6.1.20). */
import type { Policy } from './policy.js';
import { v5_15 } from './v5.15.js';

export const v6_1: Policy = {
  ...v5_15,
  name: 'v6.1',
  tag: 'v6.1',
  gfpEra: '5.18',
  character: 'gfp_types.h, explicit percpu_refill, NOFRAGMENT limit only below pageblock_order, mergeable-type merge rule, free_high',
  changes: [
    { what: 'gfp layout of 5.18–6.2 (include/linux/gfp_types.h; KASAN bits conditional, __GFP_NOLOCKDEP 0x8000000)', why: 'the gfp bit definitions moved to their own header', cite: 'include/linux/gfp_types.h @ v6.1.20 [bracket v5.15→v6.0-rc1]' },
    { what: 'ALLOC_NOFRAGMENT limits the fallback to ≥ pageblock_order only for requests below pageblock_order', why: 'requests of pageblock order or more could never satisfy the limit', cite: 'mm/page_alloc.c __rmqueue_fallback @ v6.1.20 [bracket v5.15→v6.1.20]' },
    { what: '__free_one_page: at ≥ pageblock_order a buddy block of another type merges only if both types are mergeable (HIGHATOMIC, CMA, ISOLATE never merge across)', why: 'reserved and CMA pageblocks must keep their type when freed blocks merge', cite: 'mm/page_alloc.c __free_one_page @ v6.1.20 [bracket v5.15→v6.0-rc1]' },
    { what: 'free_high: freeing a high-order pcp page right after another one drains the whole pcp', why: 'high-order pages freed in a row are returned to the buddy so they can merge', cite: 'mm/page_alloc.c free_unref_page_commit @ v6.1.20 [bracket v5.15→v6.0-rc1]' },
    { what: 'reserves granted by __gfp_pfmemalloc_flags also keep ALLOC_KSWAPD (reserveFlagsKeep cma-kswapd)', why: 'a request using the reserves may still wake kswapd for a boosted zone', cite: 'mm/page_alloc.c __alloc_pages_slowpath @ v6.1.20 [bracket v5.15→v6.1.20]' },
    { what: 'wake_all_kswapds: zones without managed pages are skipped (kswapdWakeScope per-node-managed)', why: 'a zone with no managed pages cannot be balanced by kswapd', cite: 'mm/page_alloc.c wake_all_kswapds @ v6.1.20 [bracket v5.15→v6.1.20]' },
  ],
  freeMergeRule: 'mergeable',
  nofragmentBelowPageblockOnly: true,
  pcpFreeHigh: true,
  reserveFlagsKeep: 'cma-kswapd',
  kswapdWakeScope: 'per-node-managed',
};
