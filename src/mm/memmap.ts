/**
 * struct page and the pageblock flags, as per-pfn typed arrays of one node (style.md §4): no object per page.
 * Mirrors the parts of include/linux/mm_types.h / page-flags.h / pageblock-flags.h the allocator reads.
 * Owned by the buddy allocator's author; machine.ts only creates it through createMemmap().
 */
export interface MemMap {
  /** first pfn covered (node_start_pfn) */
  startPfn: number;
  /** pfns covered (node_spanned_pages) */
  nrPages: number;
}
