/**
 * The simulated machine: nodes, zones, sysctls and CPUs, from a named preset, a machine JSON file or a captured
 * /proc snapshot folder (design §4). It does at "boot" what the kernel does (v6.18):
 * free_area_init() geometry → build_all_zonelists() (zonelist.ts) → memblock_free_all() (buddy.ts) →
 * init_per_zone_wmark_min() → khugepaged's set_recommended_min_free_kbytes() (watermark.ts).
 * A snapshot instead keeps the captured watermarks, lowmem_reserve and free lists, recomputing only what a
 * --sysctl override changes, as writing that sysctl would.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import type { z as Zod } from 'zod';
import { InputError, UsageError } from '../errors.js';
import type { Policy } from '../policy/policy.js';
import { asPfn } from './memmap-types.js';
import { PAGE_HOLE, PB_MIGRATETYPE_MASK, PB_migrate_isolate, createMemmap } from './memmap.js';
import type { MemMap } from './memmap.js';
import { freeBootMemory, initFreeArea, layoutSnapshotFreeLists, setupZoneMigrateReserve } from './buddy.js';
import {
  MAX_NR_ZONES,
  MIGRATE_HIGHATOMIC,
  MIGRATE_ISOLATE,
  MIGRATE_MOVABLE,
  MIGRATE_TYPES,
  NR_PAGE_ORDERS,
  NR_WMARK,
  PAGE_SHIFT,
  WMARK_HIGH,
  WMARK_LOW,
  WMARK_MIN,
  WMARK_PROMO,
  pageblock_nr_pages,
  pageblock_order,
} from './mmzone.js';
import type { PglistData, Sysctl, Zone } from './mmzone.js';
import {
  migratetypeByName,
  migratetypeNames,
  parseBuddyinfo,
  parsePagetypeinfo,
  parseSysfsChoice,
  parseVmSysctls,
  parseVmstat,
  parseZoneinfo,
  printedMigratetypes,
} from './procfs.js';
import type { Pageset, ZoneView } from './procfs.js';
import { calculateMinFreeKbytes, setRecommendedMinFreeKbytes, setupPerZoneLowmemReserve, setupPerZoneWmarks, wmarkPages } from './watermark.js';
import { buildZonelists } from './zonelist.js';

/** ZONE_DEVICE (CONFIG_ZONE_DEVICE): never holds buddy pages, but a kernel built with it prints a fifth zone */
export const ZONE_DEVICE = 4;
/** zone names by zone_type, ZONE_DEVICE included (mm/page_alloc.c zone_names[]) */
export const zoneTypeNames: readonly string[] = ['DMA', 'DMA32', 'Normal', 'Movable', 'Device'];

export type ThpMode = 'always' | 'madvise' | 'never';

/** Build-time facts of the simulated kernel that change what /proc prints. */
export interface KernelConfig {
  /** MAX_NR_ZONES of the build: 4, or 5 with CONFIG_ZONE_DEVICE (protection: has one entry per zone type) */
  nrZoneTypes: number;
  /** CONFIG_CMA: pagetypeinfo lists a CMA migratetype */
  cma: boolean;
}

/** What a snapshot captured per zone beyond its geometry and watermarks. */
export interface SnapshotZone {
  nodeId: number;
  zoneIdx: number;
  name: string;
  /** zoneinfo `pages free` (NR_FREE_PAGES) */
  freePages: number;
  /** zoneinfo `pagesets`: per-cpu count/high/batch/high_min/high_max */
  pagesets: Pageset[];
  nodeUnreclaimable: number;
  /** free blocks per order per migratetype: [order][MIGRATE_*] (pagetypeinfo, or derived: see loadSnapshot) */
  freeByOrderByMt: number[][];
  /** pageblocks per migratetype (MIGRATE_* index) (pagetypeinfo "Number of blocks type") */
  blocksByMt: number[];
  /** buddyinfo row, when captured */
  buddyinfo?: number[];
}

/** A captured /proc snapshot folder, as read. */
export interface SnapshotData {
  dir: string;
  /** files of the folder that were used */
  files: string[];
  zones: SnapshotZone[];
  /** /proc/vmstat at capture time */
  vmstat?: Record<string, number>;
  /** all of /proc/sys/vm (vm_sysctls), raw strings */
  vmSysctls?: Record<string, string>;
  /** what the import had to reconcile (files read at different instants), one line each */
  notes: string[];
}

export interface Machine {
  nodes: PglistData[];
  sysctl: Sysctl;
  /** online CPUs; split evenly across nodes (the first nodes get the remainder) */
  nrCpus: number;
  policy: Policy;
  thp: ThpMode;
  swap: boolean;
  source: { kind: 'preset' | 'json' | 'snapshot'; name: string };
  snapshot?: SnapshotData;
  config: KernelConfig;
}

