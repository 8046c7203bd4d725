/**
 * /proc files of the page allocator, both ways: parsers for captured /proc/zoneinfo, buddyinfo, pagetypeinfo,
 * vmstat and the /proc/sys/vm listing, and printers that write zoneinfo, buddyinfo and pagetypeinfo exactly as
 * mm/vmstat.c (v6.18) prints them: zoneinfo_show_print(), frag_show_print(), pagetypeinfo_showfree_print(),
 * pagetypeinfo_showblockcount_print(). The printers take ZoneView records, so the machine command and the replay
 * summary print the same way.
 */
import { InputError } from '../errors.js';
import type { Policy } from '../policy/policy.js';
import { MIGRATE_CMA, MIGRATE_TYPES, NR_PAGE_ORDERS, pageblock_nr_pages, pageblock_order } from './mmzone.js';
import { policyOrder } from './vmstat.js';

/** migratetype_names[] (mm/page_alloc.c), indexed by MIGRATE_*; CMA exists only with CONFIG_CMA */
export const migratetypeNames: readonly string[] = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'CMA', 'Isolate'];

/** One `cpu:` entry of a zoneinfo `pagesets` block (struct per_cpu_pages + the vmstat threshold). */
export interface Pageset {
  cpu: number;
  count: number;
  high: number;
  batch: number;
  /** 6.7+ */
  highMin?: number;
  highMax?: number;
  /** `vm stats threshold:` (SMP kernels) */
  statThreshold?: number;
}

/** One zone of a parsed /proc/zoneinfo. */
export interface ZoneinfoZone {
  node: number;
  name: string;
  /** 1-based line of the `Node N, zone NAME` header */
  line: number;
  free: number;
  /** 0 when the kernel prints no `boost` line (before 6.1) */
  boost: number;
  min: number;
  low: number;
  high: number;
  /** undefined when the kernel prints no `promo` line */
  promo?: number;
  spanned: number;
  present: number;
  managed: number;
  cma: number;
  protection: number[];
  /** absent for unpopulated zones (the kernel stops after `protection:`) */
  startPfn?: number;
  pagesets: Pageset[];
  nodeUnreclaimable: number;
  /** the zone's counter lines (`nr_free_pages 3840` …), per-node stats excluded */
  stats: Record<string, number>;
}

const wm = /^\s+(pages free|boost|min|low|high|promo|spanned|present|managed|cma)\s+(\d+)\s*$/;

