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
import type { Policy } from '../policy/policy.js';
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
import { policyOrder } from './vmstat.js';

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
// The text of each kernel version (issue 5)
// ---------------------------------------------------------------------------------------------------

/**
 * What differs in the report's text between kernel versions, taken from a policy. `at` is the policy's index
 * in policyOrder (v4.0 … v6.18), so the printers below compare eras with `fmt.at >= AT_V5_0`.
 */
export interface ShowMemFormat {
  /** policy name ('v6.18') */
  version: string;
  /** index of `version` in policyOrder */
  at: number;
  /** show_migration_types() letter per simulator migratetype slot (v4.0: slot 3 is 'R', MIGRATE_RESERVE) */
  letters: readonly string[];
  /** simulator slots in the kernel's enum order: the order the letters print in (v4.0: U E M R, 4.4+: U M E H) */
  letterOrder: readonly number[];
  /** nopage_rs: DEFAULT_RATELIMIT_INTERVAL/BURST (5 s / 10) up to 5.3, 10*HZ / 1 from 5.4 */
  ratelimit: { intervalS: number; burst: number };
}

const at = (v: string): number => policyOrder.indexOf(v);
export const AT_V4_0 = at('v4.0');
export const AT_V4_12 = at('v4.12');
export const AT_V5_0 = at('v5.0');
export const AT_V5_15 = at('v5.15');
export const AT_V6_1 = at('v6.1');
export const AT_V6_6 = at('v6.6');
export const AT_V6_18 = at('v6.18');

/** The text format of a policy (its version, migratetype letters in that kernel's enum order, ratelimit). */
export function showMemFormat(
  policy: Pick<Policy, 'name' | 'migratetypeLetters' | 'kernelMigratetype' | 'warnAllocRatelimit'>,
): ShowMemFormat {
  const i = policyOrder.indexOf(policy.name);
  const slots = policy.migratetypeLetters.map((_, slot) => slot);
  // kernelMigratetype is -1 for a slot the kernel lacks: such a list is always empty, so its place does not matter
  const key = (slot: number): number => policy.kernelMigratetype[slot] ?? slot;
  slots.sort((a, b) => key(a) - key(b) || a - b);
  return {
    version: policy.name,
    at: i < 0 ? AT_V6_18 : i,
    letters: policy.migratetypeLetters,
    letterOrder: slots,
    ratelimit: policy.warnAllocRatelimit,
  };
}

/** The v6.18 format, the default when no policy is given (the reference machine). */
export const showMemFormatV6_18: ShowMemFormat = {
  version: 'v6.18',
  at: AT_V6_18,
  letters: ['U', 'M', 'E', 'H', 'C', 'I'],
  letterOrder: [0, 1, 2, 3, 4, 5],
  ratelimit: { intervalS: 10, burst: 1 },
};

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
  /** the kernel version whose text is printed */
  format: ShowMemFormat;
}