export interface BuildMachineOptions {
  policy: Policy;
  /** sysctls over the machine's own (e.g. --sysctl), applied as writing /proc/sys/vm would */
  sysctl?: Partial<Sysctl>;
  /** resolves a relative path spec (default: the current directory) */
  baseDir?: string;
  /** for an object spec: the name used in error locations (default "machine") */
  label?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// presets

interface ZoneSpec { name: string; start_pfn: number; spanned: number; present: number; managed: number }
interface PresetSpec { description: string; nodes: { zones: ZoneSpec[] }[]; cpus: number }

/*
 * Preset geometry follows the captured 6.18 x86-64 guest (traces/real/<x>/before/zoneinfo):
 * - DMA: pfn 1..4095 spanned, 3998 present (pfns 1..158 below the 640 KiB hole and 256..4095), 3840 managed:
 *   since 5.13 x86 reserves the whole first MiB, so only pfns 256..4095 reach the buddy allocator.
 * - DMA32: from pfn 4096 (16 MiB) to 4 GiB, with RAM up to 3 GiB (pfn 786432) and the PCI hole above:
 *   spanned 1044480, present 782336; 9421 pages reserved there (kernel image, initrd, firmware), as captured.
 *   A machine with ≤ 3 GiB has its DMA32 end at the end of RAM, less 33 pages of firmware at the top.
 * - Normal: from pfn 1048576 (4 GiB): the rest of the RAM. The top zone of each node also holds that node's
 *   memmap (64-byte struct page per present page: present/64) plus 2048 pages of other boot reservations.
 */
const DMA: ZoneSpec = { name: 'DMA', start_pfn: 1, spanned: 4095, present: 3998, managed: 3840 };
const DMA32_FULL: ZoneSpec = { name: 'DMA32', start_pfn: 4096, spanned: 1044480, present: 782336, managed: 772915 };
const DMA32_RESERVED = 9421;

function topZoneManaged(present: number, nodePresent: number, extra: number): number {
  return present - Math.ceil(nodePresent / 64) - 2048 - extra;
}

function x86Preset(gib: number, cpus: number): PresetSpec {
  const total = gib * 262144;
  if (gib <= 3) {
    const end = total - 33;
    const present = end - 4096;
    const nodePresent = DMA.present + present;
    return {
      description: `${gib} GiB x86-64, DMA + DMA32 only`,
      cpus,
      nodes: [{ zones: [DMA, { name: 'DMA32', start_pfn: 4096, spanned: present, present, managed: topZoneManaged(present, nodePresent, DMA32_RESERVED) }] }],
    };
  }
  const normal = total - 786432;
  const nodePresent = DMA.present + DMA32_FULL.present + normal;
  return {
    description: `${gib} GiB x86-64: 3 GiB below the PCI hole, ${gib - 3} GiB above 4 GiB`,
    cpus,
    nodes: [{ zones: [DMA, DMA32_FULL, { name: 'Normal', start_pfn: 1048576, spanned: normal, present: normal, managed: topZoneManaged(normal, nodePresent, 0) }] }],
  };
}

function numa2Preset(): PresetSpec {
  // 64 GiB in two 32 GiB nodes: node 0 = DMA + DMA32 + 29 GiB of Normal, node 1 = 32 GiB of Normal only
  const n0normal = 32 * 262144 - 786432;
  const n0present = DMA.present + DMA32_FULL.present + n0normal;
  const n1start = 1048576 + n0normal;
  const n1normal = 32 * 262144;
  return {
    description: '64 GiB, 2 NUMA nodes of 32 GiB; node 1 holds only Normal',
    cpus: 32,
    nodes: [
      { zones: [DMA, DMA32_FULL, { name: 'Normal', start_pfn: 1048576, spanned: n0normal, present: n0normal, managed: topZoneManaged(n0normal, n0present, 0) }] },
      { zones: [{ name: 'Normal', start_pfn: n1start, spanned: n1normal, present: n1normal, managed: topZoneManaged(n1normal, n1normal, 0) }] },
    ],
  };
}

const presets: Record<string, PresetSpec> = {
  'x86_64-1G': x86Preset(1, 2),
  'x86_64-4G': x86Preset(4, 2),
  'x86_64-16G': x86Preset(16, 8),
  'numa2-64G': numa2Preset(),
};

/** The preset names, in the order `mmreplay machine` lists them. */
export const presetNames: readonly string[] = Object.keys(presets);

/** A preset's zone table and CPU count (for documentation and `--format json`). */
export function presetSpec(name: string): { description: string; cpus: number; nodes: { zones: ZoneSpec[] }[] } | undefined {
  return presets[name];
}

// ---------------------------------------------------------------------------------------------------------------
// sysctls

const INT_MAX = 2147483647;

/** Sysctl names `--sysctl` and machine JSON accept, in the schema's order (a test checks they agree). */
export const sysctlNames: readonly string[] = [
  'min_free_kbytes', 'watermark_scale_factor', 'watermark_boost_factor', 'lowmem_reserve_ratio', 'extfrag_threshold',
  'compaction_proactiveness', 'percpu_pagelist_high_fraction', 'defrag_mode',
];

/**
 * The machine JSON and sysctl schemas, built with the zod instance given. zod takes about a quarter of a second to
 * load and only machine JSON and `--sysctl` values need it, so this module does not import it: machine-schema.ts
 * builds these with zod's ES module (the scenario schema composes them; importing it hands them to
 * useMachineSchemas()), and a validation without them loads zod's CommonJS build on the spot (machineSchemas()).
 */
export function defineMachineSchemas(z: typeof Zod) {
  const int = (what: string) => z.number({ error: `expected ${what} to be a number` }).int({ error: `expected ${what} to be a whole number` });
  const range = (what: string, lo: number, hi: number) =>
    int(what).min(lo, { error: `${what} must be between ${lo} and ${hi}` }).max(hi, { error: `${what} must be between ${lo} and ${hi}` });

  /**
   * The vm sysctls a machine takes, with the ranges the kernel's handlers enforce (mm/page_alloc.c,
   * mm/compaction.c sysctl tables @ v6.18): a value out of range is EINVAL there and an error here.
   */
  const sysctlSchema = z.strictObject({
    min_free_kbytes: range('min_free_kbytes', 0, INT_MAX).optional().meta({
      title: 'vm.min_free_kbytes',
      description: 'KiB kept free; sets the min watermarks (default: the kernel formula, int_sqrt(lowmem_kbytes * 16) clamped, raised by khugepaged when THP is enabled)',
    }),
    watermark_scale_factor: range('watermark_scale_factor', 1, 3000).optional().meta({
      title: 'vm.watermark_scale_factor',
      description: 'distance between min, low and high watermarks, in units of 0.01% of managed pages (default 10)',
    }),
    watermark_boost_factor: range('watermark_boost_factor', 0, INT_MAX).optional().meta({
      title: 'vm.watermark_boost_factor',
      description: 'how far a fragmentation event boosts the watermarks, in units of 0.01% of the high watermark; 0 disables boosting (default 15000)',
    }),
    lowmem_reserve_ratio: z.array(range('a ratio', 0, INT_MAX), { error: 'expected an array of whole numbers, one per zone type' })
      .min(3, { error: 'lowmem_reserve_ratio has one entry per zone type (3 to 5 entries: DMA, DMA32, Normal, Movable[, Device])' })
      .max(5, { error: 'lowmem_reserve_ratio has one entry per zone type (3 to 5 entries: DMA, DMA32, Normal, Movable[, Device])' })
      .optional().meta({
        title: 'vm.lowmem_reserve_ratio',
        description: 'per zone type (DMA, DMA32, Normal, Movable[, Device]): how much of a lower zone is kept from allocations that could use a higher one; 0 = no protection (default [256, 256, 32, 0])',
      }),
    extfrag_threshold: range('extfrag_threshold', 0, 1000).optional().meta({
      title: 'vm.extfrag_threshold',
      description: 'fragmentation index above which compaction is preferred to reclaim (default 500)',
    }),
    compaction_proactiveness: range('compaction_proactiveness', 0, 100).optional().meta({
      title: 'vm.compaction_proactiveness',
      description: 'how hard kcompactd compacts in the background; 0 disables proactive compaction (default 20)',
    }),
    percpu_pagelist_high_fraction: range('percpu_pagelist_high_fraction', 0, INT_MAX)
      .refine((v) => v === 0 || v >= 8, { error: 'percpu_pagelist_high_fraction must be 0 or at least 8' }).optional().meta({
        title: 'vm.percpu_pagelist_high_fraction',
        description: 'fraction of a zone the per-cpu lists may hold; 0 = the kernel default sizing (default 0)',
      }),
    defrag_mode: range('defrag_mode', 0, 1).optional().meta({
      title: 'vm.defrag_mode',
      description: '1 = reclaim and compact rather than fall back to another migratetype (6.15+; default 0)',
    }),
  }).meta({ title: 'machine sysctls', description: '/proc/sys/vm settings of the machine, by their file names; unknown names are errors' });

  const zoneSchema = z.strictObject({
    name: z.enum(zoneTypeNames as [string, ...string[]], { error: `expected a zone name (${zoneTypeNames.join(', ')})` })
      .meta({ title: 'zone name', description: 'as /proc/zoneinfo prints it' }),
    start_pfn: range('start_pfn', 0, INT_MAX).meta({ title: 'start_pfn', description: 'first page frame number of the zone (zoneinfo start_pfn)' }),
    spanned: range('spanned', 0, INT_MAX).meta({ title: 'spanned pages', description: 'pages from start_pfn to the zone end, holes included' }),
    present: range('present', 0, INT_MAX).meta({ title: 'present pages', description: 'pages that exist (spanned minus holes)' }),
    managed: range('managed', 0, INT_MAX).meta({ title: 'managed pages', description: 'pages given to the buddy allocator (present minus reserved)' }),
  }).meta({ title: 'zone', description: 'one zone of a node, as /proc/zoneinfo describes it' });

  /**
   * The machine JSON format: machine files, and the inline machine of a scenario (src/scenario/schema.ts uses this
   * schema, so the two cannot drift). What JSON Schema cannot say is checked by machineJsonIssues().
   */
  const machineJsonSchema = z.strictObject({
    name: z.string({ error: 'expected name (a string)' }).optional().meta({ title: 'machine name', description: 'shown in reports' }),
    nodes: z.array(z.strictObject({
      zones: z.array(zoneSchema, { error: 'expected an array of zones' }).min(1, { error: 'a node needs at least one zone' })
        .meta({ title: 'zones', description: 'the zones of this node, lowest first' }),
      distance: z.array(range('a distance', 10, 255), { error: 'expected an array of distances, one per node' }).optional()
        .meta({ title: 'node distances', description: 'node_distance() from this node to each node (SLIT row); default 10 local, 20 remote' }),
    }).meta({ title: 'node', description: 'one NUMA node (pglist_data); its id is its index' }), { error: 'expected an array of nodes' })
      .min(1, { error: 'a machine needs at least one node' })
      .meta({ title: 'nodes', description: 'NUMA nodes, node 0 first' }),
    sysctl: sysctlSchema.optional(),
    cpus: range('cpus', 1, 8192).optional().meta({ title: 'CPUs', description: 'number of CPUs (per-cpu page lists); default 2' }),
    thp: z.enum(['always', 'madvise', 'never'], { error: 'expected thp to be always, madvise or never' }).optional()
      .meta({ title: 'THP enabled', description: '/sys/kernel/mm/transparent_hugepage/enabled (default madvise)' }),
    swap: z.boolean({ error: 'expected swap to be true or false' }).optional()
      .meta({ title: 'swap configured', description: 'whether swap space exists (default false)' }),
  }).meta({ title: 'machine', description: 'a machine in the machine JSON format' });

  return { sysctlSchema, machineJsonSchema };
}

export type MachineSchemas = ReturnType<typeof defineMachineSchemas>;
/** The machine JSON format, as validated (machineJsonSchema). */
export type MachineJson = Zod.infer<MachineSchemas['machineJsonSchema']>;

let schemas: MachineSchemas | undefined;

/** machine-schema.ts hands over the schemas it built with zod's ES module: validations then use those. */
export function useMachineSchemas(s: MachineSchemas): void {
  schemas ??= s;
}

/** The schemas for a validation: machine-schema.ts's if it is loaded, else built now with zod's CommonJS build. */
function machineSchemas(): MachineSchemas {
  if (!schemas) {
    const { z } = createRequire(import.meta.url)('zod') as { z: typeof Zod };
    schemas = defineMachineSchemas(z);
  }
  return schemas;
}

/**
 * The kernel defaults (v6.18 mm/page_alloc.c, mm/compaction.c): watermark_scale_factor 10,
 * watermark_boost_factor 15000, lowmem_reserve_ratio {DMA 256, DMA32 256, Normal 32, Movable 0}, extfrag_threshold
 * 500, compaction_proactiveness 20. min_free_kbytes is computed at boot (-1 here until it is).
 */
export function defaultSysctl(nrZoneTypes: number): Sysctl {
  const ratio = [256, 256, 32, 0, 0].slice(0, nrZoneTypes);
  return {
    min_free_kbytes: -1,
    watermark_scale_factor: 10,
    watermark_boost_factor: 15000,
    lowmem_reserve_ratio: ratio,
    extfrag_threshold: 500,
    compaction_proactiveness: 20,
    percpu_pagelist_high_fraction: 0,
    defrag_mode: 0,
  };
}

/**
 * `--sysctl k=v` assignments → sysctls, validated like machine JSON. lowmem_reserve_ratio takes its values
 * separated by spaces or commas, as /proc/sys/vm/lowmem_reserve_ratio prints them.
 */
export function parseSysctlAssignments(list: readonly string[], location = '--sysctl'): Partial<Sysctl> {
  const obj: Record<string, unknown> = {};
  const itemOf: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${location} ${item}: expected NAME=VALUE (names: ${sysctlNames.join(', ')})`);
    const key = item.slice(0, eq).trim();
    const value = item.slice(eq + 1).trim();
    if (!sysctlNames.includes(key)) throw new UsageError(`${location} ${item}: unknown sysctl '${key}' (known: ${sysctlNames.join(', ')})`);
    const nums = value.split(/[\s,]+/).filter((s) => s !== '').map(Number);
    if (nums.length === 0 || nums.some((n) => !Number.isFinite(n))) throw new UsageError(`${location} ${item}: '${value}' is not a number`);
    obj[key] = key === 'lowmem_reserve_ratio' ? nums : nums.length === 1 ? nums[0] : NaN;
    itemOf[key] = item;
  }
  if (list.length === 0) return {};
  const r = machineSchemas().sysctlSchema.safeParse(obj);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UsageError(`${location} ${itemOf[String(issue.path[0])] ?? formatPath(issue.path)}: ${issue.message}`);
  }
  return r.data as Partial<Sysctl>;
}

// ---------------------------------------------------------------------------------------------------------------
// machine JSON

/** zod path → `nodes[0].zones[1].managed` */
function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s;
}

interface Issue { path: string; message: string }

function zodIssues(error: Zod.ZodError): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const k of issue.keys) out.push({ path: formatPath([...issue.path, k]), message: 'unknown key' });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}

function throwIssues(label: string, issues: Issue[]): never {
  const lines = issues.map((i) => (i.path ? `${label}: ${i.path}: ${i.message}` : `${label}: ${i.message}`));
  const first = issues[0]!;
  const err = new InputError(first.path ? `${label}: ${first.path}` : label, first.message);
  err.message = lines.join('\n');
  throw err;
}

/** What JSON schema cannot say: zone order and overlaps, ZONE_DEVICE emptiness, the ratio length. */
export function machineJsonIssues(m: MachineJson): { path: string; message: string }[] {
  const issues: Issue[] = [];
  const ranges: { node: number; start: number; end: number; path: string; name: string }[] = [];
  let hasDevice = false;
  let managedTotal = 0;
  m.nodes.forEach((node, n) => {
    const seen = new Map<string, number>();
    let prevEnd = 0;
    let prevIdx = -1;
    node.zones.forEach((zone, i) => {
      const p = `nodes[${n}].zones[${i}]`;
      const idx = zoneTypeNames.indexOf(zone.name);
      const prev = seen.get(zone.name);
      if (prev !== undefined) issues.push({ path: `${p}.name`, message: `zone ${zone.name} is already nodes[${n}].zones[${prev}]` });
      seen.set(zone.name, i);
      if (idx < prevIdx) issues.push({ path: `${p}.name`, message: `zones must be listed lowest first (${zoneTypeNames.join(', ')})` });
      prevIdx = Math.max(prevIdx, idx);
      if (zone.present > zone.spanned) issues.push({ path: `${p}.present`, message: `present (${zone.present}) exceeds spanned (${zone.spanned})` });
      if (zone.managed > zone.present) issues.push({ path: `${p}.managed`, message: `managed (${zone.managed}) exceeds present (${zone.present})` });
      if (zone.start_pfn + zone.spanned > INT_MAX) issues.push({ path: `${p}.spanned`, message: `pfns beyond ${INT_MAX} do not fit the simulator's 32-bit pfn links (8 TiB)` });
      if (idx === ZONE_DEVICE) {
        hasDevice = true;
        if (zone.present > 0) issues.push({ path: `${p}.present`, message: 'ZONE_DEVICE never holds buddy pages: present and managed must be 0' });
      }
      managedTotal += zone.managed;
      if (zone.spanned > 0) {
        if (zone.start_pfn < prevEnd) issues.push({ path: `${p}.start_pfn`, message: `zone ${zone.name} starts at pfn ${zone.start_pfn}, inside the zone below it (which ends at pfn ${prevEnd})` });
        prevEnd = zone.start_pfn + zone.spanned;
        ranges.push({ node: n, start: zone.start_pfn, end: prevEnd, path: p, name: zone.name });
      }
    });
    if (node.distance && node.distance.length !== m.nodes.length) {
      issues.push({ path: `nodes[${n}].distance`, message: `needs one distance per node (${m.nodes.length})` });
    }
  });
  ranges.sort((a, b) => a.start - b.start);
  for (let i = 1; i < ranges.length; i++) {
    const a = ranges[i - 1]!;
    const b = ranges[i]!;
    if (a.node !== b.node && b.start < a.end) {
      issues.push({ path: `${b.path}.start_pfn`, message: `node ${b.node} zone ${b.name} overlaps node ${a.node} zone ${a.name} (pfns ${a.start}..${a.end - 1})` });
    }
  }
  if (managedTotal === 0) issues.push({ path: 'nodes', message: 'no zone has managed pages' });
  const ratio = m.sysctl?.lowmem_reserve_ratio;
  if (ratio && hasDevice && ratio.length < 5) issues.push({ path: 'sysctl.lowmem_reserve_ratio', message: 'a machine with a Device zone needs 5 ratios (one per zone type)' });
  return issues;
}