/** Parses /proc/zoneinfo (any 4.x–6.x layout). Errors are located `file:line`. */
export function parseZoneinfo(text: string, file: string): ZoneinfoZone[] {
  const zones: ZoneinfoZone[] = [];
  const lines = text.split('\n');
  let z: ZoneinfoZone | undefined;
  let seen = new Set<string>();
  let inNodeStats = false;
  let cpu: Pageset | undefined;
  const finish = (): void => {
    if (!z) return;
    for (const key of ['min', 'low', 'high', 'spanned', 'present', 'managed', 'protection']) {
      if (!seen.has(key)) throw new InputError(`${file}:${z.line}`, `zone ${z.name} of node ${z.node} has no '${key}' line`);
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const at = `${file}:${i + 1}`;
    if (raw.trim() === '') continue;
    const head = /^Node (\d+), zone\s+(\S+)\s*$/.exec(raw);
    if (head) {
      finish();
      z = {
        node: Number(head[1]), name: head[2]!, line: i + 1, free: 0, boost: 0, min: 0, low: 0, high: 0, spanned: 0,
        present: 0, managed: 0, cma: 0, protection: [], pagesets: [], nodeUnreclaimable: 0, stats: {},
      };
      zones.push(z);
      seen = new Set();
      inNodeStats = false;
      cpu = undefined;
      continue;
    }
    if (!z) throw new InputError(at, `expected 'Node N, zone NAME', found: ${raw.trim().slice(0, 60)}`);
    if (/^\s+per-node stats\s*$/.test(raw)) { inNodeStats = true; continue; }
    const m = wm.exec(raw);
    if (m) {
      inNodeStats = false;
      const v = Number(m[2]);
      switch (m[1]) {
        case 'pages free': z.free = v; break;
        case 'boost': z.boost = v; break;
        case 'min': z.min = v; break;
        case 'low': z.low = v; break;
        case 'high': z.high = v; break;
        case 'promo': z.promo = v; break;
        case 'spanned': z.spanned = v; break;
        case 'present': z.present = v; break;
        case 'managed': z.managed = v; break;
        case 'cma': z.cma = v; break;
      }
      seen.add(m[1]!);
      continue;
    }
    const prot = /^\s+protection: \(([-\d, ]*)\)\s*$/.exec(raw);
    if (prot) {
      z.protection = prot[1]!.split(',').map((s) => {
        const n = Number(s.trim());
        if (!Number.isInteger(n)) throw new InputError(at, `bad protection value '${s.trim()}'`);
        return n;
      });
      seen.add('protection');
      continue;
    }
    if (/^\s+pagesets\s*$/.test(raw)) { inNodeStats = false; continue; }
    const c = /^\s+cpu: (\d+)\s*$/.exec(raw);
    if (c) {
      cpu = { cpu: Number(c[1]), count: 0, high: 0, batch: 0 };
      z.pagesets.push(cpu);
      continue;
    }
    const pf = /^\s+(count|high|batch|high_min|high_max):\s+(-?\d+)\s*$/.exec(raw);
    if (pf && cpu) {
      const v = Number(pf[2]);
      if (pf[1] === 'count') cpu.count = v;
      else if (pf[1] === 'high') cpu.high = v;
      else if (pf[1] === 'batch') cpu.batch = v;
      else if (pf[1] === 'high_min') cpu.highMin = v;
      else cpu.highMax = v;
      continue;
    }
    const th = /^\s+vm stats threshold:\s+(\d+)\s*$/.exec(raw);
    if (th) { if (cpu) cpu.statThreshold = Number(th[1]); continue; }
    const sp = /^\s+start_pfn:\s+(\d+)\s*$/.exec(raw);
    if (sp) { z.startPfn = Number(sp[1]); continue; }
    const nu = /^\s+(?:node_unreclaimable|all_unreclaimable):\s+(\d+)\s*$/.exec(raw);
    if (nu) { z.nodeUnreclaimable = Number(nu[1]); continue; }
    const stat = /^\s+([a-z_][a-z0-9_]*):?\s+(-?\d+)\s*$/.exec(raw);
    if (stat) {
      if (!inNodeStats) z.stats[stat[1]!] = Number(stat[2]);
      continue;
    }
    // lines this parser does not need (prev_priority, inactive_ratio, … of old kernels) are skipped
  }
  finish();
  if (zones.length === 0) throw new InputError(file, 'no zones found (is this /proc/zoneinfo?)');
  return zones;
}

/** One row of /proc/buddyinfo. */
export interface BuddyinfoRow {
  node: number;
  zone: string;
  /** free blocks per order */
  counts: number[];
}

/** Parses /proc/buddyinfo: `Node 0, zone   Normal   1339   2951 …`. */
export function parseBuddyinfo(text: string, file: string): BuddyinfoRow[] {
  const rows: BuddyinfoRow[] = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const m = /^Node (\d+), zone\s+(\S+)((?:\s+\d+)+)\s*$/.exec(raw);
    if (!m) throw new InputError(`${file}:${i + 1}`, `expected 'Node N, zone NAME count...', found: ${raw.trim().slice(0, 60)}`);
    rows.push({ node: Number(m[1]), zone: m[2]!, counts: m[3]!.trim().split(/\s+/).map(Number) });
  });
  return rows;
}

/** A parsed /proc/pagetypeinfo (all nodes). Counts are by the kernel's migratetype name. */
export interface Pagetypeinfo {
  pageblockOrder: number;
  /** free blocks per order, per (node, zone, type name); `overflow[o]` when the kernel printed `>100000` */
  free: { node: number; zone: string; type: string; counts: number[]; overflow: boolean[]; line: number }[];
  /** pageblocks per type name, per (node, zone) */
  blocks: { node: number; zone: string; counts: Record<string, number>; line: number }[];
}

