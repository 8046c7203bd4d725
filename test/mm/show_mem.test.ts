import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FreeAreaState, PglistData, Zone } from '../../src/mm/mmzone.js';
import { MIGRATE_TYPES, NR_PAGE_ORDERS } from '../../src/mm/mmzone.js';
import type { Pfn } from '../../src/mm/memmap-types.js';
import {
  WARN_PRINT,
  WARN_SUPPRESSED_NO_MANAGED_DMA,
  WARN_SUPPRESSED_NOWARN,
  WARN_SUPPRESSED_RATELIMIT,
  buddyLine,
  dmesgPrefix,
  dmesgPrefixNs,
  formatNodeList,
  newNopageRs,
  newWarnAllocState,
  nrFreeHighatomic,
  ratelimit,
  referenceShowMemConfig,
  showMigrationTypes,
  warnAlloc,
  type MemSnapshot,
  type PcpCounts,
  type ShowMemInput,
  type WarnAllocCtx,
} from '../../src/mm/show_mem.js';

// --- a hand-built machine: the reference VM's geometry (traces/real/quiet/before/zoneinfo), hand-chosen free lists

const U = 0;
const M = 1;
const E = 2;
const H = 3;

/** free lists from [order, migratetype, blocks] triples */
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

function zone(
  zoneIdx: number,
  name: string,
  geo: { start: number; spanned: number; present: number; managed: number; wmark: number[]; protection: number[] },
  blocks: [number, number, number][],
  extra: Partial<Zone> = {},
): Zone {
  const { area, pages } = freeArea(blocks);
  return {
    nodeId: 0,
    zoneIdx,
    name,
    zoneStartPfn: geo.start as Pfn,
    spannedPages: geo.spanned,
    presentPages: geo.present,
    managedPages: geo.managed,
    watermark: geo.wmark,
    watermarkBoost: 0,
    lowmemReserve: geo.protection,
    nrReservedHighatomic: 0,
    nrFreePages: pages,
    freeArea: area,
    ...extra,
  };
}

function machine(opts: { dmaManaged?: number } = {}): PglistData {
  // DMA: 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 256 + 512 + 3072 = 3840 pages = 15360 kB (as the real VM)
  const dma = zone(
    0,
    'DMA',
    { start: 1, spanned: 4095, present: 3998, managed: opts.dmaManaged ?? 3840, wmark: [10, 13, 16, 19], protection: [0, 3019, 24090, 24090] },
    [
      [8, U, 1],
      [9, M, 1],
      [10, M, 3],
    ],
  );
  // DMA32: order0 U2 M1 (3 pages), order1 M2 (4), order3 E1 (8), order9 M4 (2048), order10 M100 (102400)
  //        = 104463 pages = 417852 kB
  const dma32 = zone(
    1,
    'DMA32',
    { start: 4096, spanned: 1044480, present: 782336, managed: 772915, wmark: [2116, 2888, 3660, 4432], protection: [0, 0, 21071, 21071] },
    [
      [0, U, 2],
      [0, M, 1],
      [1, M, 2],
      [3, E, 1],
      [9, M, 4],
      [10, M, 100],
    ],
  );
  // Normal: order0 U5 M10 E3 (18 pages), order1 H2 (4), order2 M4 (16), order4 U1 M1 (32), order10 M50 (51200)
  //         = 51270 pages = 205080 kB; free_highatomic = 2 blocks of order 1 = 4 pages = 16 KB;
  //         boost 100 pages: min/low/high print (14769|20163|25557 + 100) * 4 = 59476 / 81052 / 102628 kB
  const normal = zone(
    2,
    'Normal',
    { start: 1048576, spanned: 5505024, present: 5505024, managed: 5394266, wmark: [14769, 20163, 25557, 30951], protection: [0, 0, 0, 0] },
    [
      [0, U, 5],
      [0, M, 10],
      [0, E, 3],
      [1, H, 2],
      [2, M, 4],
      [4, U, 1],
      [4, M, 1],
      [10, M, 50],
    ],
    { watermarkBoost: 100, nrReservedHighatomic: 512 },
  );
  const movable = zone(3, 'Movable', { start: 0, spanned: 0, present: 0, managed: 0, wmark: [32, 32, 32, 32], protection: [0, 0, 0, 0] }, []);
  const zones = [dma, dma32, normal, movable];
  return {
    nodeId: 0,
    nodeStartPfn: 1 as Pfn,
    nodeSpannedPages: 6553599,
    zones,
    zonelistFallback: [normal, dma32, dma],
    zonelistNofallback: [normal, dma32, dma],
    memmap: undefined as never,
  };
}