/** Validates parsed machine JSON; throws InputError with one `label: path: message` line per problem. */
export function validateMachineJson(value: unknown, label: string): MachineJson {
  const r = machineSchemas().machineJsonSchema.safeParse(value);
  if (!r.success) throwIssues(label, zodIssues(r.error));
  const issues = machineJsonIssues(r.data);
  if (issues.length > 0) throwIssues(label, issues);
  return r.data;
}

// ---------------------------------------------------------------------------------------------------------------
// building

function makeZone(nodeId: number, zoneIdx: number, g: { start_pfn: number; spanned: number; present: number; managed: number }, nrZoneTypes: number, policy: Policy): Zone {
  return {
    nodeId,
    zoneIdx,
    name: zoneTypeNames[zoneIdx]!,
    zoneStartPfn: asPfn(g.start_pfn),
    spannedPages: g.spanned,
    presentPages: g.present,
    managedPages: g.managed,
    watermark: new Array<number>(NR_WMARK).fill(0),
    watermarkBoost: 0,
    lowmemReserve: new Array<number>(nrZoneTypes).fill(0),
    nrReservedHighatomic: 0,
    nrFreePages: 0,
    freeArea: initFreeArea(policy),
  };
}

/** pglist_data from its zones: node_start_pfn / node_spanned_pages over the non-empty zones. */
function makeNode(nodeId: number, zones: Zone[]): PglistData {
  let start = Infinity;
  let end = 0;
  for (const z of zones) {
    if (z.spannedPages === 0) continue;
    start = Math.min(start, z.zoneStartPfn);
    end = Math.max(end, z.zoneStartPfn + z.spannedPages);
  }
  if (start === Infinity) start = end = 0;
  return {
    nodeId,
    nodeStartPfn: asPfn(start),
    nodeSpannedPages: end - start,
    zones,
    zonelistFallback: [],
    zonelistNofallback: [],
    memmap: createMemmap(start, end - start),
  };
}