/** Parses /proc/pagetypeinfo; the `Number of mixed blocks` table (CONFIG_PAGE_OWNER) is skipped. */
export function parsePagetypeinfo(text: string, file: string): Pagetypeinfo {
  const out: Pagetypeinfo = { pageblockOrder: pageblock_order, free: [], blocks: [] };
  let blockTypes: string[] | undefined;
  let section: 'none' | 'free' | 'blocks' | 'mixed' = 'none';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const at = `${file}:${i + 1}`;
    if (raw.trim() === '') continue;
    let m = /^Page block order:\s+(\d+)/.exec(raw);
    if (m) { out.pageblockOrder = Number(m[1]); section = 'none'; continue; }
    if (/^Pages per block:/.test(raw)) continue;
    if (/^Free pages count per migrate type at order/.test(raw)) { section = 'free'; continue; }
    m = /^Number of blocks type\s+(.*)$/.exec(raw);
    if (m) { section = 'blocks'; blockTypes = m[1]!.trim().split(/\s+/); continue; }
    if (/^Number of mixed blocks/.test(raw)) { section = 'mixed'; continue; }
    if (section === 'free') {
      m = /^Node\s+(\d+), zone\s+(\S+), type\s+(\S+)((?:\s+>?\d+)+)\s*$/.exec(raw);
      if (!m) throw new InputError(at, `expected 'Node N, zone NAME, type TYPE count...', found: ${raw.trim().slice(0, 60)}`);
      const cells = m[4]!.trim().split(/\s+/);
      out.free.push({
        node: Number(m[1]), zone: m[2]!, type: m[3]!, line: i + 1,
        counts: cells.map((c) => Number(c.replace('>', ''))), overflow: cells.map((c) => c.startsWith('>')),
      });
      continue;
    }
    if (section === 'blocks') {
      m = /^Node (\d+), zone\s+(\S+)((?:\s+\d+)+)\s*$/.exec(raw);
      if (!m || !blockTypes) throw new InputError(at, `expected 'Node N, zone NAME count...', found: ${raw.trim().slice(0, 60)}`);
      const cells = m[3]!.trim().split(/\s+/).map(Number);
      if (cells.length !== blockTypes.length) throw new InputError(at, `${cells.length} block counts for ${blockTypes.length} migratetypes`);
      const counts: Record<string, number> = {};
      blockTypes.forEach((t, k) => { counts[t] = cells[k]!; });
      out.blocks.push({ node: Number(m[1]), zone: m[2]!, counts, line: i + 1 });
      continue;
    }
    if (section === 'mixed') continue;
    throw new InputError(at, `unexpected line: ${raw.trim().slice(0, 60)}`);
  }
  return out;
}

/** Parses /proc/vmstat (`name value` lines). */
export function parseVmstat(text: string, file: string): Record<string, number> {
  const out: Record<string, number> = {};
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const m = /^([A-Za-z0-9_]+)\s+(-?\d+)\s*$/.exec(raw);
    if (!m) throw new InputError(`${file}:${i + 1}`, `expected 'name value', found: ${raw.trim().slice(0, 60)}`);
    out[m[1]!] = Number(m[2]);
  });
  return out;
}

/** Parses a `key: value` listing of /proc/sys/vm (the capture's vm_sysctls file). Values stay strings. */
export function parseVmSysctls(text: string, file: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    const m = /^([A-Za-z0-9_-]+):\s?(.*)$/.exec(raw);
    if (!m) throw new InputError(`${file}:${i + 1}`, `expected 'key: value', found: ${raw.trim().slice(0, 60)}`);
    out[m[1]!] = m[2]!.trim();
  });
  return out;
}

/** The bracketed choice of a sysfs selector such as THP `enabled`: `always [madvise] never` → `madvise`. */
export function parseSysfsChoice(text: string): string | undefined {
  return /\[([^\]]+)\]/.exec(text)?.[1];
}

/** What the printers need to know about one zone: a read-only view of the simulated (or captured) zone. */
export interface ZoneView {
  nodeId: number;
  name: string;
  /** populated_zone(): present pages > 0 */
  populated: boolean;
  /** NR_FREE_PAGES */
  free: number;
  boost: number;
  /** with boost, as wmark_pages() */
  min: number;
  low: number;
  high: number;
  promo: number;
  spanned: number;
  present: number;
  managed: number;
  cma: number;
  protection: readonly number[];
  startPfn: number;
  pagesets: readonly Pageset[];
  nodeUnreclaimable: number;
  /** free blocks per order (free_area[order].nr_free) */
  freeByOrder: readonly number[];
  /** free blocks per order per migratetype: [order][MIGRATE_*] */
  freeByOrderByMt: readonly (readonly number[])[];
  /** pageblocks per migratetype (MIGRATE_* index) */
  blocksByMt: readonly number[];
}

