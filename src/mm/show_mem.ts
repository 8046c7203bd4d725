/**
 * Mirrors the allocation-failure report of Linux v6.18:
 *  - mm/page_alloc.c   warn_alloc(), warn_alloc_show_mem(), the `nopage_rs` ratelimit state;
 *  - lib/ratelimit.c   ___ratelimit() and its "%s: %d callbacks suppressed" line;
 *  - mm/show_mem.c     __show_mem(), show_free_areas(), show_migration_types(), show_node();
 *  - mm/hugetlb.c      hugetlb_show_meminfo_node(); mm/swap_state.c show_swap_cache_info();
 *  - kernel/printk/printk.c print_time(): the dmesg `[%5lu.%06lu] ` prefix.
 *
 * Source read: mm/page_alloc.c, mm/show_mem.c and lib/ratelimit.c at v6.17-rc4 (the index holds no v6.18
 * copy of these files), plus the v6.18 merge-window patch that added `zspages:` to the zone line
 * ("mm: show_mem: show number of zspages in show_free_areas", posted 2025-09-02, v2 prints 0 without
 * CONFIG_ZSMALLOC). The line shapes were compared with real 5.x/6.x reports (test/fixtures/show_mem/).
 *
 * Everything here is kernel-format text: it is never coloured, so it stays byte-identical to dmesg.
 *
 * What is simulated and what is not (the README lists this too):
 *  simulated  zone free, boost, min/low/high (each + boost, as wmark_pages() adds it), reserved_highatomic,
 *             free_highatomic, present, managed, free_pcp, local_pcp, lowmem_reserve[], the buddy lines,
 *             global free / free_pcp, pages RAM / reserved, the ratelimit;
 *  snapshot   LRU sizes, slab, mapped, shmem, page tables, kernel stack, THP, balloon, dirty/writeback,
 *             mlocked, zspages, hugepages, page cache, swap: read from the caller's /proc/vmstat,
 *             /proc/meminfo and per-zone /proc/zoneinfo values when given, else printed as 0;
 *  constant   bounce (0UL since the bounce counter went away), free_cma (no CMA on the reference
 *             machine), the dump_stack() body (a fixed placeholder, see dumpStackPlaceholder()).
 */
import type { PglistData, Zone } from './mmzone.js';
import {
  MIGRATE_HIGHATOMIC,
  MIGRATE_TYPES,
  NR_PAGE_ORDERS,
  WMARK_HIGH,
  WMARK_LOW,
  WMARK_MIN,
  ZONE_DMA,
} from './mmzone.js';

// ---------------------------------------------------------------------------------------------------
// Configuration of the simulated kernel build (what the reference machine's .config decides)
// ---------------------------------------------------------------------------------------------------

/** The .config switches that change the report's text. */
export interface ShowMemConfig {
  /** CONFIG_NUMA: show_node() prefixes zone and buddy lines with "Node %d " */
  numa: boolean;
  /** MAX_NR_ZONES of the build: the number of lowmem_reserve[] entries printed (5 with ZONE_DEVICE) */
  maxNrZones: number;
  /** CONFIG_CMA: the "%lu pages cma reserved" line */
  cma: boolean;
  /** CONFIG_MEMORY_FAILURE: the "%lu pages hwpoisoned" line */
  memoryFailure: boolean;
  /** CONFIG_TRANSPARENT_HUGEPAGE: shmem_thp / shmem_pmdmapped / anon_thp on the node line */
  transparentHugepage: boolean;
  /** CONFIG_HUGETLB_PAGE hstates, in registration order (one "hugepages_total=" line each; [] = none) */
  hugepageSizesKb: number[];
  /** CONFIG_HZ: jiffies per second, the ratelimit's clock */
  hz: number;
  /** init_utsname()->release for the dump_stack placeholder */
  release: string;
}