/** Nodes from JSON-shaped zone tables; zone types missing from a node exist as empty zones (spanned 0). */
function buildNodes(specNodes: readonly { zones: readonly ZoneSpec[] }[], nrZoneTypes: number, policy: Policy): PglistData[] {
  return specNodes.map((n, nodeId) => {
    const zones: Zone[] = [];
    for (let idx = 0; idx < nrZoneTypes; idx++) {
      const g = n.zones.find((z) => z.name === zoneTypeNames[idx]) ?? { start_pfn: 0, spanned: 0, present: 0, managed: 0 };
      zones.push(makeZone(nodeId, idx, g, nrZoneTypes, policy));
    }
    return makeNode(nodeId, zones);
  });
}

/**
 * init_per_zone_wmark_min() then khugepaged's start (mm/page_alloc.c, mm/khugepaged.c @ v6.18): the default
 * min_free_kbytes from the lowmem size, watermarks and reserves from it, then, with PMD THP enabled, the
 * recommended raise and the watermarks again. A user-given min_free_kbytes is used as given.
 */
function bootWatermarks(m: Machine, userMinFreeKbytes: number | undefined): void {
  const zonelist = m.nodes[0]!.zonelistFallback;
  if (userMinFreeKbytes !== undefined) {
    m.sysctl.min_free_kbytes = userMinFreeKbytes;
    setupPerZoneWmarks(m.nodes, m.sysctl, m.policy);
    setupPerZoneLowmemReserve(m.nodes, m.sysctl, m.policy);
    return;
  }
  m.sysctl.min_free_kbytes = calculateMinFreeKbytes(zonelist, m.policy);
  setupPerZoneWmarks(m.nodes, m.sysctl, m.policy);
  setupPerZoneLowmemReserve(m.nodes, m.sysctl, m.policy);
  if (m.thp !== 'never') {
    m.sysctl.min_free_kbytes = setRecommendedMinFreeKbytes(m.nodes, zonelist, m.sysctl.min_free_kbytes);
    setupPerZoneWmarks(m.nodes, m.sysctl, m.policy);
  }
}

