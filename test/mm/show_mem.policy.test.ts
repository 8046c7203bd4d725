/**
 * warn_alloc / show_mem text per kernel version (issue 5): the same hand-built state printed as v4.0, v4.12,
 * v5.0, v6.1 and v6.18 print it. Goldens: test/golden/show_mem/warn_alloc.policy.<version>.txt.
 */
import { describe, expect, it } from 'vitest';
import type { FreeAreaState, PglistData, Zone } from '../../src/mm/mmzone.js';
import { MIGRATE_TYPES, NR_PAGE_ORDERS } from '../../src/mm/mmzone.js';
import type { Pfn } from '../../src/mm/memmap-types.js';
import type { ZonePcp } from '../../src/mm/pcp.js';
import { formatGfpMode, gfpBit, parseGfpFlags } from '../../src/mm/gfp.js';
import {
  WARN_PRINT,
  WARN_SUPPRESSED_RATELIMIT,
  buddyLine,
  newWarnAllocState,
  referenceShowMemConfig,
  showMemFormat,
  showMigrationTypes,
  warnAlloc,
  warnAllocLines,
  zoneLine,
  type PcpCounts,
  type ShowMemInput,
  type WarnAllocCtx,
} from '../../src/mm/show_mem.js';
import { policies } from '../../src/policy/index.js';
import type { Policy } from '../../src/policy/policy.js';

// simulator migratetype slots (mmzone.ts): U 0, M 1, E 2, slot 3 = HIGHATOMIC (4.4+) or RESERVE (4.0)
const U = 0;
const M = 1;
const E = 2;
const S3 = 3;

const VERSIONS = ['v4.0', 'v4.12', 'v5.0', 'v6.1', 'v6.18'] as const;
const pol = (v: string): Policy => policies[v]!;

function freeArea(blocks: [number, number, number][]): { area: FreeAreaState; pages: number } {
  const nrFree = new Int32Array(NR_PAGE_ORDERS);
  const nrFreeMt = new Int32Array(NR_PAGE_ORDERS * MIGRATE_TYPES);
  let pages = 0;
  for (const [order, mt, n] of blocks) {
    nrFree[order]! += n;
    nrFreeMt[order * MIGRATE_TYPES + mt]! += n;
    pages += n << order;
  }
  const lists = new Int32Array(NR_PAGE_ORDERS * MIGRATE_TYPES).fill(-1);
  return { area: { head: lists, tail: lists.slice(), nrFree, nrFreeMt }, pages };
}

/** two CPUs: high/batch/count as v4.0 prints them in "CPU %4d: hi:%5d, btch:%4d usd:%4d" */
function pcpOf(high: number, batch: number, counts: [number, number]): ZonePcp {
  return { nrCpus: 2, high: Int32Array.from([high, high]), batch, count: Int32Array.from(counts) } as unknown as ZonePcp;
}

function zone(
  zoneIdx: number,
  name: string,
  geo: { start: number; spanned: number; present: number; managed: number; wmark: number[]; protection: number[] },
  blocks: [number, number, number][],
  extra: Partial<Zone> = {},
): Zone {
  const { area, pages } = freeArea(blocks);
  return {
    nodeId: 0, zoneIdx, name, zoneStartPfn: geo.start as Pfn, spannedPages: geo.spanned, presentPages: geo.present,
    managedPages: geo.managed, watermark: geo.wmark, watermarkBoost: 0, lowmemReserve: geo.protection,
    nrReservedHighatomic: 0, nrFreePages: pages, freeArea: area, ...extra,
  };
}

/**
 * The hand-built node (the reference VM's geometry, small free lists):
 *  DMA    1*1024kB (U) 1*2048kB (M) 3*4096kB (M)                       = 3840 pages = 15360 kB
 *  DMA32  order0 U2 M1 E1 (4 pages), order3 E1 (8), order9 M4 (2048)    = 2060 pages = 8240 kB
 *  Normal order0 U5 M10 E3 (18), order1 slot3 ×2 (4), order4 U1 M1 (32) = 54 pages = 216 kB
 * Slot 3 prints 'H' (HighAtomic) from 4.4 and 'R' (Reserve) in v4.0. Normal has boost 100: v6.1+ print
 * min/low/high as (watermark + 100) × 4 kB; the boost field is 0 in no kernel before 5.0 anyway.
 */