/** free_pcp / local_pcp per zone name: DMA 0/0, DMA32 31/7, Normal 250/60 (global free_pcp up to Normal: 281) */
const pcp: PcpCounts = {
  pcpPages: (z) => ({ DMA: 0, DMA32: 31, Normal: 250 })[z.name] ?? 0,
  localPcpPages: (z) => ({ DMA: 0, DMA32: 7, Normal: 60 })[z.name] ?? 0,
};

/** "name value" files of the real capture (/proc/vmstat, /proc/meminfo with kB units dropped) */
function procFile(path: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(new URL(`../../traces/real/quiet/before/${path}`, import.meta.url), 'utf8').split('\n')) {
    const m = /^(\S+?):?\s+(\d+)/.exec(line);
    if (m) out[m[1]!] = Number(m[2]);
  }
  return out;
}
const snapshot: MemSnapshot = {
  vmstat: procFile('vmstat'),
  meminfo: procFile('meminfo'),
  zones: { '0:Normal': { nr_zone_active_anon: 365, nr_zone_inactive_anon: 1466, nr_zone_write_pending: 3, nr_mlock: 3213 } },
};

const GFP_KERNEL = 0xcc0;
const __GFP_NOWARN = 0x2000;
const __GFP_DMA = 0x01;

function ctx(over: Partial<WarnAllocCtx> = {}): WarnAllocCtx {
  return {
    timeNs: 1976_217_652_000,
    comm: 'perf',
    pid: 11754,
    cpu: 3,
    order: 4,
    gfpMask: GFP_KERNEL,
    mode: '0xcc0(GFP_KERNEL)',
    highestZoneIdx: 2,
    ...over,
  };
}

const S = 1e9;

describe('dmesgPrefix (print_time)', () => {
  it('when seconds fit in 5 columns then they are right-aligned and microseconds zero-padded', () => {
    expect(dmesgPrefix(5.123456)).toBe('[    5.123456] ');
    expect(dmesgPrefix(0)).toBe('[    0.000000] ');
  });
  it('when seconds need more than 5 columns then the field grows', () => {
    expect(dmesgPrefix(123456.789)).toBe('[123456.789000] ');
  });
  it('when the time is not a whole microsecond then it is truncated, not rounded', () => {
    expect(dmesgPrefixNs(1_999_999_999)).toBe('[    1.999999] ');
    // 1.005 s is 1.00499999... in binary: the nanosecond rounding keeps it at 1.005000
    expect(dmesgPrefix(1.005)).toBe('[    1.005000] ');
  });
});

describe('___ratelimit (nopage_rs: 10*HZ, burst 1)', () => {
  it('when failures come faster than 10 s then only the first of each interval passes and misses are reported once', () => {
    const rs = newNopageRs(1000);
    expect(ratelimit(rs, 0)).toBe(1); // starts the interval at jiffy 0
    expect(ratelimit(rs, 1 * S)).toBe(0);
    expect(ratelimit(rs, 9 * S)).toBe(0);
    // jiffy 10000 == begin + interval: time_is_before_jiffies() needs strictly after
    expect(ratelimit(rs, 10 * S)).toBe(0);
    expect(rs.suppressedToPrint).toBe(0);
    expect(ratelimit(rs, 10.001 * S)).toBe(1);
    expect(rs.suppressedToPrint).toBe(3);
    expect(ratelimit(rs, 10.5 * S)).toBe(0);
    // the interval restarted at jiffy 10001: 20.001 s is not after it, 20.002 s is
    expect(ratelimit(rs, 20.001 * S)).toBe(0);
    expect(ratelimit(rs, 20.002 * S)).toBe(1);
    expect(rs.suppressedToPrint).toBe(2);
  });
  it('when HZ is 250 then the interval edge moves to whole 4 ms jiffies', () => {
    const rs = newNopageRs(250);
    ratelimit(rs, 0.001 * S); // jiffy 0
    expect(ratelimit(rs, 10.003 * S)).toBe(0); // jiffy 2500 = begin + interval
    expect(ratelimit(rs, 10.004 * S)).toBe(1); // jiffy 2501
  });
});