/** sysctl overrides over a base, lowmem_reserve_ratio padded/cut to the machine's zone types (missing = default). */
function mergeSysctl(base: Sysctl, over: Partial<Sysctl> | undefined, nrZoneTypes: number): Sysctl {
  const out: Sysctl = { ...base, ...(over ?? {}) };
  const def = defaultSysctl(nrZoneTypes).lowmem_reserve_ratio;
  out.lowmem_reserve_ratio = def.map((d, i) => out.lowmem_reserve_ratio[i] ?? d);
  return out;
}

function fromSpec(spec: { nodes: readonly { zones: readonly ZoneSpec[]; distance?: readonly number[] }[]; sysctl?: Partial<Sysctl>; cpus?: number; thp?: ThpMode; swap?: boolean },
  source: Machine['source'], opts: BuildMachineOptions): Machine {
  const hasDevice = spec.nodes.some((n) => n.zones.some((z) => z.name === 'Device'));
  const ratioLen = Math.max(spec.sysctl?.lowmem_reserve_ratio?.length ?? 0, opts.sysctl?.lowmem_reserve_ratio?.length ?? 0);
  const nrZoneTypes = hasDevice || ratioLen === 5 ? 5 : MAX_NR_ZONES;
  const nodes = buildNodes(spec.nodes, nrZoneTypes, opts.policy);
  const distance = spec.nodes.some((n) => n.distance) ? spec.nodes.map((n, i) => n.distance ?? spec.nodes.map((_, j) => (i === j ? 10 : 20))) : undefined;
  buildZonelists(nodes, distance, opts.policy);
  const given = { ...(spec.sysctl ?? {}), ...(opts.sysctl ?? {}) };
  const m: Machine = {
    nodes,
    sysctl: mergeSysctl(defaultSysctl(nrZoneTypes), given, nrZoneTypes),
    nrCpus: spec.cpus ?? 2,
    policy: opts.policy,
    thp: spec.thp ?? 'madvise',
    swap: spec.swap ?? false,
    source,
    config: { nrZoneTypes, cma: false },
  };
  initFreeLists(m);
  bootWatermarks(m, given.min_free_kbytes);
  // v4.0: setup_per_zone_wmarks() ends with setup_zone_migrate_reserve() (MIGRATE_RESERVE pageblocks)
  if (m.policy.migrateReserveBlocks > 0) {
    for (const node of m.nodes) for (const zone of node.zones) if (zone.managedPages > 0) setupZoneMigrateReserve(zone, node.memmap);
  }
  return m;
}

/**
 * Builds a machine from a preset name, a machine JSON file, a /proc snapshot folder, or a machine JSON object.
 * A string resolves as: an existing folder → snapshot; an existing `.json` file → machine file; a preset name;
 * otherwise a UsageError listing the presets (exit 2).
 */
export function buildMachine(spec: string | object, opts: BuildMachineOptions): Machine {
  if (typeof spec !== 'string') {
    const label = opts.label ?? 'machine';
    const json = validateMachineJson(spec, label);
    return fromSpec(json, { kind: 'json', name: json.name ?? label }, opts);
  }
  const abs = resolve(opts.baseDir ?? '.', spec);
  if (existsSync(abs)) {
    const st = statSync(abs);
    if (st.isDirectory()) return loadSnapshot(abs, spec, opts);
    if (st.isFile() && abs.endsWith('.json')) {
      let value: unknown;
      try {
        value = JSON.parse(readFileSync(abs, 'utf8'));
      } catch (e) {
        throw new InputError(spec, `not valid JSON: ${(e as Error).message}`);
      }
      const json = validateMachineJson(value, spec);
      return fromSpec(json, { kind: 'json', name: spec }, opts);
    }
  }
  const preset = presets[spec];
  if (preset) return fromSpec(preset, { kind: 'preset', name: spec }, opts);
  throw new UsageError(
    `unknown machine '${spec}': not a snapshot folder, not a .json machine file, not a preset (presets: ${presetNames.join(', ')})`,
    'unknown-machine',
  );
}

// ---------------------------------------------------------------------------------------------------------------
// /proc snapshot folders

function readOptional(dir: string, name: string, files: string[]): string | undefined {
  const p = resolve(dir, name);
  if (!existsSync(p)) return undefined;
  files.push(name);
  return readFileSync(p, 'utf8');
}

function intFile(text: string, file: string): number {
  const v = Number(text.trim());
  if (!Number.isInteger(v)) throw new InputError(`${file}:1`, `expected a whole number, found: ${text.trim().slice(0, 40)}`);
  return v;
}

/**
 * buddyinfo and zoneinfo's `pages free` are read together, pagetypeinfo later and list by list, so on a busy
 * machine pagetypeinfo's per-order sums can differ from buddyinfo by a few blocks. buddyinfo wins (it matches
 * NR_FREE_PAGES); the difference goes to (or comes from) the migratetype with the most blocks at that order,
 * lowest migratetype first on a tie.
 */
function reconcileWithBuddyinfo(freeByOrderByMt: number[][], brow: readonly number[], where: string, notes: string[]): void {
  for (let o = 0; o < NR_PAGE_ORDERS; o++) {
    const row = freeByOrderByMt[o]!;
    let diff = (brow[o] ?? 0) - row.reduce((a, b) => a + b, 0);
    while (diff !== 0) {
      let mt = 0;
      for (let t = 1; t < MIGRATE_TYPES; t++) if (row[t]! > row[mt]!) mt = t;
      const d = diff > 0 ? diff : -Math.min(-diff, row[mt]!);
      if (d === 0) break;
      row[mt] = row[mt]! + d;
      diff -= d;
      notes.push(`${where} order ${o}: pagetypeinfo and buddyinfo differ; ${migratetypeNames[mt]} ${d > 0 ? '+' : ''}${d} blocks to match buddyinfo`);
    }
  }
}

/**
 * Reads a snapshot folder as captured (see traces/real/<x>/before/): zoneinfo is required; pagetypeinfo,
 * buddyinfo, vmstat, the single sysctl files, vm_sysctls, thp_enabled (or thp_all) and meminfo are used when
 * present. Zones, watermarks (captured − boost, with the boost kept) and lowmem_reserve are taken as captured;
 * `nrCpus` counts the pageset `cpu:` entries.
 */