function node(): PglistData {
  const dma = zone(0, 'DMA', { start: 1, spanned: 4095, present: 3998, managed: 3840, wmark: [10, 13, 16, 19], protection: [0, 3019, 24090, 24090] },
    [[8, U, 1], [9, M, 1], [10, M, 3]], { pcp: pcpOf(0, 1, [0, 0]) });
  const dma32 = zone(1, 'DMA32', { start: 4096, spanned: 1044480, present: 782336, managed: 772915, wmark: [2116, 2888, 3660, 4432], protection: [0, 0, 21071, 21071] },
    [[0, U, 2], [0, M, 1], [0, E, 1], [3, E, 1], [9, M, 4]], { pcp: pcpOf(186, 31, [31, 7]) });
  const normal = zone(2, 'Normal', { start: 1048576, spanned: 5505024, present: 5505024, managed: 5394266, wmark: [14769, 20163, 25557, 30951], protection: [0, 0, 0, 0] },
    [[0, U, 5], [0, M, 10], [0, E, 3], [1, S3, 2], [4, U, 1], [4, M, 1]], { watermarkBoost: 100, nrReservedHighatomic: 512, pcp: pcpOf(186, 31, [190, 60]) });
  const movable = zone(3, 'Movable', { start: 0, spanned: 0, present: 0, managed: 0, wmark: [32, 32, 32, 32], protection: [0, 0, 0, 0] }, []);
  const zones = [dma, dma32, normal, movable];
  return { nodeId: 0, nodeStartPfn: 1 as Pfn, nodeSpannedPages: 6553599, zones, zonelistFallback: [normal, dma32, dma], zonelistNofallback: [normal, dma32, dma], memmap: undefined as never };
}

const pcp: PcpCounts = {
  pcpPages: (z) => (z.pcp ? z.pcp.count[0]! + z.pcp.count[1]! : 0),
  localPcpPages: (z) => (z.pcp ? z.pcp.count[1]! : 0),
};

/** GFP_KERNEL order 4 in the policy's own gfp layout and %pGg text (v4.0: 0xd0, 4.10+: 0x14000c0, 4.18+: 0x6000c0 …) */
function ctx(p: Policy, over: Partial<WarnAllocCtx> = {}): WarnAllocCtx {
  const mask = parseGfpFlags('GFP_KERNEL', p.gfpEra as never);
  return { timeNs: 1976_217_652_000, comm: 'perf', pid: 11754, cpu: 1, order: 4, gfpMask: mask, mode: formatGfpMode(mask, p.gfpEra as never), highestZoneIdx: 2, ...over };
}
function state(p: Policy) {
  const era = p.gfpEra as never;
  return newWarnAllocState(referenceShowMemConfig, { __GFP_DMA: gfpBit('__GFP_DMA', era), __GFP_NOWARN: gfpBit('__GFP_NOWARN', era) }, p);
}
function report(v: string): string[] {
  const p = pol(v);
  const out: string[] = [];
  const input: ShowMemInput = { nodes: [node()], pcp };
  expect(warnAlloc(out, state(p), ctx(p), input)).toBe(WARN_PRINT);
  return out;
}

describe('warn_alloc per version (golden)', () => {
  for (const v of VERSIONS) {
    it(`when the policy is ${v} then the whole report is that kernel's text`, async () => {
      await expect(report(v).join('\n') + '\n').toMatchFileSnapshot(`../golden/show_mem/warn_alloc.policy.${v}.txt`);
    });
  }
});