describe('warn_alloc suppression', () => {
  it('when a second failure follows within 10 s then it is dropped and the next report starts with the suppressed count', () => {
    const state = newWarnAllocState();
    const input: ShowMemInput = { nodes: [machine()], pcp, snapshot };
    const out: string[] = [];
    expect(warnAlloc(out, state, ctx({ timeNs: 100 * S }), input)).toBe(WARN_PRINT);
    const first = out.length;
    expect(warnAlloc(out, state, ctx({ timeNs: 101 * S }), input)).toBe(WARN_SUPPRESSED_RATELIMIT);
    expect(warnAlloc(out, state, ctx({ timeNs: 105 * S }), input)).toBe(WARN_SUPPRESSED_RATELIMIT);
    expect(out.length).toBe(first);
    expect(warnAlloc(out, state, ctx({ timeNs: 111 * S, comm: 'kworker/u16:3' }), input)).toBe(WARN_PRINT);
    expect(out[first]).toBe('[  111.000000] warn_alloc: 2 callbacks suppressed');
    expect(out[first + 1]).toBe(
      '[  111.000000] kworker/u16:3: page allocation failure: order:4, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0',
    );
  });

  it('when the request has __GFP_NOWARN then nothing prints and the ratelimit is not charged', () => {
    const state = newWarnAllocState();
    const input: ShowMemInput = { nodes: [machine()], pcp, snapshot };
    const out: string[] = [];
    expect(warnAlloc(out, state, ctx({ gfpMask: GFP_KERNEL | __GFP_NOWARN }), input)).toBe(WARN_SUPPRESSED_NOWARN);
    expect(out).toEqual([]);
    expect(state.nopageRs.initialized).toBe(false);
    // so the next warnable failure still gets the burst token
    expect(warnAlloc(out, state, ctx(), input)).toBe(WARN_PRINT);
  });

  it('when __GFP_DMA fails and no DMA zone has managed pages then it is silent but still uses the token', () => {
    const state = newWarnAllocState();
    const input: ShowMemInput = { nodes: [machine({ dmaManaged: 0 })], pcp, snapshot };
    const out: string[] = [];
    expect(warnAlloc(out, state, ctx({ gfpMask: GFP_KERNEL | __GFP_DMA, timeNs: 50 * S }), input)).toBe(
      WARN_SUPPRESSED_NO_MANAGED_DMA,
    );
    expect(out).toEqual([]);
    // the ratelimit ran before the DMA test: a GFP_KERNEL failure 1 s later is ratelimited
    expect(warnAlloc(out, state, ctx({ timeNs: 51 * S }), input)).toBe(WARN_SUPPRESSED_RATELIMIT);
  });

  it('when a DMA zone has managed pages then a __GFP_DMA failure is reported', () => {
    const state = newWarnAllocState();
    const out: string[] = [];
    const input: ShowMemInput = { nodes: [machine()], pcp, snapshot };
    expect(warnAlloc(out, state, ctx({ gfpMask: GFP_KERNEL | __GFP_DMA, highestZoneIdx: 0 }), input)).toBe(WARN_PRINT);
  });
});