function loadSnapshot(dir: string, name: string, opts: BuildMachineOptions): Machine {
  const files: string[] = [];
  const label = (f: string): string => `${name.replace(/\/+$/, '')}/${f}`;
  const zoneinfoText = readOptional(dir, 'zoneinfo', files);
  if (zoneinfoText === undefined) throw new InputError(name, 'not a snapshot folder: it has no zoneinfo (a /proc/zoneinfo copy is required)');
  const zi = parseZoneinfo(zoneinfoText, label('zoneinfo'));

  // zone types of this kernel build: protection has MAX_NR_ZONES entries
  const nrZoneTypes = zi[0]!.protection.length;
  if (nrZoneTypes < 3 || nrZoneTypes > 5) throw new InputError(`${label('zoneinfo')}:${zi[0]!.line}`, `protection has ${nrZoneTypes} entries; expected one per zone type (4 or 5 on x86-64)`);
  const nrNodes = Math.max(...zi.map((z) => z.node)) + 1;
  const byNode: (typeof zi)[] = Array.from({ length: nrNodes }, () => []);
  for (const z of zi) {
    const idx = zoneTypeNames.indexOf(z.name);
    const at = `${label('zoneinfo')}:${z.line}`;
    if (idx < 0 || idx >= nrZoneTypes) throw new InputError(at, `unknown zone '${z.name}' (x86-64 zones: ${zoneTypeNames.slice(0, nrZoneTypes).join(', ')})`);
    if (z.protection.length !== nrZoneTypes) throw new InputError(at, `protection has ${z.protection.length} entries, other zones ${nrZoneTypes}`);
    if (byNode[z.node]!.some((o) => o.name === z.name)) throw new InputError(at, `zone ${z.name} of node ${z.node} listed twice`);
    byNode[z.node]!.push(z);
  }

  const snapZones: SnapshotZone[] = [];
  const notes: string[] = [];
  const nodes: PglistData[] = byNode.map((list, nodeId) => {
    const zones: Zone[] = [];
    for (let idx = 0; idx < nrZoneTypes; idx++) {
      const c = list.find((z) => z.name === zoneTypeNames[idx]);
      const zone = makeZone(nodeId, idx, { start_pfn: c?.startPfn ?? 0, spanned: c?.spanned ?? 0, present: c?.present ?? 0, managed: c?.managed ?? 0 }, nrZoneTypes, opts.policy);
      if (c) {
        // zoneinfo prints wmark_pages() = _watermark + boost
        zone.watermarkBoost = c.boost;
        zone.watermark[WMARK_MIN] = c.min - c.boost;
        zone.watermark[WMARK_LOW] = c.low - c.boost;
        zone.watermark[WMARK_HIGH] = c.high - c.boost;
        zone.watermark[WMARK_PROMO] = (c.promo ?? c.high + (c.high - c.low)) - c.boost;
        zone.lowmemReserve = c.protection.slice();
        zone.nrFreePages = c.free;
      }
      zones.push(zone);
    }
    return makeNode(nodeId, zones);
  });
  buildZonelists(nodes, undefined, opts.policy);

  const firstPopulated = zi.find((z) => z.present > 0);
  const cpus = new Set((firstPopulated?.pagesets ?? []).map((p) => p.cpu));
  const nrCpus = Math.max(cpus.size, 1);

  // free lists: pagetypeinfo by migratetype, else buddyinfo (all Movable), else NR_FREE_PAGES as max-order blocks
  const buddyText = readOptional(dir, 'buddyinfo', files);
  const buddy = buddyText !== undefined ? parseBuddyinfo(buddyText, label('buddyinfo')) : undefined;
  const ptText = readOptional(dir, 'pagetypeinfo', files);
  const pt = ptText !== undefined ? parsePagetypeinfo(ptText, label('pagetypeinfo')) : undefined;
  let cma = false;
  if (pt) {
    for (const row of pt.free) {
      if (row.type === 'CMA') cma = true;
      if (migratetypeByName(row.type) < 0) throw new InputError(`${label('pagetypeinfo')}:${row.line}`, `unknown migratetype '${row.type}' (known: ${migratetypeNames.join(', ')})`);
    }
  }
  for (const list of byNode) {
    for (const c of list) {
      if (c.present === 0) continue;
      const zoneIdx = zoneTypeNames.indexOf(c.name);
      const zone = nodes[c.node]!.zones[zoneIdx]!;
      const brow = buddy?.find((r) => r.node === c.node && r.zone === c.name)?.counts;
      const freeByOrderByMt = Array.from({ length: NR_PAGE_ORDERS }, () => new Array<number>(MIGRATE_TYPES).fill(0));
      const rows = pt?.free.filter((r) => r.node === c.node && r.zone === c.name) ?? [];
      if (rows.length > 0) {
        for (const r of rows) {
          const mt = migratetypeByName(r.type);
          for (let o = 0; o < NR_PAGE_ORDERS; o++) freeByOrderByMt[o]![mt] = r.counts[o] ?? 0;
        }
        // a `>100000` cell: the kernel stopped counting; recover it from buddyinfo's total for that order
        for (const r of rows) {
          r.overflow.forEach((over, o) => {
            if (!over) return;
            if (!brow) throw new InputError(`${label('pagetypeinfo')}:${r.line}`, `order ${o} count is '>100000' and there is no buddyinfo to recover it from`);
            let others = 0;
            for (const r2 of rows) if (r2 !== r) others += r2.counts[o] ?? 0;
            freeByOrderByMt[o]![migratetypeByName(r.type)] = Math.max(brow[o]! - others, 100000);
          });
        }
        if (brow) reconcileWithBuddyinfo(freeByOrderByMt, brow, `node ${c.node} ${c.name}`, notes);
      } else if (brow) {
        for (let o = 0; o < NR_PAGE_ORDERS; o++) freeByOrderByMt[o]![MIGRATE_MOVABLE] = brow[o] ?? 0;
      } else {
        freeByOrderByMt[NR_PAGE_ORDERS - 1]![MIGRATE_MOVABLE] = Math.floor(c.free / (1 << (NR_PAGE_ORDERS - 1)));
        let rest = c.free % (1 << (NR_PAGE_ORDERS - 1));
        for (let o = NR_PAGE_ORDERS - 2; o >= 0; o--) if (rest >= 1 << o) { freeByOrderByMt[o]![MIGRATE_MOVABLE] = 1; rest -= 1 << o; }
      }
      const blocksByMt = new Array<number>(MIGRATE_TYPES).fill(0);
      const brow2 = pt?.blocks.find((r) => r.node === c.node && r.zone === c.name);
      if (brow2) {
        for (const [tname, n] of Object.entries(brow2.counts)) {
          const mt = migratetypeByName(tname);
          if (mt < 0) throw new InputError(`${label('pagetypeinfo')}:${brow2.line}`, `unknown migratetype '${tname}'`);
          blocksByMt[mt] = n;
        }
      } else {
        blocksByMt[MIGRATE_MOVABLE] = Math.ceil(c.present / pageblock_nr_pages);
      }
      // reserve_highatomic_pageblock() counts whole pageblocks
      zone.nrReservedHighatomic = blocksByMt[MIGRATE_HIGHATOMIC]! * pageblock_nr_pages;
      snapZones.push({
        nodeId: c.node, zoneIdx, name: c.name, freePages: c.free, pagesets: c.pagesets, nodeUnreclaimable: c.nodeUnreclaimable,
        freeByOrderByMt, blocksByMt, ...(brow ? { buddyinfo: brow } : {}),
      });
    }
  }

  // sysctls: defaults < vm_sysctls < the single files
  const sysctl = defaultSysctl(nrZoneTypes);
  const vmText = readOptional(dir, 'vm_sysctls', files);
  const vm = vmText !== undefined ? parseVmSysctls(vmText, label('vm_sysctls')) : undefined;
  const setInt = (key: keyof Sysctl, text: string | undefined, file: string): void => {
    if (text === undefined) return;
    if (key === 'lowmem_reserve_ratio') {
      const nums = text.trim().split(/\s+/).map(Number);
      if (nums.some((n) => !Number.isInteger(n))) throw new InputError(`${file}`, `lowmem_reserve_ratio: expected whole numbers, found: ${text.trim()}`);
      sysctl.lowmem_reserve_ratio = nums;
    } else {
      (sysctl as unknown as Record<string, number>)[key] = intFile(text, file);
    }
  };
  for (const key of sysctlNames as (keyof Sysctl)[]) {
    if (vm?.[key] !== undefined) setInt(key, vm[key], label('vm_sysctls'));
    const single = readOptional(dir, key, files);
    setInt(key, single, label(key));
  }
  if (sysctl.min_free_kbytes < 0) {
    // not captured: the watermarks are, so keep them; min_free_kbytes then only matters to a later recomputation
    sysctl.min_free_kbytes = calculateMinFreeKbytes(nodes[0]!.zonelistFallback, opts.policy);
  }
  const thpText = readOptional(dir, 'thp_enabled', files) ?? /^enabled:\s*(.*)$/m.exec(readOptional(dir, 'thp_all', files) ?? '')?.[1];
  const thpChoice = thpText !== undefined ? parseSysfsChoice(thpText) : undefined;
  const thp: ThpMode = thpChoice === 'always' || thpChoice === 'never' ? thpChoice : 'madvise';
  const meminfo = readOptional(dir, 'meminfo', files);
  const swapTotal = meminfo !== undefined ? /^SwapTotal:\s+(\d+)/m.exec(meminfo)?.[1] : undefined;
  const vmstatText = readOptional(dir, 'vmstat', files);

  const m: Machine = {
    nodes,
    sysctl,
    nrCpus,
    policy: opts.policy,
    thp,
    swap: swapTotal !== undefined && Number(swapTotal) > 0,
    source: { kind: 'snapshot', name },
    config: { nrZoneTypes, cma },
    snapshot: {
      dir,
      files,
      zones: snapZones,
      ...(vmstatText !== undefined ? { vmstat: parseVmstat(vmstatText, label('vmstat')) } : {}),
      ...(vm ? { vmSysctls: vm } : {}),
      notes,
    },
  };
  initFreeLists(m);
  applySysctlOverrides(m, opts.sysctl);
  return m;
}