/**
 * The reference machine: the Linux 6.18 x86-64 VM of traces/real. Its /proc files decide the switches:
 * zoneinfo lists a Device zone and 5-entry protection arrays (MAX_NR_ZONES 5); numa_* counters exist
 * (NUMA); meminfo has no CmaTotal (no CMA; pagetypeinfo has no CMA column either) and no
 * HardwareCorrupted (no MEMORY_FAILURE); THP knobs exist; Hugepagesize is 2048 kB. HZ is not visible in
 * /proc: 1000 is assumed.
 */
export const referenceShowMemConfig: ShowMemConfig = {
  numa: true,
  maxNrZones: 5,
  cma: false,
  memoryFailure: false,
  transparentHugepage: true,
  hugepageSizesKb: [2048],
  hz: 1000,
  release: '6.18.0',
};

/** The gfp bits warn_alloc() tests, v6.18 values (include/linux/gfp_types.h). Keep in sync with gfp.ts. */
export interface WarnGfpBits {
  __GFP_DMA: number;
  __GFP_NOWARN: number;
}
export const warnGfpBitsV6_18: WarnGfpBits = { __GFP_DMA: 0x01, __GFP_NOWARN: 0x2000 };

// ---------------------------------------------------------------------------------------------------
// printk: the dmesg time prefix
// ---------------------------------------------------------------------------------------------------

/**
 * kernel/printk/printk.c print_time() + the space info_print_prefix() appends: `[%5lu.%06lu] `.
 * Seconds are right-aligned in 5 columns (wider when needed); the fraction is microseconds, truncated
 * from the nanosecond timestamp as do_div() does.
 */
export function dmesgPrefixNs(timeNs: number): string {
  const ns = Math.max(0, Math.trunc(timeNs));
  const sec = Math.floor(ns / 1e9);
  const usec = Math.floor((ns - sec * 1e9) / 1000);
  return `[${String(sec).padStart(5, ' ')}.${String(usec).padStart(6, '0')}] `;
}

/** dmesgPrefixNs() for a time in seconds (rounded to the nearest nanosecond first, so 1.005 stays 1.005000). */
export function dmesgPrefix(timeSeconds: number): string {
  return dmesgPrefixNs(Math.round(timeSeconds * 1e9));
}

// ---------------------------------------------------------------------------------------------------
// lib/ratelimit.c: the nopage_rs state
// ---------------------------------------------------------------------------------------------------

/** struct ratelimit_state, in jiffies. One per run (the kernel's is a function-static). */
export interface RatelimitState {
  /** rs->interval in jiffies */
  interval: number;
  /** rs->burst */
  burst: number;
  /** jiffies per second used to turn simulated time into jiffies */
  hz: number;
  /** RATELIMIT_INITIALIZED */
  initialized: boolean;
  /** rs->begin, jiffies */
  begin: number;
  /** rs->rs_n_left */
  nLeft: number;
  /** rs->missed: calls refused since the interval began */
  missed: number;
  /** set by ratelimit(): the count a "callbacks suppressed" line must report (0 = no line) */
  suppressedToPrint: number;
}

/**
 * mm/page_alloc.c warn_alloc(): `static DEFINE_RATELIMIT_STATE(nopage_rs, 10*HZ, 1);` (10*HZ / burst 1
 * from 5.4 on; DEFAULT_RATELIMIT_INTERVAL 5*HZ / DEFAULT_RATELIMIT_BURST 10 before, which
 * the v4.0 / v4.12 / v5.0 policies pass as newNopageRs(hz, 5, 10)).
 */
export function newNopageRs(hz: number = referenceShowMemConfig.hz, intervalSeconds = 10, burst = 1): RatelimitState {
  return { interval: intervalSeconds * hz, burst, hz, initialized: false, begin: 0, nLeft: 0, missed: 0, suppressedToPrint: 0 };
}

/** Simulated time → jiffies. Jiffies start at a multiple of HZ (INITIAL_JIFFIES), so only differences matter. */
function jiffiesAt(rs: RatelimitState, timeNs: number): number {
  return Math.floor((timeNs * rs.hz) / 1e9);
}