describe('show_free_areas zone filtering (zones <= gfp_zone)', () => {
  function zoneNamesListed(highestZoneIdx: number): string[] {
    const out: string[] = [];
    warnAlloc(out, newWarnAllocState(), ctx({ highestZoneIdx }), { nodes: [machine()], pcp, snapshot });
    return out.map((l) => l.slice(15)).filter((l) => / free:\d+kB boost:/.test(l)).map((l) => l.split(' ')[2]!);
  }
  it('when gfp_zone is ZONE_NORMAL then DMA, DMA32 and Normal are listed (Movable is unpopulated)', () => {
    expect(zoneNamesListed(2)).toEqual(['DMA', 'DMA32', 'Normal']);
    expect(zoneNamesListed(3)).toEqual(['DMA', 'DMA32', 'Normal']);
  });
  it('when gfp_zone is ZONE_DMA32 or ZONE_DMA then higher zones are left out', () => {
    expect(zoneNamesListed(1)).toEqual(['DMA', 'DMA32']);
    expect(zoneNamesListed(0)).toEqual(['DMA']);
  });
  it('when zones are left out then free_pcp counts only listed zones but free counts every zone', () => {
    const out: string[] = [];
    warnAlloc(out, newWarnAllocState(), ctx({ highestZoneIdx: 1 }), { nodes: [machine()], pcp, snapshot });
    // free = 3840 + 104463 + 51270; free_pcp = DMA 0 + DMA32 31
    expect(out.find((l) => l.includes(' free:') && l.includes('free_cma'))?.slice(15)).toBe(' free:159573 free_pcp:31 free_cma:0');
  });
});

describe('show_free_areas lines', () => {
  it('buddy line: counts per order, letters only for non-empty lists, total in kB', () => {
    const m = machine();
    expect(buddyLine(m.zones[0]!)).toBe(
      'Node 0 DMA: 0*4kB 0*8kB 0*16kB 0*32kB 0*64kB 0*128kB 0*256kB 0*512kB 1*1024kB (U) 1*2048kB (M) 3*4096kB (M) = 15360kB',
    );
    expect(buddyLine(m.zones[2]!)).toBe(
      'Node 0 Normal: 18*4kB (UME) 2*8kB (H) 4*16kB (M) 0*32kB 2*64kB (UM) 0*128kB 0*256kB 0*512kB 0*1024kB 0*2048kB 50*4096kB (M) = 205080kB',
    );
  });
  it('buddy line without CONFIG_NUMA has no "Node N " prefix', () => {
    expect(buddyLine(machine().zones[0]!, { ...referenceShowMemConfig, numa: false }).startsWith('DMA: 0*4kB')).toBe(true);
  });
  it('show_migration_types: letters in enum order U M E H C I', () => {
    expect(showMigrationTypes(0b111111)).toBe('(UMEHCI) ');
    expect(showMigrationTypes(0b001010)).toBe('(MH) ');
  });
  it('free_highatomic counts pages on the highatomic lists', () => {
    expect(nrFreeHighatomic(machine().zones[2]!)).toBe(4);
  });
  it('%*pbl node lists', () => {
    expect(formatNodeList([0])).toBe('0');
    expect(formatNodeList([1, 0])).toBe('0-1');
    expect(formatNodeList([0, 2, 3, 5])).toBe('0,2-3,5');
  });
});

describe('warn_alloc report (golden)', () => {
  it('order-4 GFP_KERNEL failure on the reference 3-zone machine', async () => {
    const out: string[] = [];
    warnAlloc(out, newWarnAllocState(), ctx(), { nodes: [machine()], pcp, snapshot });
    await expect(out.join('\n') + '\n').toMatchFileSnapshot('../golden/show_mem/warn_alloc.reference.v6.18.txt');
  });
  it('without a snapshot the unmodelled fields print 0', async () => {
    const out: string[] = [];
    warnAlloc(out, newWarnAllocState(), ctx({ order: 0, mode: '0x820(GFP_ATOMIC)', gfpMask: 0x820, comm: 'swapper/0', pid: 0, cpu: 0 }), {
      nodes: [machine()],
    });
    await expect(out.join('\n') + '\n').toMatchFileSnapshot('../golden/show_mem/warn_alloc.nosnapshot.v6.18.txt');
  });
});

// --- shape comparison with real reports (test/fixtures/show_mem/README.md)