/** What the printers need from a policy: its version and migratetype table (default: v6.18). */
export type ProcfsPolicy = Pick<Policy, 'name' | 'migratetypeNames' | 'kernelMigratetype'>;

const procfsV6_18: ProcfsPolicy = {
  name: 'v6.18',
  migratetypeNames,
  kernelMigratetype: [0, 1, 2, 3, 4, 5],
};

/** index of a policy in policyOrder (an unknown name counts as the newest) */
function versionIndex(policy: ProcfsPolicy): number {
  const i = policyOrder.indexOf(policy.name);
  return i < 0 ? policyOrder.length - 1 : i;
}
const AT = (v: string): number => policyOrder.indexOf(v);

/** int_sqrt() of lib/math/int_sqrt.c: floor of the square root */
function intSqrt(x: number): number {
  return Math.floor(Math.sqrt(x));
}

/**
 * mm/vmstat.c zoneinfo_show_print() for each zone, in the text of the policy's version (per-node stats and
 * zone counters omitted). Per version (kernel-allocator-core.md §5.1/§6.2 and the patches named):
 *  v4.0   populated zones only; `scanned` after `high`; pcp `count: / high:  / batch: `; the tail is
 *         `all_unreclaimable:`, `start_pfn:`, `inactive_ratio:` (zone->inactive_ratio, int_sqrt(10 × GiB) or 1)
 *  v4.12  every zone ("If unpopulated, no other information is useful"), tail `node_unreclaimable:` `start_pfn:`
 *  v5.15  `cma` after `managed` (patch "mm/page_alloc: count CMA pages per zone and print them in
 *         /proc/zoneinfo", 2021-01, in 5.12)
 *  v6.1   `boost` after `pages free` (patch "mm: Show watermark_boost of zone in zoneinfo", 2021-09, in 5.16)
 *  v6.18  `promo` after `high` (6.10, [6.9→6.12]); pcp `high_min:`/`high_max:` (6.7) with wider padding
 */
export function printZoneinfo(zones: readonly ZoneView[], policy: ProcfsPolicy = procfsV6_18): string {
  const v = versionIndex(policy);
  let s = '';
  for (const z of zones) {
    if (v < AT('v4.12') && !z.populated) continue;
    s += `Node ${z.nodeId}, zone ${z.name.padStart(8)}`;
    s += `\n  pages free     ${z.free}`;
    if (v >= AT('v6.1')) s += `\n        boost    ${z.boost}`;
    s += `\n        min      ${z.min}`;
    s += `\n        low      ${z.low}`;
    s += `\n        high     ${z.high}`;
    if (v >= AT('v6.18')) s += `\n        promo    ${z.promo}`;
    // NR_PAGES_SCANNED: not simulated (reclaim resets it on progress)
    if (v < AT('v4.12')) s += '\n        scanned  0';
    s += `\n        spanned  ${z.spanned}`;
    s += `\n        present  ${z.present}`;
    s += `\n        managed  ${z.managed}`;
    if (v >= AT('v5.15')) s += `\n        cma      ${z.cma}`;
    s += `\n        protection: (${z.protection.join(', ')})`;
    // "If unpopulated, no other information is useful"
    if (!z.populated) { s += '\n'; continue; }
    s += '\n  pagesets';
    for (const p of z.pagesets) {
      s += `\n    cpu: ${p.cpu}`;
      if (v >= AT('v6.18')) {
        s += `\n              count:    ${p.count}`;
        s += `\n              high:     ${p.high}`;
        s += `\n              batch:    ${p.batch}`;
        s += `\n              high_min: ${p.highMin ?? 0}`;
        s += `\n              high_max: ${p.highMax ?? 0}`;
      } else {
        s += `\n              count: ${p.count}`;
        s += `\n              high:  ${p.high}`;
        s += `\n              batch: ${p.batch}`;
      }
      if (p.statThreshold !== undefined) s += `\n  vm stats threshold: ${p.statThreshold}`;
    }
    if (v < AT('v4.12')) {
      const gb = Math.floor(z.managed / 262144);
      s += `\n  all_unreclaimable: ${z.nodeUnreclaimable}`;
      s += `\n  start_pfn:         ${z.startPfn}`;
      s += `\n  inactive_ratio:    ${gb ? intSqrt(10 * gb) : 1}`;
    } else {
      s += `\n  node_unreclaimable:  ${z.nodeUnreclaimable}`;
      s += `\n  start_pfn:           ${z.startPfn}`;
    }
    s += '\n';
  }
  return s;
}