/**
 * lib/ratelimit.c ___ratelimit(): 1 = go ahead, 0 = suppressed. The first call starts the interval.
 * A call made when `jiffies > begin + interval` (time_is_before_jiffies(), strictly after) starts a new
 * interval, refills the burst and, if calls were refused meanwhile, leaves their count in
 * rs.suppressedToPrint for the "%s: %d callbacks suppressed" line (printed before the caller's own text,
 * whatever the caller decides next). A refused call counts in rs.missed.
 */
export function ratelimit(rs: RatelimitState, timeNs: number): number {
  rs.suppressedToPrint = 0;
  const now = jiffiesAt(rs, timeNs);
  if (!rs.initialized) {
    rs.begin = now;
    rs.initialized = true;
    rs.nLeft = rs.burst;
  }
  if (now > rs.begin + rs.interval) {
    rs.nLeft = rs.burst;
    rs.begin = now;
    // !(rs->flags & RATELIMIT_MSG_ON_RELEASE): report the misses now
    rs.suppressedToPrint = rs.missed;
    rs.missed = 0;
  }
  if (rs.nLeft > 0) {
    rs.nLeft--;
    return 1;
  }
  rs.missed++;
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// warn_alloc(): suppression
// ---------------------------------------------------------------------------------------------------

/** shouldWarn() results: why a failure was (not) reported */
export const WARN_PRINT = 0;
/** the request carried __GFP_NOWARN (the ratelimit is not consulted) */
export const WARN_SUPPRESSED_NOWARN = 1;
/** nopage_rs refused it (counted in the next "callbacks suppressed" line) */
export const WARN_SUPPRESSED_RATELIMIT = 2;
/** __GFP_DMA while no node's ZONE_DMA has managed pages (checked after the ratelimit took its token) */
export const WARN_SUPPRESSED_NO_MANAGED_DMA = 3;

/** Per-run state of the report: the ratelimit and the gfp bit values of the policy. */
export interface WarnAllocState {
  nopageRs: RatelimitState;
  gfpBits: WarnGfpBits;
  config: ShowMemConfig;
}

export function newWarnAllocState(
  config: ShowMemConfig = referenceShowMemConfig,
  gfpBits: WarnGfpBits = warnGfpBitsV6_18,
): WarnAllocState {
  return { nopageRs: newNopageRs(config.hz), gfpBits, config };
}

/** mm/page_alloc.c has_managed_dma(): some online node has a ZONE_DMA with managed pages. */
export function hasManagedDma(nodes: readonly PglistData[]): boolean {
  for (const pgdat of nodes) {
    const z = pgdat.zones[ZONE_DMA];
    if (z !== undefined && z.managedPages > 0) return true;
  }
  return false;
}

/**
 * The suppression test at the top of warn_alloc(), in the kernel's order (|| short-circuits):
 * `(gfp_mask & __GFP_NOWARN) || !__ratelimit(&nopage_rs) || ((gfp_mask & __GFP_DMA) && !has_managed_dma())`.
 * Returns WARN_PRINT or a WARN_SUPPRESSED_* code; state.nopageRs.suppressedToPrint tells whether the
 * ratelimit printed its "callbacks suppressed" line on the way.
 */
export function shouldWarn(state: WarnAllocState, timeNs: number, gfpMask: number, managedDma: boolean): number {
  state.nopageRs.suppressedToPrint = 0;
  if (gfpMask & state.gfpBits.__GFP_NOWARN) return WARN_SUPPRESSED_NOWARN;
  if (!ratelimit(state.nopageRs, timeNs)) return WARN_SUPPRESSED_RATELIMIT;
  if (gfpMask & state.gfpBits.__GFP_DMA && !managedDma) return WARN_SUPPRESSED_NO_MANAGED_DMA;
  return WARN_PRINT;
}

// ---------------------------------------------------------------------------------------------------
// Inputs the allocator does not own
// ---------------------------------------------------------------------------------------------------

/** Per-cpu page counts of a zone (pcp.ts provides them; tests pass tables). */
export interface PcpCounts {
  /** Σ over online CPUs of per_cpu_ptr(zone->per_cpu_pageset, cpu)->count: free_pcp */
  pcpPages(zone: Zone): number;
  /** this_cpu_read(zone->per_cpu_pageset->count) on the failing CPU: local_pcp */
  localPcpPages(zone: Zone): number;
}

/**
 * Values the simulator does not model, from a /proc snapshot. Missing names print as 0.
 *  vmstat  /proc/vmstat names and units (pages; nr_kernel_stack in kB; THP items in huge pages)
 *  meminfo /proc/meminfo names, values in kB (HugePages_* are counts): SwapTotal, SwapFree,
 *          HugePages_Total, HugePages_Free, HugePages_Surp, Hugepagesize
 *  zones   per-zone /proc/zoneinfo counters keyed `${nodeId}:${zoneName}` (nr_zone_active_anon,
 *          nr_zone_inactive_anon, nr_zone_active_file, nr_zone_inactive_file, nr_zone_unevictable,
 *          nr_zone_write_pending, nr_zspages, nr_mlock, nr_free_cma)
 */
export interface MemSnapshot {
  vmstat?: Record<string, number>;
  meminfo?: Record<string, number>;
  zones?: Record<string, Record<string, number>>;
}

/** What __show_mem() reads. */
export interface ShowMemInput {
  nodes: readonly PglistData[];
  pcp?: PcpCounts;
  snapshot?: MemSnapshot;
  /** pgdat->kswapd_failures per node (all_unreclaimable? is "yes" at MAX_RECLAIM_RETRIES = 16) */
  kswapdFailures?: (nodeId: number) => number;
}

const MAX_RECLAIM_RETRIES = 16;
/** HPAGE_PMD_NR on x86-64: /proc/vmstat prints THP counters in huge pages, show_mem in kB of base pages */
const HPAGE_PMD_NR = 512;

/** K(x): pages → kB on 4 KiB pages */
function K(pages: number): number {
  return pages * 4;
}

function vm(snap: MemSnapshot | undefined, name: string): number {
  return snap?.vmstat?.[name] ?? 0;
}
function mi(snap: MemSnapshot | undefined, name: string): number {
  return snap?.meminfo?.[name] ?? 0;
}
function zs(snap: MemSnapshot | undefined, zone: Zone, name: string): number {
  return snap?.zones?.[`${zone.nodeId}:${zone.name}`]?.[name] ?? 0;
}

/** populated_zone(): present_pages != 0 */
function populated(zone: Zone): boolean {
  return zone.presentPages > 0;
}

/** wmark_pages(z, i): _watermark[i] + watermark_boost (include/linux/mmzone.h) */
function wmarkPages(zone: Zone, i: number): number {
  return (zone.watermark[i] ?? 0) + zone.watermarkBoost;
}

/** zone->nr_free_highatomic: pages on the MIGRATE_HIGHATOMIC free lists (account_freepages()) */
export function nrFreeHighatomic(zone: Zone): number {
  const mt = zone.freeArea.nrFreeMt;
  let pages = 0;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) pages += mt[order * MIGRATE_TYPES + MIGRATE_HIGHATOMIC]! << order;
  return pages;
}