/**
 * The initial free lists: memblock_free_all() for a preset or JSON machine (buddy.ts freeBootMemory: every managed
 * page free, max-order blocks, MOVABLE pageblocks); for a snapshot the captured counts per order and migratetype
 * laid out by buddy.ts layoutSnapshotFreeLists, everything else allocated before the trace.
 * build_all_zonelists() disables grouping by mobility when the machine has fewer than
 * pageblock_nr_pages · MIGRATE_TYPES pages (nr_free_zone_pages() at boot, when the watermarks are still 0).
 */
function initFreeLists(m: Machine): void {
  let total = 0;
  for (const node of m.nodes) for (const zone of node.zones) total += zone.managedPages;
  const mobilityDisabled = total < pageblock_nr_pages * (m.config.cma ? 6 : 5);
  for (const node of m.nodes) {
    for (const zone of node.zones) {
      zone.freeArea.sysctl = m.sysctl;
      zone.freeArea.mobilityDisabled = mobilityDisabled;
      if (zone.presentPages === 0) continue;
      const sz = m.snapshot?.zones.find((s) => s.nodeId === zone.nodeId && s.zoneIdx === zone.zoneIdx);
      if (sz) layoutSnapshotFreeLists(zone, node.memmap, sz.freeByOrderByMt, sz.blocksByMt);
      else if (m.source.kind !== 'snapshot') freeBootMemory(zone, node.memmap);
    }
  }
}

/**
 * Writes sysctls into a built machine as writing /proc/sys/vm would (mm/page_alloc.c handlers @ v6.18):
 * min_free_kbytes and watermark_scale_factor recompute the watermarks (and reset boosts),
 * lowmem_reserve_ratio recomputes the reserves; the others are just stored.
 */
export function applySysctlOverrides(m: Machine, over: Partial<Sysctl> | undefined): void {
  if (!over) return;
  const before = { ...m.sysctl, lowmem_reserve_ratio: m.sysctl.lowmem_reserve_ratio.slice() };
  // in place: the zones' free areas hold this object (boost_watermark reads it)
  const next = Object.assign(m.sysctl, mergeSysctl(before, over, m.config.nrZoneTypes));
  if (next.min_free_kbytes !== before.min_free_kbytes || next.watermark_scale_factor !== before.watermark_scale_factor) {
    setupPerZoneWmarks(m.nodes, next, m.policy);
  }
  if (next.lowmem_reserve_ratio.join() !== before.lowmem_reserve_ratio.join()) setupPerZoneLowmemReserve(m.nodes, next, m.policy);
}

// ---------------------------------------------------------------------------------------------------------------
// views for the /proc printers and JSON

/** include/linux/bitops.h fls(): 1-based index of the highest set bit, 0 for 0 */
function fls(x: number): number {
  return x === 0 ? 0 : 32 - Math.clz32(x);
}

/** CPUs of a node: nrCpus split evenly, the first nodes taking the remainder. */
export function cpusOfNode(m: Machine, nodeId: number): number {
  const n = m.nodes.length;
  return Math.floor(m.nrCpus / n) + (nodeId < m.nrCpus % n ? 1 : 0);
}

