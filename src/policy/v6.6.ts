/** Policy v6.6: Linux 6.6.9, as changes from v6.1 (mm/page_alloc.c, mm/internal.h, include/linux/mmzone.h @ v6.6.9). */
import type { Policy } from './policy.js';
import { ALLOC_OOM } from '../mm/internal.js';
import { v6_1 } from './v6.1.js';

export const v6_6: Policy = {
  ...v6_1,
  name: 'v6.6',
  tag: 'v6.6',
  gfpEra: '6.4',
  character: 'no __GFP_ATOMIC: ALLOC_NON_BLOCK / ALLOC_MIN_RESERVE / ALLOC_HIGHATOMIC; MAX_ORDER inclusive (10)',
  changes: [
    { what: 'gfp layout of 6.4–6.7: __GFP_ATOMIC removed (0x200 unused), GFP_ATOMIC = __GFP_HIGH | __GFP_KSWAPD_RECLAIM; __GFP_SKIP_KASAN', why: 'the reserve rules are expressed by alloc_flags, not by a gfp bit', cite: 'include/linux/gfp_types.h @ v6.6.9 [bracket v6.2→v6.3], [bracket v6.3→v6.4]' },
    { what: 'ALLOC_HARDER split: ALLOC_NON_BLOCK 0x10 (cannot block), ALLOC_MIN_RESERVE 0x20 (was ALLOC_HIGH), ALLOC_HIGHATOMIC 0x200; ALLOC_RESERVES mask', why: '"cannot block" and "may use the min reserve" become separate flags', cite: 'mm/internal.h @ v6.6.9 [bracket v6.2→v6.3]' },
    { what: '__zone_watermark_ok: the highatomic reserve is kept from callers without any ALLOC_RESERVES bit; NON_BLOCK cuts min by a further quarter only together with MIN_RESERVE; HIGHATOMIC lists for ALLOC_HIGHATOMIC or ALLOC_OOM', why: 'the highatomic reserve belongs to high-order requests that cannot block', cite: 'mm/page_alloc.c __zone_watermark_ok @ v6.6.9 [bracket v6.2→v6.3]' },
    { what: 'highatomic reservation and HIGHATOMIC-first in rmqueue keyed on ALLOC_HIGHATOMIC (order > 0 without __GFP_DIRECT_RECLAIM); after a failed __rmqueue, OOM victims take HIGHATOMIC', why: 'the highatomic reserve belongs to high-order requests that cannot block', cite: 'mm/page_alloc.c rmqueue_buddy @ v6.6.9 [bracket v6.2→v6.3]' },
    { what: 'MAX_ORDER = 10 and inclusive: orders 0..10 as before, rejected if order > MAX_ORDER', why: 'MAX_ORDER names the largest order rather than one past it', cite: 'include/linux/mmzone.h @ v6.6.9 [bracket v6.3→v6.4]' },
    { what: 'slow path: should_compact_retry reduced to SKIPPED → reclaim, SUCCESS → retry, else escalate priority', why: 'fewer result classes decide a retry', cite: 'mm/page_alloc.c @ v6.6.9 [bracket v6.4→v6.5]' },
    { what: 'gfp_to_alloc_flags: every request without __GFP_DIRECT_RECLAIM gets ALLOC_NON_BLOCK, and ALLOC_HIGHATOMIC for order > 0; __GFP_HIGH gives ALLOC_MIN_RESERVE (atomicRule no-direct-reclaim)', why: 'with __GFP_ATOMIC gone, “cannot block” is read from the absence of __GFP_DIRECT_RECLAIM', cite: 'mm/page_alloc.c gfp_to_alloc_flags @ v6.6.9 [bracket v6.2→v6.3]' },
  ],
  maxOrderConstant: 10,
  maxOrderInclusive: true,
  allocFlags: { ...v6_1.allocFlags, ALLOC_HARDER: 0, ALLOC_NON_BLOCK: 0x10, ALLOC_HIGH: 0, ALLOC_MIN_RESERVE: 0x20, ALLOC_HIGHATOMIC: 0x200 },
  watermarkCheck: '6.3',
  highatomicFlag: 'ALLOC_HIGHATOMIC',
  highatomicHarderOrderOnly: false,
  highatomicOnFailure: ALLOC_OOM,
  atomicRule: 'no-direct-reclaim',
  compactRetry: '6.5',
};