// ---------------------------------------------------------------------------------------------------
// mm/show_mem.c
// ---------------------------------------------------------------------------------------------------

/**
 * show_migration_types() letters, indexed by our migratetype numbers (mmzone.ts): U M E H C I.
 * 'C' only exists with CONFIG_CMA and 'I' with CONFIG_MEMORY_ISOLATION; an empty list never prints.
 */
export const migratetypeLetters: readonly string[] = ['U', 'M', 'E', 'H', 'C', 'I'];

/** show_migration_types(): "(%s) " with one letter per non-empty free list, in enum order. */
export function showMigrationTypes(typeMask: number): string {
  let s = '';
  for (let i = 0; i < MIGRATE_TYPES; i++) if (typeMask & (1 << i)) s += migratetypeLetters[i];
  return `(${s}) `;
}

/** show_node(): "Node %d " on NUMA kernels */
function showNode(config: ShowMemConfig, zone: Zone): string {
  return config.numa ? `Node ${zone.nodeId} ` : '';
}

/**
 * One buddy line of show_free_areas(): `Node 0 Normal: 12*4kB (UME) ... = 1234kB`.
 * Counts are zone->free_area[order].nr_free (blocks); letters mark the non-empty lists of that order.
 */
export function buddyLine(zone: Zone, config: ShowMemConfig = referenceShowMemConfig): string {
  const { nrFree, nrFreeMt } = zone.freeArea;
  let line = `${showNode(config, zone)}${zone.name}: `;
  let total = 0;
  for (let order = 0; order < NR_PAGE_ORDERS; order++) {
    const nr = nrFree[order]!;
    total += nr * 2 ** order;
    line += `${nr}*${K(1) << order}kB `;
    if (nr) {
      let types = 0;
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) if (nrFreeMt[order * MIGRATE_TYPES + mt]! > 0) types |= 1 << mt;
      line += showMigrationTypes(types);
    }
  }
  return `${line}= ${K(total)}kB`;
}