describe('warn_alloc warning line', () => {
  it('when v4.0 then warn_alloc_failed prints order:%d, mode:0x%x with no gfp names or nodemask', () => {
    const p = pol('v4.0');
    // GFP_KERNEL on 4.0 = __GFP_WAIT 0x10 | __GFP_IO 0x40 | __GFP_FS 0x80 = 0xd0
    expect(warnAllocLines(ctx(p), [node()], showMemFormat(p))).toEqual(['perf: page allocation failure: order:4, mode:0xd0']);
  });
  it('when v4.12 then the cpuset line is a separate pr_info line "<comm> cpuset=/ mems_allowed=0"', () => {
    const p = pol('v4.12');
    expect(warnAllocLines(ctx(p), [node()], showMemFormat(p))).toEqual([
      `perf: page allocation failure: order:4, mode:${formatGfpMode(ctx(p).gfpMask, p.gfpEra as never)}, nodemask=(null)`,
      'perf cpuset=/ mems_allowed=0',
    ]);
  });
  it('when v5.0 then cpuset and mems_allowed continue the warning line', () => {
    const p = pol('v5.0');
    expect(warnAllocLines(ctx(p, { nodemask: [0] }), [node()], showMemFormat(p))).toEqual([
      `perf: page allocation failure: order:4, mode:${formatGfpMode(ctx(p).gfpMask, p.gfpEra as never)}, nodemask=0,cpuset=/,mems_allowed=0`,
    ]);
  });
});

describe('show_migration_types per version', () => {
  const uem = (1 << U) | (1 << M) | (1 << E);
  it('when v4.0 then letters follow its enum (RECLAIMABLE 1 before MOVABLE 2): (UEM)', () => {
    expect(showMigrationTypes(uem, showMemFormat(pol('v4.0')))).toBe('(UEM) ');
  });
  it('when v4.12 or later then (UME)', () => {
    expect(showMigrationTypes(uem, showMemFormat(pol('v4.12')))).toBe('(UME) ');
    expect(showMigrationTypes(uem, showMemFormat(pol('v6.18')))).toBe('(UME) ');
  });
  it('when slot 3 has free blocks then v4.0 prints R (MIGRATE_RESERVE) and v5.0 prints H', () => {
    const n = node();
    const normal = n.zones[2]!;
    expect(buddyLine(normal, referenceShowMemConfig, showMemFormat(pol('v4.0')))).toBe(
      'Node 0 Normal: 18*4kB (UEM) 2*8kB (R) 0*16kB 0*32kB 2*64kB (UM) 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 216kB',
    );
    expect(buddyLine(normal, referenceShowMemConfig, showMemFormat(pol('v5.0')))).toBe(
      'Node 0 Normal: 18*4kB (UME) 2*8kB (H) 0*16kB 0*32kB 2*64kB (UM) 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 0*4096kB = 216kB',
    );
  });
});

describe('nopage_rs per version', () => {
  it('when v4.0 (DEFAULT_RATELIMIT: 5*HZ, burst 10) then ten failures in a row print and the eleventh is suppressed', () => {
    const p = pol('v4.0');
    const st = state(p);
    const input: ShowMemInput = { nodes: [node()], pcp };
    for (let i = 0; i < 10; i++) expect(warnAlloc([], st, ctx(p, { timeNs: i * 1e8 }), input)).toBe(WARN_PRINT);
    expect(warnAlloc([], st, ctx(p, { timeNs: 1e9 }), input)).toBe(WARN_SUPPRESSED_RATELIMIT);
    // 5 s later (strictly after begin + interval): a new interval, and the callbacks line names warn_alloc_failed
    const out: string[] = [];
    expect(warnAlloc(out, st, ctx(p, { timeNs: 5.001e9 }), input)).toBe(WARN_PRINT);
    expect(out[0]).toBe('[    5.001000] warn_alloc_failed: 1 callbacks suppressed');
  });
  it('when v6.18 (10*HZ, burst 1) then the second failure within 10 s is suppressed', () => {
    const p = pol('v6.18');
    const st = state(p);
    const input: ShowMemInput = { nodes: [node()], pcp };
    expect(warnAlloc([], st, ctx(p, { timeNs: 0 }), input)).toBe(WARN_PRINT);
    expect(warnAlloc([], st, ctx(p, { timeNs: 1e9 }), input)).toBe(WARN_SUPPRESSED_RATELIMIT);
  });
});