/** numbers → N, hex → HEX, dmesg prefix → [N.N] */
function shape(line: string): string {
  return line
    .replace(/^\[\s*\d+\.\d+\]/, '[N.N]')
    .replace(/0x[0-9a-f]+/g, '\u0000')
    .replace(/\d+/g, 'N')
    .replace(/\u0000/g, '0xHEX');
}
function fixture(name: string): string[] {
  return readFileSync(new URL(`../fixtures/show_mem/${name}`, import.meta.url), 'utf8').trimEnd().split('\n');
}
/** field names of a zone line, in order */
function zoneFields(line: string): string[] {
  return [...line.matchAll(/ ([a-z_()]+):N[kK]B/g)].map((m) => m[1]!);
}

describe('shape against real reports', () => {
  const out: string[] = [];
  warnAlloc(out, newWarnAllocState(), ctx(), { nodes: [machine()], pcp, snapshot });
  const ours = out.map(shape);

  it('warning line has the 6.9 shape: nodemask=(null),cpuset=/,mems_allowed= on one line', () => {
    const theirs = fixture('thesofproject-5000.6.9-rc7.shape.txt');
    const strip = (l: string) => l.replace(/mode:0xHEX\([^)]*\)/, 'mode:0xHEX(F)').replace(/^\[N\.N\] \S+: /, '');
    expect(strip(ours[0]!)).toBe(strip(theirs[0]!));
    // dump_stack header lines in the same order
    const heads = (ls: string[]) => ls.slice(1, 5).map((l) => l.replace('[N.N] ', '').split(':')[0]!.trim());
    expect(heads(ours)).toEqual(heads(theirs));
  });

  it('zone line fields: ours = 5.x fields + boost, free_highatomic, zspages − pagetables, same order', () => {
    const theirs = zoneFields(fixture('le9-patch-10.5x.shape.txt')[0]!).filter((f) => f !== 'pagetables');
    const zoneLine = ours.find((l) => l.includes('Node N DMA free:'))!;
    const mine = zoneFields(zoneLine).filter((f) => !['boost', 'free_highatomic', 'zspages'].includes(f));
    expect(mine).toEqual(theirs);
    expect(zoneLine).toContain('reserved_highatomic:NKB free_highatomic:NKB');
  });

  it('lowmem_reserve and buddy lines match the 5.x shapes', () => {
    const theirs = fixture('le9-patch-10.5x.shape.txt');
    expect(ours.find((l) => l.includes('lowmem_reserve'))).toBe(theirs[1]);
    const buddy = /^\[N\.N\] Node N \w+: (N\*NkB (\([UMEHCI]+\) )?){11}= NkB$/;
    for (const l of theirs.filter((l) => l.includes('*'))) expect(l).toMatch(buddy);
    const mineBuddy = ours.filter((l) => l.includes('*NkB'));
    expect(mineBuddy).toHaveLength(3);
    for (const l of mineBuddy) expect(l).toMatch(buddy);
    expect(ours.find((l) => l.includes('hugepages_total'))).toBe(theirs[7]);
  });

  it('closing lines match 6.6 without the CMA line; without NUMA the zone line starts like 6.6', () => {
    const theirs = fixture('raspberrypi-6170.6.6.30.shape.txt');
    const tail = ours.slice(ours.findIndex((l) => l.endsWith('total pagecache pages'))).map((l) => l.replace('[N.N] ', ''));
    expect(tail).toEqual(theirs.slice(2).filter((l) => !l.includes('cma')));

    const flat: string[] = [];
    const st = newWarnAllocState({ ...referenceShowMemConfig, numa: false, maxNrZones: 4 });
    warnAlloc(flat, st, ctx(), { nodes: [machine()], pcp, snapshot });
    const zl = shape(flat.find((l) => l.includes(' DMA free:'))!).replace('[N.N] ', '');
    const prefixFields = zoneFields(theirs[0]!);
    expect(zoneFields(zl).filter((f) => f !== 'free_highatomic').slice(0, prefixFields.length)).toEqual(prefixFields);
    expect(zl.startsWith('DMA free:')).toBe(true);
    expect(shape(flat.find((l) => l.includes('lowmem_reserve'))!).replace('[N.N] ', '')).toBe(theirs[1]);
  });
});