/** lowmem_reserve[] padded to MAX_NR_ZONES: ZONE_DEVICE has no managed pages, so its entry repeats the last. */
function lowmemReserveText(zone: Zone, maxNrZones: number): string {
  const lr = zone.lowmemReserve;
  let s = 'lowmem_reserve[]:';
  for (let i = 0; i < maxNrZones; i++) s += ` ${i < lr.length ? lr[i] : lr.length ? lr[lr.length - 1] : 0}`;
  return s;
}

/** The zone line of show_free_areas() after show_node(), v6.18 fields in order. */
export function zoneLine(zone: Zone, input: ShowMemInput, config: ShowMemConfig = referenceShowMemConfig): string {
  const snap = input.snapshot;
  const freePcp = input.pcp ? input.pcp.pcpPages(zone) : 0;
  const localPcp = input.pcp ? input.pcp.localPcpPages(zone) : 0;
  return (
    `${showNode(config, zone)}${zone.name}` +
    ` free:${K(zone.nrFreePages)}kB` +
    ` boost:${K(zone.watermarkBoost)}kB` +
    ` min:${K(wmarkPages(zone, WMARK_MIN))}kB` +
    ` low:${K(wmarkPages(zone, WMARK_LOW))}kB` +
    ` high:${K(wmarkPages(zone, WMARK_HIGH))}kB` +
    // capital K: the format string says %luKB
    ` reserved_highatomic:${K(zone.nrReservedHighatomic)}KB` +
    ` free_highatomic:${K(nrFreeHighatomic(zone))}KB` +
    ` active_anon:${K(zs(snap, zone, 'nr_zone_active_anon'))}kB` +
    ` inactive_anon:${K(zs(snap, zone, 'nr_zone_inactive_anon'))}kB` +
    ` active_file:${K(zs(snap, zone, 'nr_zone_active_file'))}kB` +
    ` inactive_file:${K(zs(snap, zone, 'nr_zone_inactive_file'))}kB` +
    ` unevictable:${K(zs(snap, zone, 'nr_zone_unevictable'))}kB` +
    ` writepending:${K(zs(snap, zone, 'nr_zone_write_pending'))}kB` +
    ` zspages:${K(zs(snap, zone, 'nr_zspages'))}kB` +
    ` present:${K(zone.presentPages)}kB` +
    ` managed:${K(zone.managedPages)}kB` +
    ` mlocked:${K(zs(snap, zone, 'nr_mlock'))}kB` +
    ' bounce:0kB' +
    ` free_pcp:${K(freePcp)}kB` +
    ` local_pcp:${K(localPcp)}kB` +
    ` free_cma:${K(zs(snap, zone, 'nr_free_cma'))}kB`
  );
}