/**
 * The pagesets zoneinfo would print for a freshly booted zone (mm/page_alloc.c @ v6.18 zone_batchsize(),
 * zone_highsize(), zone_set_pageset_high_and_batch(); mm/vmstat.c calculate_normal_threshold()). Display only:
 * the per-cpu lists themselves belong to pcp.ts. `high` is shown at high_min (a list that has been used).
 */
export function bootPagesets(m: Machine, zone: Zone): Pageset[] {
  let batch = Math.min(zone.managedPages >> 10, m.policy.pcpBatchCapPages) >> 2;
  if (batch < 1) batch = 1;
  batch = (1 << (fls(batch + (batch >> 1)) - 1)) - 1;
  batch = Math.max(1, batch);
  const nodeCpus = Math.max(1, cpusOfNode(m, zone.nodeId));
  const frac = m.sysctl.percpu_pagelist_high_fraction;
  const highsize = (total: number): number => Math.max(Math.floor(total / nodeCpus), batch << 2);
  const highMin = highsize(frac ? Math.floor(zone.managedPages / frac) : wmarkPages(zone, WMARK_LOW));
  const highMax = frac ? highMin : highsize(Math.floor(zone.managedPages / m.policy.pcpHighMaxFraction));
  const mem = zone.managedPages >> (27 - PAGE_SHIFT);
  const threshold = Math.min(125, 2 * fls(m.nrCpus) * (1 + fls(mem)));
  const out: Pageset[] = [];
  for (let cpu = 0; cpu < m.nrCpus; cpu++) out.push({ cpu, count: 0, high: highMin, batch, highMin, highMax, statThreshold: threshold });
  return out;
}

/** Free blocks per order per migratetype ([order][MIGRATE_*]), read from the zone's free area. */
function freeByOrderByMt(zone: Zone): number[][] {
  const fa = zone.freeArea;
  return Array.from({ length: NR_PAGE_ORDERS }, (_, o) => Array.from({ length: MIGRATE_TYPES }, (_, mt) => fa.nrFreeMt[o * MIGRATE_TYPES + mt]!));
}

/**
 * mm/vmstat.c pagetypeinfo_showblockcount_print(): pageblocks per migratetype, stepping from zone_start_pfn by
 * pageblock_nr_pages and skipping pageblocks without memory (the kernel skips missing sections; a pageblock
 * whose pfns in this zone are all holes is the nearest thing the memmap has).
 */
function blocksByMt(zone: Zone, mm: MemMap): number[] {
  // one tight pass over the pageblock bytes (this runs once, cold, at the end of a replay: 8192 pageblocks for
  // 16 GiB); a pageblock's pfns are scanned only while they are holes
  const counts = new Int32Array(MIGRATE_TYPES);
  const state = mm.state;
  const flags = mm.pageblockFlags;
  const base = mm.startPfn;
  const pbBase = mm.pageblockBase;
  const zs = zone.zoneStartPfn as number;
  const ze = zs + zone.spannedPages;
  for (let pfn = zs; pfn < ze; pfn += pageblock_nr_pages) {
    const pbFirst = pfn & ~(pageblock_nr_pages - 1);
    let p = pbFirst > zs ? pbFirst : zs;
    const pbEnd = pbFirst + pageblock_nr_pages < ze ? pbFirst + pageblock_nr_pages : ze;
    while (p < pbEnd && state[p - base] === PAGE_HOLE) p++;
    if (p === pbEnd) continue;
    // get_pageblock_migratetype(): PB_migrate_isolate reads as MIGRATE_ISOLATE, else the PB_migrate bits
    const f = flags[(pfn >> pageblock_order) - pbBase]!;
    counts[f & PB_migrate_isolate ? MIGRATE_ISOLATE : f & PB_MIGRATETYPE_MASK]!++;
  }
  return Array.from(counts);
}

/** Read-only views of every zone of every node, for printZoneinfo/printBuddyinfo/printPagetypeinfo. */
export function machineZoneViews(m: Machine): ZoneView[] {
  const out: ZoneView[] = [];
  for (const node of m.nodes) {
    for (const zone of node.zones) {
      const sz = m.snapshot?.zones.find((s) => s.nodeId === zone.nodeId && s.zoneIdx === zone.zoneIdx);
      const populated = zone.presentPages > 0;
      out.push({
        nodeId: node.nodeId,
        name: zone.name,
        populated,
        free: zone.nrFreePages,
        boost: zone.watermarkBoost,
        min: wmarkPages(zone, WMARK_MIN),
        low: wmarkPages(zone, WMARK_LOW),
        high: wmarkPages(zone, WMARK_HIGH),
        promo: wmarkPages(zone, WMARK_PROMO),
        spanned: zone.spannedPages,
        present: zone.presentPages,
        managed: zone.managedPages,
        cma: 0,
        protection: zone.lowmemReserve,
        startPfn: zone.zoneStartPfn,
        pagesets: populated ? (sz?.pagesets ?? bootPagesets(m, zone)) : [],
        nodeUnreclaimable: sz?.nodeUnreclaimable ?? 0,
        freeByOrder: Array.from(zone.freeArea.nrFree),
        freeByOrderByMt: freeByOrderByMt(zone),
        blocksByMt: populated ? blocksByMt(zone, node.memmap) : new Array<number>(MIGRATE_TYPES).fill(0),
      });
    }
  }
  return out;
}

/** `mmreplay machine --format json` (schema 1): zones with zoneinfo's boosted watermarks and the free lists. */
export function machineToJson(m: Machine): object {
  const mts = printedMigratetypes(m.config.cma);
  const views = machineZoneViews(m);
  return {
    schema: 1,
    source: m.source,
    policy: m.policy.name,
    cpus: m.nrCpus,
    thp: m.thp,
    swap: m.swap,
    sysctl: { ...m.sysctl, lowmem_reserve_ratio: m.sysctl.lowmem_reserve_ratio.slice() },
    nodes: m.nodes.map((node) => ({
      id: node.nodeId,
      zones: views.filter((v) => v.nodeId === node.nodeId).map((v) => ({
        name: v.name,
        start_pfn: v.startPfn,
        spanned: v.spanned,
        present: v.present,
        managed: v.managed,
        min: v.min,
        low: v.low,
        high: v.high,
        promo: v.promo,
        boost: v.boost,
        protection: v.protection.slice(),
        free: v.free,
        freeByOrder: v.freeByOrder.slice(),
        freeByOrderByMigratetype: Object.fromEntries(mts.map((mt) => [migratetypeNames[mt]!, v.freeByOrderByMt.map((row) => row[mt]!)])),
      })),
    })),
  };
}

/** The name a machine is shown under: the preset, or the file or folder's base name. */
export function machineName(m: Machine): string {
  return m.source.kind === 'preset' ? m.source.name : basename(m.source.name.replace(/\/+$/, ''));
}