/** `%6lu ` */
const col6 = (n: number): string => `${String(n).padStart(6)} `;

/** mm/vmstat.c frag_show_print(): /proc/buddyinfo, populated zones only. */
export function printBuddyinfo(zones: readonly ZoneView[]): string {
  let s = '';
  for (const z of zones) {
    if (!z.populated) continue;
    s += `Node ${z.nodeId}, zone ${z.name.padStart(8)} `;
    for (let o = 0; o < NR_PAGE_ORDERS; o++) s += col6(z.freeByOrder[o] ?? 0);
    s += '\n';
  }
  return s;
}

/**
 * The migratetypes pagetypeinfo lists, as simulator slots in the kernel's enum order: v4.0 Unmovable,
 * Reclaimable, Movable, Reserve; 4.4+ Unmovable, Movable, Reclaimable, HighAtomic; then CMA (CONFIG_CMA only)
 * and Isolate.
 */
export function printedMigratetypes(cma: boolean, policy: ProcfsPolicy = procfsV6_18): number[] {
  const mts: number[] = [];
  for (let slot = 0; slot < MIGRATE_TYPES; slot++) {
    if ((policy.kernelMigratetype[slot] ?? -1) < 0) continue;
    if (slot === MIGRATE_CMA && !cma) continue;
    mts.push(slot);
  }
  return mts.sort((a, b) => policy.kernelMigratetype[a]! - policy.kernelMigratetype[b]!);
}

/**
 * mm/vmstat.c pagetypeinfo_show(): per node with memory, the header, pagetypeinfo_showfree_print() and
 * pagetypeinfo_showblockcount_print(), with the policy's migratetype_names[] (v4.0: `Reserve`, no HighAtomic).
 * The kernel caps each free-list walk at 100000 and prints `>100000`.
 */
export function printPagetypeinfo(zones: readonly ZoneView[], opts: { cma: boolean; policy?: ProcfsPolicy }): string {
  const policy = opts.policy ?? procfsV6_18;
  const names = policy.migratetypeNames;
  const mts = printedMigratetypes(opts.cma, policy);
  const nodes = [...new Set(zones.map((z) => z.nodeId))].sort((a, b) => a - b);
  let s = '';
  for (const node of nodes) {
    const nz = zones.filter((z) => z.nodeId === node && z.populated);
    if (nz.length === 0) continue; // memoryless node
    s += `Page block order: ${pageblock_order}\n`;
    s += `Pages per block:  ${pageblock_nr_pages}\n`;
    s += '\n';
    s += `${'Free pages count per migrate type at order'.padEnd(43)} `;
    for (let o = 0; o < NR_PAGE_ORDERS; o++) s += `${String(o).padStart(6)} `;
    s += '\n';
    for (const z of nz) {
      for (const mt of mts) {
        s += `Node ${String(node).padStart(4)}, zone ${z.name.padStart(8)}, type ${names[mt]!.padStart(12)} `;
        for (let o = 0; o < NR_PAGE_ORDERS; o++) {
          const n = z.freeByOrderByMt[o]?.[mt] ?? 0;
          s += n >= 100000 ? `>${col6(100000)}` : col6(n);
        }
        s += '\n';
      }
    }
    s += `\n${'Number of blocks type '.padEnd(23)}`;
    for (const mt of mts) s += `${names[mt]!.padStart(12)} `;
    s += '\n';
    for (const z of nz) {
      s += `Node ${node}, zone ${z.name.padStart(8)} `;
      for (const mt of mts) s += `${String(z.blocksByMt[mt] ?? 0).padStart(12)} `;
      s += '\n';
    }
  }
  return s;
}

/** MIGRATE_* index of a pagetypeinfo type name (4.4+ names), or -1. */
export function migratetypeByName(name: string): number {
  const i = migratetypeNames.indexOf(name);
  return i >= 0 && i < MIGRATE_TYPES ? i : -1;
}