/** node_has_managed_zones(pgdat, max_zone_idx) */
function nodeHasManagedZones(pgdat: PglistData, maxZoneIdx: number): boolean {
  for (let i = 0; i <= maxZoneIdx && i < pgdat.zones.length; i++) if (pgdat.zones[i]!.managedPages) return true;
  return false;
}

/**
 * mm/show_mem.c __show_mem(filter, nodemask, max_zone_idx) with show_free_areas() inside: the whole
 * Mem-Info block, one string per dmesg line (no prefix, no newline). Only zones with zone_idx <=
 * maxZoneIdx are listed (6.1+). Node filtering by the task's cpuset is a no-op here: the simulated task
 * runs in the root cpuset with every node allowed.
 */
export function showMem(
  emit: (line: string) => void,
  input: ShowMemInput,
  maxZoneIdx: number,
  config: ShowMemConfig = referenceShowMemConfig,
): void {
  const snap = input.snapshot;
  const nodes = input.nodes;
  emit('Mem-Info:');

  let freePcp = 0;
  let free = 0;
  for (const pgdat of nodes) {
    for (const zone of pgdat.zones) {
      free += zone.nrFreePages; // global_zone_page_state(NR_FREE_PAGES): every zone
      if (!populated(zone) || zone.zoneIdx > maxZoneIdx) continue;
      if (input.pcp) freePcp += input.pcp.pcpPages(zone);
    }
  }

  // one printk with embedded newlines: dmesg repeats the prefix on each line, the leading space stays
  emit(`active_anon:${vm(snap, 'nr_active_anon')} inactive_anon:${vm(snap, 'nr_inactive_anon')} isolated_anon:${vm(snap, 'nr_isolated_anon')}`);
  emit(` active_file:${vm(snap, 'nr_active_file')} inactive_file:${vm(snap, 'nr_inactive_file')} isolated_file:${vm(snap, 'nr_isolated_file')}`);
  emit(` unevictable:${vm(snap, 'nr_unevictable')} dirty:${vm(snap, 'nr_dirty')} writeback:${vm(snap, 'nr_writeback')}`);
  emit(` slab_reclaimable:${vm(snap, 'nr_slab_reclaimable')} slab_unreclaimable:${vm(snap, 'nr_slab_unreclaimable')}`);
  emit(` mapped:${vm(snap, 'nr_mapped')} shmem:${vm(snap, 'nr_shmem')} pagetables:${vm(snap, 'nr_page_table_pages')}`);
  emit(` sec_pagetables:${vm(snap, 'nr_sec_page_table_pages')} bounce:0`);
  emit(` kernel_misc_reclaimable:${vm(snap, 'nr_kernel_misc_reclaimable')}`);
  emit(` free:${free} free_pcp:${freePcp} free_cma:${vm(snap, 'nr_free_cma')}`);

  // Node lines. With one node the global /proc/vmstat values are the node's; with more, every node
  // would print the global values, so only the first node gets them and the others print 0.
  for (let n = 0; n < nodes.length; n++) {
    const pgdat = nodes[n]!;
    if (!nodeHasManagedZones(pgdat, maxZoneIdx)) continue;
    const s = n === 0 ? snap : undefined;
    const thp = config.transparentHugepage
      ? ` shmem_thp:${K(vm(s, 'nr_shmem_hugepages') * HPAGE_PMD_NR)}kB` +
        ` shmem_pmdmapped:${K(vm(s, 'nr_shmem_pmdmapped') * HPAGE_PMD_NR)}kB` +
        ` anon_thp:${K(vm(s, 'nr_anon_transparent_hugepages') * HPAGE_PMD_NR)}kB`
      : '';
    const failures = input.kswapdFailures ? input.kswapdFailures(pgdat.nodeId) : 0;
    emit(
      `Node ${pgdat.nodeId}` +
        ` active_anon:${K(vm(s, 'nr_active_anon'))}kB` +
        ` inactive_anon:${K(vm(s, 'nr_inactive_anon'))}kB` +
        ` active_file:${K(vm(s, 'nr_active_file'))}kB` +
        ` inactive_file:${K(vm(s, 'nr_inactive_file'))}kB` +
        ` unevictable:${K(vm(s, 'nr_unevictable'))}kB` +
        ` isolated(anon):${K(vm(s, 'nr_isolated_anon'))}kB` +
        ` isolated(file):${K(vm(s, 'nr_isolated_file'))}kB` +
        ` mapped:${K(vm(s, 'nr_mapped'))}kB` +
        ` dirty:${K(vm(s, 'nr_dirty'))}kB` +
        ` writeback:${K(vm(s, 'nr_writeback'))}kB` +
        ` shmem:${K(vm(s, 'nr_shmem'))}kB` +
        thp +
        // NR_KERNEL_STACK_KB is already in kB
        ` kernel_stack:${vm(s, 'nr_kernel_stack')}kB` +
        ` pagetables:${K(vm(s, 'nr_page_table_pages'))}kB` +
        ` sec_pagetables:${K(vm(s, 'nr_sec_page_table_pages'))}kB` +
        ` all_unreclaimable? ${failures >= MAX_RECLAIM_RETRIES ? 'yes' : 'no'}` +
        ` Balloon:${K(vm(s, 'nr_balloon_pages'))}kB`,
    );
  }

  for (const pgdat of nodes) {
    for (const zone of pgdat.zones) {
      if (!populated(zone) || zone.zoneIdx > maxZoneIdx) continue;
      emit(zoneLine(zone, input, config));
      emit(lowmemReserveText(zone, config.maxNrZones));
    }
  }

  for (const pgdat of nodes) {
    for (const zone of pgdat.zones) {
      if (!populated(zone) || zone.zoneIdx > maxZoneIdx) continue;
      emit(buddyLine(zone, config));
    }
  }

  // hugetlb_show_meminfo_node(): one line per hstate per node; /proc/meminfo's HugePages_* describe the
  // default hstate (Hugepagesize) of the whole machine, given to the first node.
  const defaultHstateKb = mi(snap, 'Hugepagesize');
  for (let n = 0; n < nodes.length; n++) {
    for (const sizeKb of config.hugepageSizesKb) {
      const own = n === 0 && sizeKb === defaultHstateKb;
      emit(
        `Node ${nodes[n]!.nodeId} hugepages_total=${own ? mi(snap, 'HugePages_Total') : 0}` +
          ` hugepages_free=${own ? mi(snap, 'HugePages_Free') : 0}` +
          ` hugepages_surp=${own ? mi(snap, 'HugePages_Surp') : 0} hugepages_size=${sizeKb}kB`,
      );
    }
  }

  emit(`${vm(snap, 'nr_file_pages')} total pagecache pages`);
  // show_swap_cache_info()
  emit(`${vm(snap, 'nr_swapcached')} pages in swap cache`);
  emit(`Free swap  = ${mi(snap, 'SwapFree')}kB`);
  emit(`Total swap = ${mi(snap, 'SwapTotal')}kB`);

  let total = 0;
  let reserved = 0;
  for (const pgdat of nodes) {
    for (const zone of pgdat.zones) {
      if (!populated(zone)) continue;
      total += zone.presentPages;
      reserved += zone.presentPages - zone.managedPages;
    }
  }
  emit(`${total} pages RAM`);
  // is_highmem() is always false without CONFIG_HIGHMEM (x86-64)
  emit('0 pages HighMem/MovableOnly');
  emit(`${reserved} pages reserved`);
  // totalcma_pages and num_poisoned_pages, from /proc/meminfo CmaTotal and HardwareCorrupted (kB)
  if (config.cma) emit(`${mi(snap, 'CmaTotal') / 4} pages cma reserved`);
  if (config.memoryFailure) emit(`${mi(snap, 'HardwareCorrupted') / 4} pages hwpoisoned`);
}

