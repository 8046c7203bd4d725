/**
 * The /proc/vmstat counter names a scenario's `expect.counters` may name (mm/vmstat.c vmstat_text[] and
 * include/linux/vm_event_item.h). The list is the union over the policies' kernels: every name a real 6.18
 * /proc/vmstat prints (traces/real/quiet/before/vmstat, Linux 6.18.44, x86-64, CONFIG_ZONE_DEVICE), plus the names
 * older kernels printed that 6.18 no longer has (kernel-allocator-slowpath.md §12: the single `allocstall` and
 * the per-zone pgscan/pgsteal/pgrefill of 4.0–4.7). `mmreplay_*` names are mmreplay's own counters.
 *
 * Keep in sync: when src/mm/vmstat.ts lands, it should own the list the summary prints and this file should
 * import it; the scenario `expect` check and the replay summary must agree on names.
 */

// --- begin: names printed by /proc/vmstat on Linux 6.18.44 (traces/real/quiet/before/vmstat, in kernel order) ---
const vmstat618: readonly string[] = [
  'nr_free_pages', 'nr_free_pages_blocks', 'nr_zone_inactive_anon', 'nr_zone_active_anon', 'nr_zone_inactive_file', 'nr_zone_active_file',
  'nr_zone_unevictable', 'nr_zone_write_pending', 'nr_mlock', 'nr_zspages', 'nr_free_cma', 'numa_hit',
  'numa_miss', 'numa_foreign', 'numa_interleave', 'numa_local', 'numa_other', 'nr_inactive_anon',
  'nr_active_anon', 'nr_inactive_file', 'nr_active_file', 'nr_unevictable', 'nr_slab_reclaimable', 'nr_slab_unreclaimable',
  'nr_isolated_anon', 'nr_isolated_file', 'workingset_nodes', 'workingset_refault_anon', 'workingset_refault_file', 'workingset_activate_anon',
  'workingset_activate_file', 'workingset_restore_anon', 'workingset_restore_file', 'workingset_nodereclaim', 'nr_anon_pages', 'nr_mapped',
  'nr_file_pages', 'nr_dirty', 'nr_writeback', 'nr_shmem', 'nr_shmem_hugepages', 'nr_shmem_pmdmapped',
  'nr_file_hugepages', 'nr_file_pmdmapped', 'nr_anon_transparent_hugepages', 'nr_vmscan_write', 'nr_vmscan_immediate_reclaim', 'nr_dirtied',
  'nr_written', 'nr_throttled_written', 'nr_kernel_misc_reclaimable', 'nr_foll_pin_acquired', 'nr_foll_pin_released', 'nr_kernel_stack',
  'nr_page_table_pages', 'nr_sec_page_table_pages', 'nr_iommu_pages', 'nr_swapcached', 'pgpromote_success', 'pgpromote_candidate',
  'pgpromote_candidate_nrl', 'pgdemote_kswapd', 'pgdemote_direct', 'pgdemote_khugepaged', 'pgdemote_proactive', 'nr_hugetlb',
  'nr_balloon_pages', 'nr_kernel_file_pages', 'nr_dirty_threshold', 'nr_dirty_background_threshold', 'nr_memmap_pages', 'nr_memmap_boot_pages',
  'pgpgin', 'pgpgout', 'pswpin', 'pswpout', 'pgalloc_dma', 'pgalloc_dma32',
  'pgalloc_normal', 'pgalloc_movable', 'pgalloc_device', 'allocstall_dma', 'allocstall_dma32', 'allocstall_normal',
  'allocstall_movable', 'allocstall_device', 'pgskip_dma', 'pgskip_dma32', 'pgskip_normal', 'pgskip_movable',
  'pgskip_device', 'pgfree', 'pgactivate', 'pgdeactivate', 'pglazyfree', 'pgfault',
  'pgmajfault', 'pglazyfreed', 'pgrefill', 'pgreuse', 'pgsteal_kswapd', 'pgsteal_direct',
  'pgsteal_khugepaged', 'pgsteal_proactive', 'pgscan_kswapd', 'pgscan_direct', 'pgscan_khugepaged', 'pgscan_proactive',
  'pgscan_direct_throttle', 'pgscan_anon', 'pgscan_file', 'pgsteal_anon', 'pgsteal_file', 'zone_reclaim_success',
  'zone_reclaim_failed', 'pginodesteal', 'slabs_scanned', 'kswapd_inodesteal', 'kswapd_low_wmark_hit_quickly', 'kswapd_high_wmark_hit_quickly',
  'pageoutrun', 'pgrotated', 'drop_pagecache', 'drop_slab', 'oom_kill', 'numa_pte_updates',
  'numa_huge_pte_updates', 'numa_hint_faults', 'numa_hint_faults_local', 'numa_pages_migrated', 'pgmigrate_success', 'pgmigrate_fail',
  'thp_migration_success', 'thp_migration_fail', 'thp_migration_split', 'compact_migrate_scanned', 'compact_free_scanned', 'compact_isolated',
  'compact_stall', 'compact_fail', 'compact_success', 'compact_daemon_wake', 'compact_daemon_migrate_scanned', 'compact_daemon_free_scanned',
  'htlb_buddy_alloc_success', 'htlb_buddy_alloc_fail', 'unevictable_pgs_culled', 'unevictable_pgs_scanned', 'unevictable_pgs_rescued', 'unevictable_pgs_mlocked',
  'unevictable_pgs_munlocked', 'unevictable_pgs_cleared', 'unevictable_pgs_stranded', 'thp_fault_alloc', 'thp_fault_fallback', 'thp_fault_fallback_charge',
  'thp_collapse_alloc', 'thp_collapse_alloc_failed', 'thp_file_alloc', 'thp_file_fallback', 'thp_file_fallback_charge', 'thp_file_mapped',
  'thp_split_page', 'thp_split_page_failed', 'thp_deferred_split_page', 'thp_underused_split_page', 'thp_split_pmd', 'thp_scan_exceed_none_pte',
  'thp_scan_exceed_swap_pte', 'thp_scan_exceed_share_pte', 'thp_split_pud', 'thp_zero_page_alloc', 'thp_zero_page_alloc_failed', 'thp_swpout',
  'thp_swpout_fallback', 'balloon_inflate', 'balloon_deflate', 'balloon_migrate', 'swap_ra', 'swap_ra_hit',
  'swpin_zero', 'swpout_zero', 'ksm_swpin_copy', 'cow_ksm', 'zswpin', 'zswpout',
  'zswpwb', 'direct_map_level2_splits', 'direct_map_level3_splits', 'direct_map_level2_collapses', 'direct_map_level3_collapses', 'nr_unstable',
];
// --- end ---