describe('zone line field sets', () => {
  const names = (line: string): string[] => [...line.matchAll(/ ([a-z_()?]+)[:?]/g)].map((m) => m[1]!);
  it('when v4.12 then the fields are those of a real 4.9 report (coreos/bugs#1106, Node 1 Normal line)', () => {
    // transcribed field names of: "Node 1 Normal free:… min:… low:… high:… active_anon:… inactive_anon:… active_file:…
    // inactive_file:… unevictable:… writepending:… present:… managed:… mlocked:… slab_reclaimable:… slab_unreclaimable:…
    // kernel_stack:… pagetables:… bounce:… free_pcp:… local_pcp:… free_cma:…"
    const real = ['free', 'min', 'low', 'high', 'active_anon', 'inactive_anon', 'active_file', 'inactive_file', 'unevictable',
      'writepending', 'present', 'managed', 'mlocked', 'slab_reclaimable', 'slab_unreclaimable', 'kernel_stack', 'pagetables',
      'bounce', 'free_pcp', 'local_pcp', 'free_cma'];
    const line = zoneLine(node().zones[2]!, { nodes: [node()], pcp }, referenceShowMemConfig, showMemFormat(pol('v4.12')));
    expect(names(line.replace(/^Node 0 Normal/, ''))).toEqual(real);
  });
  it('when v6.1 then boost follows free and min/low/high include it; v5.0 has neither boost nor reserved_highatomic', () => {
    const n = node();
    const v61 = zoneLine(n.zones[2]!, { nodes: [n], pcp }, referenceShowMemConfig, showMemFormat(pol('v6.1')));
    // (14769 + 100) × 4 = 59476
    expect(v61).toContain('Normal free:216kB boost:400kB min:59476kB low:81052kB high:102628kB reserved_highatomic:2048KB active_anon:0kB');
    const v50 = zoneLine(n.zones[2]!, { nodes: [n], pcp }, referenceShowMemConfig, showMemFormat(pol('v5.0')));
    expect(v50).toContain('Normal free:216kB min:59476kB low:81052kB high:102628kB active_anon:0kB');
    expect(v50).toContain(' mlocked:0kB kernel_stack:0kB pagetables:0kB bounce:0kB free_pcp:1000kB local_pcp:240kB free_cma:0kB');
  });
});

describe('Mem-Info structure per version', () => {
  it('when v4.0 then per-cpu blocks come first, there is no Node line and the global block is the 4.0 one', () => {
    const r = report('v4.0').map((l) => l.slice(15));
    const i = r.indexOf('Mem-Info:');
    expect(r.slice(i + 1, i + 4)).toEqual(['Node 0 DMA per-cpu:', 'CPU    0: hi:    0, btch:   1 usd:   0', 'CPU    1: hi:    0, btch:   1 usd:   0']);
    // shape of a real pre-4.4 report (openzfs/spl#116): unstable ends line 3, free starts line 4, free_cma alone last
    expect(r.filter((l) => /^ ?(unevictable|free|free_cma):/.test(l))).toEqual([
      ' unevictable:0 dirty:0 writeback:0 unstable:0',
      ' free:5954 slab_reclaimable:0 slab_unreclaimable:0',
      ' free_cma:0',
    ]);
    expect(r.some((l) => l.startsWith('Node 0 active_anon'))).toBe(false);
  });
  it('when before v6.1 then zones above gfp_zone are still listed; from v6.1 they are not', () => {
    const p50 = pol('v5.0');
    const p61 = pol('v6.1');
    const input: ShowMemInput = { nodes: [node()], pcp };
    const o50: string[] = [];
    const o61: string[] = [];
    // a GFP_DMA32-class request: highest zone DMA32 (1)
    warnAlloc(o50, state(p50), ctx(p50, { highestZoneIdx: 1 }), input);
    warnAlloc(o61, state(p61), ctx(p61, { highestZoneIdx: 1 }), input);
    expect(o50.some((l) => l.includes(' Normal free:'))).toBe(true);
    expect(o61.some((l) => l.includes(' Normal free:'))).toBe(false);
  });
});