// ---------------------------------------------------------------------------------------------------
// mm/page_alloc.c warn_alloc()
// ---------------------------------------------------------------------------------------------------

/** One allocation failure to report. */
export interface WarnAllocCtx {
  /** simulated time of the failure, ns */
  timeNs: number;
  /** current->comm (TASK_COMM_LEN 16: at most 15 characters are kept) */
  comm: string;
  pid: number;
  cpu: number;
  order: number;
  gfpMask: number;
  /** `%#x(%pGg)` as the policy prints it: formatGfpMode(mask, era) of gfp.ts, e.g. "0xcc0(GFP_KERNEL)" */
  mode: string;
  /** gfp_zone(gfp_mask): zones above it are left out of Mem-Info */
  highestZoneIdx: number;
  /** ac->nodemask; null or undefined prints "(null)" */
  nodemask?: readonly number[] | null;
  /** cpuset_current_mems_allowed; default: every node */
  memsAllowed?: readonly number[];
  /** the task's cpuset path; default "/" */
  cpuset?: string;
}

/** `%*pbl`: a node list as ranges, "0", "0-1", "0,2-3" */
export function formatNodeList(ids: readonly number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The warning line: `"%s: %pV, mode:%#x(%pGg), nodemask=%*pbl"` + cpuset_print_current_mems_allowed(). */
export function warnAllocLine(ctx: WarnAllocCtx, nodes: readonly PglistData[]): string {
  const nodemask = ctx.nodemask ? formatNodeList(ctx.nodemask) : '(null)';
  const mems = formatNodeList(ctx.memsAllowed ?? nodes.map((p) => p.nodeId));
  return (
    `${ctx.comm.slice(0, 15)}: page allocation failure: order:${ctx.order}, mode:${ctx.mode}, nodemask=${nodemask}` +
    `,cpuset=${ctx.cpuset ?? '/'},mems_allowed=${mems}`
  );
}

/**
 * dump_stack() stands in as a fixed placeholder: the simulator has no call stack, registers or DMI
 * data. Shape of lib/dump_stack.c dump_stack_print_info() + show_trace on x86-64.
 */
export function dumpStackPlaceholder(ctx: WarnAllocCtx, config: ShowMemConfig = referenceShowMemConfig): string[] {
  return [
    `CPU: ${ctx.cpu} UID: 0 PID: ${ctx.pid} Comm: ${ctx.comm.slice(0, 15)} Not tainted ${config.release} #1`,
    'Hardware name: mmreplay simulated machine',
    'Call Trace:',
    ' <TASK>',
    ' <stack not simulated>',
    ' </TASK>',
  ];
}

/** A line sink: an array to push to, or a function. */
export type LineSink = string[] | ((line: string) => void);

/**
 * mm/page_alloc.c warn_alloc() for "page allocation failure: order:%u": applies the suppression rules
 * (shouldWarn), then writes the optional "warn_alloc: N callbacks suppressed" line, the warning line,
 * the dump_stack placeholder and __show_mem(filter, nodemask, gfp_zone(gfp_mask)), every line with the
 * dmesg prefix of ctx.timeNs. Returns WARN_PRINT or the WARN_SUPPRESSED_* reason.
 */
export function warnAlloc(out: LineSink, state: WarnAllocState, ctx: WarnAllocCtx, input: ShowMemInput): number {
  const prefix = dmesgPrefixNs(ctx.timeNs);
  const emit = Array.isArray(out) ? (line: string) => void out.push(prefix + line) : (line: string) => out(prefix + line);
  const verdict = shouldWarn(state, ctx.timeNs, ctx.gfpMask, hasManagedDma(input.nodes));
  // ___ratelimit() prints this itself (printk_deferred), whatever warn_alloc() then decides
  if (state.nopageRs.suppressedToPrint) emit(`warn_alloc: ${state.nopageRs.suppressedToPrint} callbacks suppressed`);
  if (verdict !== WARN_PRINT) return verdict;
  emit(warnAllocLine(ctx, input.nodes));
  for (const line of dumpStackPlaceholder(ctx, state.config)) emit(line);
  showMem(emit, input, ctx.highestZoneIdx, state.config);
  return WARN_PRINT;
}