/** zone suffixes of the per-zone event counters on x86-64 (no HIGHMEM); `_device` with CONFIG_ZONE_DEVICE */
const zoneSuffixes: readonly string[] = ['dma', 'dma32', 'normal', 'movable', 'device'];

/** names of older kernels (slowpath reference §12): 4.0–4.7 counted reclaim per zone and allocstall once */
const olderNames: readonly string[] = [
  'allocstall',
  ...['pgscan_kswapd', 'pgscan_direct', 'pgsteal_kswapd', 'pgsteal_direct', 'pgrefill'].flatMap((base) =>
    zoneSuffixes.map((z) => `${base}_${z}`)),
  // zone_stat_item NR_PAGES_SCANNED, printed until the LRUs moved to the node (4.8)
  'nr_pages_scanned',
];

/** every known /proc/vmstat counter name */
export const vmstatNames: ReadonlySet<string> = new Set([...vmstat618, ...olderNames]);

/** prefix of mmreplay's own counters (not in any kernel's /proc/vmstat) */
export const MMREPLAY_COUNTER_PREFIX = 'mmreplay_';

/** true for a /proc/vmstat name any supported kernel prints, or an `mmreplay_*` name */
export function isKnownCounter(name: string): boolean {
  return vmstatNames.has(name) || (name.startsWith(MMREPLAY_COUNTER_PREFIX) && name.length > MMREPLAY_COUNTER_PREFIX.length);
}

/** the known counter closest to `name` (edit distance ≤ 2), for "did you mean" hints */
export function closestCounter(name: string): string | undefined {
  return closest(name, vmstatNames);
}

/** the candidate closest to `name` by Levenshtein distance, if within `maxDistance` (ties: first in order) */
export function closest(name: string, candidates: Iterable<string>, maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestD = maxDistance + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestD) continue;
    const d = levenshtein(name, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