/** The per-run state; with a policy, its text format and its nopage_rs interval/burst (else v6.18's). */
export function newWarnAllocState(
  config: ShowMemConfig = referenceShowMemConfig,
  gfpBits: WarnGfpBits = warnGfpBitsV6_18,
  policy?: Pick<Policy, 'name' | 'migratetypeLetters' | 'kernelMigratetype' | 'warnAllocRatelimit'>,
): WarnAllocState {
  const format = policy ? showMemFormat(policy) : showMemFormatV6_18;
  return { nopageRs: newNopageRs(config.hz, format.ratelimit.intervalS, format.ratelimit.burst), gfpBits, config, format };
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
  // has_managed_dma() test: mainline 5.17 ("mm/page_alloc.c: do not warn allocation failure on zone DMA if no
  // managed pages"); slowpath §11.1 says 5.15.y got it too, but the v5.15 policy follows the v5.15 tag
  if (state.format.at >= AT_V6_1 && gfpMask & state.gfpBits.__GFP_DMA && !managedDma) return WARN_SUPPRESSED_NO_MANAGED_DMA;
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
// mm/show_mem.c (mm/page_alloc.c show_free_areas() before 6.2, lib/show_mem.c show_mem())
// ---------------------------------------------------------------------------------------------------

/**
 * show_migration_types() letters of v6.18, indexed by our migratetype slots (mmzone.ts): U M E H C I.
 * 'C' only exists with CONFIG_CMA and 'I' with CONFIG_MEMORY_ISOLATION; an empty list never prints.
 * Other versions: ShowMemFormat.letters (the policy's migratetypeLetters).
 */
export const migratetypeLetters: readonly string[] = showMemFormatV6_18.letters;

/**
 * show_migration_types(): "(%s) " with one letter per non-empty free list, in the kernel's enum order
 * (v4.0 enum: UNMOVABLE, RECLAIMABLE, MOVABLE, RESERVE → "(UEM)"; 4.4+: UNMOVABLE, MOVABLE, RECLAIMABLE,
 * HIGHATOMIC → "(UME)"). `typeMask` has bit `1 << slot` per simulator slot.
 */
export function showMigrationTypes(typeMask: number, fmt: ShowMemFormat = showMemFormatV6_18): string {
  let s = '';
  for (const slot of fmt.letterOrder) if (typeMask & (1 << slot)) s += fmt.letters[slot];
  return `(${s}) `;
}

/** show_node(): "Node %d " on NUMA kernels */
function showNode(config: ShowMemConfig, zone: Zone): string {
  return config.numa ? `Node ${zone.nodeId} ` : '';
}

/**
 * One buddy line of show_free_areas(): `Node 0 Normal: 12*4kB (UME) ... = 1234kB`, the same in every version.
 * Counts are zone->free_area[order].nr_free (blocks); letters mark the non-empty lists of that order.
 */
export function buddyLine(zone: Zone, config: ShowMemConfig = referenceShowMemConfig, fmt: ShowMemFormat = showMemFormatV6_18): string {
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
      line += showMigrationTypes(types, fmt);
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

/**
 * The zone line of show_free_areas() after show_node(), in the field set of the format's version
 * (kernel-allocator-slowpath.md §11.2, checked against real reports where cited in the test):
 *  v4.0   free min low high, the zone LRU and page-state counters, managed, free_cma writeback_tmp
 *         pages_scanned:%lu all_unreclaimable? %s                     (zone reclaim state, before 4.8)
 *  v4.12  free min low high LRU writepending present managed mlocked slab_* kernel_stack pagetables
 *         bounce free_pcp local_pcp free_cma                          (per-node LRU from 4.8)
 *  v5.0   as v4.12 without slab_* (slab became a node counter in 4.14)
 *  v5.15  reserved_highatomic:%luKB after high; no kernel_stack (5.9) or pagetables (5.11)
 *  v6.1   boost:%lukB after free (patch "mm: Show watermark_boost of zone in zoneinfo", 2021-09, in 5.16)
 *  v6.18  free_highatomic:%luKB (6.16) and zspages:%lukB (6.18)
 * Values the simulator lacks come from the snapshot's per-zone counters (MemSnapshot.zones), else 0.
 */
export function zoneLine(
  zone: Zone,
  input: ShowMemInput,
  config: ShowMemConfig = referenceShowMemConfig,
  fmt: ShowMemFormat = showMemFormatV6_18,
): string {
  const snap = input.snapshot;
  const v = fmt.at;
  const z = (name: string): number => K(zs(snap, zone, name));
  const freePcp = input.pcp ? input.pcp.pcpPages(zone) : 0;
  const localPcp = input.pcp ? input.pcp.localPcpPages(zone) : 0;
  let s = `${showNode(config, zone)}${zone.name} free:${K(zone.nrFreePages)}kB`;
  if (v >= AT_V6_1) s += ` boost:${K(zone.watermarkBoost)}kB`;
  s += ` min:${K(wmarkPages(zone, WMARK_MIN))}kB low:${K(wmarkPages(zone, WMARK_LOW))}kB high:${K(wmarkPages(zone, WMARK_HIGH))}kB`;
  // capital K: the format string says %luKB
  if (v >= AT_V5_15) s += ` reserved_highatomic:${K(zone.nrReservedHighatomic)}KB`;
  if (v >= AT_V6_18) s += ` free_highatomic:${K(nrFreeHighatomic(zone))}KB`;
  s +=
    ` active_anon:${z('nr_zone_active_anon')}kB inactive_anon:${z('nr_zone_inactive_anon')}kB` +
    ` active_file:${z('nr_zone_active_file')}kB inactive_file:${z('nr_zone_inactive_file')}kB` +
    ` unevictable:${z('nr_zone_unevictable')}kB`;
  if (v === AT_V4_0) {
    s +=
      ` isolated(anon):${z('nr_isolated_anon')}kB isolated(file):${z('nr_isolated_file')}kB` +
      ` present:${K(zone.presentPages)}kB managed:${K(zone.managedPages)}kB mlocked:${z('nr_mlock')}kB` +
      ` dirty:${z('nr_dirty')}kB writeback:${z('nr_writeback')}kB mapped:${z('nr_mapped')}kB shmem:${z('nr_shmem')}kB` +
      ` slab_reclaimable:${z('nr_slab_reclaimable')}kB slab_unreclaimable:${z('nr_slab_unreclaimable')}kB` +
      // NR_KERNEL_STACK counted stacks then: × THREAD_SIZE / 1024 (16 kB on x86-64)
      ` kernel_stack:${zs(snap, zone, 'nr_kernel_stack') * 16}kB pagetables:${z('nr_page_table_pages')}kB` +
      ` unstable:${z('nr_unstable')}kB bounce:0kB free_cma:${z('nr_free_cma')}kB writeback_tmp:${z('nr_writeback_temp')}kB` +
      // pages_scanned is a raw page count (no K()); all_unreclaimable? is !zone_reclaimable(zone)
      ` pages_scanned:${zs(snap, zone, 'nr_pages_scanned')}` +
      ` all_unreclaimable? ${input.kswapdFailures && input.kswapdFailures(zone.nodeId) >= MAX_RECLAIM_RETRIES ? 'yes' : 'no'}`;
    return s;
  }
  s += ` writepending:${z('nr_zone_write_pending')}kB`;
  if (v >= AT_V6_18) s += ` zspages:${z('nr_zspages')}kB`;
  s += ` present:${K(zone.presentPages)}kB managed:${K(zone.managedPages)}kB mlocked:${z('nr_mlock')}kB`;
  if (v < AT_V5_0) s += ` slab_reclaimable:${z('nr_slab_reclaimable')}kB slab_unreclaimable:${z('nr_slab_unreclaimable')}kB`;
  // NR_KERNEL_STACK_KB (4.7+) is already in kB
  if (v < AT_V5_15) s += ` kernel_stack:${zs(snap, zone, 'nr_kernel_stack')}kB pagetables:${z('nr_page_table_pages')}kB`;
  s += ` bounce:0kB free_pcp:${K(freePcp)}kB local_pcp:${K(localPcp)}kB free_cma:${z('nr_free_cma')}kB`;
  return s;
}

/** node_has_managed_zones(pgdat, max_zone_idx) */
function nodeHasManagedZones(pgdat: PglistData, maxZoneIdx: number): boolean {
  for (let i = 0; i <= maxZoneIdx && i < pgdat.zones.length; i++) if (pgdat.zones[i]!.managedPages) return true;
  return false;
}

/**
 * The global block of show_free_areas(): one printk with embedded newlines, so dmesg repeats the prefix on each
 * line and the leading space of the continuation lines stays. Fields per version:
 *  v4.0   `unevictable dirty writeback unstable` / `free slab_reclaimable slab_unreclaimable` / … / `free_cma`
 *  v4.12  free moved to the last line with free_pcp (4.4); slab on its own line   (real 4.9 report: dCache#3787)
 *  v5.15  no unstable (5.8); kernel_misc_reclaimable line
 *  v6.1   sec_pagetables (NR_SECONDARY_PAGETABLE, 6.0) on the line with bounce
 */
function globalBlock(emit: (line: string) => void, snap: MemSnapshot | undefined, fmt: ShowMemFormat, free: number, freePcp: number): void {
  const v = fmt.at;
  const g = (name: string): number => vm(snap, name);
  emit(`active_anon:${g('nr_active_anon')} inactive_anon:${g('nr_inactive_anon')} isolated_anon:${g('nr_isolated_anon')}`);
  emit(` active_file:${g('nr_active_file')} inactive_file:${g('nr_inactive_file')} isolated_file:${g('nr_isolated_file')}`);
  if (v === AT_V4_0) {
    emit(` unevictable:${g('nr_unevictable')} dirty:${g('nr_dirty')} writeback:${g('nr_writeback')} unstable:${g('nr_unstable')}`);
    emit(` free:${free} slab_reclaimable:${g('nr_slab_reclaimable')} slab_unreclaimable:${g('nr_slab_unreclaimable')}`);
    emit(` mapped:${g('nr_mapped')} shmem:${g('nr_shmem')} pagetables:${g('nr_page_table_pages')} bounce:0`);
    emit(` free_cma:${g('nr_free_cma')}`);
    return;
  }
  emit(` unevictable:${g('nr_unevictable')} dirty:${g('nr_dirty')} writeback:${g('nr_writeback')}${v < AT_V5_15 ? ` unstable:${g('nr_unstable')}` : ''}`);
  emit(` slab_reclaimable:${g('nr_slab_reclaimable')} slab_unreclaimable:${g('nr_slab_unreclaimable')}`);
  if (v >= AT_V6_1) {
    emit(` mapped:${g('nr_mapped')} shmem:${g('nr_shmem')} pagetables:${g('nr_page_table_pages')}`);
    emit(` sec_pagetables:${g('nr_sec_page_table_pages')} bounce:0`);
  } else {
    emit(` mapped:${g('nr_mapped')} shmem:${g('nr_shmem')} pagetables:${g('nr_page_table_pages')} bounce:0`);
  }
  if (v >= AT_V5_15) emit(` kernel_misc_reclaimable:${g('nr_kernel_misc_reclaimable')}`);
  emit(` free:${free} free_pcp:${freePcp} free_cma:${g('nr_free_cma')}`);
}

/**
 * The per-node line (4.8+). v4.12/v5.0 print `shmem_thp: %lukB` with a space (real 4.9 reports: dCache#3787,
 * duperemove#163) and end with writeback_tmp unstable; 5.15/6.1/6.6 carry kernel_stack and pagetables here;
 * 6.18 drops writeback_tmp and adds Balloon.
 */
function nodeLine(pgdat: PglistData, s: MemSnapshot | undefined, input: ShowMemInput, config: ShowMemConfig, fmt: ShowMemFormat): string {
  const v = fmt.at;
  const n = (name: string): number => K(vm(s, name));
  const sp = v < AT_V5_15 ? ' ' : '';
  const thp = config.transparentHugepage
    ? ` shmem_thp:${sp}${K(vm(s, 'nr_shmem_hugepages') * HPAGE_PMD_NR)}kB` +
      ` shmem_pmdmapped:${sp}${K(vm(s, 'nr_shmem_pmdmapped') * HPAGE_PMD_NR)}kB` +
      ` anon_thp:${sp}${K(vm(s, 'nr_anon_transparent_hugepages') * HPAGE_PMD_NR)}kB`
    : '';
  const failures = input.kswapdFailures ? input.kswapdFailures(pgdat.nodeId) : 0;
  let line =
    `Node ${pgdat.nodeId}` +
    ` active_anon:${n('nr_active_anon')}kB inactive_anon:${n('nr_inactive_anon')}kB` +
    ` active_file:${n('nr_active_file')}kB inactive_file:${n('nr_inactive_file')}kB` +
    ` unevictable:${n('nr_unevictable')}kB isolated(anon):${n('nr_isolated_anon')}kB isolated(file):${n('nr_isolated_file')}kB` +
    ` mapped:${n('nr_mapped')}kB dirty:${n('nr_dirty')}kB writeback:${n('nr_writeback')}kB shmem:${n('nr_shmem')}kB` +
    thp;
  if (v < AT_V6_18) line += ` writeback_tmp:${n('nr_writeback_temp')}kB`;
  if (v < AT_V5_15) line += ` unstable:${n('nr_unstable')}kB`;
  if (v >= AT_V5_15) {
    // NR_KERNEL_STACK_KB is already in kB
    line += ` kernel_stack:${vm(s, 'nr_kernel_stack')}kB pagetables:${n('nr_page_table_pages')}kB`;
    if (v >= AT_V6_1) line += ` sec_pagetables:${n('nr_sec_page_table_pages')}kB`;
  }
  line += ` all_unreclaimable? ${failures >= MAX_RECLAIM_RETRIES ? 'yes' : 'no'}`;
  if (v >= AT_V6_18) line += ` Balloon:${n('nr_balloon_pages')}kB`;
  return line;
}

/**
 * mm/show_mem.c __show_mem(filter, nodemask, max_zone_idx) with show_free_areas() inside: the whole
 * Mem-Info block, one string per dmesg line (no prefix, no newline), in the format's version. From 6.1 only
 * zones with zone_idx <= maxZoneIdx are listed; before, every populated zone. Node filtering by the task's
 * cpuset is a no-op here: the simulated task runs in the root cpuset with every node allowed.
 */
export function showMem(
  emit: (line: string) => void,
  input: ShowMemInput,
  maxZoneIdx: number,
  config: ShowMemConfig = referenceShowMemConfig,
  fmt: ShowMemFormat = showMemFormatV6_18,
): void {
  const snap = input.snapshot;
  const nodes = input.nodes;
  const v = fmt.at;
  // max_zone_idx arrived with __show_mem() in 6.1 (slowpath §11.1): older kernels list every zone
  const maxIdx = v >= AT_V6_1 ? maxZoneIdx : Number.MAX_SAFE_INTEGER;
  const listed = (zone: Zone): boolean => populated(zone) && zone.zoneIdx <= maxIdx;
  emit('Mem-Info:');

  // v4.0: "%s per-cpu:" and one "CPU %4d: hi:%5d, btch:%4d usd:%4d" line per online CPU (gone in 4.4)
  if (v === AT_V4_0) {
    for (const pgdat of nodes) {
      for (const zone of pgdat.zones) {
        if (!populated(zone)) continue;
        emit(`${showNode(config, zone)}${zone.name} per-cpu:`);
        const pcp = zone.pcp;
        if (!pcp) continue;
        for (let c = 0; c < pcp.nrCpus; c++) {
          emit(`CPU ${String(c).padStart(4)}: hi:${String(pcp.high[c]).padStart(5)}, btch:${String(pcp.batch).padStart(4)} usd:${String(pcp.count[c]).padStart(4)}`);
        }
      }
    }
  }

  let freePcp = 0;
  let free = 0;
  for (const pgdat of nodes) {
    for (const zone of pgdat.zones) {
      free += zone.nrFreePages; // global_zone_page_state(NR_FREE_PAGES): every zone
      if (!listed(zone)) continue;
      if (input.pcp) freePcp += input.pcp.pcpPages(zone);
    }
  }
  globalBlock(emit, snap, fmt, free, freePcp);

  // Node lines (4.8+). With one node the global /proc/vmstat values are the node's; with more, every node
  // would print the global values, so only the first node gets them and the others print 0.
  if (v >= AT_V4_12) {
    for (let n = 0; n < nodes.length; n++) {
      const pgdat = nodes[n]!;
      if (v >= AT_V6_1 && !nodeHasManagedZones(pgdat, maxZoneIdx)) continue;
      emit(nodeLine(pgdat, n === 0 ? snap : undefined, input, config, fmt));
    }
  }

  for (const pgdat of nodes) {
    for (const zone of pgdat.zones) {
      if (!listed(zone)) continue;
      emit(zoneLine(zone, input, config, fmt));
      // ZONE_DEVICE arrived in 4.3: MAX_NR_ZONES is 4 on a v4.0 x86-64 build
      emit(lowmemReserveText(zone, v === AT_V4_0 ? Math.min(4, config.maxNrZones) : config.maxNrZones));
    }
  }

  for (const pgdat of nodes) {
    for (const zone of pgdat.zones) {
      if (!listed(zone)) continue;
      emit(buddyLine(zone, config, fmt));
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
  // swap_cache_info add/delete/find counters; not simulated (seen in a real 4.9 report, dCache#3787; gone by 5.15)
  if (v <= AT_V5_0) emit('Swap cache stats: add 0, delete 0, find 0/0');
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
// mm/page_alloc.c warn_alloc() (warn_alloc_failed() in 4.0)
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
  /** `%#x(%pGg)` as the policy prints it: formatGfpMode(mask, era) of gfp.ts, e.g. "0xcc0(GFP_KERNEL)" (unused for v4.0) */
  mode: string;
  /** gfp_zone(gfp_mask): zones above it are left out of Mem-Info (6.1+) */
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

/**
 * The warning line(s), per version:
 *  v4.0   warn_alloc_failed(): `"%s: page allocation failure: order:%d, mode:0x%x"` (no gfp names, no nodemask)
 *  v4.12  warn_alloc(): `"%s: " fmt ", mode:%#x(%pGg), nodemask=" "%*pbl"|"(null)"`, then
 *         cpuset_print_current_mems_allowed() on its own line: `"%s cpuset=" <cgroup> " mems_allowed=%*pbl"`
 *  v5.0+  one line: `"%s: %pV, mode:%#x(%pGg), nodemask=%*pbl"` + `",cpuset=%s,mems_allowed=%*pbl"`
 */
export function warnAllocLines(ctx: WarnAllocCtx, nodes: readonly PglistData[], fmt: ShowMemFormat = showMemFormatV6_18): string[] {
  const comm = ctx.comm.slice(0, 15);
  if (fmt.at === AT_V4_0) return [`${comm}: page allocation failure: order:${ctx.order}, mode:0x${(ctx.gfpMask >>> 0).toString(16)}`];
  const nodemask = ctx.nodemask ? formatNodeList(ctx.nodemask) : '(null)';
  const mems = formatNodeList(ctx.memsAllowed ?? nodes.map((p) => p.nodeId));
  const head = `${comm}: page allocation failure: order:${ctx.order}, mode:${ctx.mode}, nodemask=${nodemask}`;
  if (fmt.at < AT_V5_0) return [head, `${comm} cpuset=${ctx.cpuset ?? '/'} mems_allowed=${mems}`];
  return [`${head},cpuset=${ctx.cpuset ?? '/'},mems_allowed=${mems}`];
}

/** The v5.0+ one-line warning (warnAllocLines() for the other versions). */
export function warnAllocLine(ctx: WarnAllocCtx, nodes: readonly PglistData[]): string {
  return warnAllocLines(ctx, nodes, showMemFormatV6_18)[0]!;
}

/**
 * dump_stack() stands in as a fixed placeholder: the simulator has no call stack, registers or DMI
 * data. Shape of lib/dump_stack.c dump_stack_print_info() + show_trace on x86-64: `UID:` only in v6.18 of our
 * versions (absent on 6.9-rc7: thesofproject/linux#5000; on 4.9: coreos/bugs#1106 "CPU: 7 PID: 111104 Comm: java
 * Not tainted 4.9.24-coreos #1"), `<TASK>` markers from v6.1 of ours (believed 5.16; 4.x stack lines carry `[<addr>]`).
 */
export function dumpStackPlaceholder(ctx: WarnAllocCtx, config: ShowMemConfig = referenceShowMemConfig, fmt: ShowMemFormat = showMemFormatV6_18): string[] {
  const comm = ctx.comm.slice(0, 15);
  const release = fmt.at === AT_V6_18 ? config.release : `${fmt.version.slice(1)}.0`;
  if (fmt.at < AT_V6_1) {
    return [
      `CPU: ${ctx.cpu} PID: ${ctx.pid} Comm: ${comm} Not tainted ${release} #1`,
      'Hardware name: mmreplay simulated machine',
      'Call Trace:',
      ' <stack not simulated>',
    ];
  }
  return [
    `CPU: ${ctx.cpu}${fmt.at >= AT_V6_18 ? ' UID: 0' : ''} PID: ${ctx.pid} Comm: ${comm} Not tainted ${release} #1`,
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
 * (shouldWarn), then writes the optional "warn_alloc: N callbacks suppressed" line, the warning line(s),
 * the dump_stack placeholder and __show_mem(filter, nodemask, gfp_zone(gfp_mask)), every line with the
 * dmesg prefix of ctx.timeNs, in the text of state.format's version. Returns WARN_PRINT or the
 * WARN_SUPPRESSED_* reason.
 */
export function warnAlloc(out: LineSink, state: WarnAllocState, ctx: WarnAllocCtx, input: ShowMemInput): number {
  const prefix = dmesgPrefixNs(ctx.timeNs);
  const emit = Array.isArray(out) ? (line: string) => void out.push(prefix + line) : (line: string) => out(prefix + line);
  const fmt = state.format;
  const verdict = shouldWarn(state, ctx.timeNs, ctx.gfpMask, hasManagedDma(input.nodes));
  // ___ratelimit() prints this itself (printk_deferred), whatever warn_alloc() then decides; the function
  // name is the caller's: warn_alloc_failed in 4.0
  if (state.nopageRs.suppressedToPrint) {
    emit(`${fmt.at === AT_V4_0 ? 'warn_alloc_failed' : 'warn_alloc'}: ${state.nopageRs.suppressedToPrint} callbacks suppressed`);
  }
  if (verdict !== WARN_PRINT) return verdict;
  for (const line of warnAllocLines(ctx, input.nodes, fmt)) emit(line);
  for (const line of dumpStackPlaceholder(ctx, state.config, fmt)) emit(line);
  showMem(emit, input, ctx.highestZoneIdx, state.config, fmt);
  return WARN_PRINT;
}
